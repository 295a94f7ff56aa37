import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeKpi, recordValues, uniqueKpiKey } from '../../../test/support/kpi-factories.ts';
import { signIn } from '../../../test/support/login.ts';
import type { Organisation } from '../organisations/organisations.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

/** The page's error summary text, or '' when there is none. */
function errorSummary(html: string): string {
  const match = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html);
  return match === null ? '' : match[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

async function measurementsOf(org: Organisation, key: string) {
  return t.db
    .selectFrom('measurement')
    .innerJoin('kpi', 'kpi.id', 'measurement.kpi_id')
    .select(['measurement.period', 'measurement.value', 'measurement.source', 'measurement.note'])
    .where('kpi.organisation_id', '=', org.id)
    .where('kpi.key', '=', key)
    .orderBy('measurement.period')
    .execute();
}

describe('the KPI list and page', () => {
  it('shows each KPI with its latest value, status and reason, owner and overdue flag to a viewer', async () => {
    const org = await makeOrganisation(t.db);
    const viewer = await makeUser(t.db, org, 'viewer');
    const kpi = await makeKpi(t.db, org, { name: 'Digital take-up', ownerId: viewer.id });
    await recordValues(t.db, org, kpi.key, [['2025-03', 52]]);
    const client = await signIn(t.app, viewer);
    const list = await client.get(`/o/${org.slug}/kpis`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('<h1 class="govuk-heading-l">KPIs</h1>');
    const row = list.body.split('<tr class="govuk-table__row">').find((r) => r.includes('Digital take-up')) ?? '';
    expect(row).toContain(`/o/${org.slug}/kpis/${kpi.key}`);
    expect(row).toContain('52% (March 2025)');
    expect(row).toContain('Overdue: no value for');
    expect(row).toContain(viewer.name);
    expect(list.body).not.toContain('Add a KPI');
  });

  it('shows the KPI page with status, forecast sentence, an accessible SVG chart and the same data in a table', async () => {
    const org = await makeOrganisation(t.db);
    const viewer = await makeUser(t.db, org, 'viewer');
    const kpi = await makeKpi(t.db, org, { name: 'Completion rate' });
    await recordValues(t.db, org, kpi.key, [
      ['2025-01', 50],
      ['2025-02', 52],
      ['2025-03', 55],
    ]);
    const client = await signIn(t.app, viewer);
    const page = await client.get(`/o/${org.slug}/kpis/${kpi.key}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1 class="govuk-heading-l">Completion rate</h1>');
    expect(page.body).toMatch(/id="status-reason">[^<]*55% in March 2025/);
    expect(page.body).toContain('id="forecast"');
    expect(page.body).toMatch(/<svg role="img" aria-label="Line chart of Completion rate\. 3 values from January 2025 to March 2025/);
    const svg = /<svg[\s\S]*?<\/svg>/.exec(page.body)?.[0] ?? '';
    expect(svg).toContain('<title>Line chart of Completion rate.');
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('style');
    expect(page.body).toContain('<th scope="row" class="govuk-table__header">February 2025</th>');
    expect(page.body).not.toContain('Record a value');
  });

  it('is not found for another organisation’s members and for unknown keys', async () => {
    const org = await makeOrganisation(t.db);
    const kpi = await makeKpi(t.db, org);
    const other = await makeOrganisation(t.db);
    const outsider = await signIn(t.app, await makeUser(t.db, other, 'admin'));
    expect((await outsider.get(`/o/${org.slug}/kpis/${kpi.key}`)).statusCode).toBe(404);
    const member = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    expect((await member.get(`/o/${org.slug}/kpis/no_such_kpi`)).statusCode).toBe(404);
    expect((await member.get(`/o/${org.slug}/kpis/Not-A-Key`)).statusCode).toBe(404);
    // Same key in another organisation resolves there, never here.
    await makeKpi(t.db, other, { key: kpi.key, name: 'Elsewhere' });
    expect((await member.get(`/o/${org.slug}/kpis/${kpi.key}`)).body).not.toContain('Elsewhere');
  });
});

describe('adding a KPI from the library', () => {
  it('prefills the form from the library entry and creates the KPI', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'manager'));
    const choose = await client.get(`/o/${org.slug}/kpis/new`);
    expect(choose.statusCode).toBe(200);
    expect(choose.body).toContain('Cost per transaction');
    expect(choose.body).toContain('Start with a blank form');
    const form = await client.get(`/o/${org.slug}/kpis/new?template=cost_per_transaction`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('value="cost_per_transaction"');
    expect(form.body).toMatch(/value="lower_is_better" checked/);
    expect(form.body).toMatch(/value="quarterly" checked/);

    const key = uniqueKpiKey('cpt');
    const created = await client.postForm(`/o/${org.slug}/kpis`, {
      key,
      name: 'Cost per transaction',
      definition: 'Total cost divided by completed transactions',
      unit: '£',
      polarity: 'lower_is_better',
      frequency: 'quarterly',
      baselineValue: '12.50',
      baselineDate: '2025-04-01',
      targetValue: '6',
      targetDate: '2028-03-31',
      tolerance: '10',
      ownerId: '',
      category: 'service_kpi',
      formula: '',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe(`/o/${org.slug}/kpis/${key}`);
    const page = await client.get(String(created.headers.location));
    expect(page.body).toContain('Cost per transaction has been added');
  });

  it('shows every problem in the error summary and keeps what was typed', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'manager'));
    const response = await client.postForm(`/o/${org.slug}/kpis`, {
      key: '9lives',
      name: 'Lives',
      polarity: '',
      frequency: 'monthly',
      baselineValue: 'lots',
      baselineDate: '2025-01-01',
      targetValue: '10',
      targetDate: '2024-01-01',
      formula: '{nowhere} * 2',
    });
    expect(response.statusCode).toBe(400);
    const summary = errorSummary(response.body);
    expect(summary).toContain('Key must start with a lowercase letter');
    expect(summary).toContain('Choose whether higher or lower values are better');
    expect(summary).toContain('Baseline value must be a number');
    expect(summary).toContain('Target date must be after the baseline date');
    expect(response.body).toContain('value="9lives"');
    expect(response.body).toContain('href="#baselineValue"');
  });

  it('is refused to viewers and contributors', async () => {
    const org = await makeOrganisation(t.db);
    for (const role of ['viewer', 'contributor'] as const) {
      const client = await signIn(t.app, await makeUser(t.db, org, role));
      expect((await client.get(`/o/${org.slug}/kpis/new`)).statusCode).toBe(403);
      expect((await client.postForm(`/o/${org.slug}/kpis`, { key: 'x', name: 'X' })).statusCode).toBe(403);
    }
  });
});

describe('recording a value on the form', () => {
  it('lets a contributor record a value, and shows errors in the summary', async () => {
    const org = await makeOrganisation(t.db);
    const kpi = await makeKpi(t.db, org, { name: 'User satisfaction' });
    const client = await signIn(t.app, await makeUser(t.db, org, 'contributor'));
    const form = await client.get(`/o/${org.slug}/kpis/${kpi.key}/measurements/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Record a value');
    expect(form.body).toContain('The month, for example 2026-03');

    const bad = await client.postForm(`/o/${org.slug}/kpis/${kpi.key}/measurements`, { period: '2026-13', value: 'high', note: '' });
    expect(bad.statusCode).toBe(400);
    const summary = errorSummary(bad.body);
    expect(summary).toContain('is not a real month');
    expect(summary).toContain('Value must be a number');
    expect(bad.body).toContain('value="2026-13"');
    expect(await measurementsOf(org, kpi.key)).toHaveLength(0);

    const good = await client.postForm(`/o/${org.slug}/kpis/${kpi.key}/measurements`, { period: '2026-03', value: '71.5', note: 'Survey of 400 users' });
    expect(good.statusCode).toBe(303);
    expect((await client.get(String(good.headers.location))).body).toContain('71.5% recorded for March 2026');
    expect(await measurementsOf(org, kpi.key)).toEqual([{ period: '2026-03-01', value: '71.5', source: 'manual', note: 'Survey of 400 users' }]);
  });

  it('refuses viewers with 403', async () => {
    const org = await makeOrganisation(t.db);
    const kpi = await makeKpi(t.db, org);
    const client = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    expect((await client.get(`/o/${org.slug}/kpis/${kpi.key}/measurements/new`)).statusCode).toBe(403);
    expect((await client.postForm(`/o/${org.slug}/kpis/${kpi.key}/measurements`, { period: '2026-03', value: '1' })).statusCode).toBe(403);
    expect(await measurementsOf(org, kpi.key)).toHaveLength(0);
  });
});

describe('deleting a value recorded by mistake', () => {
  it('lets a contributor delete a value after confirming; a bare post deletes nothing', async () => {
    const org = await makeOrganisation(t.db);
    const kpi = await makeKpi(t.db, org, { name: 'Calls answered' });
    await recordValues(t.db, org, kpi.key, [['2026-02', 80], ['2026-03', 8]]);
    const client = await signIn(t.app, await makeUser(t.db, org, 'contributor'));
    const page = await client.get(`/o/${org.slug}/kpis/${kpi.key}`);
    expect(page.body).toContain(`href="/o/${org.slug}/kpis/${kpi.key}/measurements/2026-03-01/delete"`);

    const confirm = await client.get(`/o/${org.slug}/kpis/${kpi.key}/measurements/2026-03-01/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete the value for March 2026?');
    const bare = await client.postForm(`/o/${org.slug}/kpis/${kpi.key}/measurements/2026-03-01/delete`, {});
    expect(bare.statusCode).toBe(400);
    expect(errorSummary(bare.body)).toContain('Confirm that you want to delete the value for March 2026');
    expect(await measurementsOf(org, kpi.key)).toHaveLength(2);

    const done = await client.postForm(`/o/${org.slug}/kpis/${kpi.key}/measurements/2026-03-01/delete`, { confirm: 'yes' });
    expect(done.statusCode).toBe(303);
    expect((await client.get(String(done.headers.location))).body).toContain('The value for March 2026 has been deleted');
    expect(await measurementsOf(org, kpi.key)).toEqual([{ period: '2026-02-01', value: '80', source: 'import', note: null }]);
    expect((await client.get(`/o/${org.slug}/kpis/${kpi.key}/measurements/2026-03-01/delete`)).statusCode).toBe(404);
    expect((await client.get(`/o/${org.slug}/kpis/${kpi.key}/measurements/not-a-period/delete`)).statusCode).toBe(404);
  });

  it('refuses viewers with 403 and offers them no link', async () => {
    const org = await makeOrganisation(t.db);
    const kpi = await makeKpi(t.db, org);
    await recordValues(t.db, org, kpi.key, [['2026-03', 8]]);
    const client = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    expect((await client.get(`/o/${org.slug}/kpis/${kpi.key}`)).body).not.toContain('/measurements/2026-03-01/delete');
    expect((await client.postForm(`/o/${org.slug}/kpis/${kpi.key}/measurements/2026-03-01/delete`, { confirm: 'yes' })).statusCode).toBe(403);
    expect(await measurementsOf(org, kpi.key)).toHaveLength(1);
  });
});

describe('changing and deleting on the pages', () => {
  it('lets a manager change a KPI and delete it after confirming', async () => {
    const org = await makeOrganisation(t.db);
    const kpi = await makeKpi(t.db, org, { name: 'Old name' });
    const client = await signIn(t.app, await makeUser(t.db, org, 'manager'));
    const edit = await client.get(`/o/${org.slug}/kpis/${kpi.key}/edit`);
    expect(edit.statusCode).toBe(200);
    expect(edit.body).toContain('value="Old name"');
    const changed = await client.postForm(`/o/${org.slug}/kpis/${kpi.key}/edit`, {
      version: String(kpi.version),
      name: 'New name',
      definition: kpi.definition,
      unit: kpi.unit,
      polarity: kpi.polarity,
      frequency: kpi.frequency,
      baselineValue: String(kpi.baseline.value),
      baselineDate: kpi.baseline.date,
      targetValue: String(kpi.target.value),
      targetDate: kpi.target.date,
      tolerance: '5',
      category: 'other',
    });
    expect(changed.statusCode).toBe(303);
    expect((await client.get(`/o/${org.slug}/kpis/${kpi.key}`)).body).toContain('New name');

    const confirm = await client.get(`/o/${org.slug}/kpis/${kpi.key}/delete`);
    expect(confirm.body).toContain('Delete New name?');
    expect((await client.postForm(`/o/${org.slug}/kpis/${kpi.key}/delete`, {})).statusCode).toBe(400);
    const deleted = await client.postForm(`/o/${org.slug}/kpis/${kpi.key}/delete`, { confirm: 'yes' });
    expect(deleted.statusCode).toBe(303);
    expect((await client.get(`/o/${org.slug}/kpis/${kpi.key}`)).statusCode).toBe(404);
  });
});
