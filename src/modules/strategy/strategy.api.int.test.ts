import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeOrganisation, makeToken, makeUser } from '../../../test/support/factories.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import type { Organisation } from '../organisations/organisations.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

function call(token: string, method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}`, ...headers },
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
}

async function writer(): Promise<{ org: Organisation; token: string }> {
  const org = await makeOrganisation(t.db);
  return { org, token: await makeToken(t.db, org, 'read,write') };
}

function problem(response: LightMyRequestResponse) {
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  return response.json<{ status: number; code: string; errors?: { field: string; message: string }[] }>();
}

async function eventCount(org: Organisation): Promise<number> {
  const row = await t.db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', org.id)
    .executeTakeFirstOrThrow();
  return row.n;
}

const strategyBody = { title: 'Digital strategy', vision: 'Better services', periodStart: '2026-04-01', periodEnd: '2030-03-31' };

describe('strategies over the API', () => {
  it('creates, reads, changes and deletes a strategy, with ETags and If-Match', async () => {
    const { org, token } = await writer();
    const created = await call(token, 'POST', '/api/v1/strategies', strategyBody);
    expect(created.statusCode).toBe(201);
    const strategy = created.json<{ id: string; version: number }>();
    expect(strategy).toEqual({ id: strategy.id, ...strategyBody, status: 'draft', version: 1 });
    expect(created.headers.location).toBe(`/api/v1/strategies/${strategy.id}`);
    expect(created.headers.etag).toBe(`"${strategy.id}.1"`);

    const read = await call(token, 'GET', `/api/v1/strategies/${strategy.id}`);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(`"${strategy.id}.1"`);

    const changed = await call(token, 'PUT', `/api/v1/strategies/${strategy.id}`, { ...strategyBody, title: 'Renamed' }, { 'if-match': String(read.headers.etag) });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ title: 'Renamed', vision: 'Better services', version: 2 });
    expect(changed.headers.etag).toBe(`"${strategy.id}.2"`);

    const published = await call(token, 'PUT', `/api/v1/strategies/${strategy.id}`, { ...strategyBody, title: 'Renamed', status: 'published' }, { 'if-match': String(changed.headers.etag) });
    expect(published.json()).toMatchObject({ status: 'published', version: 3 });

    const refused = await call(token, 'DELETE', `/api/v1/strategies/${strategy.id}`, undefined, { 'if-match': String(published.headers.etag) });
    expect(refused.statusCode).toBe(400);
    expect(problem(refused).errors).toEqual([{ field: 'status', message: 'A published strategy cannot be deleted. Archive it instead' }]);

    const draft = (await call(token, 'POST', '/api/v1/strategies', strategyBody)).json<{ id: string }>();
    const deleted = await call(token, 'DELETE', `/api/v1/strategies/${draft.id}`, undefined, { 'if-match': `"${draft.id}.1"` });
    expect(deleted.statusCode).toBe(204);
    expect((await call(token, 'GET', `/api/v1/strategies/${draft.id}`)).statusCode).toBe(404);

    const actions = await t.db
      .selectFrom('audit_event')
      .select(['action', 'via', 'before', 'after'])
      .where('organisation_id', '=', org.id)
      .where('entity_type', '=', 'strategy')
      .orderBy('id')
      .execute();
    expect(actions[1]).toMatchObject({ before: { title: 'Digital strategy', version: 1 }, after: { title: 'Renamed', version: 2 } });
    expect(actions.map((a) => a.action)).toEqual(['strategy.created', 'strategy.updated', 'strategy.published', 'strategy.created', 'strategy.deleted']);
    expect(new Set(actions.map((a) => a.via))).toEqual(new Set(['api']));
  });

  it('refuses a change without If-Match (428) or with a stale one (412), and changes nothing', async () => {
    const { org, token } = await writer();
    const strategy = await makeStrategy(t.db, org, { title: 'Unchanged' });
    const url = `/api/v1/strategies/${strategy.id}`;
    const events = await eventCount(org);

    const missing = await call(token, 'PUT', url, { ...strategyBody, title: 'Lost' });
    expect(missing.statusCode).toBe(428);
    expect(problem(missing).code).toBe('precondition_required');
    expect((await call(token, 'DELETE', url)).statusCode).toBe(428);

    for (const stale of [`"${strategy.id}.0"`, `"${strategy.id}.2"`, '"something-else"', `W/"${strategy.id}.9"`]) {
      const response = await call(token, 'PUT', url, { ...strategyBody, title: 'Lost' }, { 'if-match': stale });
      expect(response.statusCode, stale).toBe(412);
      expect(problem(response).code).toBe('precondition_failed');
    }
    expect((await call(token, 'DELETE', url, undefined, { 'if-match': `"${strategy.id}.5"` })).statusCode).toBe(412);

    const after = await call(token, 'GET', url);
    expect(after.json()).toMatchObject({ title: 'Unchanged', version: 1 });
    expect(await eventCount(org)).toBe(events);
  });

  it('lets exactly one of two concurrent changes with the same ETag win', async () => {
    const { org, token } = await writer();
    const strategy = await makeStrategy(t.db, org, { status: 'published' });
    const etag = `"${strategy.id}.${strategy.version}"`;
    const url = `/api/v1/strategies/${strategy.id}`;
    const [one, two] = await Promise.all([
      call(token, 'PUT', url, { ...strategyBody, title: 'One' }, { 'if-match': etag }),
      call(token, 'PUT', url, { ...strategyBody, title: 'Two' }, { 'if-match': etag }),
    ]);
    expect([one.statusCode, two.statusCode].sort()).toEqual([200, 412]);
    const winner = one.statusCode === 200 ? 'One' : 'Two';
    expect((await call(token, 'GET', url)).json()).toMatchObject({ title: winner, version: strategy.version + 1 });
    const updates = await t.db.selectFrom('audit_event').select('action').where('organisation_id', '=', org.id).where('action', '=', 'strategy.updated').execute();
    expect(updates).toHaveLength(1);
  });

  it('answers bad input with 400 and every field’s problem, writing nothing', async () => {
    const { org, token } = await writer();
    const events = await eventCount(org);
    const bad = await call(token, 'POST', '/api/v1/strategies', { title: '', periodStart: '2026-02-30', periodEnd: '2020-01-01' });
    expect(bad.statusCode).toBe(400);
    expect(problem(bad).errors).toEqual([
      { field: 'title', message: 'Enter a title for the strategy' },
      { field: 'periodStart', message: 'Enter a real date for the start date' },
    ]);
    const wrongShape = await call(token, 'POST', '/api/v1/strategies', { title: 5 });
    expect(wrongShape.statusCode).toBe(400);
    expect(problem(wrongShape).errors?.map((e) => e.field)).toEqual(expect.arrayContaining(['/title', '/periodStart', '/periodEnd']));
    const endBeforeStart = await call(token, 'POST', '/api/v1/strategies', { ...strategyBody, periodEnd: '2026-03-01' });
    expect(problem(endBeforeStart).errors).toEqual([{ field: 'periodEnd', message: 'The end date must be after the start date' }]);
    expect((await call(token, 'GET', '/api/v1/strategies')).json()).toMatchObject({ total: 0 });
    expect(await eventCount(org)).toBe(events);
  });

  it('paginates with a page size capped at 200', async () => {
    const { org, token } = await writer();
    for (let i = 0; i < 3; i++) await makeStrategy(t.db, org, { periodStart: `202${i}-01-01` });
    const first = await call(token, 'GET', '/api/v1/strategies?page=1&pageSize=2');
    expect(first.json()).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(first.json<{ items: unknown[] }>().items).toHaveLength(2);
    const second = await call(token, 'GET', '/api/v1/strategies?page=2&pageSize=2');
    expect(second.json<{ items: unknown[] }>().items).toHaveLength(1);
    expect((await call(token, 'GET', '/api/v1/strategies')).json()).toMatchObject({ page: 1, pageSize: 50, total: 3 });
    expect((await call(token, 'GET', '/api/v1/strategies?pageSize=5000')).json()).toMatchObject({ pageSize: 200 });
    for (const query of ['page=0', 'page=-1', 'pageSize=0', 'page=abc']) {
      expect((await call(token, 'GET', `/api/v1/strategies?${query}`)).statusCode, query).toBe(400);
    }
  });
});

describe('goals and objectives over the API', () => {
  it('creates, lists in order, changes and deletes goals and objectives', async () => {
    const { org, token } = await writer();
    const owner = await makeUser(t.db, org, 'contributor');
    const strategy = await makeStrategy(t.db, org);
    const first = await call(token, 'POST', `/api/v1/strategies/${strategy.id}/goals`, { title: 'First', tags: ['economic_growth'] });
    expect(first.statusCode).toBe(201);
    const goal = first.json<{ id: string }>();
    expect(goal).toEqual({ id: goal.id, strategyId: strategy.id, title: 'First', description: '', tags: ['economic_growth'], weight: 1, position: 1 });
    expect(first.headers.etag).toBe(`"${goal.id}.1"`);
    const second = (await call(token, 'POST', `/api/v1/strategies/${strategy.id}/goals`, { title: 'Second', weight: 2.5, position: 1 })).json<{ id: string }>();
    const goals = (await call(token, 'GET', `/api/v1/strategies/${strategy.id}/goals`)).json<{ items: { id: string; position: number }[]; total: number }>();
    expect(goals.items.map((g) => [g.id, g.position])).toEqual([
      [second.id, 1],
      [goal.id, 2],
    ]);

    const objective = await call(token, 'POST', `/api/v1/goals/${goal.id}/objectives`, { title: 'Objective', ownerId: owner.id, dueDate: '2027-03-31' });
    expect(objective.statusCode).toBe(201);
    const o = objective.json<{ id: string }>();
    expect(o).toEqual({ id: o.id, goalId: goal.id, title: 'Objective', description: '', ownerId: owner.id, dueDate: '2027-03-31', weight: 1, position: 1 });
    const listed = await call(token, 'GET', `/api/v1/goals/${goal.id}/objectives`);
    expect(listed.json()).toMatchObject({ total: 1, items: [{ id: o.id }] });

    // Omitted optional fields keep their values.
    const changed = await call(token, 'PUT', `/api/v1/objectives/${o.id}`, { title: 'Renamed' }, { 'if-match': String(objective.headers.etag) });
    expect(changed.json()).toMatchObject({ title: 'Renamed', ownerId: owner.id, dueDate: '2027-03-31' });
    const cleared = await call(token, 'PUT', `/api/v1/objectives/${o.id}`, { title: 'Renamed', ownerId: null, dueDate: null }, { 'if-match': String(changed.headers.etag) });
    expect(cleared.json()).toMatchObject({ ownerId: null, dueDate: null });
    const goalEtag = String((await call(token, 'GET', `/api/v1/goals/${goal.id}`)).headers.etag);
    const goalChanged = await call(token, 'PUT', `/api/v1/goals/${goal.id}`, { title: 'First!', position: 1 }, { 'if-match': goalEtag });
    expect(goalChanged.json()).toMatchObject({ title: 'First!', tags: ['economic_growth'], position: 1 });

    expect((await call(token, 'DELETE', `/api/v1/objectives/${o.id}`, undefined, { 'if-match': String(changed.headers.etag) })).statusCode).toBe(412);
    expect((await call(token, 'DELETE', `/api/v1/objectives/${o.id}`, undefined, { 'if-match': String(cleared.headers.etag) })).statusCode).toBe(204);
    expect((await call(token, 'DELETE', `/api/v1/goals/${goal.id}`, undefined, { 'if-match': String(goalChanged.headers.etag) })).statusCode).toBe(204);
    expect((await call(token, 'GET', `/api/v1/strategies/${strategy.id}/goals`)).json()).toMatchObject({ total: 1, items: [{ id: second.id, position: 1 }] });
  });

  it('refuses unknown tags and owners from outside the organisation with 400', async () => {
    const { org, token } = await writer();
    const outsider = await makeUser(t.db, await makeOrganisation(t.db), 'admin');
    const goal = await makeGoal(t.db, org, await makeStrategy(t.db, org));
    const badTag = await call(token, 'POST', `/api/v1/strategies/${goal.strategyId}/goals`, { title: 'G', tags: ['nope'] });
    expect(problem(badTag).errors).toEqual([{ field: 'tags', message: 'Choose agenda areas from the list. Not known: nope' }]);
    const badOwner = await call(token, 'POST', `/api/v1/goals/${goal.id}/objectives`, { title: 'O', ownerId: outsider.id, weight: -1 });
    expect(badOwner.statusCode).toBe(400);
    expect(problem(badOwner).errors?.map((e) => e.field)).toEqual(['/weight']);
    const badOwner2 = await call(token, 'POST', `/api/v1/goals/${goal.id}/objectives`, { title: 'O', ownerId: outsider.id });
    expect(problem(badOwner2).errors).toEqual([{ field: 'ownerId', message: 'Choose an owner who is a member of this organisation' }]);
  });
});

describe('API access', () => {
  it('gives another organisation’s token 404 for every id, whatever it sends', async () => {
    const { org } = await writer();
    const { token: otherToken } = await writer();
    const strategy = await makeStrategy(t.db, org);
    const goal = await makeGoal(t.db, org, strategy);
    const objective = await makeObjective(t.db, org, goal);
    const etag = { 'if-match': '*' };
    const requests: [Method, string, unknown?][] = [
      ['GET', `/api/v1/strategies/${strategy.id}`],
      ['PUT', `/api/v1/strategies/${strategy.id}`, strategyBody],
      ['PUT', `/api/v1/strategies/${strategy.id}`],
      ['DELETE', `/api/v1/strategies/${strategy.id}`],
      ['GET', `/api/v1/strategies/${strategy.id}/goals`],
      ['POST', `/api/v1/strategies/${strategy.id}/goals`, { title: 'G' }],
      ['POST', `/api/v1/strategies/${strategy.id}/goals`],
      ['GET', `/api/v1/goals/${goal.id}`],
      ['PUT', `/api/v1/goals/${goal.id}`, { title: 'G' }],
      ['DELETE', `/api/v1/goals/${goal.id}`],
      ['GET', `/api/v1/goals/${goal.id}/objectives`],
      ['POST', `/api/v1/goals/${goal.id}/objectives`, { title: 'O' }],
      ['GET', `/api/v1/objectives/${objective.id}`],
      ['PUT', `/api/v1/objectives/${objective.id}`, { title: 'O' }],
      ['PUT', `/api/v1/objectives/${objective.id}`],
      ['DELETE', `/api/v1/objectives/${objective.id}`],
      ['GET', '/api/v1/objectives/not-an-id'],
    ];
    for (const [method, url, body] of requests) {
      for (const headers of [{}, etag]) {
        const response = await call(otherToken, method, url, body, headers);
        expect(response.statusCode, `${method} ${url}`).toBe(404);
      }
    }
    expect((await call(otherToken, 'GET', '/api/v1/strategies')).json()).toMatchObject({ total: 0, items: [] });
  });

  it('refuses changes with a read-only token (403) and everything without a token (401)', async () => {
    const org = await makeOrganisation(t.db);
    const readOnly = await makeToken(t.db, org, 'read');
    const strategy = await makeStrategy(t.db, org);
    expect((await call(readOnly, 'GET', `/api/v1/strategies/${strategy.id}`)).statusCode).toBe(200);
    const attempts: [Method, string, unknown?][] = [
      ['POST', '/api/v1/strategies', strategyBody],
      ['PUT', `/api/v1/strategies/${strategy.id}`, strategyBody],
      ['DELETE', `/api/v1/strategies/${strategy.id}`],
      ['POST', `/api/v1/strategies/${strategy.id}/goals`, { title: 'G' }],
    ];
    for (const [method, url, body] of attempts) {
      const response = await call(readOnly, method, url, body, { 'if-match': `"${strategy.id}.1"` });
      expect(response.statusCode, `${method} ${url}`).toBe(403);
      const anonymous = await t.app.inject({ method, url, ...(body === undefined ? {} : { payload: body as Record<string, unknown> }) });
      expect(anonymous.statusCode).toBe(401);
    }
    expect((await call(readOnly, 'GET', `/api/v1/strategies/${strategy.id}`)).json()).toMatchObject({ version: 1, title: strategy.title });
  });
});
