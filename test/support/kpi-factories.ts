import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import { createKpi, getKpi, type KpiInput, type KpiWithStatus, recordMeasurementsBatch } from '../../src/modules/kpis/kpis.service.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { cliOperator } from '../../src/platform/access/actor.ts';

/** A unique KPI key, so tests sharing a database never collide. */
export function uniqueKpiKey(prefix = 'kpi'): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/**
 * A monthly percentage KPI (higher is better, 50 → 80 over 2025-01-01 → 2027-01-01, tolerance
 * 10) unless overridden, created through the service as the operator.
 */
export async function makeKpi(db: Db, organisation: Organisation, overrides: Partial<KpiInput> = {}): Promise<KpiWithStatus> {
  const input: KpiInput = {
    key: uniqueKpiKey(),
    name: 'Digital take-up',
    definition: 'Share of transactions completed online',
    unit: '%',
    polarity: 'higher_is_better',
    frequency: 'monthly',
    baseline: { value: 50, date: '2025-01-01' },
    target: { value: 80, date: '2027-01-01' },
    tolerance: 10,
    ...overrides,
  };
  const kpi = await createKpi(db, cliOperator(), organisation.id, input);
  return getKpi(db, cliOperator(), organisation.id, kpi.key);
}

/** Records values for a KPI by key: [[period, value], …], periods in any accepted form. */
export async function recordValues(db: Db, organisation: Organisation, key: string, values: readonly (readonly [string, number])[]): Promise<void> {
  await recordMeasurementsBatch(
    db,
    cliOperator(),
    organisation.id,
    values.map(([period, value]) => ({ kpi: key, period, value })),
    'import',
  );
}
