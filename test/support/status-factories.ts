import type { Db } from '../../src/db/database.ts';
import { type KpiInput, type KpiStatus, type KpiWithStatus, todayUtc } from '../../src/modules/kpis/kpis.service.ts';
import { addDays, formatPeriod, lastExpectedPeriod, periodEnd, previousPeriod } from '../../src/modules/kpis/periods.ts';
import { plannedValue } from '../../src/modules/kpis/status.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { makeKpi, recordValues } from './kpi-factories.ts';

/**
 * KPIs with a chosen status on the real today, for pages (which compute statuses as of today):
 * monthly percentages, higher is better, from 50 two years ago to 80 two years ahead, tolerance
 * 10 (3 points). Values sit on the last expected month (and the month before), so the status
 * does not depend on when the test runs.
 */
export const STATUS_KPI = {
  today: (): string => todayUtc(),
  expected: (): string => lastExpectedPeriod(todayUtc(), 'monthly'),
  baseline: (): { value: number; date: string } => ({ value: 50, date: addDays(todayUtc(), -730) }),
  target: (): { value: number; date: string } => ({ value: 80, date: addDays(todayUtc(), 730) }),
};

/** The plan at the end of the last expected month, what the latest value is compared with. */
export function plannedForExpected(): number {
  return plannedValue({ baseline: STATUS_KPI.baseline(), target: STATUS_KPI.target() }, periodEnd(STATUS_KPI.expected(), 'monthly'));
}

/** The last expected month as the pages write it, e.g. "October 2026". */
export function expectedPeriodLabel(): string {
  return formatPeriod(STATUS_KPI.expected(), 'monthly');
}

export interface StatusKpiOptions extends Partial<KpiInput> {
  /** The value before the latest (default: the same as the latest, so it did not move). */
  previous?: number;
  /** The latest value (default: one that gives the status). */
  latest?: number;
}

/** A KPI whose status today is `status`: on track 1 above plan, at risk 1 below, off track 10 below. */
export async function makeKpiWithStatus(db: Db, organisation: Organisation, status: KpiStatus, options: StatusKpiOptions = {}): Promise<KpiWithStatus> {
  const { previous, latest, ...overrides } = options;
  const kpi = await makeKpi(db, organisation, { baseline: STATUS_KPI.baseline(), target: STATUS_KPI.target(), tolerance: 10, ...overrides });
  const expected = STATUS_KPI.expected();
  const planned = plannedForExpected();
  const before = previousPeriod(expected, 'monthly');
  const offsets: Record<Exclude<KpiStatus, 'no_data' | 'overdue'>, number> = { on_track: 1, at_risk: -1, off_track: -10 };
  if (status === 'no_data') return kpi;
  if (status === 'overdue') {
    // Nothing for the last expected month: the latest is two months before it.
    await recordValues(db, organisation, kpi.key, [[previousPeriod(before, 'monthly'), latest ?? planned]]);
    return kpi;
  }
  const value = latest ?? planned + offsets[status];
  await recordValues(db, organisation, kpi.key, [
    [before, previous ?? value],
    [expected, value],
  ]);
  return kpi;
}
