import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeKpi, recordValues } from '../../../test/support/kpi-factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import { EXPORT_PAGE_SIZE, recordMeasurement, recordMeasurementsBatch, todayUtc } from './kpis.service.ts';
import { addDays } from './periods.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

const BOM = '\uFEFF';

/** Parses simple CSV (quoted fields with "" escapes, CRLF rows) into rows of strings. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

async function readXlsx(payload: Buffer): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(payload as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  const rows: unknown[][] = [];
  sheet?.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

async function scenario() {
  const org = await makeOrganisation(t.db);
  const owner = await makeUser(t.db, org, 'contributor');
  const evil = await makeKpi(t.db, org, { key: 'a_evil', name: '=cmd', definition: '@SUM(A1)', ownerId: owner.id });
  const plain = await makeKpi(t.db, org, { key: 'b_plain', name: 'Digital take-up, online', unit: '%' });
  await recordValues(t.db, org, plain.key, [
    ['2025-02', 55.5],
    ['2025-01', -3],
  ]);
  await recordMeasurement(t.db, cliOperator(), org.id, evil.key, { period: '2025-03', value: 7, note: '+44 1234, "urgent"' }, 'manual');
  return { org, owner, evil, plain };
}

describe('exporting KPIs', () => {
  it('downloads the KPIs with their status as CSV, for a viewer, with formulas neutralised', async () => {
    const s = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const response = await viewer.get(`/o/${s.org.slug}/kpis/export.csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${s.org.slug}-kpis-${todayUtc()}.csv"`);
    expect(response.body.startsWith(BOM)).toBe(true);
    const [header, ...rows] = parseCsv(response.body.slice(1));
    expect(header?.slice(0, 7)).toEqual(['key', 'name', 'status', 'status_reason', 'latest_period', 'latest_value', 'planned_value']);
    expect(rows.map((r) => r[0])).toEqual(['a_evil', 'b_plain']);
    const col = (row: string[] | undefined, name: string): string | undefined => row?.[header?.indexOf(name) ?? -1];
    expect(col(rows[0], 'name')).toBe("'=cmd");
    expect(col(rows[0], 'definition')).toBe("'@SUM(A1)");
    expect(col(rows[0], 'owner')).toBe(s.owner.name);
    expect(col(rows[1], 'name')).toBe('Digital take-up, online');
    expect(col(rows[1], 'latest_period')).toBe('2025-02-01');
    expect(col(rows[1], 'latest_value')).toBe('55.5');
    expect(col(rows[1], 'target_value')).toBe('80');
    expect(col(rows[1], 'status')).toBe('overdue');
    expect(col(rows[1], 'status_reason')).toMatch(/^Overdue: no value for/);
  });

  it('downloads the same as an XLSX workbook, numbers as numbers', async () => {
    const s = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const response = await viewer.get(`/o/${s.org.slug}/kpis/export.xlsx`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${s.org.slug}-kpis-${todayUtc()}.xlsx"`);
    const [header, evil, plain] = await readXlsx(response.rawPayload);
    expect(header?.slice(0, 3)).toEqual(['key', 'name', 'status']);
    expect(evil?.slice(0, 2)).toEqual(['a_evil', "'=cmd"]);
    expect(plain?.[5]).toBe(55.5);
  });
});

describe('exporting measurements', () => {
  it('downloads every value as CSV: key, period as YYYY-MM-DD, value, note and source, by key then period', async () => {
    const s = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const response = await viewer.get(`/o/${s.org.slug}/kpis/measurements.csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${s.org.slug}-measurements-${todayUtc()}.csv"`);
    expect(parseCsv(response.body.slice(1))).toEqual([
      ['kpi', 'period', 'value', 'note', 'source'],
      ['a_evil', '2025-03-01', '7', `'+44 1234, "urgent"`, 'manual'],
      ['b_plain', '2025-01-01', '-3', '', 'import'],
      ['b_plain', '2025-02-01', '55.5', '', 'import'],
    ]);
  });

  it('downloads every value as XLSX', async () => {
    const s = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const response = await viewer.get(`/o/${s.org.slug}/kpis/measurements.xlsx`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${s.org.slug}-measurements-${todayUtc()}.xlsx"`);
    expect(await readXlsx(response.rawPayload)).toEqual([
      ['kpi', 'period', 'value', 'note', 'source'],
      ['a_evil', '2025-03-01', 7, `'+44 1234, "urgent"`, 'manual'],
      ['b_plain', '2025-01-01', -3, undefined, 'import'],
      ['b_plain', '2025-02-01', 55.5, undefined, 'import'],
    ]);
  });

  it('pages through a long history without losing or repeating a value', async () => {
    const org = await makeOrganisation(t.db);
    const daily = await makeKpi(t.db, org, { key: 'daily', frequency: 'daily', baseline: { value: 0, date: '2000-01-01' }, target: { value: 1, date: '2040-01-01' } });
    const count = EXPORT_PAGE_SIZE + 3;
    await recordMeasurementsBatch(
      t.db,
      cliOperator(),
      org.id,
      Array.from({ length: count }, (_, i) => ({ kpi: daily.key, period: addDays('2001-01-01', i), value: i })),
      'import',
    );
    const viewer = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const rows = parseCsv((await viewer.get(`/o/${org.slug}/kpis/measurements.csv`)).body.slice(1)).slice(1);
    expect(rows).toHaveLength(count);
    expect(rows.map((r) => Number(r[2]))).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(rows.at(-1)?.[1]).toBe(addDays('2001-01-01', count - 1));
  });
});

describe('one KPI’s values', () => {
  it('are downloadable from the KPI page, which shows only the values since the baseline', async () => {
    const org = await makeOrganisation(t.db);
    // Baseline January 2025: 2024 is history before the plan.
    const kpi = await makeKpi(t.db, org, { key: 'take_up', name: 'Take-up' });
    await makeKpi(t.db, org, { key: 'other_kpi' });
    await recordValues(t.db, org, 'other_kpi', [['2025-01', 9]]);
    await recordValues(t.db, org, kpi.key, [
      ['2024-11', 40],
      ['2024-12', 45],
      ['2025-01', 50],
      ['2025-02', 52],
    ]);
    const viewer = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const page = (await viewer.get(`/o/${org.slug}/kpis/${kpi.key}`)).body;
    expect(page).toContain('Values since January 2025, latest first');
    expect(page).toContain('<th scope="row" class="govuk-table__header">February 2025</th>');
    expect(page).not.toContain('<th scope="row" class="govuk-table__header">December 2024</th>');
    expect(page).toMatch(/aria-label="Line chart of Take-up\. 2 values from January 2025 to February 2025/);
    expect(page).toContain('Earlier values are in the download.');
    expect(page).toContain(`href="/o/${org.slug}/kpis/${kpi.key}/measurements.csv"`);

    const download = await viewer.get(`/o/${org.slug}/kpis/${kpi.key}/measurements.csv`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-disposition']).toBe(`attachment; filename="${org.slug}-take_up-measurements-${todayUtc()}.csv"`);
    expect(parseCsv(download.body.slice(1)).map((r) => r.slice(0, 3))).toEqual([
      ['kpi', 'period', 'value'],
      ['take_up', '2024-11-01', '40'],
      ['take_up', '2024-12-01', '45'],
      ['take_up', '2025-01-01', '50'],
      ['take_up', '2025-02-01', '52'],
    ]);
    expect((await viewer.get(`/o/${org.slug}/kpis/no_such_kpi/measurements.csv`)).statusCode).toBe(404);
  });

  it('says nothing about earlier values when there are none', async () => {
    const org = await makeOrganisation(t.db);
    const kpi = await makeKpi(t.db, org);
    await recordValues(t.db, org, kpi.key, [['2025-01', 50]]);
    const viewer = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const page = (await viewer.get(`/o/${org.slug}/kpis/${kpi.key}`)).body;
    expect(page).toContain('Values, latest first');
    expect(page).not.toContain('Earlier values');
  });
});

describe('who can export', () => {
  it('is not found for another organisation’s members, and holds only the organisation’s own data', async () => {
    const s = await scenario();
    const other = await makeOrganisation(t.db);
    await makeKpi(t.db, other, { key: 'c_theirs', name: 'Their KPI' });
    await recordValues(t.db, other, 'c_theirs', [['2025-01', 1]]);
    const outsider = await signIn(t.app, await makeUser(t.db, other, 'admin'));
    for (const file of ['export.csv', 'export.xlsx', 'measurements.csv', 'measurements.xlsx', `${s.plain.key}/measurements.csv`]) {
      const response = await outsider.get(`/o/${s.org.slug}/kpis/${file}`);
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-disposition']).toBeUndefined();
    }
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    expect((await viewer.get(`/o/${s.org.slug}/kpis/export.csv`)).body).not.toContain('c_theirs');
    expect((await viewer.get(`/o/${s.org.slug}/kpis/measurements.csv`)).body).not.toContain('c_theirs');
  });

  it('sends people who are not signed in to sign in, and links the downloads from the KPI list', async () => {
    const s = await scenario();
    const anonymous = await t.app.inject({ method: 'GET', url: `/o/${s.org.slug}/kpis/measurements.csv` });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/sign-in/);
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const list = (await viewer.get(`/o/${s.org.slug}/kpis`)).body;
    for (const file of ['export.csv', 'export.xlsx', 'measurements.csv', 'measurements.xlsx']) expect(list).toContain(`href="/o/${s.org.slug}/kpis/${file}"`);
  });
});
