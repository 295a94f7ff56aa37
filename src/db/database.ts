import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type KyselyConfig, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

/**
 * The engine's own connection, for bulk loading (src/db/bulk.ts) only: a pooled client to
 * release, or the PGlite instance (one connection, shared).
 */
export type RawConnection =
  | { readonly kind: 'postgres'; readonly client: pg.PoolClient }
  | { readonly kind: 'embedded'; readonly pglite: PGlite };

export interface DatabaseHandle {
  readonly db: Db;
  readonly kind: 'embedded' | 'postgres';
  /** Internal: bulk.ts uses it to COPY on the connection its transaction runs on. */
  readonly connectRaw?: () => Promise<RawConnection>;
  /** Checks that the database answers; used by /health. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs `fn` in a transaction: a new one, or the caller's when `db` already is one (Kysely
 * cannot nest transactions). Services use it, so a caller such as the demo seed can run many
 * service calls as one all-or-nothing transaction.
 */
export function inTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db) : db.transaction().execute(fn);
}

export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
}

const OID_INT8 = 20;
const OID_NUMERIC = 1700;
const OID_DATE = 1082;

function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} is outside the safe integer range`);
  return n;
}

/**
 * The same parsers on both engines, so results are identical whatever the engine and the
 * machine's time zone: int8 → number (refusing values that would lose precision), numeric →
 * string (exact), date → 'YYYY-MM-DD' (never shifted by a time zone).
 */
export const TYPE_PARSERS: Readonly<Record<number, (value: string) => unknown>> = Object.freeze({
  [OID_INT8]: parseInt8,
  [OID_NUMERIC]: (value: string) => value,
  [OID_DATE]: (value: string) => value,
});

const LOCK_FILE = 'waymark.lock';

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite has no cross-process lock: two processes on one folder silently lose writes. This
 * lock file (created atomically, holding the owner's pid) makes the second process fail with
 * a clear message instead. A lock left by a process that died is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => {
        try {
          if (fs.readFileSync(lockPath, 'utf8') === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(lockPath, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processIsAlive(owner)) {
        throw new DatabaseLockedError(
          `The embedded database in ${dataDir} is in use by another Waymark process (pid ${owner}): ` +
            'stop that server (Ctrl+C where it runs), run this command, then start the server again.',
        );
      }
      fs.unlinkSync(lockPath);
    }
  }
  throw new DatabaseLockedError(`Could not lock the embedded database in ${dataDir}`);
}

export interface OpenOptions {
  /** Kysely's query log (benchmarks read the SQL a page runs from it). */
  log?: KyselyConfig['log'];
}

/** Opens an embedded PGlite database: in a folder, or in memory when dataDir is 'memory://'. */
export async function openEmbedded(dataDir: string, options: OpenOptions = {}): Promise<DatabaseHandle> {
  const inMemory = dataDir === 'memory://';
  const release = inMemory ? () => undefined : acquireDataDirLock(dataDir);
  try {
    const pglite = await PGlite.create(inMemory ? undefined : path.join(dataDir, 'pgdata'), {
      parsers: TYPE_PARSERS,
    });
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), ...(options.log === undefined ? {} : { log: options.log }) });
    return {
      db,
      kind: 'embedded',
      connectRaw: () => Promise.resolve({ kind: 'embedded', pglite }),
      ping: async () => {
        await sql`select 1`.execute(db);
      },
      close: async () => {
        await db.destroy();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** Opens a pool on a PostgreSQL server (15 or newer). */
export function openPostgres(url: string, options: OpenOptions & { max?: number } = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    // Per-pool parsers leave the process-wide pg types alone.
    types: {
      getTypeParser: ((oid: (typeof pg.types.builtins)[keyof typeof pg.types.builtins]) =>
        TYPE_PARSERS[oid] ?? (pg.types.getTypeParser(oid, 'text') as (value: string) => unknown)) as typeof pg.types.getTypeParser,
    },
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(options.log === undefined ? {} : { log: options.log }) });
  return {
    db,
    kind: 'postgres',
    connectRaw: async () => ({ kind: 'postgres', client: await pool.connect() }),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await db.destroy();
    },
  };
}

export async function openDatabase(config: {
  databaseUrl: string | undefined;
  dataDir: string;
}): Promise<DatabaseHandle> {
  return config.databaseUrl === undefined ? openEmbedded(config.dataDir) : openPostgres(config.databaseUrl);
}
