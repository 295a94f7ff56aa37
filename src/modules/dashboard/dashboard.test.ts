import { describe, expect, it } from 'vitest';
import type { KpiStatus } from '../kpis/kpis.service.ts';
import type { GoldenThread } from '../thread/thread.service.ts';
import { biggestMovers, buildDashboard, countByStatus, type DashboardKpi, dashboardView, moverOf, OVERDUE_ROWS_SHOWN, overdueKpis } from './dashboard.ts';

let n = 0;
function kpi(overrides: Partial<DashboardKpi> = {}): DashboardKpi {
  n += 1;
  return {
    key: `k${n}`,
    name: `KPI ${n}`,
    unit: '%',
    frequency: 'monthly',
    polarity: 'higher_is_better',
    baseline: { value: 50, date: '2025-01-01' },
    target: { value: 80, date: '2027-01-01' },
    status: 'on_track',
    statusReason: 'On track',
    latest: null,
    previous: null,
    overdue: false,
    expectedPeriod: '2026-10-01',
    ownerId: null,
    ownerName: null,
    ...overrides,
  };
}

function moved(from: number, to: number, overrides: Partial<DashboardKpi> = {}): DashboardKpi {
  return kpi({ previous: { period: '2026-09-01', value: from }, latest: { period: '2026-10-01', value: to }, ...overrides });
}

describe('countByStatus', () => {
  it('counts every status, zero included', () => {
    const statuses: KpiStatus[] = ['on_track', 'on_track', 'overdue', 'no_data', 'off_track'];
    expect(countByStatus(statuses.map((status) => ({ status })))).toEqual({ on_track: 2, at_risk: 0, off_track: 1, no_data: 1, overdue: 1 });
  });
});

describe('overdueKpis', () => {
  it('lists the KPIs missing their last expected value by owner, unowned last, the longest overdue first', () => {
    const list = overdueKpis([
      kpi({ name: 'Not late', overdue: false, ownerName: 'Ann', ownerId: 'a' }),
      kpi({ name: 'Nobody’s', overdue: true, expectedPeriod: '2026-01-01' }),
      kpi({ name: 'Bob 2', overdue: true, ownerName: 'Bob', ownerId: 'b', expectedPeriod: '2026-10-01' }),
      kpi({ name: 'Bob 1', overdue: true, ownerName: 'Bob', ownerId: 'b', expectedPeriod: '2026-07-01', status: 'no_data' }),
      kpi({ name: 'Ann 1', overdue: true, ownerName: 'Ann', ownerId: 'a', expectedPeriod: '2026-10-01' }),
    ]);
    expect(list.map((k) => k.name)).toEqual(['Ann 1', 'Bob 1', 'Bob 2', 'Nobody’s']);
  });
});

describe('biggest movers', () => {
  it('measures a move as a share of the baseline-to-target distance, positive when better whatever the polarity', () => {
    expect(moverOf(moved(60, 63))?.progress).toBeCloseTo(0.1, 12);
    expect(moverOf(moved(60, 57))?.progress).toBeCloseTo(-0.1, 12);
    const lower = { polarity: 'lower_is_better' as const, baseline: { value: 10, date: '2025-01-01' }, target: { value: 6, date: '2027-01-01' } };
    expect(moverOf(moved(9, 8, lower))).toMatchObject({ change: -1, progress: 0.25 });
    expect(moverOf(moved(8, 9, lower))?.progress).toBe(-0.25);
  });

  it('leaves out KPIs without two values or without a distance to the target', () => {
    expect(moverOf(kpi({ latest: { period: '2026-10-01', value: 1 } }))).toBeNull();
    expect(moverOf(moved(1, 2, { target: { value: 50, date: '2027-01-01' } }))).toBeNull();
  });

  it('ranks the five biggest each way relative to the distance, not in raw units', () => {
    // A 2-point move on a 10-point distance (20%) beats a 5-point move on a 100-point one (5%).
    const small = moved(1, 3, { name: 'Small scale', baseline: { value: 0, date: '2025-01-01' }, target: { value: 10, date: '2027-01-01' } });
    const large = moved(10, 15, { name: 'Large scale', baseline: { value: 0, date: '2025-01-01' }, target: { value: 100, date: '2027-01-01' } });
    const ups = [1, 2, 3, 4, 5, 6].map((d) => moved(60, 60 + d, { name: `Up ${d}` }));
    const downs = [1, 2, 3].map((d) => moved(60, 60 - d, { name: `Down ${d}` }));
    const still = moved(60, 60, { name: 'Still' });
    const { improving, worsening } = biggestMovers([large, small, ...ups, ...downs, still]);
    expect(improving.map((m) => m.kpi.name)).toEqual(['Small scale', 'Up 6', 'Up 5', 'Up 4', 'Up 3']);
    expect(worsening.map((m) => m.kpi.name)).toEqual(['Down 3', 'Down 2', 'Down 1']);
  });
});

describe('the dashboard page data', () => {
  const thread: GoldenThread = {
    strategy: { id: 's1', organisationId: 'o', title: 'Digital strategy', vision: '', periodStart: '2026-04-01', periodEnd: '2030-03-31', status: 'draft', version: 1, updatedAt: new Date(0) },
    rollup: { status: 'off_track', score: 0, counts: { on_track: 0, at_risk: 0, off_track: 1, no_data: 0, overdue: 0 }, reason: '0 of 1 goals on track; 1 off track' },
    goals: [
      {
        goal: { id: 'g1', organisationId: 'o', strategyId: 's1', title: 'Better services', description: '', tags: [], weight: 1, position: 1, version: 1 },
        rollup: { status: 'off_track', score: 0, counts: { on_track: 0, at_risk: 0, off_track: 1, no_data: 0, overdue: 0 }, reason: 'r' },
        objectives: [
          {
            objective: { id: 'ob1', organisationId: 'o', goalId: 'g1', title: 'Faster claims', description: '', ownerId: 'u', ownerName: 'Ann', dueDate: null, weight: 1, position: 1, version: 1 },
            rollup: { status: 'off_track', score: 0, counts: { on_track: 0, at_risk: 0, off_track: 1, no_data: 0, overdue: 0 }, reason: '0 of 1 KPIs on track; 1 off track' },
            items: [],
          },
        ],
      },
    ],
  };

  it('links each status count to the KPI list filtered by it, and formats the movers and objectives', () => {
    const kpis = [moved(60, 66, { name: 'Take-up', key: 'take_up', unit: '%' }), kpi({ status: 'overdue', overdue: true, ownerName: 'Bob', name: 'Late one' })];
    const view = dashboardView(buildDashboard(kpis, [thread]), 'east-fen');
    expect(view.counts.find((c) => c.status === 'overdue')).toMatchObject({ count: 1, label: 'Overdue', href: '/o/east-fen/kpis?status=overdue' });
    expect(view.improving[0]).toMatchObject({
      name: 'Take-up',
      href: '/o/east-fen/kpis/take_up',
      from: '60% (September 2026)',
      to: '66% (October 2026)',
      change: '+6%',
      progress: '20% of the distance from baseline to target gained',
    });
    expect(view.overdue).toEqual([{ name: 'Late one', href: expect.stringMatching(/^\/o\/east-fen\/kpis\/k\d+$/) as string, expected: 'October 2026', latest: 'No value yet', owner: 'Bob' }]);
    expect(view.objectivesAtRisk).toEqual([
      {
        title: 'Faster claims',
        href: '/o/east-fen/strategy/s1/thread#objective-ob1',
        goal: 'Better services',
        strategy: 'Digital strategy',
        owner: 'Ann',
        status: { text: 'Off track', classes: 'govuk-tag--red', reason: '0 of 1 KPIs on track; 1 off track' },
      },
    ]);
    expect(view.strategies).toEqual([{ title: 'Digital strategy', href: '/o/east-fen/strategy/s1/thread', draft: true, status: expect.objectContaining({ text: 'Off track' }) as object }]);
  });

  it('shows the first overdue rows and says how many there are', () => {
    const kpis = Array.from({ length: OVERDUE_ROWS_SHOWN + 3 }, () => kpi({ overdue: true, status: 'overdue' }));
    const view = dashboardView(buildDashboard(kpis, []), 'x');
    expect(view.overdue).toHaveLength(OVERDUE_ROWS_SHOWN);
    expect(view.overdueCount).toBe(OVERDUE_ROWS_SHOWN + 3);
    expect(view.overdueHref).toBe('/o/x/kpis?overdue=yes');
  });
});
