import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { testDatabaseKind } from '../../../test/support/db.ts';
import { makeOrganisation, makeToken } from '../../../test/support/factories.ts';
import { makeKpi, recordValues, uniqueKpiKey } from '../../../test/support/kpi-factories.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { addDays, lastExpectedPeriod, periodsBetween } from './periods.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

function api(token: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...headers },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

async function writerOfNewOrg(): Promise<{ org: Organisation; token: string }> {
  const org = await makeOrganisation(t.db);
  return { org, token: await makeToken(t.db, org, 'read,write') };
}

async function countRows(table: 'kpi' | 'measurement' | 'audit_event', org: Organisation): Promise<number> {
  const row = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', org.id)
    .executeTakeFirstOrThrow();
  return row.n;
}

function newKpiBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key: uniqueKpiKey(),
    name: 'Completion rate',
    definition: 'Completed divided by started',
    unit: '%',
    polarity: 'higher_is_better',
    frequency: 'monthly',
    baseline: { value: 60, date: '2025-01-01' },
    target: { value: 90, date: '2028-01-01' },
    tolerance: 10,
    ...overrides,
  };
}

function errorFields(response: LightMyRequestResponse): string[] {
  return (response.json<{ errors?: { field: string }[] }>().errors ?? []).map((e) => e.field).sort();
}

describe('creating a KPI through the API', () => {
  it('creates it with 201, an ETag and the documented JSON names', async () => {
    const { token } = await writerOfNewOrg();
    const body = newKpiBody({ category: 'service_kpi', isPublic: true });
    const response = await api(token, 'POST', '/api/v1/kpis', body);
    expect(response.statusCode).toBe(201);
    expect(response.headers.etag).toMatch(/^"[0-9a-f-]{36}\.1"$/);
    expect(response.headers.location).toBe(`/api/v1/kpis/${String(body.key)}`);
    expect(response.json()).toEqual({
      key: body.key,
      name: 'Completion rate',
      definition: 'Completed divided by started',
      unit: '%',
      polarity: 'higher_is_better',
      frequency: 'monthly',
      baseline: { value: 60, date: '2025-01-01' },
      target: { value: 90, date: '2028-01-01' },
      tolerance: 10,
      ownerId: null,
      category: 'service_kpi',
      formula: null,
      objectiveIds: [],
      isPublic: true,
      status: expect.any(String) as string,
      statusReason: expect.stringMatching(/^No data yet/) as string,
      latest: null,
      planned: null,
      forecast: null,
    });
  });

  it('reports every bad field at once and writes nothing', async () => {
    const { org, token } = await writerOfNewOrg();
    const eventsBefore = await countRows('audit_event', org);
    const response = await api(token, 'POST', '/api/v1/kpis', {
      key: 'Bad Key',
      name: ' ',
      polarity: 'sideways',
      frequency: 'hourly',
      baseline: { value: 1, date: '2026-02-30' },
      target: { value: 2, date: '2025-01-01' },
      tolerance: 150,
      category: 'nonsense',
      ownerId: 'not-a-user',
    });
    expect(response.statusCode).toBe(400);
    expect(errorFields(response)).toEqual(['/baseline/date', '/category', '/frequency', '/key', '/name', '/ownerId', '/polarity', '/tolerance'].sort());
    const messages = JSON.stringify(response.json());
    expect(messages).toContain('Key must start with a lowercase letter');
    expect(messages).toContain('Tolerance must be a number from 0 to 100');
    expect(await countRows('kpi', org)).toBe(0);
    expect(await countRows('audit_event', org)).toBe(eventsBefore);
  });

  it('refuses a target date on or before the baseline date, and a key already used', async () => {
    const { org, token } = await writerOfNewOrg();
    const early = await api(token, 'POST', '/api/v1/kpis', newKpiBody({ target: { value: 90, date: '2024-12-31' } }));
    expect(early.statusCode).toBe(400);
    expect(errorFields(early)).toEqual(['/target/date']);
    expect(JSON.stringify(early.json())).toContain('Target date must be after the baseline date');

    const body = newKpiBody();
    expect((await api(token, 'POST', '/api/v1/kpis', body)).statusCode).toBe(201);
    const again = await api(token, 'POST', '/api/v1/kpis', body);
    expect(again.statusCode).toBe(400);
    expect(JSON.stringify(again.json())).toContain(`A KPI with the key ${String(body.key)} already exists`);
    expect(await countRows('kpi', org)).toBe(1);
  });

  it('refuses an owner who is not a member and objectives of another organisation', async () => {
    const { token } = await writerOfNewOrg();
    const response = await api(
      token,
      'POST',
      '/api/v1/kpis',
      newKpiBody({ ownerId: '11111111-1111-4111-8111-111111111111', objectiveIds: ['00000000-0000-4000-8000-000000000000'] }),
    );
    expect(response.statusCode).toBe(400);
    expect(errorFields(response)).toEqual(['/objectiveIds', '/ownerId']);
  });

  it('gives a read-scope token 403 on every write', async () => {
    const org = await makeOrganisation(t.db);
    const reader = await makeToken(t.db, org, 'read');
    const kpi = await makeKpi(t.db, org);
    expect((await api(reader, 'POST', '/api/v1/kpis', newKpiBody())).statusCode).toBe(403);
    expect((await api(reader, 'PUT', `/api/v1/kpis/${kpi.key}`, newKpiBody(), { 'if-match': '*' })).statusCode).toBe(403);
    expect((await api(reader, 'DELETE', `/api/v1/kpis/${kpi.key}`, undefined, { 'if-match': '*' })).statusCode).toBe(403);
    expect((await api(reader, 'POST', `/api/v1/kpis/${kpi.key}/measurements`, { period: '2026-01', value: 1 })).statusCode).toBe(403);
    expect((await api(reader, 'POST', '/api/v1/measurements/batch', { measurements: [] })).statusCode).toBe(403);
    expect((await api(reader, 'GET', `/api/v1/kpis/${kpi.key}`)).statusCode).toBe(200);
    expect(await countRows('kpi', org)).toBe(1);
  });
});

describe('reading KPIs', () => {
  it('returns status, reason, latest, planned and forecast for a KPI with data', async () => {
    const { org, token } = await writerOfNewOrg();
    const today = new Date().toISOString().slice(0, 10);
    const baselineDate = addDays(today, -730);
    const kpi = await makeKpi(t.db, org, {
      baseline: { value: 50, date: baselineDate },
      target: { value: 80, date: addDays(today, 730) },
    });
    const last = lastExpectedPeriod(today, 'monthly');
    const periods = periodsBetween(addDays(baselineDate, 31), last, 'monthly');
    // Comfortably ahead of a plan that climbs 30 points over four years.
    await recordValues(t.db, org, kpi.key, periods.map((period, i) => [period, 60 + i * 0.75] as const));

    const response = await api(token, 'GET', `/api/v1/kpis/${kpi.key}`);
    expect(response.statusCode).toBe(200);
    const json = response.json<Record<string, unknown>>();
    expect(json.status).toBe('on_track');
    expect(json.statusReason).toMatch(/^On track: .*% in .* against a planned .*%$/);
    expect(json.latest).toEqual({ period: last, value: 60 + (periods.length - 1) * 0.75 });
    expect(typeof json.planned).toBe('number');
    expect(json.forecast).toEqual({
      value: expect.any(Number) as number,
      low: expect.any(Number) as number,
      high: expect.any(Number) as number,
      meetsTarget: 'yes',
    });
  });

  it('lists KPIs a page at a time with a capped page size', async () => {
    const { org, token } = await writerOfNewOrg();
    for (let i = 0; i < 3; i++) await makeKpi(t.db, org, { name: `KPI ${i}` });
    const first = await api(token, 'GET', '/api/v1/kpis?pageSize=2');
    expect(first.statusCode).toBe(200);
    const page = first.json<{ items: { name: string }[]; page: number; pageSize: number; total: number }>();
    expect(page).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(page.items.map((i) => i.name)).toEqual(['KPI 0', 'KPI 1']);
    const second = (await api(token, 'GET', '/api/v1/kpis?page=2&pageSize=2')).json<{ items: unknown[] }>();
    expect(second.items).toHaveLength(1);
    expect((await api(token, 'GET', '/api/v1/kpis?pageSize=5000')).json<{ pageSize: number }>().pageSize).toBe(200);
  });

  it('keeps each organisation to its own KPIs, even with the same key', async () => {
    const a = await writerOfNewOrg();
    const b = await writerOfNewOrg();
    const key = uniqueKpiKey('shared');
    await makeKpi(t.db, a.org, { key, name: 'A’s KPI' });
    const onlyA = await makeKpi(t.db, a.org, { name: 'Only in A' });
    await makeKpi(t.db, b.org, { key, name: 'B’s KPI' });
    expect((await api(a.token, 'GET', `/api/v1/kpis/${key}`)).json()).toMatchObject({ name: 'A’s KPI' });
    expect((await api(b.token, 'GET', `/api/v1/kpis/${key}`)).json()).toMatchObject({ name: 'B’s KPI' });
    for (const [method, url] of [
      ['GET', `/api/v1/kpis/${onlyA.key}`],
      ['GET', `/api/v1/kpis/${onlyA.key}/measurements`],
      ['POST', `/api/v1/kpis/${onlyA.key}/measurements`],
      ['PUT', `/api/v1/kpis/${onlyA.key}`],
      ['DELETE', `/api/v1/kpis/${onlyA.key}`],
    ] as const) {
      const payload = method === 'POST' ? { period: '2026-01', value: 1 } : method === 'PUT' ? newKpiBody() : undefined;
      expect((await api(b.token, method, url, payload, { 'if-match': '*' })).statusCode, `${method} ${url}`).toBe(404);
    }
    const batch = await api(b.token, 'POST', '/api/v1/measurements/batch', { measurements: [{ kpi: onlyA.key, period: '2026-01', value: 1 }] });
    expect(batch.statusCode).toBe(400);
    expect(batch.json<{ errors: { message: string }[] }>().errors[0]?.message).toContain(`There is no KPI with the key "${onlyA.key}"`);
    expect(await countRows('measurement', a.org)).toBe(0);
    const list = (await api(b.token, 'GET', '/api/v1/kpis')).json<{ items: { name: string }[] }>();
    expect(list.items.map((i) => i.name)).toEqual(['B’s KPI']);
  });
});

describe('changing and deleting a KPI', () => {
  it('needs If-Match: missing → 428, stale → 412, current → 200 with a new ETag', async () => {
    const { token } = await writerOfNewOrg();
    const body = newKpiBody();
    const created = await api(token, 'POST', '/api/v1/kpis', body);
    const etag = String(created.headers.etag);
    const url = `/api/v1/kpis/${String(body.key)}`;
    const change = { ...body, name: 'Renamed' };
    expect((await api(token, 'PUT', url, change)).statusCode).toBe(428);
    const ok = await api(token, 'PUT', url, change, { 'if-match': etag });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'Renamed' });
    expect(ok.headers.etag).not.toBe(etag);
    const stale = await api(token, 'PUT', url, { ...body, name: 'Lost update' }, { 'if-match': etag });
    expect(stale.statusCode).toBe(412);
    expect(stale.json<{ code: string }>().code).toBe('precondition_failed');
    expect((await api(token, 'GET', url)).json()).toMatchObject({ name: 'Renamed' });
    expect((await api(token, 'DELETE', url)).statusCode).toBe(428);
    expect((await api(token, 'DELETE', url, undefined, { 'if-match': etag })).statusCode).toBe(412);
    expect((await api(token, 'DELETE', url, undefined, { 'if-match': String(ok.headers.etag) })).statusCode).toBe(204);
    expect((await api(token, 'GET', url)).statusCode).toBe(404);
  });

  it('refuses to change the key', async () => {
    const { token } = await writerOfNewOrg();
    const body = newKpiBody();
    const created = await api(token, 'POST', '/api/v1/kpis', body);
    const response = await api(token, 'PUT', `/api/v1/kpis/${String(body.key)}`, { ...body, key: 'another_key' }, { 'if-match': String(created.headers.etag) });
    expect(response.statusCode).toBe(400);
    expect(errorFields(response)).toEqual(['/key']);
  });
});

describe('recording measurements through the API', () => {
  it('creates with 201, updates with 200, reads back with source api', async () => {
    const { org, token } = await writerOfNewOrg();
    const kpi = await makeKpi(t.db, org);
    const url = `/api/v1/kpis/${kpi.key}/measurements`;
    const first = await api(token, 'POST', url, { period: '2026-03-15', value: 61.5, note: 'From the service dashboard' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ period: '2026-03-01', value: 61.5, note: 'From the service dashboard', source: 'api' });
    const second = await api(token, 'POST', url, { period: '2026-03', value: 62 });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ period: '2026-03-01', value: 62, note: null, source: 'api' });
    const list = await api(token, 'GET', url);
    expect(list.json()).toEqual({ items: [{ period: '2026-03-01', value: 62, note: null, source: 'api' }], page: 1, pageSize: 50, total: 1 });
    const bad = await api(token, 'POST', url, { period: '2026-Q1', value: 1 });
    expect(bad.statusCode).toBe(400);
    expect(errorFields(bad)).toEqual(['/period']);
  });

  it('lists values a capped page at a time and reads one period', async () => {
    const { org, token } = await writerOfNewOrg();
    const kpi = await makeKpi(t.db, org);
    await recordValues(t.db, org, kpi.key, periodsBetween('2020-01-01', '2026-12-01', 'monthly').map((p, i) => [p, i]));
    const url = `/api/v1/kpis/${kpi.key}/measurements`;
    const second = (await api(token, 'GET', `${url}?page=2&pageSize=30`)).json<{ items: { period: string }[]; page: number; pageSize: number; total: number }>();
    expect(second).toMatchObject({ page: 2, pageSize: 30, total: 84 });
    expect(second.items.map((m) => m.period).slice(0, 2)).toEqual(['2022-07-01', '2022-08-01']);
    expect((await api(token, 'GET', `${url}?pageSize=100000`)).json<{ pageSize: number }>().pageSize).toBe(200);

    expect((await api(token, 'GET', `${url}/2026-03`)).json()).toEqual({ period: '2026-03-01', value: 74, note: null, source: 'import' });
    expect((await api(token, 'GET', `${url}/2019-03-01`)).statusCode).toBe(404);
    const bad = await api(token, 'GET', `${url}/March`);
    expect(bad.statusCode).toBe(400);
    expect(errorFields(bad)).toEqual(['/period']);
  });

  it('deletes a value recorded by mistake, with its derived values, keeping it in the audit trail', async () => {
    const { org, token } = await writerOfNewOrg();
    const digital = await makeKpi(t.db, org);
    const all = await makeKpi(t.db, org);
    await recordValues(t.db, org, digital.key, [['2026-01', 30], ['2026-02', 40]]);
    await recordValues(t.db, org, all.key, [['2026-01', 60], ['2026-02', 80]]);
    const derivedKey = uniqueKpiKey('share');
    expect((await api(token, 'POST', '/api/v1/kpis', newKpiBody({ key: derivedKey, formula: `100 * {${digital.key}} / {${all.key}}` }))).statusCode).toBe(201);

    const reader = await makeToken(t.db, org, 'read');
    expect((await api(reader, 'DELETE', `/api/v1/kpis/${digital.key}/measurements/2026-02-01`)).statusCode).toBe(403);
    expect((await api(token, 'DELETE', `/api/v1/kpis/${derivedKey}/measurements/2026-02-01`)).statusCode).toBe(400);
    expect((await api(token, 'DELETE', `/api/v1/kpis/${digital.key}/measurements/2025-02-01`)).statusCode).toBe(404);
    const measurementsBefore = await countRows('measurement', org);

    expect((await api(token, 'DELETE', `/api/v1/kpis/${digital.key}/measurements/2026-02-01`)).statusCode).toBe(204);
    expect(await countRows('measurement', org)).toBe(measurementsBefore - 2);
    expect((await api(token, 'GET', `/api/v1/kpis/${derivedKey}/measurements`)).json<{ items: { period: string }[] }>().items.map((m) => m.period)).toEqual(['2026-01-01']);
    const event = await t.db
      .selectFrom('audit_event')
      .select(['before', 'after'])
      .where('organisation_id', '=', org.id)
      .where('action', '=', 'measurement.deleted')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ before: { kpi: digital.key, period: '2026-02-01', value: 40, note: null, source: 'import' }, after: null });
    expect((await api(token, 'DELETE', `/api/v1/kpis/${digital.key}/measurements/2026-02-01`)).statusCode).toBe(404);
  });

  it('keeps the previous value in the audit trail and records nothing when the same value comes again', async () => {
    const { org, token } = await writerOfNewOrg();
    const kpi = await makeKpi(t.db, org);
    const url = `/api/v1/kpis/${kpi.key}/measurements`;
    await api(token, 'POST', url, { period: '2026-01', value: 10 });
    await api(token, 'POST', url, { period: '2026-01', value: 12 });
    const events = await t.db
      .selectFrom('audit_event')
      .select(['action', 'before', 'after'])
      .where('organisation_id', '=', org.id)
      .where('action', '=', 'measurement.recorded')
      .orderBy('id')
      .execute();
    expect(events).toHaveLength(2);
    expect(events[1]?.before).toMatchObject({ period: '2026-01-01', value: 10 });
    expect(events[1]?.after).toMatchObject({ period: '2026-01-01', value: 12 });
    const before = await countRows('audit_event', org);
    const again = await api(token, 'POST', url, { period: '2026-01-01', value: 12 });
    expect(again.statusCode).toBe(200);
    expect(await countRows('audit_event', org)).toBe(before);
  });

  it('records a batch all or nothing, listing every bad row by index', async () => {
    const { org, token } = await writerOfNewOrg();
    const kpi = await makeKpi(t.db, org);
    const bad = await api(token, 'POST', '/api/v1/measurements/batch', {
      measurements: [
        { kpi: kpi.key, period: '2026-01', value: 1 },
        { kpi: kpi.key, period: '2026-13', value: 2 },
        { kpi: 'no_such_kpi', period: '2026-02', value: 3 },
        { kpi: kpi.key, period: '2026-01-20', value: 4 },
        { kpi: kpi.key, period: '2026-04', value: 5, note: 'x'.repeat(1001) },
      ],
    });
    expect(bad.statusCode).toBe(400);
    expect(errorFields(bad)).toEqual(['/measurements/1/period', '/measurements/2/kpi', '/measurements/3/period', '/measurements/4/note']);
    expect(JSON.stringify(bad.json())).toContain('Measurement 0 already gives');
    expect(await countRows('measurement', org)).toBe(0);

    const schemaBad = await api(token, 'POST', '/api/v1/measurements/batch', { measurements: [{ kpi: kpi.key, period: '2026-01' }] });
    expect(schemaBad.statusCode).toBe(400);
    expect(errorFields(schemaBad)).toEqual(['/measurements/0/value']);

    const rows = [
      { kpi: kpi.key, period: '2026-01', value: 1 },
      { kpi: kpi.key, period: '2026-02', value: 2 },
    ];
    expect((await api(token, 'POST', '/api/v1/measurements/batch', { measurements: rows })).json()).toEqual({ created: 2, updated: 0, unchanged: 0 });
    const events = await countRows('audit_event', org);
    expect((await api(token, 'POST', '/api/v1/measurements/batch', { measurements: rows })).json()).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(await countRows('audit_event', org)).toBe(events);
    const changed = [{ ...rows[0], value: 1.5 }, rows[1]];
    expect((await api(token, 'POST', '/api/v1/measurements/batch', { measurements: changed })).json()).toEqual({ created: 0, updated: 1, unchanged: 1 });
  });

  it.skipIf(testDatabaseKind() !== 'postgres')('stores one row for 10 concurrent upserts of one KPI and period, with no 500', async () => {
    const { org, token } = await writerOfNewOrg();
    const kpi = await makeKpi(t.db, org);
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => api(token, 'POST', `/api/v1/kpis/${kpi.key}/measurements`, { period: '2026-05', value: 42 })),
    );
    const codes = responses.map((r) => r.statusCode).sort();
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.every((c) => c === 200 || c === 201)).toBe(true);
    expect(await countRows('measurement', org)).toBe(1);

    const different = await Promise.all(
      Array.from({ length: 10 }, (_, i) => api(token, 'POST', `/api/v1/kpis/${kpi.key}/measurements`, { period: '2026-06', value: i })),
    );
    expect(different.every((r) => r.statusCode === 200 || r.statusCode === 201)).toBe(true);
    expect(await countRows('measurement', org)).toBe(2);
  });
});

describe('derived KPIs', () => {
  it('rejects unknown references and circular ones with a clear message', async () => {
    const { org, token } = await writerOfNewOrg();
    const a = await makeKpi(t.db, org);
    const unknown = await api(token, 'POST', '/api/v1/kpis', newKpiBody({ formula: `{${a.key}} + {nowhere}` }));
    expect(unknown.statusCode).toBe(400);
    expect(errorFields(unknown)).toEqual(['/formula']);
    expect(JSON.stringify(unknown.json())).toContain('Unknown KPI \\"{nowhere}\\"');

    const bKey = uniqueKpiKey('b');
    expect((await api(token, 'POST', '/api/v1/kpis', newKpiBody({ key: bKey, formula: `2 * {${a.key}}` }))).statusCode).toBe(201);
    const current = await api(token, 'GET', `/api/v1/kpis/${a.key}`);
    const cycle = await api(
      token,
      'PUT',
      `/api/v1/kpis/${a.key}`,
      { ...newKpiBody(), key: a.key, formula: `{${bKey}} + 1` },
      { 'if-match': String(current.headers.etag) },
    );
    expect(cycle.statusCode).toBe(400);
    expect(JSON.stringify(cycle.json())).toMatch(new RegExp(`Circular reference: (${a.key} → ${bKey} → ${a.key}|${bKey} → ${a.key} → ${bKey})`));
    const self = await api(token, 'POST', '/api/v1/kpis', newKpiBody({ key: 'selfish', formula: '{selfish} * 2' }));
    expect(JSON.stringify(self.json())).toContain('Circular reference: selfish → selfish');
  });

  it('computes values per period, skips division by zero, recomputes when an input changes and refuses manual values', async () => {
    const { org, token } = await writerOfNewOrg();
    const digital = await makeKpi(t.db, org, { name: 'Digital transactions', unit: '' });
    const all = await makeKpi(t.db, org, { name: 'All transactions', unit: '' });
    await recordValues(t.db, org, digital.key, [
      ['2026-01', 30],
      ['2026-02', 40],
      ['2026-03', 5],
    ]);
    await recordValues(t.db, org, all.key, [
      ['2026-01', 60],
      ['2026-02', 0],
    ]);
    const key = uniqueKpiKey('take_up');
    const created = await api(token, 'POST', '/api/v1/kpis', newKpiBody({ key, formula: `100 * {${digital.key}} / {${all.key}}` }));
    expect(created.statusCode).toBe(201);
    const url = `/api/v1/kpis/${key}/measurements`;
    expect((await api(token, 'GET', url)).json<{ items: unknown[] }>().items).toEqual([{ period: '2026-01-01', value: 50, note: null, source: 'formula' }]);

    // An input changes: the derived value follows, in the same transaction.
    await api(token, 'POST', `/api/v1/kpis/${digital.key}/measurements`, { period: '2026-01', value: 45 });
    await api(token, 'POST', `/api/v1/kpis/${all.key}/measurements`, { period: '2026-02', value: 80 });
    await api(token, 'POST', `/api/v1/kpis/${all.key}/measurements`, { period: '2026-03', value: 10 });
    expect((await api(token, 'GET', url)).json<{ items: unknown[] }>().items).toEqual([
      { period: '2026-01-01', value: 75, note: null, source: 'formula' },
      { period: '2026-02-01', value: 50, note: null, source: 'formula' },
      { period: '2026-03-01', value: 50, note: null, source: 'formula' },
    ]);
    // A zero denominator later removes that period's value rather than failing.
    await recordValues(t.db, org, all.key, [['2026-03', 0]]);
    expect((await api(token, 'GET', url)).json<{ items: unknown[] }>().items.length).toBe(2);

    const manual = await api(token, 'POST', url, { period: '2026-04', value: 1 });
    expect(manual.statusCode).toBe(400);
    expect(JSON.stringify(manual.json())).toContain('is calculated from its formula');

    // Inputs cannot be deleted while the formula uses them.
    const input = await api(token, 'GET', `/api/v1/kpis/${all.key}`);
    const refused = await api(token, 'DELETE', `/api/v1/kpis/${all.key}`, undefined, { 'if-match': String(input.headers.etag) });
    expect(refused.statusCode).toBe(409);
    expect(JSON.stringify(refused.json())).toContain(`the formula of {${key}} uses it`);
  });
});
