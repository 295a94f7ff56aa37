import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, testDatabaseKind, testPostgresUrl } from '../../test/support/db.ts';
import { type DatabaseHandle, DatabaseLockedError, openEmbedded, openPostgres } from './database.ts';
import { migrateToLatest } from './migrate.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../..');
const migrationNames = fs
  .readdirSync(path.join(here, 'migrations'))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await testDatabase();
});
afterAll(async () => {
  await handle.close();
});

describe(`type parsers (${testDatabaseKind()})`, () => {
  it('return the same JavaScript values on both engines', async () => {
    const { rows } = await sql<Record<string, unknown>>`
      select 9007199254740991::int8 as big,
             (-42)::int8 as negative,
             12.3400::numeric as amount,
             '0.1'::numeric + '0.2'::numeric as exact_sum,
             '2026-03-31'::date as day,
             '1999-12-31'::date as millennium_eve,
             7::int4 as small,
             true as flag,
             '2026-03-31T23:30:00Z'::timestamptz as moment`.execute(handle.db);
    expect(rows[0]).toEqual({
      big: 9007199254740991,
      negative: -42,
      amount: '12.3400',
      exact_sum: '0.3',
      day: '2026-03-31',
      millennium_eve: '1999-12-31',
      small: 7,
      flag: true,
      moment: new Date('2026-03-31T23:30:00Z'),
    });
  });

  it('return count(*) as a number, not a string or a bigint', async () => {
    const { rows } = await sql<{ n: unknown }>`select count(*) as n from generate_series(1, 3)`.execute(handle.db);
    expect(rows[0]?.n).toBe(3);
    const built = await handle.db
      .selectFrom('organisation')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('slug', '=', `none-${randomBytes(4).toString('hex')}`)
      .executeTakeFirstOrThrow();
    expect(built.n).toBe(0);
  });

  it('refuse an int8 that a JavaScript number would silently round', async () => {
    await expect(sql`select 9007199254740993::int8 as too_big`.execute(handle.db)).rejects.toThrow(/outside the safe integer range/);
  });

  it('give dates back unshifted by the time zone, including on a date column round trip', async () => {
    const { rows } = await sql<{ d: unknown }>`select d from (values ('2026-01-01'::date), ('2026-06-30'::date)) as v(d) order by d`.execute(handle.db);
    expect(rows.map((r) => r.d)).toEqual(['2026-01-01', '2026-06-30']);
  });
});

describe.skipIf(testDatabaseKind() !== 'embedded')('embedded data folder lock', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-lock-'));
  });
  afterAll(() => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Another Waymark process: opens the folder, writes a row, says "ready" and waits. */
  function startHolder(dataDir: string): Promise<ChildProcess> {
    const script = `
      import { sql } from 'kysely';
      import { openEmbedded } from ${JSON.stringify(path.join(projectRoot, 'src/db/database.ts'))};
      const handle = await openEmbedded(process.argv[1]);
      await sql\`create table held (v text)\`.execute(handle.db);
      await sql\`insert into held values ('written by the first process')\`.execute(handle.db);
      console.log('ready');
      setInterval(() => {}, 1000);
    `;
    const started = spawn(process.execPath, ['--input-type=module', '-e', script, dataDir], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Promise((resolve, reject) => {
      let stderr = '';
      started.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      started.stdout.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) resolve(started);
      });
      started.on('exit', (code) => {
        reject(new Error(`holder exited with ${String(code)}: ${stderr}`));
      });
    });
  }

  it('makes a second process fail with a clear error naming the first, then takes over a lock left by a dead process', async () => {
    child = await startHolder(dir);
    const holderPid = child.pid;
    expect(fs.readFileSync(path.join(dir, 'waymark.lock'), 'utf8')).toBe(String(holderPid));

    const second = openEmbedded(dir);
    await expect(second).rejects.toThrow(DatabaseLockedError);
    await expect(second).rejects.toThrow(`is in use by another Waymark process (pid ${holderPid})`);
    // The refused open must not have removed the holder's lock.
    expect(fs.readFileSync(path.join(dir, 'waymark.lock'), 'utf8')).toBe(String(holderPid));

    // The holder dies without releasing its lock (kill -9): the lock file stays behind.
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(fs.readFileSync(path.join(dir, 'waymark.lock'), 'utf8')).toBe(String(holderPid));

    const reopened = await openEmbedded(dir);
    try {
      expect(fs.readFileSync(path.join(dir, 'waymark.lock'), 'utf8')).toBe(String(process.pid));
      const { rows } = await sql<{ v: string }>`select v from held`.execute(reopened.db);
      expect(rows).toEqual([{ v: 'written by the first process' }]);
    } finally {
      await reopened.close();
    }
    expect(fs.existsSync(path.join(dir, 'waymark.lock'))).toBe(false);
  }, 90_000);

  it('releases the lock when opening fails, so the next start is not blocked', async () => {
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'waymark-broken-'));
    try {
      // A file where PGlite expects its data folder: PGlite cannot open it.
      fs.writeFileSync(path.join(broken, 'pgdata'), 'not a database');
      await expect(openEmbedded(broken)).rejects.toThrow();
      expect(fs.existsSync(path.join(broken, 'waymark.lock'))).toBe(false);
    } finally {
      fs.rmSync(broken, { recursive: true, force: true });
    }
  }, 60_000);
});

describe.skipIf(testDatabaseKind() !== 'embedded')('migrations on PGlite', () => {
  it('apply every migration to an empty database once, and nothing the second time', async () => {
    const fresh = await openEmbedded('memory://');
    try {
      expect((await migrateToLatest(fresh.db)).applied).toEqual(migrationNames);
      expect((await migrateToLatest(fresh.db)).applied).toEqual([]);
      const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(fresh.db);
      expect(rows.map((r) => r.name)).toEqual(migrationNames);
    } finally {
      await fresh.close();
    }
  }, 60_000);
});

/** Closed pools disconnect a moment later; dropping WITH (FORCE) would kill them mid-goodbye, so wait. */
async function dropDatabase(admin: DatabaseHandle, name: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await sql`drop database if exists ${sql.id(name)}`.execute(admin.db);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006') throw error; // 55006: still in use
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`Could not drop the test database ${name}: still in use`);
}

describe.skipIf(testDatabaseKind() !== 'postgres')('migrations on PostgreSQL', () => {
  it('migrate once when four instances start together against one server (advisory lock)', async () => {
    const name = `waymark_migrate_${randomBytes(5).toString('hex')}`;
    const admin = openPostgres(testPostgresUrl(), { max: 1 });
    await sql`create database ${sql.id(name)}`.execute(admin.db);
    const url = new URL(testPostgresUrl());
    url.pathname = `/${name}`;
    const instances = Array.from({ length: 4 }, () => openPostgres(url.toString(), { max: 2 }));
    try {
      const outcomes = await Promise.all(instances.map((instance) => migrateToLatest(instance.db)));
      // Every migration was applied by exactly one instance; the others found nothing to do.
      expect(outcomes.flatMap((o) => o.applied).sort()).toEqual(migrationNames);
      expect(outcomes.filter((o) => o.applied.length > 0)).toHaveLength(1);
      const { rows } = await sql<{ name: string; n: number }>`
        select name, count(*) as n from kysely_migration group by name order by name`.execute(instances[0]?.db ?? admin.db);
      expect(rows).toEqual(migrationNames.map((n) => ({ name: n, n: 1 })));
      const version = await sql<{ v: number }>`select current_setting('server_version_num')::int as v`.execute(admin.db);
      expect(version.rows[0]?.v).toBeGreaterThanOrEqual(150000);
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
      await dropDatabase(admin, name);
      await admin.close();
    }
  }, 60_000);
});
