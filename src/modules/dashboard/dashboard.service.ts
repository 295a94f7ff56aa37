import type { Db } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { type KpiWithStatus, listKpisWithStatus, todayUtc } from '../kpis/kpis.service.ts';
import { listGoldenThreads } from '../thread/thread.service.ts';
import { buildDashboard, type Dashboard } from './dashboard.ts';

export type { Dashboard, DashboardView } from './dashboard.ts';
export { dashboardView } from './dashboard.ts';

/**
 * The organisation dashboard: every KPI's status read once (one listKpisWithStatus: the KPIs and
 * their recent values, two queries whatever their number and history), and the objectives'
 * roll-ups built from those same statuses (the strategy trees and KPI links: four more queries).
 */
export async function getDashboard(db: Db, actor: Actor, organisationId: string, options: { today?: string | undefined } = {}): Promise<Dashboard<KpiWithStatus>> {
  const today = options.today ?? todayUtc();
  const kpis = await listKpisWithStatus(db, actor, organisationId, {}, { today });
  const threads = await listGoldenThreads(db, actor, organisationId, { today, kpis });
  return buildDashboard(kpis, threads);
}
