import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import type { TestClient } from '../../../test/support/client.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { createAgendaTag, getStrategyTree } from './strategy.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

async function managerOfNewOrg(): Promise<{ org: Organisation; client: TestClient }> {
  const org = await makeOrganisation(t.db);
  return { org, client: await signIn(t.app, await makeUser(t.db, org, 'manager')) };
}

function errorSummary(html: string): string {
  const match = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html);
  return match === null ? '' : match[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

/** Each error in the summary links to an element on the page, and no id is used twice. */
function expectWellFormed(html: string): void {
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  for (const [, target] of html.matchAll(/<a href="#([^"]+)"/g)) {
    if (target !== 'main-content') expect(ids, `error link #${target}`).toContain(target);
  }
  expect(html.match(/<h1[\s>]/g)?.length ?? 0).toBe(1);
}

async function strategyCount(org: Organisation): Promise<number> {
  const row = await t.db.selectFrom('strategy').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', org.id).executeTakeFirstOrThrow();
  return row.n;
}

async function auditCount(org: Organisation): Promise<number> {
  const row = await t.db.selectFrom('audit_event').select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', org.id).executeTakeFirstOrThrow();
  return row.n;
}

const dates = { 'periodStart-day': '1', 'periodStart-month': '4', 'periodStart-year': '2026', 'periodEnd-day': '31', 'periodEnd-month': '3', 'periodEnd-year': '2030' };

describe('the strategy pages', () => {
  it('lets a manager create a strategy, add tagged goals and owned objectives, order them and publish it', async () => {
    const { org, client } = await managerOfNewOrg();
    const owner = await makeUser(t.db, org, 'contributor');
    await createAgendaTag(t.db, cliOperator(), org.id, { label: 'Net zero' });

    const list = await client.get(`/o/${org.slug}/strategy`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Create a strategy');
    expect(list.body).toContain('There is no strategy yet');
    const form = await client.get(`/o/${org.slug}/strategy/new`);
    expect(form.statusCode).toBe(200);
    expectWellFormed(form.body);

    const created = await client.postForm(`/o/${org.slug}/strategy`, { title: 'Digital West Shire', vision: 'Services people prefer', ...dates });
    expect(created.statusCode).toBe(303);
    const url = String(created.headers.location);
    const page = await client.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Digital West Shire');
    expect(page.body).toContain('1 April 2026 to 31 March 2030');
    expect(page.body).toContain('Draft');
    expectWellFormed(page.body);
    const strategyId = url.split('/').at(-1) ?? '';

    const goalForm = await client.get(`${url}/goals/new`);
    expect(goalForm.body).toContain('Social inclusion and accessibility');
    expect(goalForm.body).toContain('Net zero');
    expectWellFormed(goalForm.body);
    const body = new URLSearchParams({ title: 'Greener services', description: 'Less carbon', weight: '2', _csrf: await client.csrfToken() });
    body.append('tags', 'environmental_sustainability');
    body.append('tags', 'net_zero');
    const goalPosted = await client.request({ method: 'POST', url: `${url}/goals`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
    expect(goalPosted.statusCode).toBe(303);
    expect((await client.postForm(`${url}/goals`, { title: 'Online first', weight: '1' })).statusCode).toBe(303);

    let tree = await getStrategyTree(t.db, cliOperator(), org.id, strategyId);
    const [green, online] = tree.goals;
    expect(green).toMatchObject({ title: 'Greener services', tags: ['environmental_sustainability', 'net_zero'], weight: 2, position: 1 });
    const objectiveForm = await client.get(`/o/${org.slug}/goals/${green?.id}/objectives/new`);
    expect(objectiveForm.body).toContain(owner.email);
    expectWellFormed(objectiveForm.body);
    const objective = await client.postForm(`/o/${org.slug}/goals/${green?.id}/objectives`, {
      title: 'Halve emissions',
      ownerId: owner.id,
      'dueDate-day': '31',
      'dueDate-month': '3',
      'dueDate-year': '2028',
      weight: '1',
    });
    expect(objective.statusCode).toBe(303);

    expect((await client.postForm(`/o/${org.slug}/goals/${online?.id}/move-up`, {})).statusCode).toBe(303);
    tree = await getStrategyTree(t.db, cliOperator(), org.id, strategyId);
    expect(tree.goals.map((g) => g.title)).toEqual(['Online first', 'Greener services']);
    expect(tree.goals[1]?.objectives[0]).toMatchObject({ title: 'Halve emissions', ownerId: owner.id, dueDate: '2028-03-31' });

    const shown = await client.get(url);
    expect(shown.body).toContain('<strong class="govuk-tag govuk-tag--blue">');
    expect(shown.body).toContain('Environmental sustainability');
    expect(shown.body).toContain(owner.name);
    expect(shown.body).toContain('31 March 2028');
    expectWellFormed(shown.body);

    const confirm = await client.get(`${url}/publish`);
    expect(confirm.body).toContain('Publish this strategy?');
    expectWellFormed(confirm.body);
    const published = await client.postForm(`${url}/publish`, {});
    expect(published.statusCode).toBe(303);
    const after = await client.get(url);
    expect(after.body).toContain('Strategy published');
    expect(after.body).toContain('Published');
  });

  it('shows the error summary for each bad answer and writes nothing', async () => {
    const { org, client } = await managerOfNewOrg();
    const cases: [Record<string, string>, string, string][] = [
      [{ ...dates, title: '' }, 'Enter a title for the strategy', '#title'],
      [{ ...dates, title: 'T', 'periodStart-day': '31', 'periodStart-month': '2' }, 'Enter a real date for the start date', '#periodStart'],
      [{ ...dates, title: 'T', 'periodStart-day': '', 'periodStart-month': '', 'periodStart-year': '' }, 'Enter the start date', '#periodStart'],
      [{ ...dates, title: 'T', 'periodEnd-year': '2025' }, 'The end date must be after the start date', '#periodEnd'],
    ];
    const events = await auditCount(org);
    for (const [fields, message, anchor] of cases) {
      const response = await client.postForm(`/o/${org.slug}/strategy`, fields);
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain('<title>Error: Create a strategy');
      expect(errorSummary(response.body)).toContain(message);
      expect(response.body).toContain(`href="${anchor}"`);
      expectWellFormed(response.body);
    }
    // What was typed is kept.
    const kept = await client.postForm(`/o/${org.slug}/strategy`, { ...dates, title: 'Kept title', 'periodEnd-year': '2020' });
    expect(kept.body).toContain('value="Kept title"');
    expect(kept.body).toContain('value="2020"');
    expect(await strategyCount(org)).toBe(0);
    expect(await auditCount(org)).toBe(events);

    const strategy = await makeStrategy(t.db, org);
    const goal = await makeGoal(t.db, org, strategy);
    const badGoal = await client.postForm(`/o/${org.slug}/strategy/${strategy.id}/goals`, { title: '', weight: 'lots' });
    expect(badGoal.statusCode).toBe(400);
    expect(errorSummary(badGoal.body)).toContain('Enter a title for the goal');
    expect(errorSummary(badGoal.body)).toContain('Weight must be a number');
    expectWellFormed(badGoal.body);
    const badObjective = await client.postForm(`/o/${org.slug}/goals/${goal.id}/objectives`, {
      title: 'O',
      weight: '1',
      ownerId: '00000000-0000-4000-8000-000000000000',
      'dueDate-day': '30',
      'dueDate-month': '2',
      'dueDate-year': '2027',
    });
    expect(badObjective.statusCode).toBe(400);
    expect(errorSummary(badObjective.body)).toContain('Enter a real date for the due date');
    expect(errorSummary(badObjective.body)).toContain('Choose an owner who is a member of this organisation');
    expectWellFormed(badObjective.body);
    const noAnswer = await client.postForm(`/o/${org.slug}/goals/${goal.id}/delete`, {});
    expect(noAnswer.statusCode).toBe(400);
    expect(errorSummary(noAnswer.body)).toContain('Select yes if you want to delete this goal');
    expectWellFormed(noAnswer.body);
    expect((await getStrategyTree(t.db, cliOperator(), org.id, strategy.id)).goals).toHaveLength(1);
  });

  it('keeps the earlier version of a published strategy readable after an edit', async () => {
    const { org, client } = await managerOfNewOrg();
    const strategy = await makeStrategy(t.db, org, { title: 'First words', status: 'published' });
    await makeGoal(t.db, org, strategy, { title: 'Original goal' });
    const current = await getStrategyTree(t.db, cliOperator(), org.id, strategy.id);
    const edited = await client.postForm(`/o/${org.slug}/strategy/${strategy.id}/edit`, {
      ...dates,
      title: 'Second words',
      vision: '',
      version: String(current.strategy.version),
    });
    expect(edited.statusCode).toBe(303);
    const versions = await client.get(`/o/${org.slug}/strategy/${strategy.id}/versions`);
    expect(versions.statusCode).toBe(200);
    expect(versions.body).toContain(`Version ${current.strategy.version + 1} (current)`);
    expectWellFormed(versions.body);
    const old = await client.get(`/o/${org.slug}/strategy/${strategy.id}/versions/${current.strategy.version}`);
    expect(old.statusCode).toBe(200);
    expect(old.body).toContain('First words');
    expect(old.body).toContain('Original goal');
    expect(old.body).toContain('This is an earlier version');
    expectWellFormed(old.body);
    expect((await client.get(`/o/${org.slug}/strategy/${strategy.id}`)).body).toContain('Second words');
    expect((await client.get(`/o/${org.slug}/strategy/${strategy.id}/versions/999`)).statusCode).toBe(404);
    expect((await client.get(`/o/${org.slug}/strategy/${strategy.id}/versions/abc`)).statusCode).toBe(404);

    // A form opened before someone else's change is refused, not silently applied over it.
    const stale = await client.postForm(`/o/${org.slug}/strategy/${strategy.id}/edit`, { ...dates, title: 'Third', vision: '', version: String(current.strategy.version) });
    expect(stale.statusCode).toBe(400);
    expect(errorSummary(stale.body)).toContain('Someone else changed this while you were editing');
    expect(stale.body).toContain(`name="version" value="${current.strategy.version + 1}"`);
    expectWellFormed(stale.body);
    expect((await client.get(`/o/${org.slug}/strategy/${strategy.id}`)).body).not.toContain('Third');
  });

  it('refuses to delete a published strategy and deletes a draft after a yes', async () => {
    const { org, client } = await managerOfNewOrg();
    const published = await makeStrategy(t.db, org, { status: 'published' });
    const page = await client.get(`/o/${org.slug}/strategy/${published.id}/delete`);
    expect(page.body).toContain('A published strategy cannot be deleted. Archive it instead');
    const refused = await client.postForm(`/o/${org.slug}/strategy/${published.id}/delete`, { confirm: 'yes' });
    expect(refused.statusCode).toBe(400);
    expect(await strategyCount(org)).toBe(1);

    const draft = await makeStrategy(t.db, org);
    const no = await client.postForm(`/o/${org.slug}/strategy/${draft.id}/delete`, { confirm: 'no' });
    expect(no.statusCode).toBe(303);
    expect(await strategyCount(org)).toBe(2);
    const yes = await client.postForm(`/o/${org.slug}/strategy/${draft.id}/delete`, { confirm: 'yes' });
    expect(yes.statusCode).toBe(303);
    expect(await strategyCount(org)).toBe(1);
  });

  it('archives with a confirmation, after which the strategy is read-only', async () => {
    const { org, client } = await managerOfNewOrg();
    const strategy = await makeStrategy(t.db, org, { status: 'published' });
    const goal = await makeGoal(t.db, org, strategy);
    expect((await client.get(`/o/${org.slug}/strategy/${strategy.id}/archive`)).body).toContain('Archive this strategy?');
    expect((await client.postForm(`/o/${org.slug}/strategy/${strategy.id}/archive`, {})).statusCode).toBe(303);
    const page = await client.get(`/o/${org.slug}/strategy/${strategy.id}`);
    expect(page.body).toContain('This strategy is archived');
    expect(page.body).not.toContain(`/goals/${goal.id}/edit`);
    const refused = await client.postForm(`/o/${org.slug}/goals/${goal.id}/edit`, { title: 'New', weight: '1' });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toContain('This strategy is archived');
    expectWellFormed(refused.body);
  });

  it('manages the organisation’s own agenda tags', async () => {
    const { org, client } = await managerOfNewOrg();
    const page = await client.get(`/o/${org.slug}/strategy/tags`);
    expect(page.body).toContain('Public sector efficiency');
    expectWellFormed(page.body);
    expect((await client.postForm(`/o/${org.slug}/strategy/tags`, { label: 'Smart places' })).statusCode).toBe(303);
    const duplicate = await client.postForm(`/o/${org.slug}/strategy/tags`, { label: 'smart places' });
    expect(duplicate.statusCode).toBe(400);
    expect(errorSummary(duplicate.body)).toContain('There is already a tag called “smart places”');
    expectWellFormed(duplicate.body);
    const empty = await client.postForm(`/o/${org.slug}/strategy/tags`, { label: '' });
    expect(errorSummary(empty.body)).toContain('Enter a name for the tag');
    expect((await client.get(`/o/${org.slug}/strategy/tags`)).body).toContain('smart_places');
  });
});

describe('roles and tenancy on the pages', () => {
  it('lets a viewer read everything and change nothing', async () => {
    const org = await makeOrganisation(t.db);
    const viewer = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const strategy = await makeStrategy(t.db, org, { status: 'published' });
    const goal = await makeGoal(t.db, org, strategy);
    const objective = await makeObjective(t.db, org, goal);
    const base = `/o/${org.slug}`;
    for (const url of [`${base}/strategy`, `${base}/strategy/${strategy.id}`, `${base}/strategy/${strategy.id}/versions`, `${base}/strategy/${strategy.id}/versions/${strategy.version}`, `${base}/strategy/tags`]) {
      const response = await viewer.get(url);
      expect(response.statusCode, url).toBe(200);
      expect(response.body).not.toContain('Create a strategy');
      expect(response.body).not.toContain('/edit"');
      expect(response.body).not.toContain('Add tag');
    }
    for (const url of [`${base}/strategy/new`, `${base}/strategy/${strategy.id}/edit`, `${base}/strategy/${strategy.id}/goals/new`, `${base}/goals/${goal.id}/edit`, `${base}/objectives/${objective.id}/edit`, `${base}/strategy/${strategy.id}/archive`]) {
      expect((await viewer.get(url)).statusCode, url).toBe(403);
    }
    const events = await auditCount(org);
    for (const url of [`${base}/strategy`, `${base}/strategy/${strategy.id}/archive`, `${base}/goals/${goal.id}/move-down`, `${base}/objectives/${objective.id}/delete`, `${base}/strategy/tags`]) {
      expect((await viewer.postForm(url, { title: 'X', confirm: 'yes', label: 'X' })).statusCode, url).toBe(403);
    }
    expect(await auditCount(org)).toBe(events);
  });

  it('gives 404 for another organisation’s strategy, goal and objective ids', async () => {
    const { org, client } = await managerOfNewOrg();
    const other = await makeOrganisation(t.db);
    const strategy = await makeStrategy(t.db, other);
    const goal = await makeGoal(t.db, other, strategy);
    const objective = await makeObjective(t.db, other, goal);
    const base = `/o/${org.slug}`;
    for (const url of [`${base}/strategy/${strategy.id}`, `${base}/strategy/${strategy.id}/versions/1`, `${base}/goals/${goal.id}/edit`, `${base}/objectives/${objective.id}/edit`, `${base}/strategy/not-an-id`]) {
      expect((await client.get(url)).statusCode, url).toBe(404);
    }
    for (const url of [`${base}/strategy/${strategy.id}/publish`, `${base}/goals/${goal.id}/move-up`, `${base}/objectives/${objective.id}/delete`]) {
      expect((await client.postForm(url, { confirm: 'yes' })).statusCode, url).toBe(404);
    }
    expect((await client.get(`/o/${other.slug}/strategy`)).statusCode).toBe(404);
    expect((await getStrategyTree(t.db, cliOperator(), other.id, strategy.id)).strategy.status).toBe('draft');
  });

  it('keeps an owner who has left when other details of the objective change', async () => {
    const { org, client } = await managerOfNewOrg();
    const leaver = await makeUser(t.db, org, 'contributor');
    const objective = await makeObjective(t.db, org, await makeGoal(t.db, org, await makeStrategy(t.db, org)), { ownerId: leaver.id });
    await t.db.updateTable('membership').set({ deactivated_at: new Date() }).where('user_id', '=', leaver.id).execute();
    const form = await client.get(`/o/${org.slug}/objectives/${objective.id}/edit`);
    expect(form.body).toContain('(no longer a member)');
    const saved = await client.postForm(`/o/${org.slug}/objectives/${objective.id}/edit`, { title: 'Renamed', ownerId: leaver.id, weight: '1' });
    expect(saved.statusCode).toBe(303);
  });
});
