/**
 * Bulk loading behind one interface, on both engines.
 *
 *   await withBulkSession(handle, async ({ db, copyRows }) => {
 *     await sql`create temp table staging (a int, b text) on commit drop`.execute(db);
 *     await copyRows('staging', ['a', 'b'], batchesOfRows());
 *     await sql`insert into target select … from staging`.execute(db);
 *   });
 *
 * `fn` runs in ONE transaction on ONE connection: `db` (a Kysely transaction: services, audit
 * writes and plain SQL) and `copyRows` (COPY … FROM) share it, so a COPY into a temporary table
 * is visible to the SQL that follows, and an error anywhere rolls everything back, copied rows
 * included.
 *
 * - PostgreSQL: one client is checked out of the pool for the session; rows stream to
 *   `COPY … FROM STDIN` (pg-copy-streams) in PostgreSQL's text format, with backpressure.
 * - PGlite: the session holds PGlite's exclusive transaction (other queries wait, as for any
 *   transaction there); rows go to `COPY … FROM '/dev/blob'` one Blob of at most
 *   `PGLITE_ROWS_PER_BLOB` rows at a time, so memory stays bounded by one chunk.
 *
 * Not for use inside another transaction: the session is its own transaction.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PGlite, Transaction as PGliteTransaction } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DatabaseHandle, Db } from './database.ts';
import type { Database } from './schema.ts';

/** One row for COPY: text in the column's input syntax, or null for SQL NULL. */
export type CopyRow = readonly (string | null)[];

/**
 * Streams rows into `table`; returns how many were copied. Rows come in batches (arrays of rows):
 * iterating a million single rows through an async generator costs more than the COPY itself.
 */
export type CopyRows = (
  table: string,
  columns: readonly string[],
  batches: AsyncIterable<readonly CopyRow[]> | Iterable<readonly CopyRow[]>,
) => Promise<number>;

export interface BulkSession {
  /** A Kysely transaction on the session's connection. */
  readonly db: Db;
  readonly copyRows: CopyRows;
}

/** Rows per Blob on PGlite: large enough to amortise each COPY, small enough to bound memory. */
export const PGLITE_ROWS_PER_BLOB = 50_000;

/** Rows joined into one write to the COPY stream on PostgreSQL. */
const PG_ROWS_PER_WRITE = 1_000;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function copyStatement(table: string, columns: readonly string[], source: string): string {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`Not a plain SQL identifier: ${JSON.stringify(name)}`);
  }
  if (columns.length === 0) throw new Error('COPY needs at least one column');
  return `COPY ${table} (${columns.join(', ')}) FROM ${source}`;
}

// Characters that must be escaped in COPY's text format: backslash, tab (the delimiter),
// newline and carriage return (row ends). Everything else, quotes included, is literal.
const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPES = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One field in COPY's text format: `\N` for null, special characters backslash-escaped. */
export function copyTextField(value: string | null): string {
  if (value === null) return '\\N';
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPES, (c) => ESCAPED[c] ?? c) : value;
}

/** One row (with its newline) in COPY's text format. */
export function copyTextLine(row: CopyRow, width: number): string {
  if (row.length !== width) throw new Error(`COPY row has ${row.length} fields; expected ${width}`);
  let line = copyTextField(row[0] ?? null);
  for (let i = 1; i < width; i++) line += '\t' + copyTextField(row[i] ?? null);
  return line + '\n';
}

/** Runs `fn` with a transaction and COPY on one connection; commits when it returns. */
export async function withBulkSession<T>(handle: DatabaseHandle, fn: (session: BulkSession) => Promise<T>): Promise<T> {
  if (handle.connectRaw === undefined) throw new Error('This database handle cannot bulk load (no connectRaw)');
  const raw = await handle.connectRaw();
  return raw.kind === 'postgres' ? postgresSession(raw.client, fn) : pgliteSession(raw.pglite, fn);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

async function postgresSession<T>(client: pg.PoolClient, fn: (session: BulkSession) => Promise<T>): Promise<T> {
  // Kysely releases its connection after the transaction; this client goes back to the pool
  // only when the session is over (and is discarded if something broke mid-protocol).
  const sessionClient = new Proxy(client, {
    get(target, property) {
      if (property === 'release') return () => undefined;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const pool = { connect: () => Promise.resolve(sessionClient), end: () => Promise.resolve() };
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pool as unknown as pg.Pool }) });

  const copyRows: CopyRows = async (table, columns, batches) => {
    const stream = client.query(copyFrom(copyStatement(table, columns, 'STDIN')));
    let count = 0;
    const width = columns.length;
    async function* lines(): AsyncGenerator<string> {
      let text = '';
      let inText = 0;
      for await (const batch of batches) {
        for (const row of batch) {
          text += copyTextLine(row, width);
          if (++inText === PG_ROWS_PER_WRITE) {
            yield text;
            text = '';
            inText = 0;
          }
        }
        count += batch.length;
      }
      if (text !== '') yield text;
    }
    await pipeline(Readable.from(lines(), { objectMode: false }), stream);
    return count;
  };

  let failure: Error | undefined;
  try {
    return await db.transaction().execute((trx) => fn({ db: trx, copyRows }));
  } catch (error) {
    // A failed COPY leaves the connection mid-protocol at worst; do not reuse it.
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(failure);
  }
}

// ---------------------------------------------------------------------------------------------
// PGlite

async function pgliteSession<T>(pglite: PGlite, fn: (session: BulkSession) => Promise<T>): Promise<T> {
  // Kysely's PGlite dialect runs a transaction through `pglite.transaction(cb)` (PGlite's
  // exclusive mode) and keeps PGlite's transaction object to itself. This view of the instance
  // hands Kysely the real transaction while remembering it, so COPY can run on it too; closing
  // this view does not close the database.
  let current: PGliteTransaction | undefined;
  const view = new Proxy(pglite, {
    get(target, property) {
      if (property === 'close') return () => Promise.resolve();
      if (property === 'transaction') {
        return <R>(callback: (tx: PGliteTransaction) => Promise<R>) =>
          target.transaction(async (tx) => {
            current = tx;
            try {
              return await callback(tx);
            } finally {
              current = undefined;
            }
          });
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite: view }) });

  const copyRows: CopyRows = async (table, columns, batches) => {
    const statement = copyStatement(table, columns, "'/dev/blob'");
    const width = columns.length;
    let count = 0;
    let parts: string[] = [];
    let text = '';
    let inBlob = 0;
    const flush = async (): Promise<void> => {
      if (text !== '') parts.push(text);
      text = '';
      if (parts.length === 0) return;
      const tx = current;
      if (tx === undefined) throw new Error('copyRows was called outside its bulk session');
      const blob = new Blob(parts);
      parts = [];
      inBlob = 0;
      await tx.query(statement, [], { blob });
    };
    for await (const batch of batches) {
      for (const row of batch) {
        text += copyTextLine(row, width);
        if (text.length > 64 * 1024) {
          parts.push(text);
          text = '';
        }
        if (++inBlob === PGLITE_ROWS_PER_BLOB) await flush();
      }
      count += batch.length;
    }
    await flush();
    return count;
  };

  return db.transaction().execute((trx) => fn({ db: trx, copyRows }));
}
