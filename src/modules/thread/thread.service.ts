import type { Db } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { type KpiSummary, kpiStatusesForObjectives, type KpiWithStatus, type StatusOptions } from '../kpis/kpis.service.ts';
import { getStrategyTree, listStrategyTrees, type StrategyStatus } from '../strategy/strategy.service.ts';
import { projectStatusesForObjectives, type ProjectView } from '../delivery/delivery.service.ts';
import { buildGoldenThread, type GoldenThread, kpiItem, projectItem, type ThreadItem } from './thread.ts';

export type { GoldenThread, PlacedObjective, ThreadGoal, ThreadItem, ThreadKpi, ThreadObjective, ThreadProject } from './thread.ts';
export { objectivesWithStatus } from './thread.ts';

export interface ThreadOptions extends StatusOptions {
  /**
   * Every KPI of the organisation with its status, when the caller already has them (from one
   * unfiltered listKpisWithStatus): the thread then reads only the links, not the values again.
   */
  kpis?: readonly KpiWithStatus[] | undefined;
  /** Every project of the organisation with its status, when the caller already has them (deliverySnapshot). */
  projects?: readonly ProjectView[] | undefined;
}

/** The items hanging on each objective, from every module that hangs items there: KPIs, then projects. */
async function itemsByObjective(db: Db, actor: Actor, organisationId: string, options: ThreadOptions): Promise<Map<string, ThreadItem[]>> {
  const kpis: Map<string, KpiSummary[]> = await kpiStatusesForObjectives(db, actor, organisationId, options);
  const projects = await projectStatusesForObjectives(db, actor, organisationId, options);
  const items = new Map<string, ThreadItem[]>();
  for (const [objectiveId, list] of kpis) items.set(objectiveId, list.map(kpiItem));
  for (const [objectiveId, list] of projects) items.set(objectiveId, [...(items.get(objectiveId) ?? []), ...list.map(projectItem)]);
  return items;
}

/** One strategy's golden thread: goals, objectives and their KPIs, each with its status and roll-up. */
export async function getGoldenThread(db: Db, actor: Actor, organisationId: string, strategyId: string, options: ThreadOptions = {}): Promise<GoldenThread> {
  const tree = await getStrategyTree(db, actor, organisationId, strategyId);
  return buildGoldenThread(tree, await itemsByObjective(db, actor, organisationId, options));
}

/**
 * The golden threads of every strategy in one of `statuses` (by default those not archived),
 * with a fixed number of queries however many strategies, goals, objectives and KPIs there are.
 */
export async function listGoldenThreads(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: ThreadOptions & { statuses?: readonly StrategyStatus[] | undefined } = {},
): Promise<GoldenThread[]> {
  const trees = await listStrategyTrees(db, actor, organisationId, options.statuses === undefined ? {} : { statuses: options.statuses });
  if (trees.length === 0) return [];
  const items = await itemsByObjective(db, actor, organisationId, options);
  return trees.map((tree) => buildGoldenThread(tree, items));
}
