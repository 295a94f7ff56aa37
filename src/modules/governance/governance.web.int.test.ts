import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import type { TestClient } from '../../../test/support/client.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeBoard, makeDecision } from '../../../test/support/governance-factories.ts';
import { makeKpi } from '../../../test/support/kpi-factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import type { Organisation } from '../organisations/organisations.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

async function managerOfNewOrg(): Promise<{ org: Organisation; client: TestClient; managerId: string }> {
  const org = await makeOrganisation(t.db);
  const manager = await makeUser(t.db, org, 'manager');
  return { org, client: await signIn(t.app, manager), managerId: manager.id };
}

/** Posts a form with repeated fields (checkboxes), which `postForm` cannot express. */
function postBody(client: TestClient, url: string, body: URLSearchParams) {
  return client.request({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
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

async function count(table: 'board' | 'decision' | 'raci_assignment' | 'audit_event', org: Organisation): Promise<number> {
  const row = await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', org.id).executeTakeFirstOrThrow();
  return row.n;
}

async function objectiveOf(org: Organisation) {
  const strategy = await makeStrategy(t.db, org);
  const goal = await makeGoal(t.db, org, strategy);
  return makeObjective(t.db, org, goal, { title: 'Every service online' });
}

describe('the board pages', () => {
  it('lets a manager add a board with a chair, members and what it oversees, then change it', async () => {
    const { org, client, managerId } = await managerOfNewOrg();
    const member = await makeUser(t.db, org, 'viewer');
    const objective = await objectiveOf(org);

    const list = await client.get(`/o/${org.slug}/boards`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('There are no boards yet');
    expect(list.body).toContain('href="/o/' + org.slug + '/boards"');
    const form = await client.get(`/o/${org.slug}/boards/new`);
    expect(form.statusCode).toBe(200);
    expectWellFormed(form.body);
    expect(form.body).toContain('Objective: Every service online');

    const body = new URLSearchParams({ name: 'Digital board', termsOfReference: 'Steers the strategy', chairId: managerId, cadence: 'monthly', _csrf: await client.csrfToken() });
    body.append('memberIds', member.id);
    body.append('oversees', `objective:${objective.id}`);
    const created = await postBody(client, `/o/${org.slug}/boards`, body);
    expect(created.statusCode).toBe(303);
    const url = String(created.headers.location);
    const page = await client.get(url);
    expect(page.statusCode).toBe(200);
    expectWellFormed(page.body);
    expect(page.body).toContain('Digital board');
    expect(page.body).toContain('Steers the strategy');
    expect(page.body).toContain('Monthly');
    expect(page.body).toContain('Objective: Every service online');
    expect(page.body).toContain('Test viewer');
    expect(await count('audit_event', org)).toBeGreaterThan(0);

    const boardId = url.split('/').at(-1) ?? '';
    const events = await t.db.selectFrom('audit_event').select(['action', 'after']).where('organisation_id', '=', org.id).where('entity_id', '=', boardId).execute();
    expect(events.map((e) => e.action)).toEqual(['board.created']);
    expect(events[0]?.after).toMatchObject({ name: 'Digital board', chairId: managerId, cadence: 'monthly' });
    const edit = await client.get(`${url}/edit`);
    expectWellFormed(edit.body);
    const changed = await client.postForm(`${url}/edit`, { name: 'Digital and data board', cadence: 'quarterly', chairId: '', version: '1' });
    expect(changed.statusCode).toBe(303);
    const board = await t.db.selectFrom('board').selectAll().where('id', '=', boardId).executeTakeFirstOrThrow();
    expect(board).toMatchObject({ name: 'Digital and data board', cadence: 'quarterly', chair_id: null, version: 2 });

    const stale = await client.postForm(`${url}/edit`, { name: 'Old tab', cadence: 'weekly', version: '1' });
    expect(stale.statusCode).toBe(400);
    expect(errorSummary(stale.body)).toContain('Someone else changed this while you were editing');
  });

  it('refuses a board with no name, an unknown cadence or a chair from elsewhere, writing nothing', async () => {
    const { org, client } = await managerOfNewOrg();
    const otherOrg = await makeOrganisation(t.db);
    const outsider = await makeUser(t.db, otherOrg, 'manager');
    const before = await count('audit_event', org);
    const response = await client.postForm(`/o/${org.slug}/boards`, { name: '', cadence: 'daily', chairId: outsider.id });
    expect(response.statusCode).toBe(400);
    expectWellFormed(response.body);
    const summary = errorSummary(response.body);
    expect(summary).toContain('Enter a name for the board');
    expect(summary).toContain('Select how often the board meets');
    expect(summary).toContain('Select a chair from the people in your organisation');
    expect(await count('board', org)).toBe(0);
    expect(await count('audit_event', org)).toBe(before);

    await makeBoard(t.db, org, { name: 'Digital board' });
    const duplicate = await client.postForm(`/o/${org.slug}/boards`, { name: 'digital board', cadence: 'monthly' });
    expect(duplicate.statusCode).toBe(400);
    expect(errorSummary(duplicate.body)).toContain('There is already a board with this name');
    expect(await count('board', org)).toBe(1);
  });

  it('shows viewers the boards but not the forms', async () => {
    const org = await makeOrganisation(t.db);
    const board = await makeBoard(t.db, org, { name: 'Audit board' });
    const viewer = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const page = await viewer.get(`/o/${org.slug}/boards/${board.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain('Record a decision');
    expect((await viewer.get(`/o/${org.slug}/boards/new`)).statusCode).toBe(403);
    expect((await viewer.postForm(`/o/${org.slug}/boards`, { name: 'Sneaky', cadence: 'monthly' })).statusCode).toBe(403);
    expect(await count('board', org)).toBe(1);
  });
});

describe('the decision pages', () => {
  it('records a decision, shows it on the board and in the log, then supersedes it', async () => {
    const { org, client } = await managerOfNewOrg();
    const board = await makeBoard(t.db, org, { name: 'Digital board' });
    const kpi = await makeKpi(t.db, org, { name: 'Digital take-up' });
    const form = await client.get(`/o/${org.slug}/boards/${board.id}/decisions/new`);
    expect(form.statusCode).toBe(200);
    expectWellFormed(form.body);

    const body = new URLSearchParams({
      title: 'Close the paper form',
      'decidedOn-day': '12',
      'decidedOn-month': '11',
      'decidedOn-year': '2026',
      status: 'made',
      decision: 'Close it from April',
      rationale: 'Nine in ten apply online',
      optionsConsidered: 'Keep it; close it',
      supersededById: '',
      _csrf: await client.csrfToken(),
    });
    body.append('links', `kpi:${kpi.id}`);
    const created = await postBody(client, `/o/${org.slug}/boards/${board.id}/decisions`, body);
    expect(created.statusCode).toBe(303);
    const url = String(created.headers.location);
    const page = await client.get(url);
    expectWellFormed(page.body);
    expect(page.body).toContain('Close the paper form');
    expect(page.body).toContain('12 November 2026');
    expect(page.body).toContain('Nine in ten apply online');
    expect(page.body).toContain('KPI: Digital take-up');

    const boardPage = await client.get(`/o/${org.slug}/boards/${board.id}`);
    expect(boardPage.body).toContain('Close the paper form');
    const log = await client.get(`/o/${org.slug}/decisions`);
    expectWellFormed(log.body);
    expect(log.body).toContain('Close the paper form');

    const successor = await makeDecision(t.db, org, board, { title: 'Keep the paper form for assisted users' });
    const superseded = await client.postForm(`${url}/edit`, {
      title: 'Close the paper form',
      'decidedOn-day': '12',
      'decidedOn-month': '11',
      'decidedOn-year': '2026',
      status: 'superseded',
      decision: 'Close it from April',
      supersededById: successor.id,
      version: '1',
    });
    expect(superseded.statusCode).toBe(303);
    const after = await client.get(url);
    expect(after.body).toContain('Superseded');
    expect(after.body).toContain('Keep the paper form for assisted users');
    const filtered = await client.get(`/o/${org.slug}/decisions?status=superseded`);
    expect(filtered.body).toContain('Close the paper form');
    expect(filtered.body).not.toContain('>Keep the paper form for assisted users<');
  });

  it('puts proposed decisions on the board’s agenda', async () => {
    const { org, client } = await managerOfNewOrg();
    const board = await makeBoard(t.db, org);
    await makeDecision(t.db, org, board, { title: 'Choose a hosting supplier', status: 'proposed', decision: '' });
    const page = await client.get(`/o/${org.slug}/boards/${board.id}`);
    const agenda = page.body.slice(page.body.indexOf('Agenda'), page.body.indexOf('Decision log'));
    expect(agenda).toContain('Choose a hosting supplier');
  });

  it('refuses a decision with no title, an impossible date or no status, writing nothing', async () => {
    const { org, client } = await managerOfNewOrg();
    const board = await makeBoard(t.db, org);
    const before = await count('audit_event', org);
    const response = await client.postForm(`/o/${org.slug}/boards/${board.id}/decisions`, {
      title: '',
      'decidedOn-day': '31',
      'decidedOn-month': '2',
      'decidedOn-year': '2026',
      links: 'risk:not-an-id',
    });
    expect(response.statusCode).toBe(400);
    expectWellFormed(response.body);
    const summary = errorSummary(response.body);
    expect(summary).toContain('Enter a title for the decision');
    expect(summary).toContain('Enter a real date for the decision');
    expect(summary).toContain('Select whether the decision is proposed, made or superseded');
    expect(await count('decision', org)).toBe(0);
    expect(await count('audit_event', org)).toBe(before);

    const made = await client.postForm(`/o/${org.slug}/boards/${board.id}/decisions`, {
      title: 'Go live',
      'decidedOn-day': '1',
      'decidedOn-month': '12',
      'decidedOn-year': '2026',
      status: 'made',
      decision: '',
    });
    expect(made.statusCode).toBe(400);
    expect(errorSummary(made.body)).toContain('Enter what was decided');
    expect(await count('decision', org)).toBe(0);
  });
});

describe('RACI and a person’s page', () => {
  it('records who is responsible, accountable, consulted and informed, and lists it on each person’s page', async () => {
    const { org, client, managerId } = await managerOfNewOrg();
    const contributor = await makeUser(t.db, org, 'contributor');
    const objective = await objectiveOf(org);
    const url = `/o/${org.slug}/raci/objective/${objective.id}`;
    const page = await client.get(url);
    expect(page.statusCode).toBe(200);
    expectWellFormed(page.body);
    expect(page.body).toContain('Nobody is assigned yet');
    expect(page.body).toMatch(new RegExp(`href="/o/${org.slug}/strategy/[0-9a-f-]{36}#objective-${objective.id}"`));

    const body = new URLSearchParams({ accountable: managerId, _csrf: await client.csrfToken() });
    body.append('responsible', contributor.id);
    body.append('informed', managerId);
    const saved = await postBody(client, url, body);
    expect(saved.statusCode).toBe(303);
    expect(await count('raci_assignment', org)).toBe(3);

    const person = await client.get(`/o/${org.slug}/people/${contributor.id}`);
    expect(person.statusCode).toBe(200);
    expectWellFormed(person.body);
    expect(person.body).toContain('Objective: Every service online');
    expect(person.body).toContain('Responsible');
  });

  it('refuses a RACI with nobody accountable, keeping what was there', async () => {
    const { org, client, managerId } = await managerOfNewOrg();
    const objective = await objectiveOf(org);
    const url = `/o/${org.slug}/raci/objective/${objective.id}`;
    await client.postForm(url, { accountable: managerId });
    expect(await count('raci_assignment', org)).toBe(1);
    const before = await count('audit_event', org);
    const response = await client.postForm(url, { accountable: '', responsible: managerId });
    expect(response.statusCode).toBe(400);
    expectWellFormed(response.body);
    expect(errorSummary(response.body)).toContain('Choose the one person who is accountable');
    const rows = await t.db.selectFrom('raci_assignment').select(['user_id', 'role']).where('organisation_id', '=', org.id).execute();
    expect(rows).toEqual([{ user_id: managerId, role: 'accountable' }]);
    expect(await count('audit_event', org)).toBe(before);
  });

  it('finds no RACI page for an item of another organisation or an unknown kind of item', async () => {
    const { org, client } = await managerOfNewOrg();
    const otherObjective = await objectiveOf(await makeOrganisation(t.db));
    expect((await client.get(`/o/${org.slug}/raci/objective/${otherObjective.id}`)).statusCode).toBe(404);
    expect((await client.get(`/o/${org.slug}/raci/risk/${otherObjective.id}`)).statusCode).toBe(404);
  });
});
