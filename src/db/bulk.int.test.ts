import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, testDatabaseKind } from '../../test/support/db.ts';
import { type CopyRow, copyTextLine, PGLITE_ROWS_PER_BLOB, withBulkSession } from './bulk.ts';
import type { DatabaseHandle } from './database.ts';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await testDatabase();
});
afterAll(async () => {
  await handle.close();
});

function tableName(): string {
  return `bulk_test_${randomBytes(4).toString('hex')}`;
}

async function* inBatches(rows: readonly CopyRow[], size: number): AsyncGenerator<readonly CopyRow[]> {
  for (let i = 0; i < rows.length; i += size) {
    await Promise.resolve(); // batches arrive asynchronously, as from a file
    yield rows.slice(i, i + size);
  }
}

describe('copyTextLine', () => {
  it('escapes backslashes, tabs and line ends, and writes \\N for null', () => {
    expect(copyTextLine(['a\\b', 'c\td', 'e\nf\rg', null, '"q"'], 5)).toBe('a\\\\b\tc\\td\te\\nf\\rg\t\\N\t"q"\n');
  });
  it('refuses a row of the wrong width', () => {
    expect(() => copyTextLine(['a'], 2)).toThrow(/expected 2/);
  });
});

describe(`withBulkSession (${testDatabaseKind()})`, () => {
  it('copies rows into a temporary table that SQL on the same transaction reads', async () => {
    const rows: CopyRow[] = Array.from({ length: 2_500 }, (_, i) => [String(i), `row ${i}`, i % 7 === 0 ? null : String(i / 4)]);
    const result = await withBulkSession(handle, async ({ db, copyRows }) => {
      await sql`create temp table staging (n int, label text, amount numeric) on commit drop`.execute(db);
      const copied = await copyRows('staging', ['n', 'label', 'amount'], inBatches(rows, 300));
      const { rows: summary } = await sql<{ count: number; nulls: number; total: string }>`
        select count(*)::int as count, count(*) filter (where amount is null)::int as nulls, sum(n)::text as total from staging`.execute(db);
      return { copied, summary: summary[0] };
    });
    expect(result.copied).toBe(2_500);
    expect(result.summary).toEqual({ count: 2_500, nulls: 358, total: String((2_499 * 2_500) / 2) });
  });

  it('round-trips special characters exactly', async () => {
    const awkward = ['tab\there', 'line\nbreak', 'cr\r\nlf', 'back\\slash', '\\N', 'quote "marks", commas', 'émoji 🎯 ünïcode', '', ' spaces '];
    const rows: CopyRow[] = [...awkward.map((text, i) => [String(i), text]), [String(awkward.length), null]];
    const read = await withBulkSession(handle, async ({ db, copyRows }) => {
      await sql`create temp table staging (n int, label text) on commit drop`.execute(db);
      await copyRows('staging', ['n', 'label'], [rows]);
      const { rows: back } = await sql<{ label: string | null }>`select label from staging order by n`.execute(db);
      return back.map((row) => row.label);
    });
    expect(read).toEqual([...awkward, null]);
  });

  it('loads more rows than one PGlite blob holds', async () => {
    const total = PGLITE_ROWS_PER_BLOB + 1_234;
    const batches = (function* () {
      for (let start = 0; start < total; start += 1_000) {
        yield Array.from({ length: Math.min(1_000, total - start) }, (_, i) => [String(start + i)]);
      }
    })();
    const count = await withBulkSession(handle, async ({ db, copyRows }) => {
      await sql`create temp table staging (n int) on commit drop`.execute(db);
      await copyRows('staging', ['n'], batches);
      const { rows } = await sql<{ count: number; distinct: number }>`select count(*)::int as count, count(distinct n)::int as distinct from staging`.execute(db);
      return rows[0];
    });
    expect(count).toEqual({ count: total, distinct: total });
  });

  it('rolls back copied rows and SQL together when the session fails', async () => {
    const table = tableName();
    await sql`create table ${sql.table(table)} (n int, label text)`.execute(handle.db);
    try {
      await expect(
        withBulkSession(handle, async ({ db, copyRows }) => {
          await copyRows(table, ['n', 'label'], [[['1', 'one'], ['2', 'two']]]);
          await sql`insert into ${sql.table(table)} values (3, 'three')`.execute(db);
          const { rows } = await sql<{ count: number }>`select count(*)::int as count from ${sql.table(table)}`.execute(db);
          expect(rows[0]?.count).toBe(3);
          throw new Error('changed my mind');
        }),
      ).rejects.toThrow('changed my mind');
      const { rows } = await sql<{ count: number }>`select count(*)::int as count from ${sql.table(table)}`.execute(handle.db);
      expect(rows[0]?.count).toBe(0);

      // The connection is usable again afterwards, and a session that succeeds commits.
      await withBulkSession(handle, ({ copyRows }) => copyRows(table, ['n', 'label'], [[['4', 'four']]]));
      const { rows: after } = await sql<{ n: number }>`select n from ${sql.table(table)}`.execute(handle.db);
      expect(after).toEqual([{ n: 4 }]);
    } finally {
      await sql`drop table ${sql.table(table)}`.execute(handle.db);
    }
  });

  it('rolls back when the COPY itself fails, naming the bad value', async () => {
    await expect(
      withBulkSession(handle, async ({ db, copyRows }) => {
        await sql`create temp table staging (n int) on commit drop`.execute(db);
        await copyRows('staging', ['n'], [[['1'], ['not a number']]]);
      }),
    ).rejects.toThrow(/not a number/);
    const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(handle.db);
    expect(rows).toEqual([{ ok: 1 }]);
  });

  it('refuses table and column names that are not plain identifiers', async () => {
    await expect(withBulkSession(handle, ({ copyRows }) => copyRows('staging; drop table x', ['n'], []))).rejects.toThrow(/identifier/);
  });
});
