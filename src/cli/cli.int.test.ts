import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDatabaseKind, testPostgresUrl } from '../../test/support/db.ts';
import { makeOrganisation, uniqueSlug } from '../../test/support/factories.ts';
import { rememberSecret } from '../../test/support/secrets-ledger.ts';
import { type Db, openEmbedded, openPostgres } from '../db/database.ts';
import { DEMO_PASSWORD, DEMO_USERS } from '../db/seed/demo.ts';
import { signIn } from '../modules/auth/auth.service.ts';
import { findOrganisationBySlug, type Organisation } from '../modules/organisations/organisations.service.ts';
import { authenticateToken } from '../modules/tokens/tokens.service.ts';

/**
 * The real `waymark` command, run as a subprocess the way an operator runs it: each call is
 * its own process opening the database (the embedded data folder, or PostgreSQL in the
 * postgres project). Process starts take about a second each, so tests group several checks.
 */
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');
const kind = testDatabaseKind();
const tempDirs: string[] = [];

function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-cli-'));
  tempDirs.push(dir);
  return dir;
}

/** Where a command's database is: a data folder, or the PostgreSQL test database. */
type Target = { dataDir: string } | { databaseUrl: string };

function childEnv(target: Target, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const unset = new Set(['DATABASE_URL', 'WAYMARK_DATA_DIR', 'PORT', 'HOST', 'SESSION_SECRET', 'LOG_LEVEL', 'PUBLIC_URL']);
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !unset.has(name)));
  env.NODE_ENV = 'development';
  if ('dataDir' in target) env.WAYMARK_DATA_DIR = target.dataDir;
  else env.DATABASE_URL = target.databaseUrl;
  return { ...env, ...extra };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function expectNoStackTrace(stderr: string): void {
  expect(stderr).not.toMatch(/^ {4}at /m);
}

function collect(child: ChildProcessWithoutNullStreams): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function waymark(target: Target, args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<Finished> {
  const child = spawn(process.execPath, [MAIN, ...args], { cwd: ROOT, env: childEnv(target, options.env) });
  child.stdin.end(options.input ?? '');
  const result = await collect(child);
  expectNoStackTrace(result.stderr);
  return result;
}

/** Exit 1 with a single `waymark: …` line on stderr matching `reason`. */
function expectOneLineFailure(result: Finished, reason: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^waymark: /);
  expect(lines[0]).toMatch(reason);
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

/** Opens the target's database in this process (the embedded folder only while no command holds it). */
async function withDb<T>(target: Target, fn: (db: Db) => Promise<T>): Promise<T> {
  const handle = 'dataDir' in target ? await openEmbedded(target.dataDir) : openPostgres(target.databaseUrl, { max: 2 });
  try {
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}

async function canSignIn(db: Db, email: string, password: string): Promise<boolean> {
  try {
    const result = await signIn(db, { email, password, ip: `198.51.100.${1 + ((randomBytes(1)[0] ?? 0) % 200)}`, requestId: null });
    return result.stage === 'active';
  } catch {
    return false;
  }
}

interface RunningServe {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output(): { stdout: string; stderr: string };
  stop(): Promise<Finished>;
}

const servers = new Set<ChildProcessWithoutNullStreams>();

/** Starts `serve` on a free port and waits until it says it is running (and has printed everything). */
async function startServe(target: Target, env: Record<string, string> = {}): Promise<RunningServe> {
  const child = spawn(process.execPath, [MAIN, 'serve'], { cwd: ROOT, env: childEnv(target, { PORT: '0', HOST: '127.0.0.1', ...env }) });
  child.stdin.end();
  servers.add(child);
  const finished = collect(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (stdout.includes('Press Ctrl+C to stop.')) resolve();
    };
    child.stdout.on('data', check);
    void finished.then((result) => {
      reject(new Error(`serve exited with ${result.code}: ${result.stderr}`));
    });
  });
  const url = /running at (http:\/\/\S+)/.exec(stdout)?.[1];
  if (url === undefined) throw new Error(`No URL in: ${stdout}`);
  return {
    child,
    url,
    output: () => ({ stdout, stderr }),
    stop: async () => {
      child.kill('SIGTERM');
      const result = await finished;
      servers.delete(child);
      expectNoStackTrace(result.stderr);
      return result;
    },
  };
}

let target: Target;
let firstMigrate: Finished;
/** Organisations for the tests of people and tokens, made in-process (quicker than a command each). */
let orgs: { users: Organisation; refusals: Organisation; tokens: Organisation };

beforeAll(async () => {
  target = kind === 'postgres' ? { databaseUrl: testPostgresUrl() } : { dataDir: tempDataDir() };
  rememberSecret(DEMO_PASSWORD);
  firstMigrate = await waymark(target, ['migrate']);
  orgs = await withDb(target, async (db) => ({
    users: await makeOrganisation(db),
    refusals: await makeOrganisation(db),
    tokens: await makeOrganisation(db),
  }));
});

afterAll(() => {
  for (const child of servers) child.kill('SIGKILL');
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('waymark CLI', () => {
  it('explains every command and its options with --help, exiting 0', async () => {
    const expected: [string[], string[]][] = [
      [[], ['serve', 'migrate', 'seed', 'org', 'user', 'token', 'audit']],
      [['serve'], ['PORT', 'DATABASE_URL', 'SESSION_SECRET']],
      [['migrate'], ['schema']],
      [['seed'], ['--demo']],
      [['org', 'create'], ['--slug', '--name', '--parent']],
      [['user', 'create'], ['--email', '--name', '--org', '--role', '--password-stdin', 'viewer', 'admin']],
      [['token', 'create'], ['--org', '--name', '--scope', '--expires-days']],
      [['audit', 'verify'], ['Audit trail verified']],
    ];
    const results = await Promise.all(expected.map(([command]) => waymark(target, [...command, '--help'])));
    results.forEach((result, i) => {
      const [command, mentions] = expected[i] ?? [[], []];
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout).toContain(`Usage: waymark ${command.join(' ')}`.trim());
      for (const word of mentions) expect(result.stdout, command.join(' ')).toContain(word);
    });
  });

  it('migrates the database, and says so when there is nothing left to do', async () => {
    expect(firstMigrate.code, firstMigrate.stderr).toBe(0);
    if (kind === 'embedded') expect(firstMigrate.stdout).toMatch(/^Applied \d+ migration\(s\): /);
    const again = await waymark(target, ['migrate']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('The database is up to date.');
  });

  it('creates organisations, under a parent too, and refuses bad input with one line, creating nothing', async () => {
    const parent = uniqueSlug('cli-parent');
    const child = uniqueSlug('cli-child');
    const created = await waymark(target, ['org', 'create', '--slug', parent, '--name', 'CLI Parent Body']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`Created the organisation CLI Parent Body (${parent})`);
    expect((await waymark(target, ['org', 'create', '--slug', child, '--name', 'CLI Child Council', '--parent', parent])).code).toBe(0);

    expectOneLineFailure(await waymark(target, ['org', 'create', '--slug', parent, '--name', 'Again']), new RegExp(`slug "${parent}" already exists`));
    expectOneLineFailure(await waymark(target, ['org', 'create', '--slug', 'Not A Slug', '--name', 'Bad']), /Slug must use lower-case letters/);
    const orphan = uniqueSlug('cli-orphan');
    const missing = uniqueSlug('cli-missing');
    expectOneLineFailure(
      await waymark(target, ['org', 'create', '--slug', orphan, '--name', 'Orphan', '--parent', missing]),
      new RegExp(`There is no organisation with the slug "${missing}"`),
    );
    expectOneLineFailure(await waymark(target, ['org', 'create', '--slug', uniqueSlug()]), /required option '--name <name>'/);

    await withDb(target, async (db) => {
      const parentOrg = await findOrganisationBySlug(db, parent);
      expect(parentOrg?.name).toBe('CLI Parent Body');
      expect((await findOrganisationBySlug(db, child))?.parentId).toBe(parentOrg?.id);
      expect(await findOrganisationBySlug(db, orphan)).toBeUndefined();
      expect(await findOrganisationBySlug(db, 'not-a-slug')).toBeUndefined();
    });
  });

  it('creates people with a piped password or a printed one-time password, both of which sign in', async () => {
    const org = orgs.users.slug;

    const chosen = `cli-${randomBytes(9).toString('base64url')}-lantern`;
    rememberSecret(chosen);
    const piped = `piped-${randomBytes(4).toString('hex')}@example.org`;
    const withStdin = await waymark(target, ['user', 'create', '--email', piped, '--name', 'Pat Piped', '--org', org, '--role', 'manager', '--password-stdin'], {
      input: `${chosen}\n`,
    });
    expect(withStdin.code, withStdin.stderr).toBe(0);
    expect(withStdin.stdout).toContain(`Created the account for Pat Piped <${piped}>`);
    expect(withStdin.stdout).not.toContain(chosen);

    const generated = `generated-${randomBytes(4).toString('hex')}@example.org`;
    const withoutStdin = await waymark(target, ['user', 'create', '--email', generated, '--name', 'Gen Erated', '--org', org, '--role', 'viewer']);
    expect(withoutStdin.code, withoutStdin.stderr).toBe(0);
    const oneTime = lastLine(withoutStdin.stdout);
    rememberSecret(oneTime);
    expect(oneTime).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);

    await withDb(target, async (db) => {
      expect(await canSignIn(db, piped, chosen)).toBe(true);
      expect(await canSignIn(db, generated, oneTime)).toBe(true);
      expect(await canSignIn(db, generated, `${oneTime}x`)).toBe(false);
    });
  });

  it('refuses an unknown organisation or a weak piped password in one line, adding nobody', async () => {
    const org = orgs.refusals.slug;
    const nowhere = uniqueSlug('cli-nowhere');
    const email = `nobody-${randomBytes(4).toString('hex')}@example.org`;
    expectOneLineFailure(
      await waymark(target, ['user', 'create', '--email', email, '--name', 'No Body', '--org', nowhere, '--role', 'admin']),
      new RegExp(`^waymark: There is no organisation with the slug "${nowhere}"$`),
    );
    expectOneLineFailure(
      await waymark(target, ['user', 'create', '--email', email, '--name', 'No Body', '--org', org, '--role', 'admin', '--password-stdin'], { input: 'short\n' }),
      /Password must be 12 characters or more/,
    );
    expectOneLineFailure(await waymark(target, ['user', 'create', '--email', email, '--name', 'No Body', '--org', org, '--role', 'owner']), /'owner' is invalid/);
    await withDb(target, async (db) => {
      expect(await db.selectFrom('app_user').select('id').where('email', '=', email).execute()).toEqual([]);
    });
  });

  it('creates an API token that is alone on stdout and authenticates for its organisation', async () => {
    const org = orgs.tokens.slug;
    const created = await waymark(target, ['token', 'create', '--org', org, '--name', 'KPI feed', '--scope', 'read,write', '--expires-days', '30']);
    expect(created.code, created.stderr).toBe(0);
    const secret = lastLine(created.stdout);
    rememberSecret(secret);
    expect(created.stdout.trim()).toBe(secret);
    expect(secret).toMatch(/^wmk_[A-Za-z0-9_-]{40,}$/);
    expect(created.stderr).toContain('KPI feed');

    expectOneLineFailure(await waymark(target, ['token', 'create', '--org', org, '--name', 'Bad', '--scope', 'write']), /Choose the token’s access/);
    expectOneLineFailure(
      await waymark(target, ['token', 'create', '--org', 'cli-no-such-org', '--name', 'x', '--scope', 'read']),
      /There is no organisation with the slug "cli-no-such-org"/,
    );

    await withDb(target, async (db) => {
      const organisation = await findOrganisationBySlug(db, org);
      const actor = await authenticateToken(db, secret, null);
      expect(actor?.organisationId).toBe(organisation?.id);
      expect(actor?.scopes).toEqual(['read', 'write']);
      const tokens = await db.selectFrom('api_token').select('name').where('organisation_id', '=', organisation?.id ?? '').execute();
      expect(tokens.map((t) => t.name)).toEqual(['KPI feed']);
    });
  });

  it('verifies the audit trail, in which the CLI’s changes are recorded as made via the CLI', async () => {
    const org = uniqueSlug('cli-audit');
    expect((await waymark(target, ['org', 'create', '--slug', org, '--name', 'CLI Audit'])).code).toBe(0);
    const verified = await waymark(target, ['audit', 'verify']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout.trim()).toMatch(/^Audit trail verified: \d+ events? in \d+ chains?$/);
    await withDb(target, async (db) => {
      const organisation = await findOrganisationBySlug(db, org);
      const events = await db.selectFrom('audit_event').select(['via', 'actor_label', 'action']).where('organisation_id', '=', organisation?.id ?? '').execute();
      expect(events).toEqual([{ via: 'cli', actor_label: expect.stringMatching(/^cli:/) as unknown, action: 'organisation.created' }]);
    });
  });
});

describe.runIf(kind === 'embedded')('waymark CLI on the embedded data folder', () => {
  it('seeds the demo once, then finds a tampered audit event and names it', async () => {
    const own: Target = { dataDir: tempDataDir() };
    const seeded = await waymark(own, ['seed', '--demo']);
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(seeded.stdout).toContain('Seeded the demo.');
    for (const user of DEMO_USERS) expect(seeded.stdout).toContain(user.email);
    expect(seeded.stdout).toContain(DEMO_PASSWORD);
    const again = await waymark(own, ['seed', '--demo']);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('The demo is already seeded: nothing changed.');
    expectOneLineFailure(await waymark(own, ['seed']), /--demo/);

    const tampered = await withDb(own, async (db) => {
      const event = await db.selectFrom('audit_event').select('id').where('action', '=', 'user.added').orderBy('id').executeTakeFirstOrThrow();
      await sql`alter table audit_event disable trigger audit_event_no_change`.execute(db);
      await db.updateTable('audit_event').set({ entity_type: 'edited' }).where('id', '=', event.id).execute();
      await sql`alter table audit_event enable trigger audit_event_no_change`.execute(db);
      return event.id;
    });
    expectOneLineFailure(await waymark(own, ['audit', 'verify']), new RegExp(`audit event ${tampered} .*was edited`));
  });

  it('seeds the demo on the first start, holds the data folder while running, and keeps the data across a restart', async () => {
    const own: Target = { dataDir: tempDataDir() };
    const first = await startServe(own);
    const printed = first.output().stdout;
    expect(printed).toContain('First run: seeding the demo');
    expect(printed).toMatch(/Waymark is running at http:\/\/localhost:\d+/);
    for (const user of DEMO_USERS) expect(printed).toContain(user.email);
    expect(printed).toContain(`The password for all of them is: ${DEMO_PASSWORD}`);
    const health = await fetch(`${first.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok' });

    const blocked = await waymark(own, ['org', 'create', '--slug', uniqueSlug(), '--name', 'While running']);
    expectOneLineFailure(blocked, new RegExp(`in use by another Waymark process \\(pid ${first.child.pid ?? 0}\\)`));

    const stopped = await first.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('Waymark has stopped.');
    expect(fs.existsSync(path.join(own.dataDir, 'waymark.lock'))).toBe(false);

    const second = await startServe(own);
    expect(second.output().stdout).not.toContain('First run');
    expect(second.output().stdout).toContain(DEMO_USERS[0]?.email);
    expect((await second.stop()).code).toBe(0);

    await withDb(own, async (db) => {
      const organisations = await db.selectFrom('organisation').select('slug').orderBy('slug').execute();
      expect(organisations.map((o) => o.slug)).toEqual(['dept-digital-communities', 'west-marsh']);
      const created = await db.selectFrom('audit_event').select('via').where('action', '=', 'organisation.created').execute();
      expect(created).toEqual([{ via: 'system' }, { via: 'system' }]);
      expect(await canSignIn(db, 'admin@west-marsh.example', DEMO_PASSWORD)).toBe(true);
    });
  });

  it('refuses to start in production without SESSION_SECRET, and with it never seeds', async () => {
    const own: Target = { dataDir: tempDataDir() };
    expectOneLineFailure(await waymark(own, ['serve'], { env: { NODE_ENV: 'production', PORT: '0' } }), /SESSION_SECRET must be set/);

    const secret = randomBytes(32).toString('hex');
    rememberSecret(secret);
    const production = { NODE_ENV: 'production', SESSION_SECRET: secret };
    const server = await startServe(own, production);
    expect(server.output().stdout).not.toMatch(/seeding|Demo data|password/i);
    expect(server.output().stdout).toContain('There are no organisations yet');
    const stopped = await server.stop();
    expect(stopped.code, `${stopped.signal ?? ''} ${stopped.stderr}`).toBe(0);

    expectOneLineFailure(await waymark(own, ['seed', '--demo'], { env: production }), /never seeded in production/);
    await withDb(own, async (db) => {
      expect(await db.selectFrom('organisation').select('id').execute()).toEqual([]);
    });
  });
});
