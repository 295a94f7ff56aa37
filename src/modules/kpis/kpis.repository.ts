import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Kpi, KpiValues } from './kpis.ts';
import type { Frequency } from './periods.ts';
import type { Polarity } from './status.ts';

interface KpiRow {
  id: string;
  organisation_id: string;
  key: string;
  name: string;
  definition: string;
  unit: string;
  polarity: Polarity;
  frequency: Frequency;
  baseline_value: string;
  baseline_date: string;
  target_value: string;
  target_date: string;
  tolerance: string;
  owner_id: string | null;
  owner_name: string | null;
  category: string;
  formula: string | null;
  is_public: boolean;
  version: number;
}

function toKpi(row: KpiRow, objectiveIds: string[] = []): Kpi {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    key: row.key,
    name: row.name,
    definition: row.definition,
    unit: row.unit,
    polarity: row.polarity,
    frequency: row.frequency,
    baseline: { value: Number(row.baseline_value), date: row.baseline_date },
    target: { value: Number(row.target_value), date: row.target_date },
    tolerance: Number(row.tolerance),
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    category: row.category,
    formula: row.formula,
    objectiveIds,
    isPublic: row.is_public,
    version: row.version,
  };
}

function selectKpis(db: Db) {
  return db
    .selectFrom('kpi')
    .leftJoin('app_user', 'app_user.id', 'kpi.owner_id')
    .select([
      'kpi.id',
      'kpi.organisation_id',
      'kpi.key',
      'kpi.name',
      'kpi.definition',
      'kpi.unit',
      'kpi.polarity',
      'kpi.frequency',
      'kpi.baseline_value',
      'kpi.baseline_date',
      'kpi.target_value',
      'kpi.target_date',
      'kpi.tolerance',
      'kpi.owner_id',
      'app_user.name as owner_name',
      'kpi.category',
      'kpi.formula',
      'kpi.is_public',
      'kpi.version',
    ]);
}

function columnsOf(values: KpiValues) {
  return {
    key: values.key,
    name: values.name,
    definition: values.definition,
    unit: values.unit,
    polarity: values.polarity,
    frequency: values.frequency,
    baseline_value: values.baseline.value,
    baseline_date: values.baseline.date,
    target_value: values.target.value,
    target_date: values.target.date,
    tolerance: values.tolerance,
    owner_id: values.ownerId,
    category: values.category,
    formula: values.formula,
    is_public: values.isPublic,
  };
}

export async function insertKpi(db: Db, organisationId: string, values: KpiValues): Promise<string> {
  const row = await db
    .insertInto('kpi')
    .values({ organisation_id: organisationId, ...columnsOf(values) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Updates the KPI when it is still at `version`; false when it has moved on (or is gone). */
export async function updateKpi(db: Db, organisationId: string, id: string, version: number, values: KpiValues): Promise<boolean> {
  const result = await db
    .updateTable('kpi')
    .set({ ...columnsOf(values), version: version + 1, updated_at: new Date() })
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteKpi(db: Db, organisationId: string, id: string): Promise<void> {
  await db.deleteFrom('kpi').where('organisation_id', '=', organisationId).where('id', '=', id).execute();
}

/**
 * A KPI by key. `lock` takes a row lock (FOR NO KEY UPDATE, which still lets measurements
 * reference the KPI) until the transaction ends, so writes to one KPI happen one at a time.
 */
export async function findKpiByKey(db: Db, organisationId: string, key: string, options: { lock?: boolean } = {}): Promise<Kpi | undefined> {
  let query = selectKpis(db).where('kpi.organisation_id', '=', organisationId).where('kpi.key', '=', key);
  if (options.lock === true) query = query.forNoKeyUpdate('kpi');
  const row = await query.executeTakeFirst();
  if (row === undefined) return undefined;
  const links = await listObjectiveLinks(db, organisationId, [row.id]);
  return toKpi(row, links.get(row.id) ?? []);
}

export interface KpiFilters {
  ownerId?: string | undefined;
  category?: string | undefined;
  isPublic?: boolean | undefined;
  objectiveId?: string | undefined;
}

/** The organisation's KPIs by name (then key), optionally one page of them. */
export async function listKpis(
  db: Db,
  organisationId: string,
  filters: KpiFilters = {},
  page: { limit: number; offset: number } | null = null,
): Promise<Kpi[]> {
  let query = selectKpis(db).where('kpi.organisation_id', '=', organisationId);
  if (filters.ownerId !== undefined) query = query.where('kpi.owner_id', '=', filters.ownerId);
  if (filters.category !== undefined) query = query.where('kpi.category', '=', filters.category);
  if (filters.isPublic !== undefined) query = query.where('kpi.is_public', '=', filters.isPublic);
  if (filters.objectiveId !== undefined) {
    const objectiveId = filters.objectiveId;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('kpi_objective')
          .select('kpi_objective.kpi_id')
          .whereRef('kpi_objective.kpi_id', '=', 'kpi.id')
          .where('kpi_objective.objective_id', '=', objectiveId),
      ),
    );
  }
  query = query.orderBy('kpi.name').orderBy('kpi.key');
  if (page !== null) query = query.limit(page.limit).offset(page.offset);
  const rows = await query.execute();
  const links = await listObjectiveLinks(db, organisationId, page === null ? null : rows.map((r) => r.id));
  return rows.map((row) => toKpi(row, links.get(row.id) ?? []));
}

export async function countKpis(db: Db, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('kpi')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Every KPI of the organisation in brief: what formulas and batches need. */
export async function listKpiKeys(db: Db, organisationId: string): Promise<{ id: string; key: string; frequency: Frequency; formula: string | null }[]> {
  return db.selectFrom('kpi').select(['id', 'key', 'frequency', 'formula']).where('organisation_id', '=', organisationId).execute();
}

/** Objective ids linked to each KPI (of `kpiIds`, or of the whole organisation when null). */
export async function listObjectiveLinks(db: Db, organisationId: string, kpiIds: readonly string[] | null): Promise<Map<string, string[]>> {
  const links = new Map<string, string[]>();
  if (kpiIds !== null && kpiIds.length === 0) return links;
  let query = db.selectFrom('kpi_objective').select(['kpi_id', 'objective_id']).where('organisation_id', '=', organisationId);
  if (kpiIds !== null) query = query.where('kpi_id', 'in', kpiIds);
  for (const row of await query.orderBy('objective_id').execute()) {
    const list = links.get(row.kpi_id) ?? [];
    list.push(row.objective_id);
    links.set(row.kpi_id, list);
  }
  return links;
}

/** Links between KPIs and objectives with their weights, for the golden thread. */
export async function listObjectiveLinkRows(db: Db, organisationId: string): Promise<{ kpiId: string; objectiveId: string; weight: number }[]> {
  const rows = await db
    .selectFrom('kpi_objective')
    .select(['kpi_id', 'objective_id', sql<number>`weight::float8`.as('weight')])
    .where('organisation_id', '=', organisationId)
    .execute();
  return rows.map((r) => ({ kpiId: r.kpi_id, objectiveId: r.objective_id, weight: r.weight }));
}

export async function setObjectiveLinks(db: Db, organisationId: string, kpiId: string, objectiveIds: readonly string[]): Promise<void> {
  await db.deleteFrom('kpi_objective').where('organisation_id', '=', organisationId).where('kpi_id', '=', kpiId).execute();
  if (objectiveIds.length === 0) return;
  await db
    .insertInto('kpi_objective')
    .values(objectiveIds.map((objectiveId) => ({ organisation_id: organisationId, kpi_id: kpiId, objective_id: objectiveId })))
    .execute();
}

/** The formula inputs of every derived KPI of the organisation, as keys: derived key → input keys. */
export async function listInputGraph(db: Db, organisationId: string): Promise<{ kpiId: string; kpiKey: string; inputId: string; inputKey: string }[]> {
  const rows = await db
    .selectFrom('kpi_input')
    .innerJoin('kpi as derived', 'derived.id', 'kpi_input.kpi_id')
    .innerJoin('kpi as input', 'input.id', 'kpi_input.input_kpi_id')
    .select(['derived.id as kpi_id', 'derived.key as kpi_key', 'input.id as input_id', 'input.key as input_key'])
    .where('kpi_input.organisation_id', '=', organisationId)
    .execute();
  return rows.map((r) => ({ kpiId: r.kpi_id, kpiKey: r.kpi_key, inputId: r.input_id, inputKey: r.input_key }));
}

export async function setInputs(db: Db, organisationId: string, kpiId: string, inputIds: readonly string[]): Promise<void> {
  await db.deleteFrom('kpi_input').where('organisation_id', '=', organisationId).where('kpi_id', '=', kpiId).execute();
  if (inputIds.length === 0) return;
  await db
    .insertInto('kpi_input')
    .values(inputIds.map((inputId) => ({ organisation_id: organisationId, kpi_id: kpiId, input_kpi_id: inputId })))
    .execute();
}

/** Keys of the KPIs whose formulas read this KPI. */
export async function listDependentKeys(db: Db, organisationId: string, kpiId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('kpi_input')
    .innerJoin('kpi', 'kpi.id', 'kpi_input.kpi_id')
    .select('kpi.key')
    .where('kpi_input.organisation_id', '=', organisationId)
    .where('kpi_input.input_kpi_id', '=', kpiId)
    .orderBy('kpi.key')
    .execute();
  return rows.map((r) => r.key);
}

/** Active members of the organisation, who can own KPIs. */
export async function listActiveMembers(db: Db, organisationId: string): Promise<{ id: string; name: string; email: string }[]> {
  return db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select(['app_user.id', 'app_user.name', 'app_user.email'])
    .where('membership.organisation_id', '=', organisationId)
    .where('membership.deactivated_at', 'is', null)
    .where('app_user.active', '=', true)
    .orderBy('app_user.name')
    .execute();
}

export async function isActiveMember(db: Db, organisationId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select('app_user.id')
    .where('membership.organisation_id', '=', organisationId)
    .where('membership.user_id', '=', userId)
    .where('membership.deactivated_at', 'is', null)
    .where('app_user.active', '=', true)
    .executeTakeFirst();
  return row !== undefined;
}

/** The organisation's objectives, for choosing links on the KPI form. */
export async function listObjectiveOptions(db: Db, organisationId: string): Promise<{ id: string; title: string }[]> {
  return db
    .selectFrom('objective')
    .select(['objective.id', 'objective.title'])
    .where('objective.organisation_id', '=', organisationId)
    .orderBy('objective.title')
    .execute();
}

/**
 * For the organisation's cached KPI list (kpis.service.ts): the snapshot this statement reads
 * under, whether the current transaction has written anything (then its view may still be rolled
 * back and must not be kept), and — given the snapshot an earlier list was read under — whether a
 * transaction that changed the organisation's KPI data has committed since (rows of
 * `organisation_change`, written by triggers, visible now but not in that snapshot).
 */
export async function readKpiDataMarker(
  db: Db,
  organisationId: string,
  since: string | null,
): Promise<{ snapshot: string; writing: boolean; changed: boolean }> {
  const changed =
    since === null
      ? sql<boolean>`true`
      : sql<boolean>`exists (
          select 1 from organisation_change
           where organisation_id = ${organisationId}
             and txid >= pg_snapshot_xmin(${since}::pg_snapshot)
             and not pg_visible_in_snapshot(txid, ${since}::pg_snapshot))`;
  const { rows } = await sql<{ snapshot: string; writing: boolean; changed: boolean }>`
    select pg_current_snapshot()::text as snapshot,
           pg_current_xact_id_if_assigned() is not null as writing,
           ${changed} as changed`.execute(db);
  const row = rows[0];
  if (row === undefined) throw new Error('The KPI data marker query returned no row');
  return row;
}

/** Deletes the change notes older than `before`: no kept KPI list reads under a snapshot that old. */
export async function deleteKpiDataChangesBefore(db: Db, before: Date): Promise<number> {
  const result = await db.deleteFrom('organisation_change').where('noted_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
