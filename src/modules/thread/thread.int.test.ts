import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { makeKpiWithStatus } from '../../../test/support/status-factories.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import { ROLLUP_RULE } from '../kpis/kpis.service.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { getGoldenThread } from './thread.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

/** The text of the element with this id (tags stripped, spaces collapsed). */
function textOf(html: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</p>`).exec(html);
  return (match?.[1] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
}

/** The HTML of a section from the element with this id to the next element with `until` in its id. */
function block(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  return start < 0 ? '' : html.slice(start, start + 6000);
}

async function setLinkWeight(org: Organisation, kpiId: string, objectiveId: string, weight: number): Promise<void> {
  await sql`update kpi_objective set weight = ${weight} where organisation_id = ${org.id} and kpi_id = ${kpiId} and objective_id = ${objectiveId}`.execute(t.db);
}

/**
 * A strategy with two goals: "Services" (weight 1) with objectives "Online first" (two KPIs, the
 * on-track one weighted 3 → 0.75, at risk) and "Faster answers" (weight 3, on track) → 0.875, on
 * track; "Inclusion" (weight 1) with "Everyone online" (off track) and "Skills" (nothing linked)
 * → off track; the strategy 0.5, at risk.
 */
async function scenario() {
  const org = await makeOrganisation(t.db);
  const owner = await makeUser(t.db, org, 'contributor');
  const strategy = await makeStrategy(t.db, org, { title: 'Digital by default', status: 'published' });
  const services = await makeGoal(t.db, org, strategy, { title: 'Services people prefer' });
  const inclusion = await makeGoal(t.db, org, strategy, { title: 'Nobody left behind' });
  const online = await makeObjective(t.db, org, services, { title: 'Online first', ownerId: owner.id });
  const faster = await makeObjective(t.db, org, services, { title: 'Faster answers', weight: 3 });
  const everyone = await makeObjective(t.db, org, inclusion, { title: 'Everyone online' });
  const skills = await makeObjective(t.db, org, inclusion, { title: 'Skills for all' });
  const takeUp = await makeKpiWithStatus(t.db, org, 'on_track', { name: 'Digital take-up', objectiveIds: [online.id], ownerId: owner.id });
  const completion = await makeKpiWithStatus(t.db, org, 'off_track', { name: 'Completion rate', objectiveIds: [online.id] });
  await setLinkWeight(org, takeUp.id, online.id, 3);
  const response = await makeKpiWithStatus(t.db, org, 'on_track', { name: 'Answered in a day', objectiveIds: [faster.id] });
  const access = await makeKpiWithStatus(t.db, org, 'off_track', { name: 'Homes online', objectiveIds: [everyone.id] });
  return { org, owner, strategy, services, inclusion, online, faster, everyone, skills, takeUp, completion, response, access };
}

describe('the golden thread', () => {
  it('rolls the statuses up from KPIs with link weights to objectives, goals and the strategy', async () => {
    const s = await scenario();
    const thread = await getGoldenThread(t.db, cliOperator(), s.org.id, s.strategy.id);
    const [services, inclusion] = thread.goals;
    expect(services?.objectives.map((o) => [o.objective.title, o.rollup.status, o.rollup.score])).toEqual([
      ['Online first', 'at_risk', 0.75],
      ['Faster answers', 'on_track', 1],
    ]);
    expect(services?.objectives[0]?.items.map((i) => [i.kind, i.name, i.status, i.weight])).toEqual([
      ['kpi', 'Completion rate', 'off_track', 1],
      ['kpi', 'Digital take-up', 'on_track', 3],
    ]);
    expect(services?.rollup).toMatchObject({ status: 'on_track', score: 0.875 });
    expect(inclusion?.objectives.map((o) => o.rollup.status)).toEqual(['off_track', 'no_data']);
    expect(inclusion?.rollup).toMatchObject({ status: 'off_track', score: 0 });
    expect(thread.rollup).toMatchObject({ status: 'at_risk', score: 0.5, reason: '1 of 2 goals on track; 1 off track' });
  });

  it('shows every KPI with its status and reason, and every objective, goal and the strategy with its roll-up, to a viewer', async () => {
    const s = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const page = await viewer.get(`/o/${s.org.slug}/strategy/${s.strategy.id}/thread`);
    expect(page.statusCode).toBe(200);
    const html = page.body;
    expect(html).toContain('<h1 class="govuk-heading-l">Digital by default</h1>');
    expect(textOf(html, 'strategy-status')).toBe('1 of 2 goals on track; 1 off track');
    expect(html).toMatch(/The strategy overall<\/h2>\s*<p[^>]*><strong class="govuk-tag govuk-tag--yellow">\s*At risk\s*<\/strong>/);
    expect(textOf(html, `goal-${s.services.id}-status`)).toBe('1 of 2 objectives on track; 1 at risk');
    expect(textOf(html, `goal-${s.inclusion.id}-status`)).toBe('0 of 2 objectives on track; 1 off track; 1 with no data yet');
    expect(textOf(html, `objective-${s.online.id}-status`)).toBe('1 of 2 KPIs on track; 1 off track');
    expect(textOf(html, `objective-${s.skills.id}-status`)).toBe('No KPIs linked yet');

    const online = block(html, `objective-${s.online.id}`);
    expect(online).toContain(`owned by ${s.owner.name}`);
    expect(online).toContain('<caption class="govuk-table__caption govuk-table__caption--s">KPIs measuring Online first</caption>');
    const takeUpRow = online.split('<tr class="govuk-table__row">').find((r) => r.includes('Digital take-up')) ?? '';
    expect(takeUpRow).toContain(`href="/o/${s.org.slug}/kpis/${s.takeUp.key}"`);
    expect(takeUpRow).toContain('govuk-tag--green');
    expect(takeUpRow).toMatch(/On track: [\d.]+% in \w+ \d{4} against a planned/);
    expect(takeUpRow).toContain('>3</td>');
    const completionRow = online.split('<tr class="govuk-table__row">').find((r) => r.includes('Completion rate')) ?? '';
    expect(completionRow).toContain('govuk-tag--red');
    expect(completionRow).toContain('Off track:');

    expect(html).toContain('How status is worked out');
    const escapedRule = ROLLUP_RULE.replace(/'/g, '&#39;');
    expect(html).toContain(escapedRule);
    expect(html).toContain('No KPIs measure this objective yet.');
  });

  it('is linked from the strategy page and from the organisation overview', async () => {
    const s = await scenario();
    const viewer = await signIn(t.app, await makeUser(t.db, s.org, 'viewer'));
    const href = `/o/${s.org.slug}/strategy/${s.strategy.id}/thread`;
    expect((await viewer.get(`/o/${s.org.slug}/strategy/${s.strategy.id}`)).body).toContain(`href="${href}"`);
    expect((await viewer.get(`/o/${s.org.slug}`)).body).toContain(`href="${href}"`);
  });

  it('is not found for another organisation’s members, for another organisation’s strategy and for a made-up id', async () => {
    const s = await scenario();
    const other = await makeOrganisation(t.db);
    const otherStrategy = await makeStrategy(t.db, other, { title: 'Their strategy' });
    const outsider = await signIn(t.app, await makeUser(t.db, other, 'admin'));
    const url = `/o/${s.org.slug}/strategy/${s.strategy.id}/thread`;
    expect((await outsider.get(url)).statusCode).toBe(404);
    expect((await outsider.get(`/o/${other.slug}/strategy/${s.strategy.id}/thread`)).statusCode).toBe(404);
    const member = await signIn(t.app, await makeUser(t.db, s.org, 'admin'));
    const theirs = await member.get(`/o/${s.org.slug}/strategy/${otherStrategy.id}/thread`);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body).not.toContain('Their strategy');
    expect((await member.get(`/o/${s.org.slug}/strategy/not-an-id/thread`)).statusCode).toBe(404);
  });

  it('leaves KPIs of another organisation out, even with the same key', async () => {
    const s = await scenario();
    const other = await makeOrganisation(t.db);
    await makeKpiWithStatus(t.db, other, 'off_track', { key: s.takeUp.key, name: 'Their take-up' });
    const thread = await getGoldenThread(t.db, cliOperator(), s.org.id, s.strategy.id);
    const names = thread.goals.flatMap((g) => g.objectives.flatMap((o) => o.items.map((i) => i.name)));
    expect(names).not.toContain('Their take-up');
    expect(names).toHaveLength(4);
  });
});
