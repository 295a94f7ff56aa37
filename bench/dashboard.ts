/**
 * bench/dashboard: an organisation with 1,000 monthly KPIs × 120 values (a strategy of 5 goals ×
 * 20 objectives, each KPI linked to one), served by the real app on a real port. Measures the
 * p50/p95 of the organisation dashboard (`/o/:org`) and of KPI pages (`/o/:org/kpis/:key`) under
 * concurrent requests, and of the raw SQL those pages run (captured from one request of each,
 * then replayed straight through the driver with the same concurrency): the ratio says what the
 * app adds to its queries. Then every KPI gets 10× the history (older values, so every status
 * stays the same) and the same is measured again. Goals: dashboard and KPI page p95 ≤ 150 ms on
 * a 2-core machine; 10× more history costs ≤ 1.5× the time.
 *
 *   node bench/dashboard.ts            # PGlite; and PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set
 *   BENCH_REQUESTS=100 node bench/dashboard.ts
 *
 * Each engine runs in its own child process. PostgreSQL gets a fresh database, dropped afterwards.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LogEvent, sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/config.ts';
import { type CopyRow, withBulkSession } from '../src/db/bulk.ts';
import { type DatabaseHandle, openEmbedded, openPostgres, TYPE_PARSERS } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { storePasswordHash } from '../src/modules/auth/auth.service.ts';
import { hashPassword } from '../src/modules/auth/passwords.ts';
import { lastExpectedPeriod, periodEnd } from '../src/modules/kpis/periods.ts';
import { plannedValue } from '../src/modules/kpis/status.ts';
import { createOrganisation } from '../src/modules/organisations/organisations.service.ts';
import { createGoal, createObjective, createStrategy, publishStrategy } from '../src/modules/strategy/strategy.service.ts';
import { addUser } from '../src/modules/users/users.service.ts';
import { cliOperator } from '../src/platform/access/actor.ts';
import { createLogger } from '../src/platform/logger.ts';

const KPIS = Number(process.env.BENCH_KPIS ?? 1_000);
const VALUES = Number(process.env.BENCH_VALUES ?? 120);
const HISTORY_FACTOR = 10;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WARM_UP = 40;
/** Requests one at a time, for what a request costs on its own. */
const ALONE = 50;
const GOALS = 5;
const OBJECTIVES_PER_GOAL = 20;
const OWNERS = 10;
/** KPI pages visited in turn (the app's status cache sees each of them again, as it would in use). */
const KPI_PAGES = 50;

interface Timing {
  p50: number;
  p95: number;
}

interface PhaseResult {
  valuesPerKpi: number;
  measurementRows: number;
  /** One request at a time: what a request costs on its own. */
  dashboardAlone: Timing;
  dashboardSqlAlone: Timing;
  kpiPageAlone: Timing;
  kpiPageSqlAlone: Timing;
  dashboard: Timing;
  dashboardSql: Timing;
  dashboardStatements: number;
  dashboardSqlRows: number;
  kpiPage: Timing;
  kpiPageSql: Timing;
  kpiPageSqlRows: number;
}

interface ChildResult {
  engine: string;
  retries: number;
  loadSeconds: number;
  extraLoadSeconds: number;
  phases: PhaseResult[];
}

// ---------------------------------------------------------------------------------------------
// Data

/** The first day of the month `months` after (or before) the month starting on `period`. */
function addMonths(period: string, months: number): string {
  const date = new Date(`${period.slice(0, 7)}-01T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
}

/** A deterministic number in [0, 1) from two integers. */
function noise(a: number, b: number): number {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43_758.5453;
  return x - Math.floor(x);
}

interface KpiPlan {
  id: string;
  key: string;
  /** Monthly periods that have values, oldest first (empty: no data). */
  lastPeriod: string | null;
  baseline: { value: number; date: string };
  target: { value: number; date: string };
  /** Where the KPI sits against its plan, in units (negative is behind for higher-is-better). */
  lag: number;
  polarity: 'higher_is_better' | 'lower_is_better';
}

/** The value of a KPI in a month: its plan, its lag and some noise. */
function valueOf(k: KpiPlan, index: number, period: string): number {
  const sign = k.polarity === 'higher_is_better' ? 1 : -1;
  const planned = plannedValue(k, periodEnd(period, 'monthly'));
  return Math.round((planned + sign * k.lag + (noise(index, Date.parse(period) / 86_400_000) - 0.5) * 1.5) * 100) / 100;
}

async function setUp(handle: DatabaseHandle, password: string) {
  await migrateToLatest(handle.db);
  const operator = cliOperator();
  const db = handle.db;
  const org = await createOrganisation(db, operator, { slug: `bench-${randomBytes(4).toString('hex')}`, name: 'Bench council' });
  const email = `viewer-${randomBytes(4).toString('hex')}@example.org`;
  const { user } = await addUser(db, operator, org.id, { email, name: 'Bench viewer', role: 'viewer' });
  await storePasswordHash(db, user.id, await hashPassword(password));
  const owners: string[] = [];
  for (let i = 0; i < OWNERS; i++) {
    owners.push((await addUser(db, operator, org.id, { email: `owner-${i}-${randomBytes(3).toString('hex')}@example.org`, name: `Owner ${i}`, role: 'contributor' })).user.id);
  }
  const strategy = await createStrategy(db, operator, org.id, { title: 'Bench strategy', vision: 'Fast pages', periodStart: '2026-04-01', periodEnd: '2030-03-31' });
  const objectives: string[] = [];
  for (let g = 0; g < GOALS; g++) {
    const goal = await createGoal(db, operator, org.id, strategy.id, { title: `Goal ${g + 1}`, description: '', tags: [], weight: 1 + (g % 2) });
    for (let o = 0; o < OBJECTIVES_PER_GOAL; o++) {
      objectives.push((await createObjective(db, operator, org.id, goal.id, { title: `Objective ${g + 1}.${o + 1}`, description: '', ownerId: owners[o % OWNERS] ?? null, dueDate: null, weight: 1 })).id);
    }
  }
  await publishStrategy(db, operator, org.id, strategy.id);

  const today = new Date().toISOString().slice(0, 10);
  const expected = lastExpectedPeriod(today, 'monthly');
  const started = performance.now();
  const plans = await withBulkSession(handle, async ({ db: trx, copyRows }) => {
    const kpiRows: CopyRow[] = [];
    for (let i = 0; i < KPIS; i++) {
      const polarity = i % 3 === 0 ? 'lower_is_better' : 'higher_is_better';
      const [from, to] = polarity === 'higher_is_better' ? [50, 80] : [80, 50];
      kpiRows.push([
        org.id,
        `kpi_${String(i).padStart(4, '0')}`,
        `Bench KPI ${i}`,
        'Generated for the dashboard benchmark',
        '%',
        polarity,
        'monthly',
        String(from),
        addMonths(expected, -(VALUES - 1)),
        String(to),
        addMonths(expected, 24),
        '10',
        owners[i % OWNERS] ?? null,
        'adoption',
      ]);
    }
    await copyRows(
      'kpi',
      ['organisation_id', 'key', 'name', 'definition', 'unit', 'polarity', 'frequency', 'baseline_value', 'baseline_date', 'target_value', 'target_date', 'tolerance', 'owner_id', 'category'],
      [kpiRows],
    );
    const kpis = await trx.selectFrom('kpi').select(['id', 'key']).where('organisation_id', '=', org.id).orderBy('key').execute();
    await copyRows(
      'kpi_objective',
      ['organisation_id', 'kpi_id', 'objective_id', 'weight'],
      [kpis.map((k, i) => [org.id, k.id, objectives[i % objectives.length] ?? '', String(1 + (i % 3))])],
    );
    const plans: KpiPlan[] = kpis.map((k, i) => {
      const polarity = i % 3 === 0 ? 'lower_is_better' : 'higher_is_better';
      const [from, to] = polarity === 'higher_is_better' ? [50, 80] : [80, 50];
      // One in twenty has no data, one in twenty stopped three months ago (overdue); the rest
      // are ahead of plan, a little behind (at risk) or well behind (off track).
      const kind = i % 20;
      return {
        id: k.id,
        key: k.key,
        lastPeriod: kind === 0 ? null : kind === 1 ? addMonths(expected, -3) : expected,
        baseline: { value: from, date: addMonths(expected, -(VALUES - 1)) },
        target: { value: to, date: addMonths(expected, 24) },
        lag: [1, -1.5, -6, 0.5][i % 4] ?? 0,
        polarity,
      };
    });
    await copyRows('measurement', ['organisation_id', 'kpi_id', 'period', 'value', 'note', 'source'], measurementBatches(org.id, plans, 0, VALUES));
    return plans;
  });
  await sql`analyze`.execute(db);
  return { org, email, plans, loadSeconds: (performance.now() - started) / 1000 };
}

/** Values `skip` to `skip + count − 1` months before each KPI's last period, a batch per KPI. */
function* measurementBatches(organisationId: string, plans: readonly KpiPlan[], skip: number, count: number): Generator<CopyRow[]> {
  for (const [index, k] of plans.entries()) {
    if (k.lastPeriod === null) continue;
    const rows: CopyRow[] = [];
    for (let m = skip + count - 1; m >= skip; m--) {
      const period = addMonths(k.lastPeriod, -m);
      rows.push([organisationId, k.id, period, String(valueOf(k, index, period)), m % 12 === 0 ? 'Year-end figure' : null, 'import']);
    }
    yield rows;
  }
}

// ---------------------------------------------------------------------------------------------
// Requests

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

function timing(durations: number[]): Timing {
  const sorted = [...durations].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

/** Runs `total` calls of `task(i)` with `concurrency` in flight; the duration of each. */
async function underLoad(total: number, concurrency: number, task: (i: number) => Promise<unknown>): Promise<number[]> {
  const durations: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const started = performance.now();
      await task(i);
      durations.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return durations;
}

function cookiesOf(response: Response, jar: Map<string, string>): void {
  for (const header of response.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const eq = pair?.indexOf('=') ?? -1;
    if (pair !== undefined && eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
}

const cookieHeader = (jar: Map<string, string>): string => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

async function signIn(base: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const page = await fetch(`${base}/sign-in`);
  cookiesOf(page, jar);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (csrf === undefined) throw new Error('No CSRF token on the sign-in page');
  const response = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: new URLSearchParams({ email, password, _csrf: csrf }).toString(),
  });
  if (response.status !== 303) throw new Error(`Sign-in failed with ${response.status}`);
  cookiesOf(response, jar);
  await response.arrayBuffer();
  return cookieHeader(jar);
}

/** Requests that hit a reset connection and were sent again (reported: their samples include the retry). */
let retries = 0;

async function get(url: string, cookie: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { cookie } });
  } catch (error) {
    // A keep-alive connection closed just as it was reused: send once more, and count it.
    if (!(error instanceof TypeError) || retries > 20) throw error;
    retries += 1;
    response = await fetch(url, { headers: { cookie } });
  }
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${url} → ${response.status}: ${body.slice(0, 200)}`);
  return body;
}

// ---------------------------------------------------------------------------------------------
// Raw SQL

interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

type RunSql = (statement: Statement) => Promise<number>;

async function rawRunner(engine: 'postgres' | 'embedded', handle: DatabaseHandle, target: string): Promise<{ run: RunSql; close: () => Promise<void> }> {
  if (engine === 'embedded') {
    const raw = await handle.connectRaw?.();
    if (raw?.kind !== 'embedded') throw new Error('expected PGlite');
    return { run: async (s) => (await raw.pglite.query(s.sql, s.parameters as unknown[])).rows.length, close: () => Promise.resolve() };
  }
  // The app's pool size and type parsers, without Kysely.
  const pool = new pg.Pool({
    connectionString: target,
    max: 10,
    types: {
      getTypeParser: ((oid: (typeof pg.types.builtins)[keyof typeof pg.types.builtins]) =>
        TYPE_PARSERS[oid] ?? (pg.types.getTypeParser(oid, 'text') as (value: string) => unknown)) as typeof pg.types.getTypeParser,
    },
  });
  return { run: async (s) => (await pool.query(s.sql, s.parameters as unknown[])).rowCount ?? 0, close: () => pool.end() };
}

/** Replays the statements of one page in order; the rows they returned. */
async function replay(run: RunSql, statements: readonly Statement[]): Promise<number> {
  let rows = 0;
  for (const statement of statements) rows += await run(statement);
  return rows;
}

// ---------------------------------------------------------------------------------------------
// One engine

async function child(engine: 'postgres' | 'embedded', target: string): Promise<void> {
  let capture: Statement[] | null = null;
  const log = (event: LogEvent): void => {
    if (capture !== null && event.level === 'query') capture.push({ sql: event.query.sql, parameters: event.query.parameters });
  };
  const handle = engine === 'postgres' ? openPostgres(target, { max: 10, log }) : await openEmbedded(target, { log });
  const password = `bench-${randomBytes(12).toString('hex')}`;
  const { org, email, plans, loadSeconds } = await setUp(handle, password);
  const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: randomBytes(32).toString('hex'), LOG_LEVEL: 'info' });
  const app = await buildApp({ config, database: handle, logger: createLogger('info', pino.destination('/dev/null')) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const base = `http://127.0.0.1:${address.port}`;
  const raw = await rawRunner(engine, handle, target);
  try {
    const cookie = await signIn(base, email, password);
    const dashboardUrl = `${base}/o/${org.slug}`;
    const measured = plans.filter((k) => k.lastPeriod !== null);
    const kpiUrls = Array.from({ length: KPI_PAGES }, (_, i) => `${base}/o/${org.slug}/kpis/${measured[(i * 37) % measured.length]?.key ?? ''}`);

    /** The statements one request runs, taken from the query log with nothing else in flight. */
    const statementsOf = async (url: string): Promise<Statement[]> => {
      capture = [];
      await get(url, cookie);
      const statements: Statement[] = capture;
      capture = null;
      // Writes are left out: a GET page writes nothing but the session's last-seen time.
      return statements.filter((s) => /^\s*(select|with)\b/i.test(s.sql));
    };

    const measure = async (valuesPerKpi: number): Promise<PhaseResult> => {
      const dashboardPage = await get(dashboardUrl, cookie);
      if (!dashboardPage.includes('KPIs by status')) throw new Error('The dashboard did not render its counts');
      const dashboardStatements = await statementsOf(dashboardUrl);
      const kpiStatements: Statement[][] = [];
      for (const url of kpiUrls) kpiStatements.push(await statementsOf(url));
      if (process.env.BENCH_PROFILE === '1') {
        // One at a time, each statement of each page: where the time goes.
        for (const [label, statements] of [['dashboard', dashboardStatements], ['KPI page', kpiStatements[0] ?? []]] as const) {
          for (const statement of statements) {
            const started = performance.now();
            const rows = await raw.run(statement);
            process.stderr.write(`  ${label} ${(performance.now() - started).toFixed(2).padStart(8)} ms ${String(rows).padStart(6)} rows  ${statement.sql.replace(/\s+/g, ' ').slice(0, 150)}\n`);
          }
        }
      }
      await underLoad(WARM_UP, CONCURRENCY, () => get(dashboardUrl, cookie));
      await underLoad(WARM_UP, CONCURRENCY, (i) => get(kpiUrls[i % KPI_PAGES] ?? '', cookie));
      const dashboardAlone = timing(await underLoad(ALONE, 1, () => get(dashboardUrl, cookie)));
      const kpiPageAlone = timing(await underLoad(ALONE, 1, (i) => get(kpiUrls[i % KPI_PAGES] ?? '', cookie)));
      const dashboardSqlAlone = timing(await underLoad(ALONE, 1, () => replay(raw.run, dashboardStatements)));
      const kpiPageSqlAlone = timing(await underLoad(ALONE, 1, (i) => replay(raw.run, kpiStatements[i % KPI_PAGES] ?? [])));
      const dashboard = timing(await underLoad(REQUESTS, CONCURRENCY, () => get(dashboardUrl, cookie)));
      const kpiPage = timing(await underLoad(REQUESTS, CONCURRENCY, (i) => get(kpiUrls[i % KPI_PAGES] ?? '', cookie)));
      await underLoad(WARM_UP, CONCURRENCY, () => replay(raw.run, dashboardStatements));
      const dashboardSql = timing(await underLoad(REQUESTS, CONCURRENCY, () => replay(raw.run, dashboardStatements)));
      const kpiPageSql = timing(await underLoad(REQUESTS, CONCURRENCY, (i) => replay(raw.run, kpiStatements[i % KPI_PAGES] ?? [])));
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from measurement where organisation_id = ${org.id}`.execute(handle.db);
      return {
        valuesPerKpi,
        measurementRows: rows[0]?.n ?? 0,
        dashboardAlone,
        dashboardSqlAlone,
        kpiPageAlone,
        kpiPageSqlAlone,
        dashboard,
        dashboardSql,
        dashboardStatements: dashboardStatements.length,
        dashboardSqlRows: await replay(raw.run, dashboardStatements),
        kpiPage,
        kpiPageSql,
        kpiPageSqlRows: await replay(raw.run, kpiStatements[0] ?? []),
      };
    };

    const phases = [await measure(VALUES)];
    const extraStarted = performance.now();
    await withBulkSession(handle, async ({ copyRows }) => {
      await copyRows('measurement', ['organisation_id', 'kpi_id', 'period', 'value', 'note', 'source'], measurementBatches(org.id, plans, VALUES, VALUES * (HISTORY_FACTOR - 1)));
    });
    await sql`analyze`.execute(handle.db);
    const extraLoadSeconds = (performance.now() - extraStarted) / 1000;
    phases.push(await measure(VALUES * HISTORY_FACTOR));
    const output: ChildResult = { engine, retries, loadSeconds, extraLoadSeconds, phases };
    process.stdout.write(JSON.stringify(output) + '\n');
  } finally {
    await raw.close();
    await app.close();
    await handle.close();
  }
}

function runChild(engine: 'postgres' | 'embedded', target: string): ChildResult {
  const run = spawnSync(process.execPath, [import.meta.filename, '--child', engine, target], {
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

const ms = (n: number): string => `${n.toFixed(1)} ms`;

export async function runDashboardBench(): Promise<void> {
  console.log(
    `bench/dashboard: ${KPIS.toLocaleString('en-GB')} monthly KPIs × ${VALUES} values, then × ${VALUES * HISTORY_FACTOR}; ` +
      `${REQUESTS} requests per figure, ${CONCURRENCY} at a time, over HTTP on 127.0.0.1`,
  );
  const results: ChildResult[] = [];
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url !== undefined) results.push(await withBenchDatabase(url, (benchUrl) => Promise.resolve(runChild('postgres', benchUrl))));
  else console.log('  (set TEST_DATABASE_URL or DATABASE_URL to measure PostgreSQL too)');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'waymark-bench-dashboard-'));
  try {
    results.push(runChild('embedded', dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log('');
  console.log(`  ${CONCURRENCY} requests at a time:`);
  console.log('  engine      history      page        p50         p95        raw SQL p50  raw SQL p95  p95 ÷ SQL p95  goal p95 ≤ 150 ms   alone: page p50, SQL p50');
  for (const r of results) {
    for (const phase of r.phases) {
      for (const [label, page, rawSql, alone, sqlAlone] of [
        ['dashboard', phase.dashboard, phase.dashboardSql, phase.dashboardAlone, phase.dashboardSqlAlone],
        ['KPI page', phase.kpiPage, phase.kpiPageSql, phase.kpiPageAlone, phase.kpiPageSqlAlone],
      ] as const) {
        console.log(
          `  ${r.engine.padEnd(10)}  ${`${phase.valuesPerKpi}/KPI`.padEnd(11)}  ${label.padEnd(10)}  ${ms(page.p50).padStart(9)}  ${ms(page.p95).padStart(9)}   ` +
            `${ms(rawSql.p50).padStart(9)}    ${ms(rawSql.p95).padStart(9)}    ${(page.p95 / rawSql.p95).toFixed(1).padStart(6)}         ${(page.p95 <= 150 ? 'met' : 'MISSED').padEnd(6)}` +
            `             ${ms(alone.p50)}, ${ms(sqlAlone.p50)}`,
        );
      }
    }
  }
  console.log('');
  console.log('  engine      page        p95 at 10× history ÷ p95 at 1×   goal ≤ 1.5   SQL rows read (1× → 10×)');
  for (const r of results) {
    const [one, ten] = r.phases;
    if (one === undefined || ten === undefined) continue;
    for (const [label, a, b, rowsA, rowsB] of [
      ['dashboard', one.dashboard.p95, ten.dashboard.p95, one.dashboardSqlRows, ten.dashboardSqlRows],
      ['KPI page', one.kpiPage.p95, ten.kpiPage.p95, one.kpiPageSqlRows, ten.kpiPageSqlRows],
    ] as const) {
      const ratio = b / a;
      console.log(
        `  ${r.engine.padEnd(10)}  ${label.padEnd(10)}  ${ratio.toFixed(2).padStart(28)}     ${(ratio <= 1.5 ? 'met' : 'MISSED').padEnd(10)}   ${rowsA.toLocaleString('en-GB')} → ${rowsB.toLocaleString('en-GB')}`,
      );
    }
    console.log(
      `  ${r.engine} data: ${one.measurementRows.toLocaleString('en-GB')} values loaded in ${r.loadSeconds.toFixed(1)}s, ` +
        `${(ten.measurementRows - one.measurementRows).toLocaleString('en-GB')} more in ${r.extraLoadSeconds.toFixed(1)}s; the dashboard runs ${one.dashboardStatements} SELECTs` +
        (r.retries > 0 ? `; ${r.retries} requests retried after a connection reset` : ''),
    );
  }
}

if (process.argv[2] === '--child') {
  const [, , , engine, target] = process.argv;
  if ((engine !== 'postgres' && engine !== 'embedded') || target === undefined) throw new Error('usage: --child engine target');
  await child(engine, target);
} else if (import.meta.filename === process.argv[1]) {
  await runDashboardBench();
}
