/**
 * Importing measurements from a CSV or XLSX file: all-or-nothing, streaming, fast. The web page,
 * the API and the CLI all call `importMeasurements`.
 *
 * How: one bulk session (one transaction on one connection, src/db/bulk.ts). The file is read as a
 * stream (import-reader.ts); each well-formed row is checked against the organisation's KPIs (known,
 * not derived, a period valid for the KPI's frequency) and COPYed. Any problem at all → the
 * transaction is rolled back and every problem returned with its line; nothing is written.
 *
 * Three ways in, fastest first. The usual case is new periods appended. When the file can be read
 * twice (a path, bytes, or a way to open it again), rows are COPYed straight into `measurement`
 * inside a savepoint, the unique (kpi_id, period) index checking that none meets a stored value or
 * repeats another row. On a unique violation the savepoint is undone and the file read again
 * through a temporary staging table. A one-pass stream (the API body) goes through the staging
 * table at once; if no KPI of it has a stored value in its period range (one indexed query), one
 * plain INSERT … SELECT writes the staged rows. Otherwise, or when that INSERT hits a unique
 * violation (undone to a savepoint): duplicate (KPI, period) rows are found in SQL on the staging
 * table and reported, then one INSERT … ON CONFLICT merges the staged rows, changing only rows
 * whose value or note differ, so importing the same file again writes nothing, not even an audit
 * event. Previous values of updated rows go to the audit trail in the same transaction.
 *
 * On the embedded database the session holds PGlite's only connection while the file is read;
 * web uploads are limited (WEB_IMPORT_LIMITS) so that stays short.
 */
import { type BulkSession, type CopyRow, withBulkSession } from '../../db/bulk.ts';
import type { DatabaseHandle, Db } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import { recomputeDerivedKpis } from '../kpis/kpis.service.ts';
import { type Frequency, parsePeriodInput } from '../kpis/periods.ts';
import { BATCH_IMPORT_LIMITS, formatCount, type ImportLimits, type MeasurementRow, quoteForMessage } from './import-format.ts';
import { type ImportFileKind, type ImportSource, type ImportSummary, readMeasurementRows } from './import-reader.ts';
import * as repo from './import.repository.ts';

export type { ImportFileKind, ImportSource, ImportSummary };

export interface ImportOptions {
  readonly kind: ImportFileKind;
  /** Defaults to BATCH_IMPORT_LIMITS; web uploads pass WEB_IMPORT_LIMITS. */
  readonly limits?: ImportLimits;
  /** For the audit trail: the name of the file as the user knows it. */
  readonly fileName?: string;
  /** Called after each batch of rows read. */
  readonly onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  /** Well-formed rows read so far. */
  readonly rows: number;
  /** The last line read. */
  readonly line: number;
}

export interface ImportProblemReport {
  /** Null when the problem is about the file as a whole. */
  readonly line: number | null;
  readonly message: string;
}

export type ImportResult =
  | {
      readonly ok: true;
      /** Rows in the file. */
      readonly rows: number;
      readonly inserted: number;
      readonly updated: number;
      /** Rows whose value and note were already stored. */
      readonly unchanged: number;
    }
  | {
      readonly ok: false;
      /** In line order; at most `limits.maxProblems` of them. */
      readonly problems: readonly ImportProblemReport[];
      /** Every problem found, including those not listed. */
      readonly totalProblems: number;
      readonly summary: ImportSummary;
    };

/** Problems per audit event carrying previous values, so no single event grows unbounded. */
export const AUDIT_CHUNK_ROWS = 500;

const PLAIN_INSERT_SAVEPOINT = 'measurement_import_plain_insert';
const DIRECT_COPY_SAVEPOINT = 'measurement_import_direct_copy';

interface KnownKpi {
  readonly id: string;
  readonly frequency: Frequency;
  readonly isDerived: boolean;
}

function recordedBy(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}

/** Problems kept up to the cap, the rest counted. */
class Problems {
  readonly list: ImportProblemReport[] = [];
  hidden = 0;
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  get total(): number {
    return this.list.length + this.hidden;
  }
  /** A fatal problem (one that stopped the reading) is always listed. */
  add(problem: ImportProblemReport, fatal = false): void {
    if (fatal || this.list.length < this.max) this.list.push(problem);
    else this.hidden++;
  }
}

/** A rollback that carries the outcome out of the transaction. */
class Rejected extends Error {
  readonly result: ImportResult;
  constructor(result: ImportResult) {
    super('import rejected');
    this.result = result;
  }
}

/** Imports measurements from a file into one organisation; see the module comment. */
export async function importMeasurements(
  handle: DatabaseHandle,
  actor: Actor,
  organisationId: string,
  source: ImportSource,
  options: ImportOptions,
): Promise<ImportResult> {
  assertAllowed(actor, 'measurements.import', organisationId);
  const limits = options.limits ?? BATCH_IMPORT_LIMITS;
  try {
    return await withBulkSession(handle, (session) => runImport(session, actor, organisationId, source, options, limits));
  } catch (error) {
    if (error instanceof Rejected) return error.result;
    throw error;
  }
}

async function runImport(
  session: BulkSession,
  actor: Actor,
  organisationId: string,
  source: ImportSource,
  options: ImportOptions,
  limits: ImportLimits,
): Promise<ImportResult> {
  const kpis = new Map<string, KnownKpi>(
    (await repo.listImportKpis(session.db, organisationId)).map((k) => [k.key, { id: k.id, frequency: k.frequency, isDerived: k.isDerived }]),
  );
  if (canReadTwice(source)) {
    const direct = await importDirectly(session, actor, organisationId, source, options, new CheckedRows(kpis, limits, options.onProgress));
    if (direct !== undefined) return direct;
  }
  return importThroughStaging(session, actor, organisationId, source, options, new CheckedRows(kpis, limits, options.onProgress), {
    knownToCollide: canReadTwice(source),
  });
}

/** A path, the bytes themselves or a way to open the file again: the file can be read a second time. */
function canReadTwice(source: ImportSource): boolean {
  return typeof source === 'string' || typeof source === 'function' || source instanceof Uint8Array;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '23505';
}

/**
 * The file's rows read and checked against the organisation's KPIs (known, not derived, a period
 * valid for the KPI's frequency), yielded in batches for COPY in the shape the caller asks for.
 * Problems are collected rather than thrown, so every one is reported.
 */
class CheckedRows {
  readonly problems: Problems;
  summary: ImportSummary | undefined;
  /** The KPIs with at least one good row, and the range of their periods (ISO dates: string order is date order). */
  readonly kpiIds = new Set<string>();
  firstPeriod: string | undefined;
  lastPeriod: string | undefined;
  private readonly kpis: ReadonlyMap<string, KnownKpi>;
  readonly limits: ImportLimits;
  private readonly onProgress: ImportOptions['onProgress'];
  // Periods repeat endlessly in a file: remember each text's reading per frequency.
  private readonly periodCache = new Map<string, { ok: true; period: string } | { ok: false; message: string }>();

  constructor(kpis: ReadonlyMap<string, KnownKpi>, limits: ImportLimits, onProgress: ImportOptions['onProgress']) {
    this.kpis = kpis;
    this.limits = limits;
    this.onProgress = onProgress;
    this.problems = new Problems(limits.maxProblems);
  }

  async *batches(source: ImportSource, kind: ImportFileKind, toCopyRow: (row: MeasurementRow, kpiId: string, period: string) => CopyRow): AsyncGenerator<readonly CopyRow[]> {
    let readRows = 0;
    for await (const event of readMeasurementRows(source, { kind, limits: this.limits })) {
      if (event.type === 'problem') {
        this.problems.add({ line: event.line, message: event.message }, event.fatal);
        continue;
      }
      if (event.type === 'end') {
        this.summary = event.summary;
        this.problems.hidden += event.summary.hiddenProblems;
        continue;
      }
      const batch: CopyRow[] = [];
      let line = 0;
      for (const row of event.rows) {
        line = row.line;
        const checked = this.check(row);
        if (checked !== undefined) batch.push(toCopyRow(row, checked.kpiId, checked.period));
      }
      readRows += event.rows.length;
      this.onProgress?.({ rows: readRows, line });
      if (batch.length > 0) yield batch;
    }
  }

  /** The row's KPI and period, or undefined with its problem noted. */
  private check(row: MeasurementRow): { kpiId: string; period: string } | undefined {
    const kpi = this.kpis.get(row.kpi);
    if (kpi === undefined) {
      this.problems.add({ line: row.line, message: `Line ${row.line}: there is no KPI with the key ${quoteForMessage(row.kpi)}` });
      return undefined;
    }
    if (kpi.isDerived) {
      this.problems.add({ line: row.line, message: `Line ${row.line}: ${row.kpi} is calculated from a formula; import its inputs instead` });
      return undefined;
    }
    const cacheKey = `${kpi.frequency}\u0000${row.period}`;
    let period = this.periodCache.get(cacheKey);
    if (period === undefined) {
      period = parsePeriodInput(row.period, kpi.frequency);
      if (this.periodCache.size > 10_000) this.periodCache.clear();
      this.periodCache.set(cacheKey, period);
    }
    if (!period.ok) {
      this.problems.add({ line: row.line, message: `Line ${row.line}: ${period.message}` });
      return undefined;
    }
    this.kpiIds.add(kpi.id);
    if (this.firstPeriod === undefined || period.period < this.firstPeriod) this.firstPeriod = period.period;
    if (this.lastPeriod === undefined || period.period > this.lastPeriod) this.lastPeriod = period.period;
    return { kpiId: kpi.id, period: period.period };
  }

  /** The summary, once the reading has ended. */
  finished(): ImportSummary {
    if (this.summary === undefined) throw new Error('The import reader ended without a summary');
    return this.summary;
  }

  /** Throws the rejection when any problem was found. */
  rejectIfAny(summary: ImportSummary): void {
    if (this.problems.total === 0) return;
    const sorted = [...this.problems.list].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    throw new Rejected({ ok: false, problems: sorted, totalProblems: this.problems.total, summary });
  }
}

/**
 * The usual import, new periods appended, with no staging copy: rows are COPYed straight into
 * `measurement` inside a savepoint, and its unique (kpi_id, period) index is the check that no row
 * meets a stored value or another row of the file. On a unique violation the savepoint is undone
 * and undefined returned: the staging path reads the file again and decides (duplicates reported
 * with both lines, stored values merged with their previous values audited).
 */
async function importDirectly(
  session: BulkSession,
  actor: Actor,
  organisationId: string,
  source: ImportSource,
  options: ImportOptions,
  checked: CheckedRows,
): Promise<ImportResult | undefined> {
  const { db, copyRows } = session;
  const by = recordedBy(actor);
  await repo.savepoint(db, DIRECT_COPY_SAVEPOINT);
  let rows: number;
  try {
    rows = await copyRows(
      repo.MEASUREMENT_TABLE,
      repo.MEASUREMENT_COPY_COLUMNS,
      checked.batches(source, options.kind, (row, kpiId, period) => [organisationId, kpiId, period, row.value, row.note, 'import', by]),
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await repo.rollbackToSavepoint(db, DIRECT_COPY_SAVEPOINT);
    return undefined;
  }
  const summary = checked.finished();
  checked.rejectIfAny(summary);
  await repo.releaseSavepoint(db, DIRECT_COPY_SAVEPOINT);
  return recordImport(db, actor, organisationId, options, { rows, inserted: rows, updated: 0, kpiIds: [...checked.kpiIds], changes: 0 });
}

/**
 * The file through a temporary staging table: for a one-pass stream, or when `importDirectly`
 * met a stored value or a repeated row. A file that cannot collide (no KPI of it has a stored value
 * in its period range; not already known to collide) still goes in with one plain INSERT; otherwise
 * duplicates are reported from SQL and the rows merged with ON CONFLICT.
 */
async function importThroughStaging(
  session: BulkSession,
  actor: Actor,
  organisationId: string,
  source: ImportSource,
  options: ImportOptions,
  checked: CheckedRows,
  { knownToCollide }: { knownToCollide: boolean },
): Promise<ImportResult> {
  const { db, copyRows } = session;
  await repo.createStagingTable(db);
  const rows = await copyRows(
    repo.STAGING_TABLE,
    repo.STAGING_COLUMNS,
    checked.batches(source, options.kind, (row, kpiId, period) => [String(row.line), kpiId, period, row.value, row.note]),
  );
  const summary = checked.finished();
  const { problems } = checked;

  const kpiIds = [...checked.kpiIds];
  if (
    !knownToCollide &&
    problems.total === 0 &&
    checked.firstPeriod !== undefined &&
    checked.lastPeriod !== undefined &&
    !(await repo.hasStoredValuesBetween(db, organisationId, kpiIds, checked.firstPeriod, checked.lastPeriod)) &&
    (await insertWithoutConflicts(session, organisationId, recordedBy(actor)))
  ) {
    return recordImport(db, actor, organisationId, options, { rows, inserted: rows, updated: 0, kpiIds, changes: 0 });
  }

  const duplicates = await repo.findDuplicates(db, checked.limits.maxProblems);
  for (const d of duplicates.rows) {
    problems.add({
      line: d.line,
      message: `Line ${d.line} repeats line ${d.firstLine}: both give ${d.key} a value for the period starting ${d.period}. Keep one of them`,
    });
  }
  problems.hidden += duplicates.total - duplicates.rows.length;
  checked.rejectIfAny(summary);

  const changes = await repo.stageChanges(db, organisationId);
  const merged = await repo.mergeStaged(db, organisationId, recordedBy(actor));
  return recordImport(db, actor, organisationId, options, { rows, ...merged, changes });
}

/** The audit events of an import that wrote rows (previous values of updated rows in chunks) and the derived KPIs recomputed. */
async function recordImport(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: ImportOptions,
  written: { rows: number; inserted: number; updated: number; kpiIds: readonly string[]; changes: number },
): Promise<ImportResult> {
  const { rows, inserted, updated, changes } = written;
  const unchanged = rows - inserted - updated;
  if (inserted + updated === 0) return { ok: true, rows, inserted: 0, updated: 0, unchanged };

  await recordAudit(db, actor, {
    organisationId,
    action: 'measurements.imported',
    entityType: 'measurement',
    after: { fileName: options.fileName ?? null, rows, inserted, updated, unchanged },
  });
  for (let from = 0; from < changes; from += AUDIT_CHUNK_ROWS) {
    const chunk = await repo.listStagedChanges(db, from, from + AUDIT_CHUNK_ROWS);
    await recordAudit(db, actor, {
      organisationId,
      action: 'measurement.updated_by_import',
      entityType: 'measurement',
      before: chunk.map((c) => ({ line: c.line, kpi: c.key, period: c.period, value: c.beforeValue, note: c.beforeNote })),
      after: chunk.map((c) => ({ line: c.line, kpi: c.key, period: c.period, value: c.afterValue, note: c.afterNote })),
    });
  }

  await recomputeDerivedKpis(db, organisationId, written.kpiIds);
  return { ok: true, rows, inserted, updated, unchanged };
}

/**
 * The plain INSERT of the staged rows inside a savepoint. False, with nothing written, on a unique
 * violation: a KPI and period twice in the file, or a value another transaction stored since the
 * check. Any other error aborts the import.
 */
async function insertWithoutConflicts({ db }: BulkSession, organisationId: string, by: string | null): Promise<boolean> {
  await repo.savepoint(db, PLAIN_INSERT_SAVEPOINT);
  try {
    await repo.insertStaged(db, organisationId, by);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    await repo.rollbackToSavepoint(db, PLAIN_INSERT_SAVEPOINT);
    return false;
  }
  await repo.releaseSavepoint(db, PLAIN_INSERT_SAVEPOINT);
  return true;
}

/** "and 1,234 more problems" style count for the problems not listed. */
export function moreProblemsText(result: { problems: readonly unknown[]; totalProblems: number }): string | null {
  const more = result.totalProblems - result.problems.length;
  return more > 0 ? `and ${formatCount(more)} more ${more === 1 ? 'problem' : 'problems'}` : null;
}
