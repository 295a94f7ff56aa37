import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import type { TestClient } from '../../../test/support/client.ts';
import { testDatabaseKind } from '../../../test/support/db.ts';
import { makeOrganisation, makeToken, makeUser } from '../../../test/support/factories.ts';
import { importFootprint, storedMeasurements, xlsxOf } from '../../../test/support/import-fixtures.ts';
import { makeKpi } from '../../../test/support/kpi-factories.ts';
import { signIn } from '../../../test/support/login.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { CSV_TYPE, XLSX_TYPE } from './import.api.ts';
import { WEB_IMPORT_LIMITS } from './import-format.ts';

let t: TestApp;
let app: FastifyInstance;
beforeAll(async () => {
  t = await buildTestApp();
  app = t.app;
});
afterAll(async () => {
  await app.close();
  await t.database.close();
});

interface Setup {
  org: Organisation;
  monthly: string;
  derived: string;
  client: TestClient;
}

async function setup(role: 'contributor' | 'viewer' = 'contributor'): Promise<Setup> {
  const org = await makeOrganisation(t.db);
  const monthly = (await makeKpi(t.db, org)).key;
  const derived = (await makeKpi(t.db, org, { formula: `{${monthly}} / 2` })).key;
  const user = await makeUser(t.db, org, role);
  return { org, monthly, derived, client: await signIn(app, user) };
}

function csv(lines: readonly string[]): Buffer {
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

/** Posts the upload form as a browser does (multipart, with the CSRF token). */
async function upload(client: TestClient, org: Organisation, fileName: string, bytes: Buffer, type = 'text/csv'): Promise<LightMyRequestResponse> {
  const boundary = `----waymark${randomBytes(8).toString('hex')}`;
  const csrf = await client.csrfToken();
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return client.request({
    method: 'POST',
    url: `/o/${org.slug}/kpis/import`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
}

/** The GOV.UK error summary's items, as text. */
function errorSummary(html: string): string[] {
  const summary = /<div class="govuk-error-summary"[\s\S]*?<ul class="govuk-list govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...summary.matchAll(/<a href="#file">([\s\S]*?)<\/a>/g)].map((m) =>
    (m[1] ?? '').trim().replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'),
  );
}

async function expectPageRefusal(s: Setup, fileName: string, bytes: Buffer): Promise<string[]> {
  const before = await importFootprint(t.db, s.org.id);
  const response = await upload(s.client, s.org, fileName, bytes);
  expect(response.statusCode).toBe(400);
  expect(response.body).toContain('Error: Import measurements from a file');
  expect(await importFootprint(t.db, s.org.id)).toEqual(before);
  return errorSummary(response.body);
}

describe(`the import page (${testDatabaseKind()})`, () => {
  it('explains the format and limits to contributors, and is refused to viewers', async () => {
    const s = await setup();
    const page = await s.client.get(`/o/${s.org.slug}/kpis/import`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1 class="govuk-heading-l">Import measurements from a file</h1>');
    expect(page.body).toContain('enctype="multipart/form-data"');
    expect(page.body).toContain('20 MB');
    const viewer = await setup('viewer');
    expect((await viewer.client.get(`/o/${viewer.org.slug}/kpis/import`)).statusCode).toBe(403);
    expect((await upload(viewer.client, viewer.org, 'a.csv', csv(['kpi,period,value', `${viewer.monthly},2026-01,1`]))).statusCode).toBe(403);
    expect(await importFootprint(t.db, viewer.org.id)).toMatchObject({ measurements: 0 });
  });

  it('imports a good file and shows what changed; the same file again changes nothing', async () => {
    const s = await setup();
    const file = csv(['kpi,period,value,note', `${s.monthly},2026-01,61.5,January`, `${s.monthly},2026-02,62,`]);
    const response = await upload(s.client, s.org, 'figures.csv', file);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Measurements imported');
    expect(response.body).toMatch(/New measurements\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*2/);
    expect(await storedMeasurements(t.db, s.org.id)).toEqual([
      [s.monthly, '2026-01-01', '61.5', 'January', 'import'],
      [s.monthly, '2026-02-01', '62', null, 'import'],
    ]);
    const before = await importFootprint(t.db, s.org.id);
    const again = await upload(s.client, s.org, 'figures.csv', file);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('nothing has changed');
    expect(await importFootprint(t.db, s.org.id)).toEqual(before);
  });

  it('lists every problem with its line and writes nothing', async () => {
    const s = await setup();
    const problems = await expectPageRefusal(
      s,
      'bad.csv',
      csv([
        'kpi,period,value',
        `${s.monthly},2026-01,1`,
        'unknown_kpi,2026-01,1',
        `${s.derived},2026-01,1`,
        `${s.monthly},2026-01,2`,
        `${s.monthly},2026-02`,
        `${s.monthly},March,3`,
      ]),
    );
    expect(problems).toHaveLength(5);
    expect(problems[0]).toBe('Line 3: there is no KPI with the key "unknown_kpi"');
    expect(problems[1]).toBe(`Line 4: ${s.derived} is calculated from a formula; import its inputs instead`);
    expect(problems[2]).toBe(`Line 5 repeats line 2: both give ${s.monthly} a value for the period starting 2026-01-01. Keep one of them`);
    expect(problems[3]).toBe('Line 6 has 2 fields; expected 3');
    expect(problems[4]).toMatch(/^Line 7: /);
  });

  it('refuses an empty file, a header alone, Windows-1252 text and a file that is not CSV or XLSX', async () => {
    const s = await setup();
    expect(await expectPageRefusal(s, 'empty.csv', Buffer.alloc(0))).toEqual(['The file is empty']);
    expect(await expectPageRefusal(s, 'header.csv', csv(['kpi,period,value']))).toEqual(['The file has a header row but no data']);
    const cp1252 = Buffer.concat([Buffer.from(`kpi,period,value,note\n${s.monthly},2026-01,1,it`), Buffer.from([0x92]), Buffer.from('s\n')]);
    const [encoding] = await expectPageRefusal(s, 'excel.csv', cp1252);
    expect(encoding).toMatch(/not UTF-8 or UTF-16/);
    expect(await expectPageRefusal(s, 'figures.pdf', Buffer.from('%PDF-1.4'))).toEqual(['The selected file must be a CSV or XLSX file']);
    expect(await expectPageRefusal(s, '', Buffer.alloc(0))).toEqual(['Select a CSV or XLSX file']);
  });

  it('reads UTF-8 with a BOM and UTF-16, and an XLSX workbook', async () => {
    const s = await setup();
    const text = `kpi,period,value,note\r\n${s.monthly},2026-01,5,Café\r\n`;
    expect((await upload(s.client, s.org, 'bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]))).statusCode).toBe(200);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(',5,', ',6,'), 'utf16le')]);
    expect((await upload(s.client, s.org, 'utf16.csv', utf16)).statusCode).toBe(200);
    const workbook = await xlsxOf([
      ['kpi', 'period', 'value', 'note'],
      [s.monthly, '2026-02', 7.5, 'from Excel'],
    ]);
    expect((await upload(s.client, s.org, 'book.xlsx', workbook, XLSX_TYPE)).statusCode).toBe(200);
    expect(await storedMeasurements(t.db, s.org.id)).toEqual([
      [s.monthly, '2026-01-01', '6', 'Café', 'import'],
      [s.monthly, '2026-02-01', '7.5', 'from Excel', 'import'],
    ]);
  });

  it('refuses a file with more rows than the web limit, saying so, and writes nothing', async () => {
    const s = await setup();
    const daily = (await makeKpi(t.db, s.org, { frequency: 'daily' })).key;
    const rows = WEB_IMPORT_LIMITS.maxRows + 1;
    const lines = ['kpi,period,value'];
    const start = Date.UTC(1800, 0, 1);
    for (let i = 0; i < rows; i++) lines.push(`${daily},${new Date(start + i * 86_400_000).toISOString().slice(0, 10)},1`);
    const problems = await expectPageRefusal(s, 'big.csv', csv(lines));
    expect(problems.join('\n')).toMatch(/100,000/);
  });

  it('treats another organisation’s KPIs as unknown, and hides the page from non-members', async () => {
    const mine = await setup();
    const theirs = await setup();
    expect(await expectPageRefusal(mine, 'x.csv', csv(['kpi,period,value', `${theirs.monthly},2026-01,1`]))).toEqual([
      `Line 2: there is no KPI with the key "${theirs.monthly}"`,
    ]);
    expect((await mine.client.get(`/o/${theirs.org.slug}/kpis/import`)).statusCode).toBe(404);
    expect((await upload(mine.client, theirs.org, 'x.csv', csv(['kpi,period,value', `${theirs.monthly},2026-01,1`]))).statusCode).toBe(404);
    expect(await importFootprint(t.db, theirs.org.id)).toMatchObject({ measurements: 0 });
  });

  it('refuses an upload without the CSRF token', async () => {
    const s = await setup();
    const boundary = 'xyz';
    const response = await s.client.request({
      method: 'POST',
      url: `/o/${s.org.slug}/kpis/import`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nkpi,period,value\r\n${s.monthly},2026-01,1\r\n--${boundary}--\r\n`,
    });
    expect(response.statusCode).toBe(403);
    expect(await importFootprint(t.db, s.org.id)).toMatchObject({ measurements: 0 });
  });
});

describe(`POST /api/v1/measurements/import (${testDatabaseKind()})`, () => {
  async function post(token: string, body: Buffer | string, type = CSV_TYPE): Promise<LightMyRequestResponse> {
    return app.inject({ method: 'POST', url: '/api/v1/measurements/import', headers: { authorization: `Bearer ${token}`, 'content-type': type }, payload: body });
  }

  it('imports a CSV body and reports the counts; again is a no-op', async () => {
    const org = await makeOrganisation(t.db);
    const key = (await makeKpi(t.db, org)).key;
    const token = await makeToken(t.db, org, 'read,write');
    const file = csv(['kpi,period,value', `${key},2026-01,1`, `${key},2026-02,2`]);
    const first = await post(token, file, 'text/csv; charset=utf-8');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ rows: 2, inserted: 2, updated: 0, unchanged: 0 });
    const before = await importFootprint(t.db, org.id);
    expect((await post(token, file)).json()).toEqual({ rows: 2, inserted: 0, updated: 0, unchanged: 2 });
    expect(await importFootprint(t.db, org.id)).toEqual(before);
    const corrected = await post(token, csv(['kpi,period,value', `${key},2026-01,1.5`]));
    expect(corrected.json()).toEqual({ rows: 1, inserted: 0, updated: 1, unchanged: 0 });
  });

  it('imports an XLSX body', async () => {
    const org = await makeOrganisation(t.db);
    const key = (await makeKpi(t.db, org)).key;
    const token = await makeToken(t.db, org, 'read,write');
    const response = await post(token, await xlsxOf([['kpi', 'period', 'value'], [key, '2026-03', 9]]), XLSX_TYPE);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ rows: 1, inserted: 1, updated: 0, unchanged: 0 });
  });

  it('answers 400 with every problem and its line, writing nothing', async () => {
    const org = await makeOrganisation(t.db);
    const key = (await makeKpi(t.db, org)).key;
    const other = await makeOrganisation(t.db);
    const otherKey = (await makeKpi(t.db, other)).key;
    const token = await makeToken(t.db, org, 'read,write');
    const before = await importFootprint(t.db, org.id);
    const response = await post(token, csv(['kpi,period,value', `${key},2026-01,1`, `${otherKey},2026-01,1`, `${key},2026-01,2`, `${key},2026-02,1,x`, `${key},2026-99,1`]));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json<{ code: string; errors: { line: number; message: string }[]; moreProblems: number }>();
    expect(body.code).toBe('import_rejected');
    expect(body.moreProblems).toBe(0);
    expect(body.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(body.errors[0]?.message).toBe(`Line 3: there is no KPI with the key "${otherKey}"`);
    expect(await importFootprint(t.db, org.id)).toEqual(before);

    const empty = await post(token, '');
    expect(empty.statusCode).toBe(400);
    expect(empty.json<{ errors: unknown[] }>().errors).toEqual([{ line: null, message: 'The file is empty' }]);
    const utf16 = await post(token, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`kpi,period,value\n${key},2026-04,4\n`, 'utf16le')]));
    expect(utf16.json()).toEqual({ rows: 1, inserted: 1, updated: 0, unchanged: 0 });
  });

  it('refuses read-only tokens (403), no token (401) and other content types (415)', async () => {
    const org = await makeOrganisation(t.db);
    const key = (await makeKpi(t.db, org)).key;
    const file = csv(['kpi,period,value', `${key},2026-01,1`]);
    expect((await post(await makeToken(t.db, org, 'read'), file)).statusCode).toBe(403);
    const anonymous = await app.inject({ method: 'POST', url: '/api/v1/measurements/import', headers: { 'content-type': CSV_TYPE }, payload: file });
    expect(anonymous.statusCode).toBe(401);
    const json = await post(await makeToken(t.db, org, 'read,write'), JSON.stringify({ kpi: key }), 'application/json');
    expect(json.statusCode).toBe(415);
    expect(await importFootprint(t.db, org.id)).toMatchObject({ measurements: 0 });
  });
});
