/**
 * SQL of the measurement import: the organisation's KPIs, the columns of a COPY straight into
 * `measurement`, the temporary staging table the file is otherwise copied into, the checks on it,
 * and the one write into `measurement` from it (a plain insert when nothing stored can collide,
 * otherwise the merge). Every function takes the bulk session's transaction;
 * the staging table lives only as long as it.
 */
import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Frequency } from '../kpis/periods.ts';

export const STAGING_TABLE = 'measurement_import_staging';
export const STAGING_COLUMNS = ['line', 'kpi_id', 'period', 'value', 'note'] as const;
const CHANGES_TABLE = 'measurement_import_changes';

/** Rows COPYed straight into `measurement` take these columns; the rest keep their defaults. */
export const MEASUREMENT_TABLE = 'measurement';
export const MEASUREMENT_COPY_COLUMNS = ['organisation_id', 'kpi_id', 'period', 'value', 'note', 'source', 'recorded_by'] as const;

export interface ImportKpi {
  id: string;
  key: string;
  frequency: Frequency;
  isDerived: boolean;
}

export async function listImportKpis(db: Db, organisationId: string): Promise<ImportKpi[]> {
  const rows = await db
    .selectFrom('kpi')
    .select(['id', 'key', 'frequency', sql<boolean>`formula is not null`.as('isDerived')])
    .where('organisation_id', '=', organisationId)
    .execute();
  return rows;
}

export async function createStagingTable(db: Db): Promise<void> {
  await sql`create temp table ${sql.table(STAGING_TABLE)} (
    line int not null, kpi_id uuid not null, period date not null, value numeric not null, note text
  ) on commit drop`.execute(db);
}

export interface DuplicateRow {
  line: number;
  firstLine: number;
  key: string;
  period: string;
}

/**
 * Rows giving a KPI a second value for the same period, each with the line of the first one, in
 * line order; at most `limit`, plus how many there are in all.
 */
export async function findDuplicates(db: Db, limit: number): Promise<{ rows: DuplicateRow[]; total: number }> {
  const { rows } = await sql<DuplicateRow & { total: number }>`
    with numbered as (
      select line, kpi_id, period,
             min(line) over (partition by kpi_id, period) as first_line,
             count(*) over (partition by kpi_id, period) as copies
        from ${sql.table(STAGING_TABLE)}
    ), repeats as (
      select line, kpi_id, period, first_line from numbered where copies > 1 and line <> first_line
    )
    select r.line, r.first_line as "firstLine", k.key, r.period::text as period, (select count(*)::int from repeats) as total
      from repeats r join kpi k on k.id = r.kpi_id
     order by r.line
     limit ${limit}`.execute(db);
  return { rows: rows.map(({ total: _total, ...row }) => row), total: rows[0]?.total ?? 0 };
}

/**
 * Builds a temporary table of the rows the merge will change (existing values that differ), numbered
 * in line order, and returns how many. Called before the merge so their previous values are known.
 */
export async function stageChanges(db: Db, organisationId: string): Promise<number> {
  await sql`
    create temp table ${sql.table(CHANGES_TABLE)} on commit drop as
    select (row_number() over (order by s.line))::int as n, s.line, k.key, s.period::text as period,
           m.value::text as before_value, m.note as before_note,
           s.value::text as after_value, s.note as after_note
      from ${sql.table(STAGING_TABLE)} s
      join measurement m on m.kpi_id = s.kpi_id and m.period = s.period
      join kpi k on k.id = s.kpi_id
     where m.organisation_id = ${organisationId}
       and (m.value is distinct from s.value or m.note is distinct from s.note)`.execute(db);
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from ${sql.table(CHANGES_TABLE)}`.execute(db);
  const count = rows[0]?.count ?? 0;
  if (count > 0) await sql`create index on ${sql.table(CHANGES_TABLE)} (n)`.execute(db);
  return count;
}

export interface ChangedMeasurement {
  line: number;
  key: string;
  period: string;
  beforeValue: string;
  beforeNote: string | null;
  afterValue: string;
  afterNote: string | null;
}

/** Changes `from` < n ≤ `to` of `stageChanges`, in line order. */
export async function listStagedChanges(db: Db, from: number, to: number): Promise<ChangedMeasurement[]> {
  const { rows } = await sql<ChangedMeasurement>`
    select line, key, period, before_value as "beforeValue", before_note as "beforeNote",
           after_value as "afterValue", after_note as "afterNote"
      from ${sql.table(CHANGES_TABLE)} where n > ${from} and n <= ${to} order by n`.execute(db);
  return rows;
}

/**
 * Whether any of these KPIs already has a stored value for a period from `from` to `to`
 * (`YYYY-MM-DD`). When none has, no staged row can meet a stored one: `insertStaged` applies.
 * One range scan of the (kpi_id, period) index per KPI.
 */
export async function hasStoredValuesBetween(
  db: Db,
  organisationId: string,
  kpiIds: readonly string[],
  from: string,
  to: string,
): Promise<boolean> {
  if (kpiIds.length === 0) return false;
  const row = await db
    .selectFrom('measurement')
    .select(sql<number>`1`.as('found'))
    .where('organisation_id', '=', organisationId)
    .where('kpi_id', 'in', kpiIds)
    .where('period', '>=', from)
    .where('period', '<=', to)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Inserts every staged row with a plain INSERT: no ON CONFLICT (speculative insertion), no
 * comparison with stored rows, no RETURNING. For when `hasStoredValuesBetween` found nothing;
 * a unique violation (a KPI and period twice in the file, or a value written meanwhile by
 * someone else) raises SQLSTATE 23505, and the caller goes the long way.
 */
export async function insertStaged(db: Db, organisationId: string, recordedBy: string | null): Promise<void> {
  await sql`
    insert into measurement (organisation_id, kpi_id, period, value, note, source, recorded_by)
    select ${organisationId}::uuid, kpi_id, period, value, note, 'import', ${recordedBy}::uuid
      from ${sql.table(STAGING_TABLE)}`.execute(db);
}

/** Savepoints around `insertStaged`, so a unique violation undoes only that statement. */
export async function savepoint(db: Db, name: string): Promise<void> {
  await sql`savepoint ${sql.id(name)}`.execute(db);
}

export async function rollbackToSavepoint(db: Db, name: string): Promise<void> {
  await sql`rollback to savepoint ${sql.id(name)}`.execute(db);
}

export async function releaseSavepoint(db: Db, name: string): Promise<void> {
  await sql`release savepoint ${sql.id(name)}`.execute(db);
}

/**
 * Upserts every staged row; rows whose value and note are already stored are left alone (their
 * recorded_by and recorded_at too). Returns how many rows were inserted and how many updated, and the KPIs changed.
 */
export async function mergeStaged(
  db: Db,
  organisationId: string,
  recordedBy: string | null,
): Promise<{ inserted: number; updated: number; kpiIds: string[] }> {
  // Counted per KPI (a hash aggregate over at most the organisation's KPIs), not with a sorted
  // array_agg(distinct …) over every merged row.
  const { rows } = await sql<{ kpiId: string; inserted: number; updated: number }>`
    with merged as (
      insert into measurement (organisation_id, kpi_id, period, value, note, source, recorded_by)
      select ${organisationId}::uuid, kpi_id, period, value, note, 'import', ${recordedBy}::uuid
        from ${sql.table(STAGING_TABLE)}
      on conflict (kpi_id, period) do update
         set value = excluded.value, note = excluded.note, source = 'import',
             recorded_by = excluded.recorded_by, recorded_at = now()
       where measurement.value is distinct from excluded.value
          or measurement.note is distinct from excluded.note
      returning kpi_id, (xmax = 0) as inserted
    )
    select kpi_id::text as "kpiId", (count(*) filter (where inserted))::int as inserted,
           (count(*) filter (where not inserted))::int as updated
      from merged group by kpi_id`.execute(db);
  let inserted = 0;
  let updated = 0;
  for (const row of rows) {
    inserted += row.inserted;
    updated += row.updated;
  }
  return { inserted, updated, kpiIds: rows.map((row) => row.kpiId) };
}
