/**
 * The golden thread: a strategy → its goals → their objectives → the items that measure or
 * deliver each objective (KPIs and projects today; risks and others later), every level with a
 * status. Items bring their own status; objectives, goals and the strategy roll up from their
 * children by the one documented rule (ROLLUP_RULE), weighted by each link's, objective's and
 * goal's weight. Pure: no I/O.
 *
 * Extending it: a module that hangs items on objectives adds an item type to `ThreadItem` (a new
 * `kind`) and the thread service asks that module's service for its items by objective. The
 * roll-up reads only the fields of `ThreadItemBase`, so it needs no change.
 */
import {
  type Frequency,
  type KpiStatus,
  type KpiSummary,
  type Rollup,
  rollUp,
  type StatusCounts,
} from '../kpis/kpis.service.ts';
import type { Goal, Objective, Strategy, StrategyTree } from '../strategy/strategy.service.ts';
import type { Phase, ProjectSummary, Rag } from '../delivery/delivery.service.ts';

export type { KpiStatus, Rollup, StatusCounts };

/** What every item on an objective has: enough to show it and to roll it up. */
export interface ThreadItemBase {
  /** Which module the item comes from: 'kpi' (projects, risks… later). */
  kind: string;
  id: string;
  name: string;
  status: KpiStatus;
  /** The status explained in words. */
  statusReason: string;
  /** How much the item counts towards its objective (the link's weight). */
  weight: number;
}

export interface ThreadKpi extends ThreadItemBase {
  kind: 'kpi';
  key: string;
  unit: string;
  frequency: Frequency;
  latest: { period: string; value: number } | null;
  planned: number | null;
  ownerName: string | null;
  overdue: boolean;
}

/** A project delivering the objective: its status comes from its latest status report's RAG (see ROLLUP_RULE). */
export interface ThreadProject extends ThreadItemBase {
  kind: 'project';
  phase: Phase;
  rag: Rag | null;
  ownerName: string | null;
  /** Its status report for the latest period due is missing. */
  late: boolean;
}

/** Everything that can hang on an objective. Later modules add their item types to this union. */
export type ThreadItem = ThreadKpi | ThreadProject;

/** How each kind of item is named in a roll-up's reason. */
export const ITEM_NOUNS: Readonly<Record<ThreadItem['kind'], { singular: string; plural: string }>> = {
  kpi: { singular: 'KPI', plural: 'KPIs' },
  project: { singular: 'project', plural: 'projects' },
};
const MIXED_ITEMS = { singular: 'linked item', plural: 'linked items' };
const OBJECTIVES = { singular: 'objective', plural: 'objectives' };
const GOALS = { singular: 'goal', plural: 'goals' };

export interface ThreadObjective {
  objective: Objective;
  rollup: Rollup;
  items: ThreadItem[];
}

export interface ThreadGoal {
  goal: Goal;
  rollup: Rollup;
  objectives: ThreadObjective[];
}

export interface GoldenThread {
  strategy: Strategy;
  rollup: Rollup;
  goals: ThreadGoal[];
}

/** A KPI under an objective as a thread item. */
export function kpiItem(kpi: KpiSummary): ThreadKpi {
  return {
    kind: 'kpi',
    id: kpi.id,
    name: kpi.name,
    status: kpi.status,
    statusReason: kpi.statusReason,
    weight: kpi.weight,
    key: kpi.key,
    unit: kpi.unit,
    frequency: kpi.frequency,
    latest: kpi.latest,
    planned: kpi.planned,
    ownerName: kpi.ownerName,
    overdue: kpi.overdue,
  };
}

/** A project under an objective as a thread item. */
export function projectItem(project: ProjectSummary): ThreadProject {
  return {
    kind: 'project',
    id: project.id,
    name: project.title,
    status: project.status,
    statusReason: project.statusReason,
    weight: project.weight,
    phase: project.phase,
    rag: project.rag,
    ownerName: project.ownerName,
    late: project.late,
  };
}

function nounFor(items: readonly ThreadItem[]): { singular: string; plural: string } {
  const kinds = new Set(items.map((i) => i.kind));
  const [only] = kinds;
  if (kinds.size > 1) return MIXED_ITEMS;
  return ITEM_NOUNS[only ?? 'kpi'];
}

function goalOf(g: Goal): Goal {
  return {
    id: g.id,
    organisationId: g.organisationId,
    strategyId: g.strategyId,
    title: g.title,
    description: g.description,
    tags: g.tags,
    weight: g.weight,
    position: g.position,
    version: g.version,
  };
}

/**
 * The strategy's golden thread: each objective rolled up from its items (weighted by their link
 * weights), each goal from its objectives (weighted by the objectives' weights) and the strategy
 * from its goals (weighted by the goals' weights). Items keep the order given; objectives and
 * goals keep the tree's order.
 */
export function buildGoldenThread(tree: StrategyTree, itemsByObjective: ReadonlyMap<string, readonly ThreadItem[]>): GoldenThread {
  const goals = tree.goals.map((goal): ThreadGoal => {
    const objectives = goal.objectives.map((objective): ThreadObjective => {
      const items = [...(itemsByObjective.get(objective.id) ?? [])];
      return { objective, items, rollup: rollUp(items, { noun: nounFor(items) }) };
    });
    return {
      goal: goalOf(goal),
      objectives,
      rollup: rollUp(
        objectives.map((o) => ({ status: o.rollup.status, weight: o.objective.weight })),
        { noun: OBJECTIVES },
      ),
    };
  });
  return {
    strategy: tree.strategy,
    goals,
    rollup: rollUp(
      goals.map((g) => ({ status: g.rollup.status, weight: g.goal.weight })),
      { noun: GOALS },
    ),
  };
}

/** An objective of a golden thread with where it sits, for lists across strategies. */
export interface PlacedObjective extends ThreadObjective {
  strategy: Strategy;
  goal: Goal;
}

/** Every objective of these threads whose roll-up is one of `statuses`, worst first, then in thread order. */
export function objectivesWithStatus(threads: readonly GoldenThread[], statuses: readonly KpiStatus[]): PlacedObjective[] {
  const rank = new Map(statuses.map((s, i) => [s, i]));
  const found: PlacedObjective[] = [];
  for (const thread of threads) {
    for (const goal of thread.goals) {
      for (const o of goal.objectives) {
        if (rank.has(o.rollup.status)) found.push({ ...o, strategy: thread.strategy, goal: goal.goal });
      }
    }
  }
  // Array sort is stable: within a status, thread order stays.
  return found.sort((a, b) => (rank.get(a.rollup.status) ?? 0) - (rank.get(b.rollup.status) ?? 0));
}
