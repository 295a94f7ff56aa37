import type { Db } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { type KpiWithStatus, listKpisWithStatus, todayUtc } from '../kpis/kpis.service.ts';
import { deliverySnapshot } from '../delivery/delivery.service.ts';
import { listTopRisks } from '../risk/risk.service.ts';
import { listGoldenThreads } from '../thread/thread.service.ts';
import { buildDashboard, type Dashboard } from './dashboard.ts';

export type { Dashboard, DashboardView } from './dashboard.ts';
export { dashboardView } from './dashboard.ts';

/**
 * The organisation dashboard: every KPI's status read once (one listKpisWithStatus: the KPIs and
 * their recent values, two queries whatever their number and history), and the objectives'
 * roll-ups built from those same statuses (the strategy trees and KPI links: four more queries),
 * with the projects read once (four queries) for the delivery section and the roll-ups alike.
 */
export async function getDashboard(db: Db, actor: Actor, organisationId: string, options: { today?: string | undefined } = {}): Promise<Dashboard<KpiWithStatus>> {
  const today = options.today ?? todayUtc();
  const kpis = await listKpisWithStatus(db, actor, organisationId, {}, { today });
  const delivery = await deliverySnapshot(db, actor, organisationId, { today });
  const threads = await listGoldenThreads(db, actor, organisationId, { today, kpis, projects: delivery.projects });
  const topRisks = await listTopRisks(db, actor, organisationId, { today });
  return buildDashboard(kpis, threads, delivery, topRisks);
}
