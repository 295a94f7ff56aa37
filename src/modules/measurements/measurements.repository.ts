import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { MeasurementSource } from './measurements.table.ts';

export type { MeasurementSource };

/** One stored measurement, as the services use it: the value as a number. */
export interface MeasurementRow {
  kpiId: string;
  period: string;
  value: number;
  note: string | null;
  source: MeasurementSource;
  recordedBy: string | null;
  recordedAt: Date;
}

/** A measurement to write. */
export interface MeasurementWrite {
  organisationId: string;
  kpiId: string;
  period: string;
  value: number;
  note: string | null;
  source: MeasurementSource;
  recordedBy: string | null;
}

/** How many rows one INSERT statement carries in `upsertMeasurements`. */
export const UPSERT_BATCH_SIZE = 1000;

const columns = [
  'kpi_id',
  'period',
  sql<number>`value::float8`.as('value'),
  'note',
  'source',
  'recorded_by',
  'recorded_at',
] as const;

function toRow(row: {
  kpi_id: string;
  period: string;
  value: number;
  note: string | null;
  source: MeasurementSource;
  recorded_by: string | null;
  recorded_at: Date;
}): MeasurementRow {
  return {
    kpiId: row.kpi_id,
    period: row.period,
    value: row.value,
    note: row.note,
    source: row.source,
    recordedBy: row.recorded_by,
    recordedAt: row.recorded_at,
  };
}

export async function findMeasurement(db: Db, organisationId: string, kpiId: string, period: string): Promise<MeasurementRow | undefined> {
  const row = await db
    .selectFrom('measurement')
    .select(columns)
    .where('organisation_id', '=', organisationId)
    .where('kpi_id', '=', kpiId)
    .where('period', '=', period)
    .executeTakeFirst();
  return row && toRow(row);
}

/** Every measurement of one KPI (or those of periods from `since` on), oldest period first. */
export async function listByKpi(db: Db, organisationId: string, kpiId: string, since: string | null = null): Promise<MeasurementRow[]> {
  let query = db.selectFrom('measurement').select(columns).where('organisation_id', '=', organisationId).where('kpi_id', '=', kpiId);
  if (since !== null) query = query.where('period', '>=', since);
  const rows = await query.orderBy('period').execute();
  return rows.map(toRow);
}

/** One page of a KPI's measurements, oldest period first, with how many it has in all (the API list). */
export async function listNumberedPageOfKpi(
  db: Db,
  organisationId: string,
  kpiId: string,
  page: { limit: number; offset: number },
): Promise<{ rows: MeasurementRow[]; total: number }> {
  const scoped = db.selectFrom('measurement').where('organisation_id', '=', organisationId).where('kpi_id', '=', kpiId);
  const [rows, count] = await Promise.all([
    scoped.select(columns).orderBy('period').limit(page.limit).offset(page.offset).execute(),
    scoped.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows.map(toRow), total: count.total };
}

/** Whether the KPI has a measurement of a period before `before` (one index probe, however long the history). */
export async function hasBefore(db: Db, organisationId: string, kpiId: string, before: string): Promise<boolean> {
  const row = await db
    .selectFrom('measurement')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('kpi_id', '=', kpiId)
    .where('period', '<', before)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * One page of a KPI's measurements in period order, after `afterPeriod` (keyset paging on the
 * (kpi, period) index: every page costs the same however long the history). For exports.
 */
export async function listPageOfKpi(db: Db, organisationId: string, kpiId: string, afterPeriod: string | null, limit: number): Promise<MeasurementRow[]> {
  let query = db.selectFrom('measurement').select(columns).where('organisation_id', '=', organisationId).where('kpi_id', '=', kpiId);
  if (afterPeriod !== null) query = query.where('period', '>', afterPeriod);
  const rows = await query.orderBy('period').limit(limit).execute();
  return rows.map(toRow);
}

/** Periods and values of several KPIs (all of the organisation's when `kpiIds` is null), by KPI then period. */
export async function listValues(
  db: Db,
  organisationId: string,
  kpiIds: readonly string[] | null,
): Promise<{ kpiId: string; period: string; value: number }[]> {
  if (kpiIds !== null && kpiIds.length === 0) return [];
  let query = db
    .selectFrom('measurement')
    .select(['kpi_id', 'period', sql<number>`value::float8`.as('value')])
    .where('organisation_id', '=', organisationId);
  if (kpiIds !== null) query = query.where('kpi_id', 'in', kpiIds);
  const rows = await query.orderBy('kpi_id').orderBy('period').execute();
  return rows.map((r) => ({ kpiId: r.kpi_id, period: r.period, value: r.value }));
}

/**
 * The latest `perKpi` values of each KPI of the organisation (or of `kpiIds`) that has any, as
 * one text per KPI: `period=value` pairs joined by commas (values as numeric text, which reads
 * back as the same double; order not to be relied on). One statement: an index scan per KPI
 * bounded by `perKpi`, so its cost grows with the number of KPIs and not with the length of
 * their history.
 *
 * Why text: returning rows costs far more than finding them. With 1,000 KPIs × 12 values
 * (bench/dashboard), 12,000 rows took a median 97 ms on PGlite and 35 ms on PostgreSQL 15;
 * 1,000 texts take 23 ms and 17 ms. The text also serves as the status cache's key as it is.
 */
export async function listRecentValueTexts(
  db: Db,
  organisationId: string,
  kpiIds: readonly string[] | null,
  perKpi: number,
): Promise<{ kpiId: string; values: string }[]> {
  if (kpiIds !== null && kpiIds.length === 0) return [];
  const only = kpiIds === null ? sql`` : sql`and k.id in (${sql.join(kpiIds)})`;
  const result = await sql<{ kpi_id: string; recent: string | null }>`
    select k.id as kpi_id, (
      select string_agg(r.period::text || '=' || r.value::text, ',')
      from (
        select period, value
        from measurement
        where measurement.kpi_id = k.id
        order by period desc
        limit ${perKpi}
      ) r
    ) as recent
    from kpi k
    where k.organisation_id = ${organisationId} ${only}
  `.execute(db);
  const texts: { kpiId: string; values: string }[] = [];
  for (const row of result.rows) if (row.recent !== null) texts.push({ kpiId: row.kpi_id, values: row.recent });
  return texts;
}

/** The values of a text from listRecentValueTexts. */
export function parseValueText(text: string): { period: string; value: number }[] {
  if (text === '') return [];
  return text.split(',').map((pair) => {
    const eq = pair.indexOf('=');
    return { period: pair.slice(0, eq), value: Number(pair.slice(eq + 1)) };
  });
}

/** The latest `perKpi` values of each KPI of the organisation (or of `kpiIds`). */
export async function listRecentValues(
  db: Db,
  organisationId: string,
  kpiIds: readonly string[] | null,
  perKpi: number,
): Promise<{ kpiId: string; period: string; value: number }[]> {
  const texts = await listRecentValueTexts(db, organisationId, kpiIds, perKpi);
  return texts.flatMap((t) => parseValueText(t.values).map((v) => ({ kpiId: t.kpiId, ...v })));
}

/** Existing values for many (kpi, period) pairs of one organisation, keyed `${kpiId}|${period}`. */
export async function findExisting(
  db: Db,
  organisationId: string,
  pairs: readonly { kpiId: string; period: string }[],
): Promise<Map<string, { value: number; note: string | null }>> {
  const found = new Map<string, { value: number; note: string | null }>();
  for (let start = 0; start < pairs.length; start += UPSERT_BATCH_SIZE) {
    const chunk = pairs.slice(start, start + UPSERT_BATCH_SIZE);
    const rows = await db
      .selectFrom('measurement')
      .select(['kpi_id', 'period', sql<number>`value::float8`.as('value'), 'note'])
      .where('organisation_id', '=', organisationId)
      .where((eb) => eb.or(chunk.map((p) => eb.and([eb('kpi_id', '=', p.kpiId), eb('period', '=', p.period)]))))
      .execute();
    for (const r of rows) found.set(`${r.kpi_id}|${r.period}`, { value: r.value, note: r.note });
  }
  return found;
}

/**
 * Inserts or updates one measurement by (kpi, period) in one statement. Returns the stored
 * row and whether it was new; undefined when the stored value and note were already the same
 * (nothing was written).
 */
export async function upsertMeasurement(db: Db, row: MeasurementWrite): Promise<(MeasurementRow & { inserted: boolean }) | undefined> {
  const [result] = await upsertChunk(db, [row]);
  return result;
}

/**
 * Bulk upsert for imports and batches: multi-row `INSERT … ON CONFLICT (kpi_id, period) DO
 * UPDATE` in statements of at most UPSERT_BATCH_SIZE rows. A row whose value and note are
 * unchanged is not touched (and not returned), so importing the same data again writes nothing.
 * Rows must not repeat a (kpi, period) within one call. Returns the rows written.
 */
export async function upsertMeasurements(
  db: Db,
  rows: readonly MeasurementWrite[],
): Promise<{ kpiId: string; period: string; inserted: boolean }[]> {
  const written: { kpiId: string; period: string; inserted: boolean }[] = [];
  for (let start = 0; start < rows.length; start += UPSERT_BATCH_SIZE) {
    const chunk = await upsertChunk(db, rows.slice(start, start + UPSERT_BATCH_SIZE));
    for (const r of chunk) written.push({ kpiId: r.kpiId, period: r.period, inserted: r.inserted });
  }
  return written;
}

async function upsertChunk(db: Db, rows: readonly MeasurementWrite[]): Promise<(MeasurementRow & { inserted: boolean })[]> {
  if (rows.length === 0) return [];
  const now = new Date();
  const result = await db
    .insertInto('measurement')
    .values(
      rows.map((r) => ({
        organisation_id: r.organisationId,
        kpi_id: r.kpiId,
        period: r.period,
        value: r.value,
        note: r.note,
        source: r.source,
        recorded_by: r.recordedBy,
        recorded_at: now,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['kpi_id', 'period'])
        .doUpdateSet((eb) => ({
          value: eb.ref('excluded.value'),
          note: eb.ref('excluded.note'),
          source: eb.ref('excluded.source'),
          recorded_by: eb.ref('excluded.recorded_by'),
          recorded_at: eb.ref('excluded.recorded_at'),
        }))
        .where((eb) =>
          eb.or([eb('measurement.value', 'is distinct from', eb.ref('excluded.value')), eb('measurement.note', 'is distinct from', eb.ref('excluded.note'))]),
        ),
    )
    .returning([...columns, sql<boolean>`(xmax = 0)`.as('inserted')])
    .execute();
  return result.map((r) => ({ ...toRow(r), inserted: r.inserted }));
}

/** Removes measurements of a KPI for these periods (a derived KPI's periods that no longer compute). */
export async function deleteMeasurements(db: Db, organisationId: string, kpiId: string, periods: readonly string[]): Promise<void> {
  if (periods.length === 0) return;
  await db
    .deleteFrom('measurement')
    .where('organisation_id', '=', organisationId)
    .where('kpi_id', '=', kpiId)
    .where('period', 'in', periods)
    .execute();
}

export async function deleteAllOfKpi(db: Db, organisationId: string, kpiId: string): Promise<void> {
  await db.deleteFrom('measurement').where('organisation_id', '=', organisationId).where('kpi_id', '=', kpiId).execute();
}
