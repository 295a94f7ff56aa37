/**
 * bench/import: 1,000,000 measurements from a CSV through the real import path
 * (`importMeasurements`), against a raw COPY of the same rows into an identical table in the same
 * database, measured in the same run. Goal: ratio ≥ 0.5 and peak RSS of the import ≤ 300 MB.
 *
 *   node bench/import.ts                 # PGlite; and PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set
 *   BENCH_ROWS=200000 node bench/import.ts
 *
 * Each engine runs in its own child process, so its peak RSS is the import's own (the raw COPY
 * runs after the RSS is read). PostgreSQL gets a fresh database, dropped afterwards.
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
import { type DatabaseHandle, openEmbedded, openPostgres } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { createKpi } from '../src/modules/kpis/kpis.service.ts';
import { importMeasurements } from '../src/modules/measurements/import.service.ts';
import { createOrganisation } from '../src/modules/organisations/organisations.service.ts';
import { cliOperator } from '../src/platform/access/actor.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const KPIS = 400;

interface ChildResult {
  engine: string;
  rows: number;
  importSeconds: number;
  copySeconds: number;
  maxRssMb: number;
  /** Peak RSS right after opening the database, before anything is imported (PGlite's own start-up). */
  openRssMb: number;
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

async function setUp(handle: DatabaseHandle): Promise<{ organisationId: string; ids: Map<string, string> }> {
  await migrateToLatest(handle.db);
  const operator = cliOperator();
  const org = await createOrganisation(handle.db, operator, { slug: `bench-${randomBytes(4).toString('hex')}`, name: 'Bench council' });
  const ids = new Map<string, string>();
  for (let k = 0; k < KPIS; k++) {
    const kpi = await createKpi(handle.db, operator, org.id, {
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
    ids.set(kpi.key, kpi.id);
  }
  return { organisationId: org.id, ids };
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

async function child(engine: 'postgres' | 'embedded', target: string, file: string): Promise<void> {
  const handle = engine === 'postgres' ? openPostgres(target, { max: 2 }) : await openEmbedded(target);
  const openRssMb = process.resourceUsage().maxRSS / 1024;
  try {
    const { organisationId, ids } = await setUp(handle);
    const started = performance.now();
    const result = await importMeasurements(handle, cliOperator(), organisationId, file, { kind: 'csv', fileName: path.basename(file) });
    const importSeconds = (performance.now() - started) / 1000;
    const maxRssMb = process.resourceUsage().maxRSS / 1024;

    // The baseline: the same rows into an identical, empty table (same columns, defaults, unique index).
    await sql`create table measurement_bench_copy (like measurement including all)`.execute(handle.db);
    const copyStarted = performance.now();
    if (engine === 'postgres') {
      const pool = new pg.Pool({ connectionString: target, max: 1 });
      const client = await pool.connect();
      try {
        await pipeline(Readable.from(copyLines(file, organisationId, ids)), client.query(copyFrom(`COPY measurement_bench_copy (${COPY_COLUMNS}) FROM STDIN`)));
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
          await raw.pglite.query(`COPY measurement_bench_copy (${COPY_COLUMNS}) FROM '/dev/blob'`, [], { blob: new Blob(parts) });
          parts = [];
        }
      }
      if (parts.length > 0) await raw.pglite.query(`COPY measurement_bench_copy (${COPY_COLUMNS}) FROM '/dev/blob'`, [], { blob: new Blob(parts) });
    }
    const copySeconds = (performance.now() - copyStarted) / 1000;
    const { rows } = await sql<{ count: number }>`select count(*)::int as count from measurement_bench_copy`.execute(handle.db);
    if (rows[0]?.count !== ROWS) throw new Error(`raw COPY loaded ${rows[0]?.count} rows, expected ${ROWS}`);
    const output: ChildResult = { engine, rows: ROWS, importSeconds, copySeconds, maxRssMb, openRssMb, result };
    process.stdout.write(JSON.stringify(output) + '\n');
  } finally {
    await handle.close();
  }
}

function runChild(engine: 'postgres' | 'embedded', target: string, file: string): ChildResult {
  const run = spawnSync(process.execPath, [import.meta.filename, '--child', engine, target, file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`The ${engine} run failed (exit ${run.status})`);
  const last = run.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as ChildResult;
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
    if (url !== undefined) results.push(await withBenchDatabase(url, (benchUrl) => Promise.resolve(runChild('postgres', benchUrl, file))));
    else console.log('  (set TEST_DATABASE_URL or DATABASE_URL to measure PostgreSQL too)');
    // A data folder, as the app runs: in memory, PGlite's whole database would count as the import's RSS.
    results.push(runChild('embedded', path.join(dir, 'pgdata'), file));

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
    for (const r of results) console.log(`  ${r.engine}: peak RSS ${Math.round(r.openRssMb)} MB already on opening the database, before the import`);
    for (const r of results) console.log(`  ${r.engine} import result: ${JSON.stringify(r.result)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  const [, , , engine, target, file] = process.argv;
  if ((engine !== 'postgres' && engine !== 'embedded') || target === undefined || file === undefined) throw new Error('usage: --child engine target file');
  await child(engine, target, file);
} else if (import.meta.filename === process.argv[1]) {
  await runImportBench();
}

