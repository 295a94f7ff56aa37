import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { expectedPeriodLabel, makeKpiWithStatus, plannedForExpected } from '../../../test/support/status-factories.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import { listKpisWithStatus } from '../kpis/kpis.service.ts';
import { getDashboard } from './dashboard.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

/** The HTML of the table with this id. */
function table(html: string, id: string): string {
  const start = html.indexOf(`<table class="govuk-table" id="${id}">`);
  if (start < 0) return '';
  return html.slice(start, html.indexOf('</table>', start));
}

/** The text of each body row of a table, tags stripped. */
function rows(tableHtml: string): string[] {
  const body = tableHtml.slice(tableHtml.indexOf('<tbody'));
  return body
    .split(/<tr class="govuk-table__row"[^>]*>/)
    .slice(1)
    .map((r) => r.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
}

async function scenario() {
  const org = await makeOrganisation(t.db);
  const ann = await makeUser(t.db, org, 'contributor');
  // Owners' names sort Ann before Bob ("Test contributor" < "Test manager").
  const bob = await makeUser(t.db, org, 'manager');
  const strategy = await makeStrategy(t.db, org, { title: 'Digital by default', status: 'published' });
  const goal = await makeGoal(t.db, org, strategy, { title: 'Services people prefer' });
  const good = await makeObjective(t.db, org, goal, { title: 'Online first', ownerId: ann.id });
  const bad = await makeObjective(t.db, org, goal, { title: 'Everyone online', ownerId: bob.id });
  const wobbly = await makeObjective(t.db, org, goal, { title: 'Faster answers' });
  const planned = plannedForExpected();
  // Distance baseline → target is 30 points: a 6-point move is 20% of it.
  const rising = await makeKpiWithStatus(t.db, org, 'on_track', { name: 'Rising fast', previous: planned - 5, latest: planned + 1, objectiveIds: [good.id] });
  await makeKpiWithStatus(t.db, org, 'on_track', { name: 'Rising slowly', previous: planned, latest: planned + 1.5 });
  const falling = await makeKpiWithStatus(t.db, org, 'off_track', { name: 'Falling', previous: planned + 2, latest: planned - 10, objectiveIds: [bad.id] });
  await makeKpiWithStatus(t.db, org, 'at_risk', { name: 'Slipping', objectiveIds: [wobbly.id, good.id] });
  const late = await makeKpiWithStatus(t.db, org, 'overdue', { name: 'Late figures', ownerId: bob.id });
  const empty = await makeKpiWithStatus(t.db, org, 'no_data', { name: 'Never recorded', ownerId: ann.id });
  return { org, ann, bob, strategy, good, bad, wobbly, rising, falling, late, empty };
}

describe('the organisation dashboard', () => {
  it('counts the KPIs by status, each count linking to the KPI list filtered by it', async () => {
    const s = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const page = await viewer.get(`/o/${s.org.slug}`);
    expect(page.statusCode).toBe(200);
    const counts = table(page.body, 'status-counts');
    expect(counts).toContain('6 KPIs by status');
    expect(rows(counts)).toEqual(['On track 2 KPIs on track', 'At risk 1 KPI at risk', 'Off track 1 KPI off track', 'No data 1 KPI no data', 'Overdue 1 KPI overdue']);
    for (const status of ['on_track', 'at_risk', 'off_track', 'no_data', 'overdue']) expect(counts).toContain(`href="/o/${s.org.slug}/kpis?status=${status}"`);

    // Following a count shows exactly the KPIs it counted.
    const onTrack = await viewer.get(`/o/${s.org.slug}/kpis?status=on_track`);
    expect(onTrack.statusCode).toBe(200);
    expect(onTrack.body).toContain('Showing the 2 KPIs with the status on track.');
    expect(onTrack.body).toContain('Rising fast');
    expect(onTrack.body).toContain('Rising slowly');
    expect(onTrack.body).not.toContain('Falling');
    const none = await viewer.get(`/o/${s.org.slug}/kpis?status=bogus`);
    expect(none.body).toContain('6 KPIs</caption>');
  });

  it('lists what is overdue and whose it is, with the period expected', async () => {
    const s = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const html = (await viewer.get(`/o/${s.org.slug}`)).body;
    const overdue = rows(table(html, 'overdue'));
    const expected = expectedPeriodLabel();
    // By owner: Ann's KPI that never had a value, then Bob's that stopped.
    expect(overdue).toHaveLength(2);
    expect(overdue[0]).toBe(`Never recorded ${expected} No value yet ${s.ann.name}`);
    expect(overdue[1]).toMatch(new RegExp(`^Late figures ${expected} [\\d.]+% \\(\\w+ \\d{4}\\) ${s.bob.name}$`));
    expect(html).toContain('2 KPIs are missing the value for the last period that should have one by now');

    const missing = await viewer.get(`/o/${s.org.slug}/kpis?overdue=yes`);
    expect(missing.body).toContain('Showing the 2 KPIs missing their last expected value.');
  });

  it('shows the biggest movers relative to the distance to target, improving and worsening', async () => {
    const s = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const html = (await viewer.get(`/o/${s.org.slug}`)).body;
    const improving = rows(table(html, 'improving'));
    expect(improving.map((r) => r.split(' ').slice(0, 2).join(' '))).toEqual(['Rising fast', 'Rising slowly']);
    expect(improving[0]).toContain('+6% 20% of the distance from baseline to target gained');
    expect(improving[1]).toContain('+1.5% 5% of the distance from baseline to target gained');
    const worsening = rows(table(html, 'worsening'));
    expect(worsening).toHaveLength(1);
    expect(worsening[0]).toContain('Falling');
    expect(worsening[0]).toContain('−12% 40% of the distance from baseline to target lost');
    expect(worsening[0]).toContain('Off track');
  });

  it('lists the objectives at risk or off track from the roll-up, worst first', async () => {
    const s = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const html = (await viewer.get(`/o/${s.org.slug}`)).body;
    const objectives = table(html, 'objectives-at-risk');
    expect(rows(objectives)).toEqual([
      `Everyone online Services people prefer Digital by default ${s.bob.name} Off track 0 of 1 KPI on track; 1 off track`,
      // One on track and one at risk score 0.75: at risk.
      `Online first Services people prefer Digital by default ${s.ann.name} At risk 1 of 2 KPIs on track; 1 at risk`,
      'Faster answers Services people prefer Digital by default No owner At risk 0 of 1 KPI on track; 1 at risk',
    ]);
    expect(objectives).toContain(`href="/o/${s.org.slug}/strategy/${s.strategy.id}/thread#objective-${s.bad.id}"`);
  });

  it('agrees with the KPI list, in a fixed number of queries however many KPIs there are', async () => {
    const s = await scenario();
    let queries = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        queries += 1;
        return args.node;
      },
      transformResult: (args) => Promise.resolve(args.result),
    };
    const dashboard = await getDashboard(t.db.withPlugin(counting), cliOperator(), s.org.id);
    const forSix = queries;
    const kpis = await listKpisWithStatus(t.db, cliOperator(), s.org.id);
    for (let i = 0; i < 10; i++) await makeKpiWithStatus(t.db, s.org, 'on_track', { objectiveIds: [s.good.id] });
    queries = 0;
    await getDashboard(t.db.withPlugin(counting), cliOperator(), s.org.id);
    expect(queries).toBe(forSix);
    // KPIs and their values, strategy trees and KPI links, the projects (four queries) for the delivery section, and the open risks (one query) for the top risks.
    expect(forSix).toBeLessThanOrEqual(13);
    expect(dashboard.kpiCount).toBe(kpis.length);
    expect(dashboard.counts).toEqual({ on_track: 2, at_risk: 1, off_track: 1, no_data: 1, overdue: 1 });
    expect(dashboard.overdue.map((k) => k.key).sort()).toEqual([s.late.key, s.empty.key].sort());
    expect(dashboard.strategies).toEqual([expect.objectContaining({ id: s.strategy.id, title: 'Digital by default' })]);
  });

  it('says so when there are no KPIs or strategies yet, and leaves other organisations’ KPIs out', async () => {
    const org = await makeOrganisation(t.db);
    const other = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const html = (await viewer.get(`/o/${org.slug}`)).body;
    expect(html).toContain('There are no KPIs yet.');
    expect(html).toContain('There is no strategy yet.');
    expect(html).not.toContain(other.rising.name);
    const outsider = await signIn(t.app, await makeUser(t.db, org, 'admin'));
    expect((await outsider.get(`/o/${other.org.slug}`)).statusCode).toBe(404);
  });
});
