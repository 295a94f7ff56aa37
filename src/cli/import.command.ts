import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { BATCH_IMPORT_LIMITS, COLUMNS_DESCRIPTION, formatBytes, formatCount } from '../modules/measurements/import-format.ts';
import { type ImportFileKind, importMeasurements, moreProblemsText } from '../modules/measurements/import.service.ts';
import { IMPORT_COLUMNS, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, REQUIRED_IMPORT_COLUMNS } from '../modules/risk/risk-import.ts';
import { importRisks } from '../modules/risk/risk.service.ts';
import { cliOperator } from '../platform/access/actor.ts';
import { type ConfigLoader, organisationBySlug, UsageError, withDatabase } from './support.ts';

interface ImportOptions {
  org: string;
}

/** The file kind from its extension; anything else is refused before the file is opened. */
export function importKindOf(file: string): ImportFileKind {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.xlsx') return 'xlsx';
  throw new UsageError(
    `${path.basename(file)} is not a .csv or .xlsx file. Save it as CSV (UTF-8) or as an Excel workbook (.xlsx) and try again`,
  );
}

/** The register upload limit as the upload page states it (binary megabytes). */
const REGISTER_LIMIT = `${MAX_IMPORT_BYTES / 1024 / 1024} MB`;

/** The file's size in bytes, or a one-line error when it is missing or not a file. */
async function fileSize(file: string): Promise<number> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UsageError(`${file} is not a file`);
    return info.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : (error as Error).message}`);
  }
}

/**
 * A refused file: each problem as "line N: message" on stderr (the message without its own
 * "Line N:"), how many more there are, a closing line, and exit code 1.
 */
function reportRefusal(file: string, result: { problems: readonly { line: number | null; message: string }[]; totalProblems: number }): void {
  for (const problem of result.problems) {
    const message = problem.message.replace(/^Line \d+:\s*/, '');
    console.error(problem.line === null ? message : `line ${problem.line}: ${message}`);
  }
  const more = moreProblemsText(result);
  if (more !== null) console.error(more);
  console.error(
    `Nothing was imported: ${formatCount(result.totalProblems)} ${result.totalProblems === 1 ? 'problem' : 'problems'} in ${path.basename(file)}. Fix them and run the command again.`,
  );
  process.exitCode = 1;
}

interface Progress {
  bytes(read: number): void;
  rows(rows: number): void;
  stop(): void;
}

/** A bar on stderr when it is a terminal: bytes of a CSV, rows of a workbook. */
function progressReporter(kind: ImportFileKind, size: number): Progress {
  if (!process.stderr.isTTY) return { bytes: () => undefined, rows: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format:
        kind === 'csv'
          ? 'Importing [{bar}] {percentage}% | {rows} rows | ETA {eta_formatted}'
          : 'Importing: {rows} rows read',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let rows = 0;
  let bytes = 0;
  bar.start(kind === 'csv' ? Math.max(size, 1) : 0, 0, { rows: '0' });
  return {
    bytes: (read) => {
      bytes = read;
      bar.update(bytes, { rows: formatCount(rows) });
    },
    rows: (n) => {
      rows = n;
      bar.update(bytes, { rows: formatCount(n) });
    },
    stop: () => {
      bar.stop();
    },
  };
}

export function registerImportCommands(program: Command, config: ConfigLoader): void {
  const importCommand = program.command('import').description('Bring data in from files');

  importCommand
    .command('measurements')
    .description('Import KPI measurements from a CSV or XLSX file: all rows or none')
    .argument('<file>', 'a .csv or .xlsx file')
    .requiredOption('--org <slug>', 'slug of the organisation whose KPIs the file gives values for')
    .addHelpText(
      'after',
      [
        '',
        `Columns: ${COLUMNS_DESCRIPTION} (a header row first). period is YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY,`,
        'read as the first day of the period for the KPI’s frequency; value is a plain number like 1234.5.',
        `Limits: ${formatBytes(BATCH_IMPORT_LIMITS.maxFileBytes)} and ${formatCount(BATCH_IMPORT_LIMITS.maxRows)} rows.`,
        '',
        'When any row is wrong nothing is imported: every problem is printed to stderr as "line N: message"',
        'and the command exits 1. Otherwise it prints one summary line and exits 0. Importing the same file',
        'again changes nothing; a changed value replaces the stored one, whose old value stays in the audit trail.',
        '',
        'Example: npx waymark import measurements q1-figures.csv --org west-shire',
      ].join('\n'),
    )
    .action(async (file: string, options: ImportOptions) => {
      const kind = importKindOf(file);
      const size = await fileSize(file);
      const database = await openDatabase(config());
      const started = Date.now();
      let result;
      const progress = progressReporter(kind, size);
      try {
        const { applied } = await migrateToLatest(database.db);
        if (applied.length > 0) console.error(`Brought the database up to date (${applied.length} migration(s)).`);
        const organisation = await organisationBySlug(database.db, options.org);
        // A CSV is read from here so the bar can follow the bytes read (opened again, and the bar
        // started again, when the import needs a second reading); an XLSX needs the path.
        let source: string | (() => AsyncIterable<Uint8Array>) = file;
        // Over the size limit: the reader refuses the path by its size before reading a byte.
        if (kind === 'csv' && size <= BATCH_IMPORT_LIMITS.maxFileBytes) {
          source = async function* () {
            let read = 0;
            for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
              read += chunk.byteLength;
              progress.bytes(read);
              yield chunk;
            }
          };
        }
        result = await importMeasurements(database, cliOperator(), organisation.id, source, {
          kind,
          fileName: path.basename(file),
          onProgress: (p) => {
            progress.rows(p.rows);
          },
        });
      } finally {
        progress.stop();
        await database.close();
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      if (!result.ok) {
        reportRefusal(file, result);
        return;
      }
      console.log(
        `Imported ${formatCount(result.rows)} rows from ${path.basename(file)} in ${seconds}s: ` +
          `${formatCount(result.inserted)} new, ${formatCount(result.updated)} updated, ${formatCount(result.unchanged)} unchanged.`,
      );
    });

  importCommand
    .command('risks')
    .description('Import a risk register from a CSV or XLSX file: all risks or none')
    .argument('<file>', 'a .csv or .xlsx file')
    .requiredOption('--org <slug>', 'slug of the organisation whose register the risks join')
    .addHelpText(
      'after',
      [
        '',
        `Columns (a header row first, any order and case): ${IMPORT_COLUMNS.join(', ')}.`,
        `Required: ${REQUIRED_IMPORT_COLUMNS.join(', ')}. Scores are 1–5 or very low … very high;`,
        'category is a category key or name of the organisation; owner is a member’s email address or name.',
        `Limits: ${REGISTER_LIMIT} and ${formatCount(MAX_IMPORT_ROWS)} risks. The export of the register`,
        '(the register page: "Download the whole register") has these columns, so a register can move between organisations.',
        '',
        'When any row is wrong nothing is imported: every problem is printed to stderr as "line N: message"',
        'and the command exits 1. A risk whose title the register already has is refused, so a file is',
        'imported once.',
        '',
        'Example: npx waymark import risks register.xlsx --org west-shire',
      ].join('\n'),
    )
    .action(async (file: string, options: ImportOptions) => {
      const kind = importKindOf(file);
      const size = await fileSize(file);
      if (size > MAX_IMPORT_BYTES) {
        throw new UsageError(`${path.basename(file)} is larger than ${REGISTER_LIMIT}, the most a register file may be`);
      }
      const bytes = await readFile(file);
      const result = await withDatabase(config(), async (db) => {
        const organisation = await organisationBySlug(db, options.org);
        return importRisks(db, cliOperator(), organisation.id, bytes, kind);
      });
      if (!result.ok) {
        reportRefusal(file, result);
        return;
      }
      console.log(`Imported ${formatCount(result.created)} ${result.created === 1 ? 'risk' : 'risks'} from ${path.basename(file)}.`);
    });
}
