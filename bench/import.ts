/**
 * bench/import: 1,000,000 measurements from a CSV through the real import path
 * (`importMeasurements`), against a raw COPY of the same rows into an identical table in the same
 * database, measured in the same run. Goal: ratio ≥ 0.5 and peak RSS of the import ≤ 300 MB.
 *
 *   node bench/import.ts                 # PGlite; and PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set
 *   BENCH_ROWS=200000 node bench/import.ts
 *
 * Each engine's database is first prepared (created, migrated, an organisation with its KPIs) by
 * one child process; a second child opens it, as `waymark import measurements` opens an existing
 * database, and imports. So the import's peak RSS is its own: not the first creation of the
 * database (PGlite's initdb alone peaks above 1 GB), nor the raw COPY, which runs after the RSS is
 * read. PostgreSQL gets a fresh database, dropped afterwards.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { CLI_NODE_FLAGS } from '../src/cli/node-flags.ts';
import { type DatabaseHandle, openEmbedded, openPostgres } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createKpi } from '../src/modules/kpis/kpis.service.ts';
import { importMeasurements } from '../src/modules/measurements/import.service.ts';
import { createOrganisation } from '../src/modules/organisations/organisations.service.ts';
import { cliOperator } from '../src/platform/access/actor.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const KPIS = 400;

type Engine = 'postgres' | 'embedded';

interface ChildResult {
  engine: string;
  rows: number;
  importSeconds: number;
  copySeconds: number;
  maxRssMb: number;
  /** Peak RSS right after opening the (existing) database, before anything is imported. */
  openRssMb: number;
  /** Peak RSS of a process that opens the same database and runs only the raw COPY. */
  copyAloneRssMb: number;
  result: unknown;
}

function keyOf(k: number): string {
  return `bench_kpi_${String(k).padStart(3, '0')}`;
}

/** ROWS daily values over KPIS KPIs, with a note on every tenth row. */
async function writeCsv(file: string): Promise<void> {
  const perKpi = Math.ceil(ROWS / KPIS);
  const out = createWriteStream(file);
  const start = Date.UTC(2000, 0, 1);
  const days: string[] = Array.from({ length: perKpi }, (_, d) => new Date(start + d * 86_400_000).toISOString().slice(0, 10));
  function* lines(): Generator<string> {
    yield 'kpi,period,value,note\n';
    let written = 0;
    for (let k = 0; k < KPIS && written < ROWS; k++) {
      let chunk = '';
      for (let d = 0; d < perKpi && written < ROWS; d++, written++) {
        const value = ((k * 7919 + d * 104729) % 100_000) / 100;
        chunk += `${keyOf(k)},${days[d]},${value},${written % 10 === 0 ? `"note ${written}, checked"` : ''}\n`;
      }
      yield chunk;
    }
  }
  await pipeline(Readable.from(lines()), out);
}

function openBench(engine: Engine, target: string): Promise<DatabaseHandle> {
  return engine === 'postgres' ? Promise.resolve(openPostgres(target, { max: 2 })) : openEmbedded(target);
}

/** The database as the import finds it: migrated, with one organisation of KPIS daily KPIs. Prints its id. */
async function prepare(engine: Engine, target: string): Promise<void> {
  const handle = await openBench(engine, target);
  try {
    await migrateToLatest(handle.db);
    const operator = cliOperator();
    const org = await createOrganisation(handle.db, operator, { slug: `bench-${randomBytes(4).toString('hex')}`, name: 'Bench council' });
    for (let k = 0; k < KPIS; k++) {
      await createKpi(handle.db, operator, org.id, {
        key: keyOf(k),
        name: `Bench KPI ${k}`,
        definition: 'Generated for the import benchmark',
        unit: 'count',
        polarity: 'higher_is_better',
        frequency: 'daily',
        baseline: { value: 0, date: '2000-01-01' },
        target: { value: 100, date: '2030-01-01' },
        tolerance: 10,
      });
    }
    process.stdout.write(JSON.stringify({ organisationId: org.id }) + '\n');
  } finally {
    await handle.close();
  }
}

async function kpiIds(handle: DatabaseHandle, organisationId: string): Promise<Map<string, string>> {
  const rows = await handle.db.selectFrom('kpi').select(['id', 'key']).where('organisation_id', '=', organisationId).execute();
  return new Map(rows.map((row) => [row.key, row.id]));
}

/** The same rows as COPY text lines: the CSV split naively (the generated file has no commas in keys or values). */
async function* copyLines(file: string, organisationId: string, ids: Map<string, string>): AsyncGenerator<string> {
  const reader = createInterface({ input: createReadStream(file, { highWaterMark: 256 * 1024 }), crlfDelay: Infinity });
  let first = true;
  let text = '';
  let n = 0;
  for await (const line of reader) {
    if (first) {
      first = false;
      continue;
    }
    const a = line.indexOf(',');
    const b = line.indexOf(',', a + 1);
    const c = line.indexOf(',', b + 1);
    const noteField = line.slice(c + 1);
    const note = noteField === '' ? '\\N' : noteField.replace(/^"|"$/g, '');
    text += `${organisationId}\t${ids.get(line.slice(0, a))}\t${line.slice(a + 1, b)}\t${line.slice(b + 1, c)}\t${note}\timport\n`;
    if (++n % 1_000 === 0) {
      yield text;
      text = '';
    }
  }
  if (text !== '') yield text;
}

const COPY_COLUMNS = 'organisation_id, kpi_id, period, value, note, source';

/**
 * The baseline: the same rows into an identical, empty table (same columns, defaults and indexes;
 * no foreign keys), by a raw COPY. Returns its seconds.
 */
async function rawCopy(handle: DatabaseHandle, engine: Engine, target: string, file: string, organisationId: string, table: string): Promise<number> {
  const ids = await kpiIds(handle, organisationId);
  await sql`create table ${sql.table(table)} (like measurement including all)`.execute(handle.db);
  const statement = (source: string): string => `COPY ${table} (${COPY_COLUMNS}) FROM ${source}`;
  const started = performance.now();
  if (engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: target, max: 1 });
    const client = await pool.connect();
    try {
      await pipeline(Readable.from(copyLines(file, organisationId, ids)), client.query(copyFrom(statement('STDIN'))));
    } finally {
      client.release();
      await pool.end();
    }
  } else {
    const raw = await handle.connectRaw?.();
    if (raw?.kind !== 'embedded') throw new Error('expected PGlite');
    let parts: string[] = [];
    let rows = 0;
    for await (const text of copyLines(file, organisationId, ids)) {
      parts.push(text);
      rows += 1_000;
      if (rows % 50_000 === 0) {
        await raw.pglite.query(statement("'/dev/blob'"), [], { blob: new Blob(parts) });
        parts = [];
      }
    }
    if (parts.length > 0) await raw.pglite.query(statement("'/dev/blob'"), [], { blob: new Blob(parts) });
  }
  const seconds = (performance.now() - started) / 1000;
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from ${sql.table(table)}`.execute(handle.db);
  if (rows[0]?.count !== ROWS) throw new Error(`raw COPY loaded ${rows[0]?.count} rows, expected ${ROWS}`);
  return seconds;
}

/** The import, its peak RSS read straight after it, then the baseline in the same process. */
async function child(engine: Engine, target: string, file: string, organisationId: string): Promise<void> {
  const handle = await openBench(engine, target);
  const openRssMb = process.resourceUsage().maxRSS / 1024;
  try {
    const started = performance.now();
    const result = await importMeasurements(handle, cliOperator(), organisationId, file, { kind: 'csv', fileName: path.basename(file) });
    const importSeconds = (performance.now() - started) / 1000;
    const maxRssMb = process.resourceUsage().maxRSS / 1024;
    const copySeconds = await rawCopy(handle, engine, target, file, organisationId, 'measurement_bench_copy');
    const output: Omit<ChildResult, 'copyAloneRssMb'> = { engine, rows: ROWS, importSeconds, copySeconds, maxRssMb, openRssMb, result };
    process.stdout.write(JSON.stringify(output) + '\n');
  } finally {
    await handle.close();
  }
}

/** The baseline alone in a process of its own: the peak RSS of a raw COPY, to set the import's against. */
async function copyAlone(engine: Engine, target: string, file: string, organisationId: string): Promise<void> {
  const handle = await openBench(engine, target);
  try {
    await rawCopy(handle, engine, target, file, organisationId, 'measurement_bench_copy_alone');
    process.stdout.write(JSON.stringify({ copyAloneRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
  } finally {
    await handle.close();
  }
}

function runNode(args: readonly string[], what: string): string {
  const run = spawnSync(process.execPath, [...CLI_NODE_FLAGS, ...process.execArgv, import.meta.filename, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status})`);
  return run.stdout.trim().split('\n').at(-1) ?? '';
}

/**
 * Prepares the engine's database in one child process, imports into it from another, then runs
 * the raw COPY alone in a third. Each child runs with the `waymark` command's Node flags
 * (CLI_NODE_FLAGS), as `waymark import measurements` does, and any given to the bench
 * (`node --flag bench/import.ts`).
 */
function runEngine(engine: Engine, target: string, file: string): ChildResult {
  const { organisationId } = JSON.parse(runNode(['--prepare', engine, target], `Preparing the ${engine} database`)) as { organisationId: string };
  const run = JSON.parse(runNode(['--child', engine, target, file, organisationId], `The ${engine} run`)) as Omit<ChildResult, 'copyAloneRssMb'>;
  const alone = JSON.parse(runNode(['--copy-alone', engine, target, file, organisationId], `The ${engine} raw COPY alone`)) as Pick<ChildResult, 'copyAloneRssMb'>;
  return { ...run, ...alone };
}

async function withBenchDatabase<T>(url: string, fn: (benchUrl: string) => Promise<T>): Promise<T> {
  const name = `waymark_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const benchUrl = new URL(url);
    benchUrl.pathname = `/${name}`;
    try {
      return await fn(benchUrl.toString());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

function formatRate(rows: number, seconds: number): string {
  return `${Math.round(rows / seconds).toLocaleString('en-GB')} rows/s`;
}

export async function runImportBench(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'waymark-bench-import-'));
  try {
    const file = path.join(dir, 'measurements.csv');
    const generated = performance.now();
    await writeCsv(file);
    console.log(`bench/import: ${ROWS.toLocaleString('en-GB')} rows over ${KPIS} KPIs generated in ${((performance.now() - generated) / 1000).toFixed(1)}s`);
    const results: ChildResult[] = [];
    const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
    if (url !== undefined) results.push(await withBenchDatabase(url, (benchUrl) => Promise.resolve(runEngine('postgres', benchUrl, file))));
    else console.log('  (set TEST_DATABASE_URL or DATABASE_URL to measure PostgreSQL too)');
    // A data folder, as the app runs: in memory, PGlite's whole database would count as the import's RSS.
    results.push(runEngine('embedded', path.join(dir, 'pgdata'), file));

    console.log('');
    console.log('  engine      import (real path)            raw COPY                      ratio   goal ≥ 0.5   peak RSS   goal ≤ 300 MB');
    for (const r of results) {
      const ratio = r.copySeconds / r.importSeconds;
      console.log(
        `  ${r.engine.padEnd(10)}  ${`${formatRate(r.rows, r.importSeconds)} (${r.importSeconds.toFixed(1)}s)`.padEnd(28)}  ` +
          `${`${formatRate(r.rows, r.copySeconds)} (${r.copySeconds.toFixed(1)}s)`.padEnd(28)}  ${ratio.toFixed(2).padStart(5)}   ` +
          `${(ratio >= 0.5 ? 'met' : 'MISSED').padEnd(10)}   ${`${Math.round(r.maxRssMb)} MB`.padStart(8)}   ${r.maxRssMb <= 300 ? 'met' : 'MISSED'}`,
      );
    }
    for (const r of results) {
      console.log(
        `  ${r.engine}: peak RSS ${Math.round(r.openRssMb)} MB already on opening the existing database, before the import; ` +
          `${Math.round(r.copyAloneRssMb)} MB for the raw COPY alone in a process of its own (import ÷ raw COPY ${(r.maxRssMb / r.copyAloneRssMb).toFixed(2)})`,
      );
    }
    for (const r of results) console.log(`  ${r.engine} import result: ${JSON.stringify(r.result)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function engineOf(value: string | undefined): Engine {
  if (value !== 'postgres' && value !== 'embedded') throw new Error('usage: --prepare|--child|--copy-alone postgres|embedded target [file organisationId]');
  return value;
}

if (process.argv[2] === '--prepare') {
  const [, , , engine, target] = process.argv;
  if (target === undefined) throw new Error('usage: --prepare engine target');
  await prepare(engineOf(engine), target);
} else if (process.argv[2] === '--copy-alone') {
  const [, , , engine, target, file, organisationId] = process.argv;
  if (target === undefined || file === undefined || organisationId === undefined) throw new Error('usage: --copy-alone engine target file organisationId');
  await copyAlone(engineOf(engine), target, file, organisationId);
} else if (process.argv[2] === '--child') {
  const [, , , engine, target, file, organisationId] = process.argv;
  if (target === undefined || file === undefined || organisationId === undefined) throw new Error('usage: --child engine target file organisationId');
  await child(engineOf(engine), target, file, organisationId);
} else if (import.meta.filename === process.argv[1]) {
  await runImportBench();
}
