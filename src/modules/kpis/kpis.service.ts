import { type Db, inTransaction } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { type ChangeOptions, type Page, type Paging, paging } from '../../platform/paging.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import { ConflictError, type FieldError, NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors.ts';
import {
  deleteMeasurements,
  findExistingMeasurements,
  findMeasurement,
  hasMeasurementsBefore,
  listMeasurementPageOfKpi,
  listMeasurementsOfKpi,
  listMeasurementsOfKpiSince,
  listNumberedMeasurementPageOfKpi,
  listRecentValueTexts,
  listValuesOfKpis,
  type MeasurementRow,
  type MeasurementSource,
  type MeasurementWrite,
  parseValueText,
  upsertMeasurement,
  upsertMeasurements,
} from '../measurements/measurements.service.ts';
import { findObjectivesByIds } from '../strategy/strategy.service.ts';
import { DEFAULT_FORECAST_POINTS, forecast } from './forecast.ts';
import { computeDerivedSeries, describeCycle, findCycle, parseFormula, referencedKeys } from './formula.ts';
import * as repo from './kpis.repository.ts';
import {
  checkKpiInput,
  type Kpi,
  KPI_FIELDS,
  type KpiInput,
  type KpiSummary,
  type KpiValues,
  type KpiWithStatus,
  keyProblem,
  MAX_NOTE_LENGTH,
  readNumber,
} from './kpis.ts';
import { formatPeriod, lastExpectedPeriod, parsePeriodInput, periodStart } from './periods.ts';
import { type KpiStatus, kpiStatus, type Measurement, previousMeasurement } from './status.ts';

export type { ChangeOptions, Kpi, KpiInput, KpiSummary, KpiWithStatus, MeasurementSource, Page, Paging };

// The KPI module's pure rules and labels that other modules build on (the golden thread, the
// dashboard): they import this service, never the files behind it.
export { expectedBy, type Frequency, formatDate, formatPeriod, lastExpectedPeriod, periodStart } from './periods.ts';
export { ROLLUP_RULE, type Rollup, type RollupChild, rollUp, type StatusCounts } from './rollup.ts';
export { formatValue, KPI_STATUSES, type KpiStatus, type Polarity, polaritySign, STATUS_TAG_CLASSES, statusLabel } from './status.ts';

/** The most measurements one batch request may carry. */
export const MAX_BATCH_ROWS = 10_000;

/** Options of reads that compute a status: `today` (UTC, 'YYYY-MM-DD') defaults to the real today. */
export interface StatusOptions {
  today?: string | undefined;
}

export interface KpiFilters {
  status?: KpiStatus | undefined;
  /** Only KPIs missing a value for their last expected period (whatever their status). */
  overdue?: boolean | undefined;
  ownerId?: string | undefined;
  category?: string | undefined;
  isPublic?: boolean | undefined;
  objectiveId?: string | undefined;
}

/** A measurement as read back: the value as a number, the period as its first day. */
export interface MeasurementRecord {
  period: string;
  value: number;
  note: string | null;
  source: MeasurementSource;
  recordedBy: string | null;
  recordedAt: Date;
}

export interface MeasurementInput {
  /** Any accepted form: YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY. */
  period: string;
  value: number | string;
  note?: string | null | undefined;
}

export interface RecordResult {
  measurement: MeasurementRecord;
  outcome: 'created' | 'updated' | 'unchanged';
}

export interface BatchRow extends MeasurementInput {
  /** The KPI's key. */
  kpi: string;
}

export interface BatchRowError {
  /** 0-based position in the batch. */
  index: number;
  field: 'kpi' | 'period' | 'value' | 'note';
  message: string;
}

/** A batch refused as a whole, with every bad row; `errors` carry JSON pointers into the request. */
export class MeasurementBatchError extends ValidationError {
  readonly rows: readonly BatchRowError[];
  constructor(rows: readonly BatchRowError[]) {
    super(
      rows.map((r) => ({ field: `/measurements/${r.index}/${r.field}`, message: r.message })),
      `${rows.length} ${rows.length === 1 ? 'measurement has a problem' : 'measurements have problems'}; nothing was recorded`,
    );
    this.rows = rows;
  }
}

export interface BatchResult {
  created: number;
  updated: number;
  unchanged: number;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

function checkVersion(current: number, options: ChangeOptions): void {
  if (options.expectedVersion !== undefined && options.expectedVersion !== current) throw new PreconditionFailedError();
}

/** What the audit trail keeps of a KPI. */
function kpiRecord(k: Kpi) {
  return {
    key: k.key,
    name: k.name,
    definition: k.definition,
    unit: k.unit,
    polarity: k.polarity,
    frequency: k.frequency,
    baseline: k.baseline,
    target: k.target,
    tolerance: k.tolerance,
    ownerId: k.ownerId,
    category: k.category,
    formula: k.formula,
    objectiveIds: k.objectiveIds,
    isPublic: k.isPublic,
    version: k.version,
  };
}

function recordOf(row: MeasurementRow): MeasurementRecord {
  return { period: row.period, value: row.value, note: row.note, source: row.source, recordedBy: row.recordedBy, recordedAt: row.recordedAt };
}

function recordedBy(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}

async function requireKpi(db: Db, organisationId: string, key: string, options: { lock?: boolean } = {}): Promise<Kpi> {
  // Anything that cannot be a key is simply not found.
  if (keyProblem(key) !== null) throw new NotFoundError();
  const kpi = await repo.findKpiByKey(db, organisationId, key, options);
  if (kpi === undefined) throw new NotFoundError();
  return kpi;
}

// ---------------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------------

type ComputedStatus = Omit<KpiWithStatus, keyof Kpi>;

/**
 * Computed statuses by everything they depend on. The status rules are pure, so a result can
 * be reused whenever the same definition, values and day come again: a dashboard of a thousand
 * KPIs then only recomputes the KPIs whose data changed. Bounded; cleared when full.
 */
const statusCache = new Map<string, ComputedStatus>();
const STATUS_CACHE_LIMIT = 50_000;

function statusCacheKey(kpi: Kpi, values: string, today: string): string {
  return `${today}|${kpi.polarity}|${kpi.frequency}|${kpi.baseline.date}=${kpi.baseline.value}|${kpi.target.date}=${kpi.target.value}|${kpi.tolerance}|${kpi.unit}|${values}`;
}

function cachedStatus(kpi: Kpi, key: string, measurements: () => readonly Measurement[], today: string): KpiWithStatus {
  let computed = statusCache.get(key);
  if (computed === undefined) {
    computed = computeStatus(kpi, measurements(), today);
    if (statusCache.size >= STATUS_CACHE_LIMIT) statusCache.clear();
    statusCache.set(key, computed);
  }
  return { ...kpi, ...computed };
}

function computeStatus(kpi: Kpi, measurements: readonly Measurement[], today: string): ComputedStatus {
  const spec = { polarity: kpi.polarity, frequency: kpi.frequency, baseline: kpi.baseline, target: kpi.target, tolerance: kpi.tolerance, unit: kpi.unit };
  const result = kpiStatus(spec, measurements, today);
  const expected = lastExpectedPeriod(today, kpi.frequency);
  const expectedPeriod = expected > kpi.baseline.date ? expected : null;
  return {
    status: result.status,
    statusReason: result.reason,
    latest: result.latest,
    previous: result.latest === null ? null : previousMeasurement(measurements, result.latest.period),
    planned: result.planned,
    forecast: forecast(spec, measurements, { today }),
    overdue: expectedPeriod !== null && (result.latest === null || result.latest.period < expectedPeriod),
    expectedPeriod,
  };
}

/** The KPI's status, reason, latest value, plan and forecast on `today`, from its measurements. */
export function withStatus(kpi: Kpi, measurements: readonly Measurement[], today: string): KpiWithStatus {
  const values = measurements.map((m) => `${m.period}=${m.value}`).join(',');
  return cachedStatus(kpi, statusCacheKey(kpi, values, today), () => measurements, today);
}

/**
 * Statuses of many KPIs from one query of their recent values. The values arrive as one text per
 * KPI, which is the cache key as it is: a status already computed costs a string and a lookup.
 */
async function statusesOf(db: Db, organisationId: string, kpis: readonly Kpi[], wholeOrganisation: boolean, today: string): Promise<KpiWithStatus[]> {
  const texts = await listRecentValueTexts(db, organisationId, wholeOrganisation ? null : kpis.map((k) => k.id), DEFAULT_FORECAST_POINTS);
  const byKpi = new Map(texts.map((t) => [t.kpiId, t.values]));
  return kpis.map((kpi) => {
    const values = byKpi.get(kpi.id) ?? '';
    return cachedStatus(kpi, statusCacheKey(kpi, values, today), () => parseValueText(values), today);
  });
}

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/** The KPI with its status, from its recent values (as in every list): two queries however long its history. */
export async function getKpi(db: Db, actor: Actor, organisationId: string, key: string, options: StatusOptions = {}): Promise<KpiWithStatus> {
  assertAllowed(actor, 'kpis.read', organisationId);
  const kpi = await requireKpi(db, organisationId, key);
  const [withItsStatus] = await statusesOf(db, organisationId, [kpi], false, options.today ?? todayUtc());
  if (withItsStatus === undefined) throw new Error('A status was not computed');
  return withItsStatus;
}

/**
 * The KPI page: the KPI with its status (from its recent values, as in every list) and its
 * measurements of the plan's time, from the baseline's period on, oldest first. `earlier` says
 * whether there are values from before (the downloads have them): the page costs the same
 * however much older history a KPI has.
 */
export async function getKpiWithMeasurements(
  db: Db,
  actor: Actor,
  organisationId: string,
  key: string,
  options: StatusOptions = {},
): Promise<{ kpi: KpiWithStatus; measurements: MeasurementRecord[]; earlier: boolean }> {
  assertAllowed(actor, 'kpis.read', organisationId);
  const kpi = await requireKpi(db, organisationId, key);
  const since = periodStart(kpi.baseline.date, kpi.frequency);
  const [withItsStatus] = await statusesOf(db, organisationId, [kpi], false, options.today ?? todayUtc());
  const rows = await listMeasurementsOfKpiSince(db, organisationId, kpi.id, since);
  const earlier = await hasMeasurementsBefore(db, organisationId, kpi.id, since);
  if (withItsStatus === undefined) throw new Error('A status was not computed');
  return { kpi: withItsStatus, measurements: rows.map(recordOf), earlier };
}

/** One page of a KPI's measurements, oldest period first (the API list; downloads have them all). */
export async function listMeasurements(db: Db, actor: Actor, organisationId: string, key: string, page: Paging = {}): Promise<Page<MeasurementRecord>> {
  assertAllowed(actor, 'kpis.read', organisationId);
  const kpi = await requireKpi(db, organisationId, key);
  const p = paging(page);
  const { rows, total } = await listNumberedMeasurementPageOfKpi(db, organisationId, kpi.id, p);
  return { items: rows.map(recordOf), page: p.page, pageSize: p.pageSize, total };
}

/** A KPI's value for one period, given in any of the period formats. */
export async function getMeasurement(db: Db, actor: Actor, organisationId: string, key: string, periodText: string): Promise<MeasurementRecord> {
  assertAllowed(actor, 'kpis.read', organisationId);
  const kpi = await requireKpi(db, organisationId, key);
  const period = parsePeriodInput(periodText, kpi.frequency);
  if (!period.ok) throw ValidationError.of('period', period.message);
  const row = await findMeasurement(db, organisationId, kpi.id, period.period);
  if (row === undefined) throw new NotFoundError();
  return recordOf(row);
}

/** One page of the organisation's KPIs with statuses (the API list). */
export async function listKpis(db: Db, actor: Actor, organisationId: string, page: Paging = {}, options: StatusOptions = {}): Promise<Page<KpiWithStatus>> {
  assertAllowed(actor, 'kpis.read', organisationId);
  const p = paging(page);
  const [kpis, total] = await Promise.all([repo.listKpis(db, organisationId, {}, p), repo.countKpis(db, organisationId)]);
  return { items: await statusesOf(db, organisationId, kpis, false, options.today ?? todayUtc()), page: p.page, pageSize: p.pageSize, total };
}

/**
 * The last list of each organisation's KPIs with statuses, the snapshot it was read under and
 * the day it is for. It is reused while the day is the same and the database says no transaction
 * has changed the organisation's KPI data since that snapshot (triggers note every write to
 * kpi, measurement and kpi_objective, and owners' renames, in the writing transaction), so a
 * write through any app instance or any path is seen by the next read. A dashboard of a thousand
 * KPIs then costs one index probe instead of reading and checking them all.
 */
interface OrganisationKpis {
  readonly snapshot: string;
  readonly today: string;
  /** When it was read (ms): a list is kept at most a day, so change notes older than that are never needed. */
  readonly readAt: number;
  readonly kpis: readonly KpiWithStatus[];
}
const organisationKpis = new Map<string, OrganisationKpis>();
const ORGANISATION_KPIS_LIMIT = 200;
const KEEP_KPI_LIST_MS = 24 * 60 * 60 * 1000;
/** Change notes are deleted once older than this: twice the longest a list is kept. */
export const KPI_CHANGE_NOTES_KEPT_MS = 2 * KEEP_KPI_LIST_MS;

async function allKpisWithStatus(db: Db, organisationId: string, today: string): Promise<readonly KpiWithStatus[]> {
  const cached = organisationKpis.get(organisationId);
  const usable = cached?.today === today && Date.now() - cached.readAt < KEEP_KPI_LIST_MS ? cached : undefined;
  // Read before the KPIs: a write committed in between is then seen as a change next time.
  const marker = await repo.readKpiDataMarker(db, organisationId, usable?.snapshot ?? null);
  if (usable !== undefined && !marker.changed) return usable.kpis;
  const kpis = await statusesOf(db, organisationId, await repo.listKpis(db, organisationId, {}), true, today);
  // A transaction that has written may still roll back: what it reads is not kept.
  if (!marker.writing) {
    organisationKpis.delete(organisationId);
    if (organisationKpis.size >= ORGANISATION_KPIS_LIMIT) organisationKpis.delete(organisationKpis.keys().next().value ?? '');
    organisationKpis.set(organisationId, { snapshot: marker.snapshot, today, readAt: Date.now(), kpis });
  }
  return kpis;
}

/** Deletes the notes of KPI data changes that no kept list can need any more (the server runs it hourly). */
export function pruneKpiChangeNotes(db: Db, now: Date = new Date()): Promise<number> {
  return repo.deleteKpiDataChangesBefore(db, new Date(now.getTime() - KPI_CHANGE_NOTES_KEPT_MS));
}

/**
 * Every KPI of the organisation (or those matching `filters`) with its status, for lists and the
 * dashboard. The whole organisation's list is reused while its KPI data is unchanged (see
 * allKpisWithStatus), so the KPIs returned are shared: read them, never change them. Filtered
 * by owner, category, visibility or objective: two queries whatever the number of KPIs.
 */
export async function listKpisWithStatus(
  db: Db,
  actor: Actor,
  organisationId: string,
  filters: KpiFilters = {},
  options: StatusOptions = {},
): Promise<KpiWithStatus[]> {
  assertAllowed(actor, 'kpis.read', organisationId);
  const { status, overdue, ...sqlFilters } = filters;
  const filtered = sqlFilters.ownerId !== undefined || sqlFilters.category !== undefined || sqlFilters.isPublic !== undefined || sqlFilters.objectiveId !== undefined;
  const today = options.today ?? todayUtc();
  const all = filtered ? await statusesOf(db, organisationId, await repo.listKpis(db, organisationId, sqlFilters), false, today) : await allKpisWithStatus(db, organisationId, today);
  return all.filter((k) => (status === undefined || k.status === status) && (overdue === undefined || k.overdue === overdue));
}

/**
 * For the golden thread: each objective's KPIs with their statuses and link weights. A caller
 * that already holds every KPI of the organisation with its status (from listKpisWithStatus,
 * unfiltered) passes them as `kpis`, and only the links are read.
 */
export async function kpiStatusesForObjectives(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: StatusOptions & { kpis?: readonly KpiWithStatus[] | undefined } = {},
): Promise<Map<string, KpiSummary[]>> {
  assertAllowed(actor, 'kpis.read', organisationId);
  const kpis = options.kpis ?? (await listKpisWithStatus(db, actor, organisationId, {}, options));
  const byId = new Map(kpis.map((k) => [k.id, k]));
  const result = new Map<string, KpiSummary[]>();
  for (const link of await repo.listObjectiveLinkRows(db, organisationId)) {
    const kpi = byId.get(link.kpiId);
    if (kpi === undefined) continue;
    const summary: KpiSummary = {
      id: kpi.id,
      key: kpi.key,
      name: kpi.name,
      unit: kpi.unit,
      frequency: kpi.frequency,
      status: kpi.status,
      statusReason: kpi.statusReason,
      latest: kpi.latest,
      planned: kpi.planned,
      ownerId: kpi.ownerId,
      ownerName: kpi.ownerName,
      overdue: kpi.overdue,
      weight: link.weight,
    };
    const list = result.get(link.objectiveId);
    if (list === undefined) result.set(link.objectiveId, [summary]);
    else list.push(summary);
  }
  for (const list of result.values()) list.sort((a, b) => a.name.localeCompare(b.name));
  return result;
}

/** A measurement as exported: the KPI's key, the period's first day, value, note and source. */
export interface MeasurementExportRow {
  kpi: string;
  period: string;
  value: number;
  note: string | null;
  source: MeasurementSource;
}

/** Rows per query when exporting measurements: memory stays bounded by one page. */
export const EXPORT_PAGE_SIZE = 5_000;

/**
 * Every measurement of the organisation (or of the KPI with `key`), by KPI key then period, read a page at a time as the
 * consumer asks for more (a streamed export holds one page, never the whole history). Access is
 * checked now, before anything is streamed. Pages are separate short queries rather than one
 * long transaction (on the embedded database a transaction would hold up every other request
 * for as long as the download takes), so a value recorded during a download may or may not be
 * in it.
 */
export async function exportMeasurements(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: { key?: string | undefined } = {},
): Promise<AsyncIterable<MeasurementExportRow>> {
  assertAllowed(actor, 'kpis.read', organisationId);
  let kpis = (await repo.listKpiKeys(db, organisationId)).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (options.key !== undefined) {
    // One KPI's values; an unknown key is not found, before anything is sent.
    kpis = kpis.filter((k) => k.key === options.key);
    if (kpis.length === 0) throw new NotFoundError();
  }
  async function* rows(): AsyncGenerator<MeasurementExportRow> {
    for (const kpi of kpis) {
      let after: string | null = null;
      for (;;) {
        const page = await listMeasurementPageOfKpi(db, organisationId, kpi.id, after, EXPORT_PAGE_SIZE);
        for (const m of page) yield { kpi: kpi.key, period: m.period, value: m.value, note: m.note, source: m.source };
        const last = page.at(-1);
        if (last === undefined || page.length < EXPORT_PAGE_SIZE) break;
        after = last.period;
      }
    }
  }
  return rows();
}

/** Active members who can own a KPI, and the objectives it can link to: choices for the form. */
export async function kpiFormOptions(
  db: Db,
  actor: Actor,
  organisationId: string,
): Promise<{ owners: { id: string; name: string; email: string }[]; objectives: { id: string; title: string }[] }> {
  assertAllowed(actor, 'kpis.read', organisationId);
  const [owners, objectives] = await Promise.all([repo.listActiveMembers(db, organisationId), repo.listObjectiveOptions(db, organisationId)]);
  return { owners, objectives };
}

// ---------------------------------------------------------------------------------------------
// Creating, changing, deleting
// ---------------------------------------------------------------------------------------------

interface FormulaCheck {
  problem: FieldError | null;
  inputIds: string[];
}

/**
 * Checks a formula against the organisation's KPIs: every reference known, same frequency as
 * the KPI, and no circular reference once this KPI reads its inputs.
 */
async function checkFormula(trx: Db, organisationId: string, values: KpiValues): Promise<FormulaCheck> {
  if (values.formula === null) return { problem: null, inputIds: [] };
  const kpis = await repo.listKpiKeys(trx, organisationId);
  const byKey = new Map(kpis.map((k) => [k.key, k]));
  const known = new Set([...byKey.keys(), values.key]);
  const parsed = parseFormula(values.formula, { knownKeys: known });
  const fail = (message: string): FormulaCheck => ({ problem: { field: KPI_FIELDS.formula, message: `Formula: ${message}` }, inputIds: [] });
  if (!parsed.ok) return fail(parsed.message);
  const refs = referencedKeys(parsed.ast);
  if (refs.length === 0) return fail('use at least one other KPI, by its key in braces, for example 100 * {digital_transactions} / {all_transactions}');
  const graph = new Map<string, string[]>();
  for (const edge of await repo.listInputGraph(trx, organisationId)) {
    graph.set(edge.kpiKey, [...(graph.get(edge.kpiKey) ?? []), edge.inputKey]);
  }
  graph.set(values.key, refs);
  const cycle = findCycle(graph);
  if (cycle !== null) return fail(describeCycle(cycle));
  const mismatched = refs.filter((ref) => ref !== values.key && byKey.get(ref)?.frequency !== values.frequency);
  if (mismatched.length > 0) {
    return fail(`every KPI it uses must be measured ${values.frequency} like this one; ${mismatched.map((k) => `{${k}}`).join(', ')} ${mismatched.length === 1 ? 'is' : 'are'} not`);
  }
  return { problem: null, inputIds: refs.map((ref) => byKey.get(ref)?.id ?? '').filter((id) => id !== '') };
}

/** The problems that need the database: unique key, owner a member, objectives of the organisation, formula. */
async function databaseProblems(
  trx: Db,
  organisationId: string,
  values: KpiValues,
  current: Kpi | null,
): Promise<{ problems: FieldError[]; inputIds: string[] }> {
  const problems: FieldError[] = [];
  if (current === null && (await repo.findKpiByKey(trx, organisationId, values.key)) !== undefined) {
    problems.push({ field: KPI_FIELDS.key, message: `A KPI with the key ${values.key} already exists in this organisation: choose another key` });
  }
  if (values.ownerId !== null && values.ownerId !== current?.ownerId && !(await repo.isActiveMember(trx, organisationId, values.ownerId))) {
    problems.push({ field: KPI_FIELDS.ownerId, message: 'Choose an owner who is a member of this organisation' });
  }
  if (values.objectiveIds.length > 0) {
    const found = new Set((await findObjectivesByIds(trx, organisationId, values.objectiveIds)).map((o) => o.id));
    const unknown = values.objectiveIds.filter((id) => !found.has(id));
    if (unknown.length > 0) {
      problems.push({ field: KPI_FIELDS.objectiveIds, message: `There is no objective with the id ${unknown.join(', ')} in this organisation` });
    }
  }
  if (current !== null) {
    const hasValues = current.formula === null && (await listMeasurementsOfKpi(trx, organisationId, current.id)).length > 0;
    if (hasValues && values.formula !== null) {
      problems.push({
        field: KPI_FIELDS.formula,
        message: 'Formula: this KPI already has recorded values, which a formula would replace. Create a new KPI for the calculated figure',
      });
    }
    if (values.frequency !== current.frequency && (hasValues || current.formula !== null || (await repo.listDependentKeys(trx, organisationId, current.id)).length > 0)) {
      problems.push({ field: KPI_FIELDS.frequency, message: 'The frequency cannot change once values are recorded or other KPIs’ formulas use this KPI' });
    }
  }
  const formula = await checkFormula(trx, organisationId, values);
  if (formula.problem !== null) problems.push(formula.problem);
  return { problems, inputIds: formula.inputIds };
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** Creates a KPI; a derived one (with a formula) gets its values computed at once. */
export async function createKpi(db: Db, actor: Actor, organisationId: string, input: KpiInput): Promise<Kpi> {
  assertAllowed(actor, 'kpis.manage', organisationId);
  const checked = checkKpiInput(input);
  const values = checked.values;
  if (values === null) throw new ValidationError(checked.problems);
  try {
    return await inTransaction(db, async (trx) => {
      const { problems, inputIds } = await databaseProblems(trx, organisationId, values, null);
      if (problems.length > 0) throw new ValidationError(problems);
      const id = await repo.insertKpi(trx, organisationId, values);
      await repo.setObjectiveLinks(trx, organisationId, id, values.objectiveIds);
      await repo.setInputs(trx, organisationId, id, inputIds);
      const kpi = await requireKpi(trx, organisationId, values.key);
      if (kpi.formula !== null) await recomputeDerived(trx, organisationId, kpi);
      await recordAudit(trx, actor, { organisationId, action: 'kpi.created', entityType: 'kpi', entityId: id, after: kpiRecord(kpi) });
      return kpi;
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw ValidationError.of(KPI_FIELDS.key, `A KPI with the key ${values.key} already exists in this organisation: choose another key`);
    }
    throw error;
  }
}

/** A KPI's new values; the key cannot change. Omitted optional fields keep their current value. */
export type KpiChange = Omit<KpiInput, 'key'> & { key?: string | undefined };

export async function updateKpi(
  db: Db,
  actor: Actor,
  organisationId: string,
  key: string,
  change: KpiChange,
  options: ChangeOptions = {},
): Promise<Kpi> {
  assertAllowed(actor, 'kpis.manage', organisationId);
  return inTransaction(db, async (trx) => {
    const current = await requireKpi(trx, organisationId, key, { lock: true });
    checkVersion(current.version, options);
    if (change.key !== undefined && change.key.trim() !== current.key) {
      throw ValidationError.of(KPI_FIELDS.key, 'The key of a KPI cannot change: formulas, imports and API clients use it');
    }
    const checked = checkKpiInput({
      key: current.key,
      name: change.name,
      definition: change.definition ?? current.definition,
      unit: change.unit ?? current.unit,
      polarity: change.polarity,
      frequency: change.frequency,
      baseline: change.baseline,
      target: change.target,
      tolerance: change.tolerance ?? current.tolerance,
      ownerId: change.ownerId === undefined ? current.ownerId : change.ownerId,
      category: change.category ?? current.category,
      objectiveIds: change.objectiveIds ?? current.objectiveIds,
      isPublic: change.isPublic ?? current.isPublic,
      formula: change.formula === undefined ? current.formula : change.formula,
    });
    const values = checked.values;
    if (values === null) throw new ValidationError(checked.problems);
    const { problems, inputIds } = await databaseProblems(trx, organisationId, values, current);
    if (problems.length > 0) throw new ValidationError(problems);
    if (!(await repo.updateKpi(trx, organisationId, current.id, current.version, values))) throw new PreconditionFailedError();
    await repo.setObjectiveLinks(trx, organisationId, current.id, values.objectiveIds);
    const updated = await requireKpi(trx, organisationId, current.key);
    if (values.formula !== current.formula) {
      await repo.setInputs(trx, organisationId, current.id, inputIds);
      if (updated.formula === null) {
        // No longer derived: its calculated values no longer mean anything.
        const rows = await listMeasurementsOfKpi(trx, organisationId, current.id);
        await deleteMeasurements(trx, organisationId, current.id, rows.filter((r) => r.source === 'formula').map((r) => r.period));
      } else {
        await recomputeDerived(trx, organisationId, updated);
      }
      await recomputeDependents(trx, organisationId, [current.id]);
    }
    await recordAudit(trx, actor, {
      organisationId,
      action: 'kpi.updated',
      entityType: 'kpi',
      entityId: current.id,
      before: kpiRecord(current),
      after: kpiRecord(updated),
    });
    return updated;
  });
}

/** Deletes a KPI and its measurements; refused while other KPIs' formulas use it. */
export async function deleteKpi(db: Db, actor: Actor, organisationId: string, key: string, options: ChangeOptions = {}): Promise<void> {
  assertAllowed(actor, 'kpis.manage', organisationId);
  await inTransaction(db, async (trx) => {
    const kpi = await requireKpi(trx, organisationId, key, { lock: true });
    checkVersion(kpi.version, options);
    const dependents = await repo.listDependentKeys(trx, organisationId, kpi.id);
    if (dependents.length > 0) {
      throw new ConflictError(
        `${kpi.name} cannot be deleted: the formula of ${dependents.map((k) => `{${k}}`).join(', ')} uses it. Change ${dependents.length === 1 ? 'that formula' : 'those formulas'} first`,
      );
    }
    await repo.deleteKpi(trx, organisationId, kpi.id);
    await recordAudit(trx, actor, { organisationId, action: 'kpi.deleted', entityType: 'kpi', entityId: kpi.id, before: kpiRecord(kpi) });
  });
}

// ---------------------------------------------------------------------------------------------
// Derived KPIs
// ---------------------------------------------------------------------------------------------

/**
 * Stores a derived KPI's values: one per period where every input has a value and the formula
 * gives one (division by zero gives none); values that no longer compute are removed.
 */
async function recomputeDerived(trx: Db, organisationId: string, kpi: Pick<Kpi, 'id' | 'formula'>): Promise<void> {
  if (kpi.formula === null) return;
  const parsed = parseFormula(kpi.formula);
  if (!parsed.ok) return;
  const keys = await repo.listKpiKeys(trx, organisationId);
  const idByKey = new Map(keys.map((k) => [k.key, k.id]));
  const keyById = new Map(keys.map((k) => [k.id, k.key]));
  const inputIds = referencedKeys(parsed.ast)
    .map((key) => idByKey.get(key))
    .filter((id) => id !== undefined);
  const inputs = new Map<string, Map<string, number>>();
  for (const v of await listValuesOfKpis(trx, organisationId, [...inputIds, kpi.id])) {
    const key = v.kpiId === kpi.id ? '' : (keyById.get(v.kpiId) ?? '');
    const series = inputs.get(key) ?? new Map<string, number>();
    series.set(v.period, v.value);
    inputs.set(key, series);
  }
  const existing = inputs.get('') ?? new Map<string, number>();
  inputs.delete('');
  const series = computeDerivedSeries(parsed.ast, inputs);
  const writes: MeasurementWrite[] = [];
  for (const [period, value] of series) {
    if (existing.get(period) !== value) writes.push({ organisationId, kpiId: kpi.id, period, value, note: null, source: 'formula', recordedBy: null });
  }
  await upsertMeasurements(trx, writes);
  await deleteMeasurements(
    trx,
    organisationId,
    kpi.id,
    [...existing.keys()].filter((period) => !series.has(period)),
  );
}

/** Recomputes every derived KPI that reads any of `changedIds`, directly or through others, inputs first. */
/**
 * Recomputes, in the caller's transaction, every derived KPI that reads the changed KPIs
 * (directly or through other derived KPIs), in dependency order. Imports call it after merging.
 */
export function recomputeDerivedKpis(trx: Db, organisationId: string, changedIds: readonly string[]): Promise<void> {
  return recomputeDependents(trx, organisationId, changedIds);
}

async function recomputeDependents(trx: Db, organisationId: string, changedIds: readonly string[]): Promise<void> {
  const edges = await repo.listInputGraph(trx, organisationId);
  if (edges.length === 0) return;
  const dependents = new Map<string, string[]>();
  for (const edge of edges) dependents.set(edge.inputId, [...(dependents.get(edge.inputId) ?? []), edge.kpiId]);
  // Depth-first post-order over "is read by", reversed: each KPI comes after everything it reads.
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): void => {
    for (const dependent of dependents.get(id) ?? []) {
      if (seen.has(dependent)) continue;
      seen.add(dependent);
      visit(dependent);
      order.push(dependent);
    }
  };
  for (const id of changedIds) visit(id);
  if (order.length === 0) return;
  const formulas = new Map((await repo.listKpiKeys(trx, organisationId)).map((k) => [k.id, k.formula]));
  for (const id of order.reverse()) await recomputeDerived(trx, organisationId, { id, formula: formulas.get(id) ?? null });
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

type Checked<T> = { ok: true; value: T } | { ok: false; field: 'period' | 'value' | 'note'; message: string };

function checkMeasurement(kpi: Pick<Kpi, 'frequency' | 'formula' | 'name'>, input: MeasurementInput): Checked<{ period: string; value: number; note: string | null }>[] {
  const period = parsePeriodInput(input.period, kpi.frequency);
  const value = readNumber(input.value);
  const note = input.note == null || input.note.trim() === '' ? null : input.note.trim();
  const results: Checked<{ period: string; value: number; note: string | null }>[] = [];
  if (input.period.trim() === '') results.push({ ok: false, field: 'period', message: 'Enter the period the value is for' });
  else if (!period.ok) results.push({ ok: false, field: 'period', message: period.message });
  if (value === null) {
    const empty = typeof input.value === 'string' && input.value.trim() === '';
    results.push({ ok: false, field: 'value', message: empty ? 'Enter a value' : 'Value must be a number, like 62 or 1250.5' });
  }
  if (note !== null && note.length > MAX_NOTE_LENGTH) results.push({ ok: false, field: 'note', message: `Note must be ${MAX_NOTE_LENGTH} characters or fewer` });
  if (results.length === 0 && period.ok && value !== null) results.push({ ok: true, value: { period: period.period, value, note } });
  return results;
}

function derivedMessage(kpi: Pick<Kpi, 'name' | 'formula'>): string {
  return `${kpi.name} is calculated from its formula (${kpi.formula ?? ''}): record values for the KPIs it uses instead`;
}

/**
 * Records one value of a KPI for a period, replacing any earlier value of that period (kept in
 * the audit trail). The same value and note again changes nothing and records no event.
 */
export async function recordMeasurement(
  db: Db,
  actor: Actor,
  organisationId: string,
  kpiKey: string,
  input: MeasurementInput,
  source: MeasurementSource = 'manual',
): Promise<RecordResult> {
  assertAllowed(actor, 'measurements.record', organisationId);
  return inTransaction(db, async (trx) => {
    // The row lock makes writes to one KPI take turns, so "before" is always the true before.
    const kpi = await requireKpi(trx, organisationId, kpiKey, { lock: true });
    if (kpi.formula !== null) throw ValidationError.of('value', derivedMessage(kpi));
    const checked = checkMeasurement(kpi, input);
    const problems = checked.flatMap((c) => (c.ok ? [] : [{ field: c.field, message: c.message }]));
    const good = checked[0];
    if (problems.length > 0 || !good?.ok) throw new ValidationError(problems);
    const { period, value, note } = good.value;
    const before = await findMeasurement(trx, organisationId, kpi.id, period);
    if (before?.value === value && before.note === note) return { measurement: recordOf(before), outcome: 'unchanged' };
    const written = await upsertMeasurement(trx, { organisationId, kpiId: kpi.id, period, value, note, source, recordedBy: recordedBy(actor) });
    if (written === undefined) {
      const current = await findMeasurement(trx, organisationId, kpi.id, period);
      if (current === undefined) throw new Error('Measurement vanished during its upsert');
      return { measurement: recordOf(current), outcome: 'unchanged' };
    }
    await recomputeDependents(trx, organisationId, [kpi.id]);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'measurement.recorded',
      entityType: 'kpi',
      entityId: kpi.id,
      before: before === undefined ? null : { kpi: kpi.key, period, value: before.value, note: before.note, source: before.source },
      after: { kpi: kpi.key, period, value, note, source },
    });
    return { measurement: recordOf(written), outcome: written.inserted ? 'created' : 'updated' };
  });
}

/**
 * Deletes a KPI's value for one period (a value recorded by mistake): the derived KPIs that read
 * it lose theirs for that period too, and the audit trail keeps what was deleted. A period with
 * no value is not found.
 */
export async function deleteMeasurement(db: Db, actor: Actor, organisationId: string, kpiKey: string, periodText: string): Promise<void> {
  assertAllowed(actor, 'measurements.record', organisationId);
  await inTransaction(db, async (trx) => {
    const kpi = await requireKpi(trx, organisationId, kpiKey, { lock: true });
    if (kpi.formula !== null) throw ValidationError.of('period', derivedMessage(kpi));
    const period = parsePeriodInput(periodText, kpi.frequency);
    if (!period.ok) throw ValidationError.of('period', period.message);
    const before = await findMeasurement(trx, organisationId, kpi.id, period.period);
    if (before === undefined) throw new NotFoundError();
    await deleteMeasurements(trx, organisationId, kpi.id, [period.period]);
    await recomputeDependents(trx, organisationId, [kpi.id]);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'measurement.deleted',
      entityType: 'kpi',
      entityId: kpi.id,
      before: { kpi: kpi.key, period: period.period, value: before.value, note: before.note, source: before.source },
      after: null,
    });
  });
}

/**
 * Records many values at once, all or nothing: when any row is bad, nothing is written and
 * every bad row is reported by its 0-based index. Unchanged rows are skipped; one audit event
 * lists every value that changed with its previous value.
 */
export async function recordMeasurementsBatch(
  db: Db,
  actor: Actor,
  organisationId: string,
  rows: readonly BatchRow[],
  source: MeasurementSource = 'api',
): Promise<BatchResult> {
  assertAllowed(actor, 'measurements.record', organisationId);
  if (rows.length > MAX_BATCH_ROWS) {
    throw ValidationError.of('/measurements', `Send at most ${MAX_BATCH_ROWS.toLocaleString('en-GB')} measurements in one batch (this one has ${rows.length.toLocaleString('en-GB')})`);
  }
  return inTransaction(db, async (trx) => {
    const kpis = new Map((await repo.listKpiKeys(trx, organisationId)).map((k) => [k.key, k]));
    const errors: BatchRowError[] = [];
    const writes: (MeasurementWrite & { key: string })[] = [];
    const seen = new Map<string, number>();
    rows.forEach((row, index) => {
      const key = row.kpi.trim();
      const kpi = kpis.get(key);
      if (kpi === undefined) {
        errors.push({ index, field: 'kpi', message: `There is no KPI with the key "${key}" in this organisation` });
        return;
      }
      if (kpi.formula !== null) {
        errors.push({ index, field: 'kpi', message: `${key} is calculated from its formula: record values for the KPIs it uses instead` });
        return;
      }
      const checked = checkMeasurement({ frequency: kpi.frequency, formula: kpi.formula, name: key }, row);
      for (const c of checked) if (!c.ok) errors.push({ index, field: c.field, message: c.message });
      const good = checked[0];
      if (!good?.ok) return;
      const pair = `${kpi.id}|${good.value.period}`;
      const earlier = seen.get(pair);
      if (earlier !== undefined) {
        errors.push({
          index,
          field: 'period',
          message: `Measurement ${earlier} already gives ${key} a value for ${formatPeriod(good.value.period, kpi.frequency)}: send each period once`,
        });
        return;
      }
      seen.set(pair, index);
      writes.push({ organisationId, kpiId: kpi.id, key, ...good.value, source, recordedBy: recordedBy(actor) });
    });
    if (errors.length > 0) throw new MeasurementBatchError(errors);
    const existing = await findExistingMeasurements(trx, organisationId, writes);
    const changed = writes.filter((w) => {
      const before = existing.get(`${w.kpiId}|${w.period}`);
      return before?.value !== w.value || before.note !== w.note;
    });
    await upsertMeasurements(trx, changed);
    const created = changed.filter((w) => !existing.has(`${w.kpiId}|${w.period}`)).length;
    if (changed.length > 0) {
      await recomputeDependents(trx, organisationId, [...new Set(changed.map((w) => w.kpiId))]);
      await recordAudit(trx, actor, {
        organisationId,
        action: 'measurements.batch_recorded',
        entityType: 'measurement',
        before: {
          measurements: changed.flatMap((w) => {
            const before = existing.get(`${w.kpiId}|${w.period}`);
            return before === undefined ? [] : [{ kpi: w.key, period: w.period, value: before.value, note: before.note }];
          }),
        },
        after: { source, measurements: changed.map((w) => ({ kpi: w.key, period: w.period, value: w.value, note: w.note })) },
      });
    }
    return { created, updated: changed.length - created, unchanged: writes.length - changed.length };
  });
}
