import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeBenefit, makeProject } from '../../../test/support/delivery-factories.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeKpi, recordValues } from '../../../test/support/kpi-factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { deleteBenefit, updateBenefit } from './benefits.service.ts';
import { deleteProject } from './delivery.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

async function values(org: Organisation, kpiId: string) {
  return t.db
    .selectFrom('measurement')
    .select(['period', 'value', 'source'])
    .where('organisation_id', '=', org.id)
    .where('kpi_id', '=', kpiId)
    .orderBy('period')
    .execute();
}

describe('benefits feeding a KPI', () => {
  it('sums realised cash savings per period into the KPI, and follows every change', async () => {
    const org = await makeOrganisation(t.db);
    const savings = await makeKpi(t.db, org, {
      key: 'cost_savings',
      name: 'Cost savings',
      unit: '£',
      frequency: 'quarterly',
    });
    const other = await makeKpi(t.db, org, { key: 'other_savings', frequency: 'quarterly' });
    await makeKpi(t.db, org, { key: 'savings_k', frequency: 'quarterly', formula: '{cost_savings} / 1000' });
    const a = await makeProject(t.db, org);
    const b = await makeProject(t.db, org);
    const first = await makeBenefit(t.db, org, a, {
      realisedValue: '12,000.10',
      realisedOn: '2026-01-15',
      kpiId: savings.id,
    });
    await makeBenefit(t.db, org, b, {
      realisedValue: '3000.20',
      realisedOn: '2026-03-31',
      kpiId: savings.id,
    });
    await makeBenefit(t.db, org, b, { realisedValue: '500', realisedOn: '2026-04-01', kpiId: savings.id });
    await makeBenefit(t.db, org, b, { plannedValue: '99999', kpiId: savings.id });
    expect(await values(org, savings.id)).toEqual([
      { period: '2026-01-01', value: '15000.3', source: 'benefits' },
      { period: '2026-04-01', value: '500', source: 'benefits' },
    ]);
    const derived = await t.db
      .selectFrom('measurement')
      .innerJoin('kpi', 'kpi.id', 'measurement.kpi_id')
      .select(['period', 'value'])
      .where('kpi.key', '=', 'savings_k')
      .where('kpi.organisation_id', '=', org.id)
      .orderBy('period')
      .execute();
    expect(derived.map((d) => [d.period, Number(d.value)])).toEqual([
      ['2026-01-01', 15.0003],
      ['2026-04-01', 0.5],
    ]);

    // Moving a benefit to another KPI takes its saving with it.
    await updateBenefit(t.db, cliOperator(), org.id, first.id, {
      type: 'cash_saving',
      description: 'Moved',
      plannedValue: '',
      plannedOn: null,
      realisedValue: '12000.10',
      realisedOn: '2026-01-15',
      kpiId: other.id,
    });
    expect(await values(org, savings.id)).toEqual([
      { period: '2026-01-01', value: '3000.2', source: 'benefits' },
      { period: '2026-04-01', value: '500', source: 'benefits' },
    ]);
    expect(await values(org, other.id)).toEqual([
      { period: '2026-01-01', value: '12000.1', source: 'benefits' },
    ]);

    await deleteBenefit(t.db, cliOperator(), org.id, first.id);
    expect(await values(org, other.id)).toEqual([]);
    await deleteProject(t.db, cliOperator(), org.id, b.id);
    expect(await values(org, savings.id)).toEqual([]);
  });

  it('replaces a value recorded by hand for a period with savings, and leaves other periods alone', async () => {
    const org = await makeOrganisation(t.db);
    const kpi = await makeKpi(t.db, org, { frequency: 'monthly' });
    await recordValues(t.db, org, kpi.key, [
      ['2026-01', 7],
      ['2026-02', 8],
    ]);
    const project = await makeProject(t.db, org);
    await makeBenefit(t.db, org, project, { realisedValue: '100', realisedOn: '2026-02-10', kpiId: kpi.id });
    expect((await values(org, kpi.id)).map((v) => [v.period, v.value, v.source])).toEqual([
      ['2026-01-01', '7', 'import'],
      ['2026-02-01', '100', 'benefits'],
    ]);
  });

  it('refuses a benefit that cannot feed the KPI chosen, and writes nothing', async () => {
    const org = await makeOrganisation(t.db);
    const project = await makeProject(t.db, org);
    const kpi = await makeKpi(t.db, org);
    const derived = await makeKpi(t.db, org, { formula: `{${kpi.key}} * 2` });
    const refused = async (input: Parameters<typeof makeBenefit>[3]): Promise<string[]> => {
      try {
        await makeBenefit(t.db, org, project, input);
        return [];
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        return error.errors.map((e) => e.field);
      }
    };
    expect(await refused({ type: 'quality', kpiId: kpi.id })).toEqual(['kpiId']);
    expect(await refused({ kpiId: derived.id })).toEqual(['kpiId']);
    expect(await refused({ kpiId: '00000000-0000-4000-8000-000000000000' })).toEqual(['kpiId']);
    expect(await refused({ realisedValue: '10' })).toEqual(['realisedOn']);
    expect(await refused({ realisedValue: 'lots', description: '', type: 'gold' })).toEqual([
      'type',
      'description',
      'realisedValue',
    ]);
    const count = await t.db
      .selectFrom('benefit')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(0);
  });

  it('lets a manager add and change benefits from the project page', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'manager'));
    const kpi = await makeKpi(t.db, org, { name: 'Cost savings', frequency: 'monthly' });
    const project = await makeProject(t.db, org);
    const form = await client.get(`/o/${org.slug}/projects/${project.id}/benefits/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Cost savings');
    const bad = await client.postForm(`/o/${org.slug}/projects/${project.id}/benefits`, {
      type: 'quality',
      description: 'Happier residents',
      kpiId: kpi.id,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Only a cash saving can feed a KPI');
    const added = await client.postForm(`/o/${org.slug}/projects/${project.id}/benefits`, {
      type: 'cash_saving',
      description: 'Fewer printed letters',
      plannedValue: '5000',
      realisedValue: '1200',
      'realisedOn-day': '3',
      'realisedOn-month': '2',
      'realisedOn-year': '2026',
      kpiId: kpi.id,
    });
    expect(added.statusCode).toBe(303);
    const page = await client.get(`/o/${org.slug}/projects/${project.id}`);
    expect(page.body).toContain('Fewer printed letters');
    expect(await values(org, kpi.id)).toEqual([{ period: '2026-02-01', value: '1200', source: 'benefits' }]);
    const kpiPage = await client.get(`/o/${org.slug}/kpis/${kpi.key}`);
    expect(kpiPage.body).toContain('Summed from projects’ realised benefits');
  });
});
