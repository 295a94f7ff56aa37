import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, testDatabaseKind } from '../../../test/support/db.ts';
import { makeOrganisation, makeToken, makeUser } from '../../../test/support/factories.ts';
import { importFootprint, SMALL_LIMITS, storedMeasurements, xlsxOf } from '../../../test/support/import-fixtures.ts';
import { makeKpi } from '../../../test/support/kpi-factories.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import { authenticateToken } from '../tokens/tokens.service.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { type Actor, cliOperator } from '../../platform/access/actor.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import { AUDIT_CHUNK_ROWS, importMeasurements, type ImportResult } from './import.service.ts';
import { BATCH_IMPORT_LIMITS, WEB_IMPORT_LIMITS } from './import-format.ts';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await testDatabase();
});
afterAll(async () => {
  await handle.close();
});

const operator = cliOperator();

interface Setup {
  org: Organisation;
  monthly: string;
  quarterly: string;
  derived: string;
}

async function setup(): Promise<Setup> {
  const org = await makeOrganisation(handle.db);
  const monthly = (await makeKpi(handle.db, org)).key;
  const quarterly = (await makeKpi(handle.db, org, { frequency: 'quarterly' })).key;
  const derived = (await makeKpi(handle.db, org, { formula: `2 * {${monthly}}` })).key;
  return { org, monthly, quarterly, derived };
}

function csv(lines: readonly string[]): Buffer {
  return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

async function importCsv(org: Organisation, file: Buffer | string, actor: Actor = operator, limits = WEB_IMPORT_LIMITS): Promise<ImportResult> {
  return importMeasurements(handle, actor, org.id, file, { kind: 'csv', limits, fileName: 'test.csv' });
}

/** Imports, expects a refusal with nothing written, and returns the problems as "line: message". */
async function expectRefused(org: Organisation, file: Buffer, limits = WEB_IMPORT_LIMITS): Promise<string[]> {
  const before = await importFootprint(handle.db, org.id);
  const result = await importCsv(org, file, operator, limits);
  expect(result.ok).toBe(false);
  expect(await importFootprint(handle.db, org.id)).toEqual(before);
  if (result.ok) return [];
  return result.problems.map((p) => `${p.line ?? '-'}: ${p.message}`);
}

describe(`importMeasurements (${testDatabaseKind()})`, () => {
  it('recomputes derived KPIs from the imported inputs', async () => {
    const { org, monthly, derived } = await setup();
    const result = await importCsv(org, csv(['kpi,period,value', `${monthly},2026-01,10`, `${monthly},2026-02,12.5`]));
    expect(result.ok).toBe(true);
    const stored = (await storedMeasurements(handle.db, org.id, { includeDerived: true })).filter(([key]) => key === derived);
    expect(stored.map(([, period, value, , source]) => [period, Number(value), source])).toEqual([
      ['2026-01-01', 20, 'formula'],
      ['2026-02-01', 25, 'formula'],
    ]);
  });

  it('writes every row of a good file with source "import", and audits one summary', async () => {
    const { org, monthly, quarterly } = await setup();
    const result = await importCsv(
      org,
      csv(['kpi,period,value,note', `${monthly},2026-01,61.5,January`, `${monthly},2026-02-15,62,`, `${quarterly},2026-Q2,1e3,"Tab\there, ""quoted"""`]),
    );
    expect(result).toEqual({ ok: true, rows: 3, inserted: 3, updated: 0, unchanged: 0 });
    expect(await storedMeasurements(handle.db, org.id)).toEqual(
      [
        [monthly, '2026-01-01', '61.5', 'January', 'import'],
        [monthly, '2026-02-01', '62', null, 'import'],
        [quarterly, '2026-04-01', '1000', 'Tab\there, "quoted"', 'import'],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))),
    );
    const { rows: events } = await sql<{ action: string; after: unknown }>`
      select action, after from audit_event where organisation_id = ${org.id} and action like 'measurement%' order by seq`.execute(handle.db);
    expect(events).toEqual([{ action: 'measurements.imported', after: { fileName: 'test.csv', rows: 3, inserted: 3, updated: 0, unchanged: 0 } }]);
  });

  it('changes nothing, not even the audit trail, when the same file is imported again', async () => {
    const { org, monthly } = await setup();
    const file = csv(['kpi,period,value,note', `${monthly},2026-01,61.5,January`, `${monthly},2026-02,62,`]);
    expect((await importCsv(org, file)).ok).toBe(true);
    const before = await importFootprint(handle.db, org.id);
    const stored = await storedMeasurements(handle.db, org.id);
    expect(await importCsv(org, file)).toEqual({ ok: true, rows: 2, inserted: 0, updated: 0, unchanged: 2 });
    expect(await importFootprint(handle.db, org.id)).toEqual(before);
    expect(await storedMeasurements(handle.db, org.id)).toEqual(stored);
  });

  it('updates a corrected value and keeps the previous one in the audit trail', async () => {
    const { org, monthly } = await setup();
    await importCsv(org, csv(['kpi,period,value,note', `${monthly},2026-01,61.5,first`, `${monthly},2026-02,62,`]));
    const result = await importCsv(org, csv(['kpi,period,value,note', `${monthly},2026-01,64,corrected`, `${monthly},2026-02,62,`, `${monthly},2026-03,63,`]));
    expect(result).toEqual({ ok: true, rows: 3, inserted: 1, updated: 1, unchanged: 1 });
    expect((await storedMeasurements(handle.db, org.id))[0]).toEqual([monthly, '2026-01-01', '64', 'corrected', 'import']);
    const { rows } = await sql<{ before: unknown; after: unknown }>`
      select before, after from audit_event where organisation_id = ${org.id} and action = 'measurement.updated_by_import'`.execute(handle.db);
    expect(rows).toEqual([
      {
        before: [{ line: 2, kpi: monthly, period: '2026-01-01', value: '61.5', note: 'first' }],
        after: [{ line: 2, kpi: monthly, period: '2026-01-01', value: '64', note: 'corrected' }],
      },
    ]);
  });

  it('appends periods after the stored ones, keeping the stored values and recomputing derived KPIs', async () => {
    const { org, monthly, derived } = await setup();
    await importCsv(org, csv(['kpi,period,value', `${monthly},2026-01,10`]));
    const result = await importCsv(org, csv(['kpi,period,value', `${monthly},2026-02,12`, `${monthly},2026-03,14`]));
    expect(result).toEqual({ ok: true, rows: 2, inserted: 2, updated: 0, unchanged: 0 });
    const stored = await storedMeasurements(handle.db, org.id, { includeDerived: true });
    const valuesOf = (key: string): [string, number][] =>
      stored.filter(([k]) => k === key).map(([, period, value]): [string, number] => [period, Number(value)]);
    expect(valuesOf(monthly)).toEqual([
      ['2026-01-01', 10],
      ['2026-02-01', 12],
      ['2026-03-01', 14],
    ]);
    expect(valuesOf(derived)).toEqual([
      ['2026-01-01', 20],
      ['2026-02-01', 24],
      ['2026-03-01', 28],
    ]);
    const { rows } = await sql<{ action: string }>`
      select action from audit_event where organisation_id = ${org.id} and action like 'measurement%' order by seq`.execute(handle.db);
    expect(rows.map((r) => r.action)).toEqual(['measurements.imported', 'measurements.imported']);
  });

  it('reports a repeated row in a file that also corrects a stored value, and writes nothing', async () => {
    const { org, monthly } = await setup();
    await importCsv(org, csv(['kpi,period,value', `${monthly},2026-01,10`]));
    const problems = await expectRefused(org, csv(['kpi,period,value', `${monthly},2026-01,11`, `${monthly},2026-02,12`, `${monthly},2026-02-10,13`]));
    expect(problems).toEqual([`4: Line 4 repeats line 3: both give ${monthly} a value for the period starting 2026-02-01. Keep one of them`]);
  });

  describe('each way in gives the same outcome', () => {
    /** Daily values from 1900 on, one per line; more rows than one PGlite Blob or many PostgreSQL writes. */
    function dailyLines(key: string, count: number, valueOf: (i: number) => number = (i) => i): string[] {
      const start = Date.UTC(1900, 0, 1);
      return Array.from({ length: count }, (_, i) => `${key},${new Date(start + i * 86_400_000).toISOString().slice(0, 10)},${valueOf(i)}`);
    }
    async function* onePass(bytes: Buffer): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.byteLength; at += 4096) {
        await Promise.resolve(); // chunks arrive asynchronously, as from a request body
        yield bytes.subarray(at, at + 4096);
      }
    }
    const ROWS = 60_001;

    it('a one-pass stream, bytes and a file opened again import alike; again changes nothing', async () => {
      const org = await makeOrganisation(handle.db);
      const daily = (await makeKpi(handle.db, org, { frequency: 'daily' })).key;
      const file = csv(['kpi,period,value', ...dailyLines(daily, 3)]);
      const viaStream = await importMeasurements(handle, operator, org.id, onePass(file), { kind: 'csv' });
      expect(viaStream).toEqual({ ok: true, rows: 3, inserted: 3, updated: 0, unchanged: 0 });
      const stored = await storedMeasurements(handle.db, org.id);
      const footprint = await importFootprint(handle.db, org.id);
      for (const source of [file, () => onePass(file)]) {
        expect(await importMeasurements(handle, operator, org.id, source, { kind: 'csv' })).toEqual({ ok: true, rows: 3, inserted: 0, updated: 0, unchanged: 3 });
      }
      expect(await importMeasurements(handle, operator, org.id, onePass(file), { kind: 'csv' })).toEqual({ ok: true, rows: 3, inserted: 0, updated: 0, unchanged: 3 });
      expect(await storedMeasurements(handle.db, org.id)).toEqual(stored);
      expect(await importFootprint(handle.db, org.id)).toEqual(footprint);
    });

    it(`reports a row repeated at the end of ${ROWS.toLocaleString('en-GB')} lines with both lines, and writes nothing`, async () => {
      const org = await makeOrganisation(handle.db);
      const daily = (await makeKpi(handle.db, org, { frequency: 'daily' })).key;
      const lines = dailyLines(daily, ROWS);
      const file = csv(['kpi,period,value', ...lines, lines[0] ?? '']);
      const lastLine = ROWS + 2;
      const expected = [`${lastLine}: Line ${lastLine} repeats line 2: both give ${daily} a value for the period starting 1900-01-01. Keep one of them`];
      expect(await expectRefused(org, file, BATCH_IMPORT_LIMITS)).toEqual(expected);
      const before = await importFootprint(handle.db, org.id);
      const viaStream = await importMeasurements(handle, operator, org.id, onePass(file), { kind: 'csv' });
      expect(viaStream.ok ? [] : viaStream.problems.map((p) => `${p.line ?? '-'}: ${p.message}`)).toEqual(expected);
      expect(await importFootprint(handle.db, org.id)).toEqual(before);
    });

    it('corrects a stored value met only on the last line, inserting the rest', async () => {
      const org = await makeOrganisation(handle.db);
      const daily = (await makeKpi(handle.db, org, { frequency: 'daily' })).key;
      await importCsv(org, csv(['kpi,period,value', ...dailyLines(daily, ROWS).slice(-1)]), operator, BATCH_IMPORT_LIMITS);
      const result = await importCsv(org, csv(['kpi,period,value', ...dailyLines(daily, ROWS, (i) => i + 0.5)]), operator, BATCH_IMPORT_LIMITS);
      expect(result).toEqual({ ok: true, rows: ROWS, inserted: ROWS - 1, updated: 1, unchanged: 0 });
      const { rows } = await sql<{ count: number; total: string }>`
        select count(*)::int as count, sum(value)::text as total from measurement where organisation_id = ${org.id}`.execute(handle.db);
      expect(rows[0]).toEqual({ count: ROWS, total: String(((ROWS - 1) * ROWS) / 2 + ROWS * 0.5) });
    });
  });

  it(`splits previous values into audit events of at most ${AUDIT_CHUNK_ROWS} rows`, async () => {
    const { org } = await setup();
    const daily = (await makeKpi(handle.db, org, { frequency: 'daily' })).key;
    const days = Array.from({ length: AUDIT_CHUNK_ROWS + 20 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10));
    await importCsv(org, csv(['kpi,period,value', ...days.map((d) => `${daily},${d},1`)]));
    const result = await importCsv(org, csv(['kpi,period,value', ...days.map((d) => `${daily},${d},2`)]));
    expect(result).toMatchObject({ ok: true, updated: AUDIT_CHUNK_ROWS + 20 });
    const { rows } = await sql<{ size: number }>`
      select jsonb_array_length(before::jsonb)::int as size from audit_event
       where organisation_id = ${org.id} and action = 'measurement.updated_by_import' order by seq`.execute(handle.db);
    expect(rows.map((r) => r.size)).toEqual([AUDIT_CHUNK_ROWS, 20]);
  });

  it('reports unknown KPIs, derived KPIs and bad periods with their lines, and writes nothing', async () => {
    const { org, monthly, quarterly, derived } = await setup();
    const problems = await expectRefused(
      org,
      csv([
        'kpi,period,value',
        `${monthly},2026-01,1`,
        'no_such_kpi,2026-01,1',
        `${derived},2026-01,1`,
        `${monthly},2026-13,1`,
        `${quarterly},2026,1`,
      ]),
    );
    expect(problems).toHaveLength(4);
    expect(problems[0]).toBe('3: Line 3: there is no KPI with the key "no_such_kpi"');
    expect(problems[1]).toBe(`4: Line 4: ${derived} is calculated from a formula; import its inputs instead`);
    expect(problems[2]).toMatch(/^5: Line 5: /);
    expect(problems[3]).toMatch(/^6: Line 6: .*quarterly/);
  });

  it('reports every repeated KPI and period in one file with both lines', async () => {
    const { org, monthly } = await setup();
    const problems = await expectRefused(
      org,
      csv(['kpi,period,value', `${monthly},2026-01,1`, `${monthly},2026-02,2`, `${monthly},2026-01-20,3`, `${monthly},2026-01,4`]),
    );
    expect(problems).toEqual([
      `4: Line 4 repeats line 2: both give ${monthly} a value for the period starting 2026-01-01. Keep one of them`,
      `5: Line 5 repeats line 2: both give ${monthly} a value for the period starting 2026-01-01. Keep one of them`,
    ]);
  });

  it('refuses ragged rows, an empty file, a header alone and Windows-1252 text', async () => {
    const { org, monthly } = await setup();
    expect(await expectRefused(org, csv(['kpi,period,value', `${monthly},2026-01,1,extra`, `${monthly},2026-02`]))).toEqual([
      '2: Line 2 has 4 fields; expected 3',
      '3: Line 3 has 2 fields; expected 3',
    ]);
    expect(await expectRefused(org, Buffer.alloc(0))).toEqual(['-: The file is empty']);
    expect(await expectRefused(org, csv(['kpi,period,value']))).toEqual(['-: The file has a header row but no data']);
    const cp1252 = Buffer.concat([csv(['kpi,period,value,note', `${monthly},2026-01,1,fine`]), Buffer.from(`${monthly},2026-02,2,it`), Buffer.from([0x92]), Buffer.from('s\n')]);
    const problems = await expectRefused(org, cp1252);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^3: The file is not UTF-8 or UTF-16 text/);
  });

  it('reads UTF-8 with a BOM and UTF-16', async () => {
    const { org, monthly } = await setup();
    const text = `kpi,period,value,note\r\n${monthly},2026-01,5,Café 🙂\r\n`;
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    expect(await importCsv(org, bom)).toMatchObject({ ok: true, inserted: 1 });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(',5,', ',6,'), 'utf16le')]);
    expect(await importCsv(org, utf16)).toMatchObject({ ok: true, updated: 1 });
    expect(await storedMeasurements(handle.db, org.id)).toEqual([[monthly, '2026-01-01', '6', 'Café 🙂', 'import']]);
  });

  it('refuses a file over the limits before writing anything', async () => {
    const { org, monthly } = await setup();
    const tooMany = await expectRefused(org, csv(['kpi,period,value', ...[1, 2, 3, 4].map((m) => `${monthly},2026-0${m},1`)]), SMALL_LIMITS);
    expect(tooMany.join('\n')).toMatch(/3/);
    const tooBig = await expectRefused(org, csv(['kpi,period,value', `${monthly},2026-01,1,${'x'.repeat(500)}`]), SMALL_LIMITS);
    expect(tooBig).toHaveLength(1);
  });

  it('lists at most the problem cap and counts the rest', async () => {
    const { org } = await setup();
    const result = await importCsv(org, csv(['kpi,period,value', ...Array.from({ length: 9 }, (_, i) => `nope${i},2026-01,1`)]), operator, { ...SMALL_LIMITS, maxRows: 100, maxFileBytes: 10_000 });
    expect(result).toMatchObject({ ok: false, totalProblems: 9 });
    if (!result.ok) expect(result.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6]);
  });

  it('imports an XLSX workbook', async () => {
    const { org, monthly } = await setup();
    const file = await xlsxOf([
      ['kpi', 'period', 'value', 'note'],
      [monthly, '2026-01', 12.25, 'from Excel'],
      [monthly, '2026-02', 13, ''],
    ]);
    const result = await importMeasurements(handle, operator, org.id, file, { kind: 'xlsx', limits: WEB_IMPORT_LIMITS });
    expect(result).toEqual({ ok: true, rows: 2, inserted: 2, updated: 0, unchanged: 0 });
    expect(await storedMeasurements(handle.db, org.id)).toEqual([
      [monthly, '2026-01-01', '12.25', 'from Excel', 'import'],
      [monthly, '2026-02-01', '13', null, 'import'],
    ]);
  });

  it('treats another organisation’s KPI keys as unknown', async () => {
    const mine = await setup();
    const theirs = await setup();
    const problems = await expectRefused(mine.org, csv(['kpi,period,value', `${theirs.monthly},2026-01,1`]));
    expect(problems).toEqual([`2: Line 2: there is no KPI with the key "${theirs.monthly}"`]);
    expect(await importFootprint(handle.db, theirs.org.id)).toMatchObject({ measurements: 0 });
  });

  it('lets contributors and write tokens import, and refuses viewers and read-only tokens', async () => {
    const { org, monthly } = await setup();
    const file = csv(['kpi,period,value', `${monthly},2026-01,1`]);
    const contributor = await makeUser(handle.db, org, 'contributor');
    const viewer = await makeUser(handle.db, org, 'viewer');
    const asUser = (user: typeof viewer): Actor => ({ kind: 'user', userId: user.id, label: user.email, organisationId: org.id, role: user.role, via: 'web', requestId: null });
    await expect(importCsv(org, file, asUser(viewer))).rejects.toBeInstanceOf(ForbiddenError);
    const readToken = await authenticateToken(handle.db, await makeToken(handle.db, org, 'read'), null);
    if (readToken === null) throw new Error('token not found');
    await expect(importCsv(org, file, readToken)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await importCsv(org, file, asUser(contributor))).toMatchObject({ ok: true, inserted: 1 });
    const { rows } = await sql<{ recordedBy: string | null }>`select recorded_by as "recordedBy" from measurement where organisation_id = ${org.id} and source = 'import'`.execute(handle.db);
    expect(rows).toEqual([{ recordedBy: contributor.id }]);
  });
});
