/**
 * Importing measurements from a CSV or XLSX file: all-or-nothing, streaming, fast. The web page,
 * the API and the CLI all call `importMeasurements`.
 *
 * How: one bulk session (one transaction on one connection, src/db/bulk.ts). The file is read as a
 * stream (import-reader.ts); each well-formed row is checked against the organisation's KPIs (known,
 * not derived, a period valid for the KPI's frequency) and COPYed into a temporary staging table.
 * Any problem at all → the transaction is rolled back and every problem returned with its line;
 * nothing is written.
 *
 * Two ways in. The usual case, new periods appended: no KPI of the file has a stored value in the
 * file's period range (one indexed query), so one plain INSERT … SELECT writes the staged rows, and
 * the unique (kpi_id, period) index doubles as the duplicate check. Otherwise, or when that INSERT
 * hits a unique violation (undone to a savepoint): duplicate (KPI, period) rows are found in SQL on
 * the staging table and reported, then one INSERT … ON CONFLICT merges the staged rows, changing
 * only rows whose value or note differ, so importing the same file again writes nothing, not even
 * an audit event. Previous values of updated rows go to the audit trail in the same transaction.
 *
 * On the embedded database the session holds PGlite's only connection while the file is read;
 * web uploads are limited (WEB_IMPORT_LIMITS) so that stays short.
 */
import { type BulkSession, type CopyRow, withBulkSession } from '../../db/bulk.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import { recomputeDerivedKpis } from '../kpis/kpis.service.ts';
import { type Frequency, parsePeriodInput } from '../kpis/periods.ts';
import { BATCH_IMPORT_LIMITS, formatCount, type ImportLimits, quoteForMessage } from './import-format.ts';
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
  const { db, copyRows } = session;
  const kpis = new Map<string, KnownKpi>(
    (await repo.listImportKpis(db, organisationId)).map((k) => [k.key, { id: k.id, frequency: k.frequency, isDerived: k.isDerived }]),
  );
  await repo.createStagingTable(db);

  const problems = new Problems(limits.maxProblems);
  let summary: ImportSummary | undefined;
  // Periods repeat endlessly in a file: remember each text's reading per frequency.
  const periodCache = new Map<string, { ok: true; period: string } | { ok: false; message: string }>();

  // For the plain-INSERT check: the KPIs staged and the range of their periods (ISO dates, so
  // string order is date order).
  const stagedKpiIds = new Set<string>();
  let firstPeriod: string | undefined;
  let lastPeriod: string | undefined;

  let readRows = 0;
  async function* goodRows(): AsyncGenerator<readonly CopyRow[]> {
    for await (const event of readMeasurementRows(source, { kind: options.kind, limits })) {
      if (event.type === 'problem') {
        problems.add({ line: event.line, message: event.message }, event.fatal);
        continue;
      }
      if (event.type === 'end') {
        summary = event.summary;
        problems.hidden += event.summary.hiddenProblems;
        continue;
      }
      const batch: CopyRow[] = [];
      let line = 0;
      for (const row of event.rows) {
        line = row.line;
        const kpi = kpis.get(row.kpi);
        if (kpi === undefined) {
          problems.add({ line: row.line, message: `Line ${row.line}: there is no KPI with the key ${quoteForMessage(row.kpi)}` });
          continue;
        }
        if (kpi.isDerived) {
          problems.add({
            line: row.line,
            message: `Line ${row.line}: ${row.kpi} is calculated from a formula; import its inputs instead`,
          });
          continue;
        }
        const cacheKey = `${kpi.frequency}\u0000${row.period}`;
        let period = periodCache.get(cacheKey);
        if (period === undefined) {
          period = parsePeriodInput(row.period, kpi.frequency);
          if (periodCache.size > 10_000) periodCache.clear();
          periodCache.set(cacheKey, period);
        }
        if (!period.ok) {
          problems.add({ line: row.line, message: `Line ${row.line}: ${period.message}` });
          continue;
        }
        stagedKpiIds.add(kpi.id);
        if (firstPeriod === undefined || period.period < firstPeriod) firstPeriod = period.period;
        if (lastPeriod === undefined || period.period > lastPeriod) lastPeriod = period.period;
        batch.push([String(row.line), kpi.id, period.period, row.value, row.note]);
      }
      readRows += event.rows.length;
      options.onProgress?.({ rows: readRows, line });
      if (batch.length > 0) yield batch;
    }
  }

  const rows = await copyRows(repo.STAGING_TABLE, repo.STAGING_COLUMNS, goodRows());
  if (summary === undefined) throw new Error('The import reader ended without a summary');

  const kpiIds = [...stagedKpiIds];
  let merged: { inserted: number; updated: number; kpiIds: readonly string[] } | undefined;
  let changes = 0;
  if (
    problems.total === 0 &&
    firstPeriod !== undefined &&
    lastPeriod !== undefined &&
    !(await repo.hasStoredValuesBetween(db, organisationId, kpiIds, firstPeriod, lastPeriod)) &&
    (await insertWithoutConflicts(session, organisationId, recordedBy(actor)))
  ) {
    merged = { inserted: rows, updated: 0, kpiIds };
  }

  if (merged === undefined) {
    const duplicates = await repo.findDuplicates(db, limits.maxProblems);
    for (const d of duplicates.rows) {
      problems.add({
        line: d.line,
        message: `Line ${d.line} repeats line ${d.firstLine}: both give ${d.key} a value for the period starting ${d.period}. Keep one of them`,
      });
    }
    problems.hidden += duplicates.total - duplicates.rows.length;

    if (problems.total > 0) {
      const sorted = [...problems.list].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      throw new Rejected({ ok: false, problems: sorted, totalProblems: problems.total, summary });
    }

    changes = await repo.stageChanges(db, organisationId);
    merged = await repo.mergeStaged(db, organisationId, recordedBy(actor));
  }
  const unchanged = rows - merged.inserted - merged.updated;
  if (merged.inserted + merged.updated === 0) return { ok: true, rows, inserted: 0, updated: 0, unchanged };

  const fileName = options.fileName ?? null;
  await recordAudit(db, actor, {
    organisationId,
    action: 'measurements.imported',
    entityType: 'measurement',
    after: { fileName, rows, inserted: merged.inserted, updated: merged.updated, unchanged },
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

  await recomputeDerivedKpis(db, organisationId, merged.kpiIds);
  return { ok: true, rows, inserted: merged.inserted, updated: merged.updated, unchanged };
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
    if ((error as { code?: unknown } | null)?.code !== '23505') throw error;
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
