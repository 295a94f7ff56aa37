import { describe, expect, it } from 'vitest';
import type { KpiStatus, KpiSummary } from '../kpis/kpis.service.ts';
import type { Goal, Objective, Strategy, StrategyTree } from '../strategy/strategy.service.ts';
import { buildGoldenThread, kpiItem, objectivesWithStatus, type ThreadItem } from './thread.ts';

const strategy: Strategy = {
  id: 's1',
  organisationId: 'org',
  title: 'Digital strategy',
  vision: '',
  periodStart: '2026-04-01',
  periodEnd: '2030-03-31',
  status: 'published',
  version: 1,
  updatedAt: new Date(0),
};

function goal(id: string, weight = 1): Goal {
  return { id, organisationId: 'org', strategyId: 's1', title: `Goal ${id}`, description: '', tags: [], weight, position: 1, version: 1 };
}

function objective(id: string, goalId: string, weight = 1): Objective {
  return { id, organisationId: 'org', goalId, title: `Objective ${id}`, description: '', ownerId: null, ownerName: null, dueDate: null, weight, position: 1, version: 1 };
}

function kpi(id: string, status: KpiStatus, weight = 1): ThreadItem {
  const summary: KpiSummary = {
    id,
    key: id,
    name: `KPI ${id}`,
    unit: '%',
    frequency: 'monthly',
    status,
    statusReason: `${status} because`,
    latest: null,
    planned: null,
    ownerId: null,
    ownerName: null,
    overdue: status === 'overdue',
    weight,
  };
  return kpiItem(summary);
}

function tree(goals: { goal: Goal; objectives: Objective[] }[]): StrategyTree {
  return { strategy, goals: goals.map((g) => ({ ...g.goal, objectives: g.objectives })) };
}

describe('buildGoldenThread', () => {
  it('rolls objectives up from their KPIs with the link weights, goals from objectives and the strategy from goals', () => {
    const t = tree([
      { goal: goal('g1', 1), objectives: [objective('o1', 'g1', 1), objective('o2', 'g1', 3)] },
      { goal: goal('g2', 1), objectives: [objective('o3', 'g2')] },
    ]);
    const items = new Map<string, ThreadItem[]>([
      // 3×on track + 1×off track = 0.75 → at risk; unweighted it would be 0.5.
      ['o1', [kpi('k1', 'on_track', 3), kpi('k2', 'off_track', 1)]],
      ['o2', [kpi('k3', 'on_track')]],
      ['o3', [kpi('k4', 'off_track')]],
    ]);
    const thread = buildGoldenThread(t, items);
    const [g1, g2] = thread.goals;
    expect(g1?.objectives.map((o) => [o.objective.id, o.rollup.status, o.rollup.score])).toEqual([
      ['o1', 'at_risk', 0.75],
      ['o2', 'on_track', 1],
    ]);
    expect(g1?.objectives[0]?.rollup.reason).toBe('1 of 2 KPIs on track; 1 off track');
    // o1 at risk (0.5) weight 1, o2 on track (1) weight 3 → 0.875.
    expect(g1?.rollup).toMatchObject({ status: 'on_track', score: 0.875, reason: '1 of 2 objectives on track; 1 at risk' });
    expect(g2?.rollup).toMatchObject({ status: 'off_track', score: 0 });
    expect(thread.rollup).toMatchObject({ status: 'at_risk', score: 0.5, reason: '1 of 2 goals on track; 1 off track' });
  });

  it('weighs goals by their weights for the strategy', () => {
    const t = tree([
      { goal: goal('g1', 4), objectives: [objective('o1', 'g1')] },
      { goal: goal('g2', 1), objectives: [objective('o2', 'g2')] },
    ]);
    const thread = buildGoldenThread(
      t,
      new Map([
        ['o1', [kpi('k1', 'on_track')]],
        ['o2', [kpi('k2', 'off_track')]],
      ]),
    );
    expect(thread.rollup).toMatchObject({ status: 'on_track', score: 0.8 });
  });

  it('shows objectives with nothing linked as having no data, and leaves them out of the goal’s score', () => {
    const t = tree([{ goal: goal('g1'), objectives: [objective('o1', 'g1'), objective('o2', 'g1')] }]);
    const thread = buildGoldenThread(t, new Map([['o1', [kpi('k1', 'on_track')]]]));
    const [o1, o2] = thread.goals[0]?.objectives ?? [];
    expect(o2?.items).toEqual([]);
    expect(o2?.rollup).toMatchObject({ status: 'no_data', score: null, reason: 'No KPIs linked yet' });
    expect(o1?.rollup.status).toBe('on_track');
    expect(thread.goals[0]?.rollup).toMatchObject({ status: 'on_track', reason: '1 of 2 objectives on track; 1 with no data yet' });
  });

  it('holds a parent at risk while anything under it is overdue', () => {
    const t = tree([{ goal: goal('g1'), objectives: [objective('o1', 'g1')] }]);
    const thread = buildGoldenThread(t, new Map([['o1', [kpi('k1', 'on_track'), kpi('k2', 'overdue')]]]));
    expect(thread.goals[0]?.objectives[0]?.rollup.status).toBe('at_risk');
    expect(thread.goals[0]?.rollup.status).toBe('at_risk');
  });

  it('gives an empty strategy no data, and keeps the tree’s order and the goal without its objectives list', () => {
    expect(buildGoldenThread(tree([]), new Map()).rollup).toMatchObject({ status: 'no_data', reason: 'No goals linked yet' });
    const thread = buildGoldenThread(
      tree([
        { goal: goal('b'), objectives: [objective('o2', 'b'), objective('o1', 'b')] },
        { goal: goal('a'), objectives: [] },
      ]),
      new Map(),
    );
    expect(thread.goals.map((g) => g.goal.id)).toEqual(['b', 'a']);
    expect(thread.goals[0]?.objectives.map((o) => o.objective.id)).toEqual(['o2', 'o1']);
    expect(thread.goals[0]?.goal).not.toHaveProperty('objectives');
  });
});

describe('objectivesWithStatus', () => {
  it('lists the objectives in the given statuses, worst first, in thread order within a status', () => {
    const t = tree([
      { goal: goal('g1'), objectives: [objective('o1', 'g1'), objective('o2', 'g1'), objective('o3', 'g1')] },
      { goal: goal('g2'), objectives: [objective('o4', 'g2')] },
    ]);
    const thread = buildGoldenThread(
      t,
      new Map([
        ['o1', [kpi('k1', 'at_risk')]],
        ['o2', [kpi('k2', 'on_track')]],
        ['o3', [kpi('k3', 'off_track')]],
        ['o4', [kpi('k4', 'at_risk')]],
      ]),
    );
    const found = objectivesWithStatus([thread], ['off_track', 'at_risk']);
    expect(found.map((o) => [o.objective.id, o.rollup.status, o.goal.id, o.strategy.id])).toEqual([
      ['o3', 'off_track', 'g1', 's1'],
      ['o1', 'at_risk', 'g1', 's1'],
      ['o4', 'at_risk', 'g2', 's1'],
    ]);
  });
});
