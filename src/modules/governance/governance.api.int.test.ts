import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeOrganisation, makeToken, makeUser } from '../../../test/support/factories.ts';
import { makeBoard, makeDecision } from '../../../test/support/governance-factories.ts';
import { makeKpi } from '../../../test/support/kpi-factories.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import { createProject, submitStatusReport } from '../delivery/delivery.service.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { getBoardAgenda } from './governance.service.ts';

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

async function count(table: 'board' | 'decision' | 'audit_event', org: Organisation): Promise<number> {
  const row = await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', org.id).executeTakeFirstOrThrow();
  return row.n;
}

async function project(org: Organisation, title: string) {
  return createProject(t.db, cliOperator(), org.id, {
    title,
    description: '',
    ownerId: null,
    type: 'project',
    programmeId: null,
    phase: 'beta',
    plannedStart: null,
    plannedEnd: null,
    budgetPlanned: { capital: '', resource: '' },
    budgetActual: { capital: '', resource: '' },
    deliveryApproach: '',
    reportFrequency: 'monthly',
    objectives: [],
  });
}

describe('boards over the API', () => {
  it('adds, reads, changes and deletes a board, with ETags and If-Match', async () => {
    const { org, token } = await writer();
    const chair = await makeUser(t.db, org, 'manager');
    const strategy = await makeStrategy(t.db, org);
    const objective = await makeObjective(t.db, org, await makeGoal(t.db, org, strategy), { title: 'Every service online' });

    const created = await call(token, 'POST', '/api/v1/boards', {
      name: 'Digital board',
      termsOfReference: 'Steers the strategy',
      chairId: chair.id,
      cadence: 'monthly',
      oversees: [{ type: 'objective', id: objective.id }],
    });
    expect(created.statusCode).toBe(201);
    const board = created.json<{ id: string }>();
    expect(board).toEqual({
      id: board.id,
      name: 'Digital board',
      termsOfReference: 'Steers the strategy',
      chairId: chair.id,
      cadence: 'monthly',
      memberIds: [chair.id],
      oversees: [{ type: 'objective', id: objective.id, title: 'Every service online' }],
      version: 1,
    });
    expect(created.headers.location).toBe(`/api/v1/boards/${board.id}`);
    expect(created.headers.etag).toBe(`"${board.id}.1"`);

    const list = await call(token, 'GET', '/api/v1/boards?pageSize=1000');
    expect(list.json()).toMatchObject({ page: 1, pageSize: 200, total: 1 });

    const noIfMatch = await call(token, 'PUT', `/api/v1/boards/${board.id}`, { name: 'Renamed', cadence: 'weekly' });
    expect(noIfMatch.statusCode).toBe(428);
    expect(problem(noIfMatch).code).toBe('precondition_required');
    const changed = await call(token, 'PUT', `/api/v1/boards/${board.id}`, { name: 'Renamed', cadence: 'weekly' }, { 'if-match': `"${board.id}.1"` });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ name: 'Renamed', cadence: 'weekly', chairId: null, memberIds: [], oversees: [], version: 2 });
    const stale = await call(token, 'PUT', `/api/v1/boards/${board.id}`, { name: 'Stale', cadence: 'weekly' }, { 'if-match': `"${board.id}.1"` });
    expect(stale.statusCode).toBe(412);

    const deleted = await call(token, 'DELETE', `/api/v1/boards/${board.id}`, undefined, { 'if-match': `"${board.id}.2"` });
    expect(deleted.statusCode).toBe(204);
    expect(await count('board', org)).toBe(0);
  });

  it('keeps a board whose decisions superseded another board’s decisions', async () => {
    const { org, token } = await writer();
    const first = await makeBoard(t.db, org);
    const second = await makeBoard(t.db, org);
    const successor = await makeDecision(t.db, org, second);
    await makeDecision(t.db, org, first, { status: 'superseded', supersededById: successor.id });
    const refused = await call(token, 'DELETE', `/api/v1/boards/${second.id}`, undefined, { 'if-match': '*' });
    expect(refused.statusCode).toBe(409);
    expect(problem(refused).code).toBe('conflict');
    expect(await count('board', org)).toBe(2);
    expect((await call(token, 'DELETE', `/api/v1/boards/${first.id}`, undefined, { 'if-match': '*' })).statusCode).toBe(204);
  });

  it('refuses bad boards with problem+json, writing nothing', async () => {
    const { org, token } = await writer();
    const otherOrg = await makeOrganisation(t.db);
    const outsider = await makeUser(t.db, otherOrg, 'viewer');
    const otherObjective = await makeObjective(t.db, otherOrg, await makeGoal(t.db, otherOrg, await makeStrategy(t.db, otherOrg)));
    const before = await count('audit_event', org);

    const bad = await call(token, 'POST', '/api/v1/boards', {
      name: '',
      cadence: 'daily',
      memberIds: [outsider.id],
      oversees: [{ type: 'objective', id: otherObjective.id }],
    });
    expect(bad.statusCode).toBe(400);
    expect(problem(bad).errors?.map((e) => e.field)).toEqual(['name', 'cadence', 'memberIds', 'oversees']);
    const wrongShape = await call(token, 'POST', '/api/v1/boards', { name: 'No cadence' });
    expect(wrongShape.statusCode).toBe(400);
    expect(problem(wrongShape).code).toBe('validation_failed');
    expect(await count('board', org)).toBe(0);
    expect(await count('audit_event', org)).toBe(before);
  });

  it('never shows or changes another organisation’s board, and needs write scope to change', async () => {
    const { token } = await writer();
    const otherOrg = await makeOrganisation(t.db);
    const theirs = await makeBoard(t.db, otherOrg);
    expect((await call(token, 'GET', `/api/v1/boards/${theirs.id}`)).statusCode).toBe(404);
    expect((await call(token, 'PUT', `/api/v1/boards/${theirs.id}`, { name: 'Mine', cadence: 'weekly' }, { 'if-match': '*' })).statusCode).toBe(404);
    expect((await call(token, 'GET', '/api/v1/boards/not-an-id')).statusCode).toBe(404);
    const reader = await makeToken(t.db, otherOrg, 'read');
    expect((await call(reader, 'POST', '/api/v1/boards', { name: 'X', cadence: 'weekly' })).statusCode).toBe(403);
    expect(await count('board', otherOrg)).toBe(1);
  });
});

describe('decisions over the API', () => {
  it('records a decision, lists it by board and status, and supersedes it', async () => {
    const { org, token } = await writer();
    const board = await makeBoard(t.db, org);
    const kpi = await makeKpi(t.db, org, { name: 'Digital take-up' });
    const body = {
      boardId: board.id,
      decidedOn: '2026-11-12',
      title: 'Close the paper form',
      decision: 'Close it from April',
      rationale: 'Nine in ten apply online',
      optionsConsidered: 'Keep it; close it',
      status: 'made',
      links: [{ type: 'kpi', id: kpi.id }],
    };
    const created = await call(token, 'POST', '/api/v1/decisions', body);
    expect(created.statusCode).toBe(201);
    const decision = created.json<{ id: string }>();
    expect(decision).toEqual({
      ...body,
      id: decision.id,
      supersededById: null,
      links: [{ type: 'kpi', id: kpi.id, title: 'Digital take-up' }],
      version: 1,
    });

    const successor = await makeDecision(t.db, org, board, { title: 'Keep it for assisted users', decidedOn: '2026-12-10' });
    const superseded = await call(
      token,
      'PUT',
      `/api/v1/decisions/${decision.id}`,
      { ...body, status: 'superseded', supersededById: successor.id },
      { 'if-match': `"${decision.id}.1"` },
    );
    expect(superseded.statusCode).toBe(200);
    expect(superseded.json()).toMatchObject({ status: 'superseded', supersededById: successor.id, version: 2 });

    const byStatus = await call(token, 'GET', `/api/v1/decisions?status=superseded&boardId=${board.id}`);
    expect(byStatus.json<{ items: { id: string }[] }>().items.map((d) => d.id)).toEqual([decision.id]);
    const all = await call(token, 'GET', '/api/v1/decisions');
    expect(all.json<{ items: { title: string }[] }>().items.map((d) => d.title)).toEqual(['Keep it for assisted users', 'Close the paper form']);

    const reopen = await call(token, 'PUT', `/api/v1/decisions/${successor.id}`, { ...body, title: 'Reopen', status: 'proposed' }, { 'if-match': '*' });
    expect(reopen.statusCode).toBe(400);
    expect(problem(reopen).errors?.[0]?.message).toBe('Other decisions were superseded by this one, so it stays made');
  });

  it('refuses bad decisions with problem+json, writing nothing', async () => {
    const { org, token } = await writer();
    const board = await makeBoard(t.db, org);
    const otherOrg = await makeOrganisation(t.db);
    const theirBoard = await makeBoard(t.db, otherOrg);
    const theirKpi = await makeKpi(t.db, otherOrg);
    const before = await count('audit_event', org);
    const base = { boardId: board.id, decidedOn: '2026-11-12', title: 'A decision', decision: 'Yes', status: 'made' };

    const cases: [unknown, string][] = [
      [{ ...base, decidedOn: '2026-13-01' }, 'decidedOn'],
      [{ ...base, boardId: theirBoard.id }, 'boardId'],
      [{ ...base, status: 'superseded' }, 'supersededById'],
      [{ ...base, links: [{ type: 'kpi', id: theirKpi.id }] }, 'links'],
      [{ ...base, status: 'made', decision: '' }, 'decision'],
      [{ ...base, title: 'x'.repeat(201) }, 'title'],
    ];
    for (const [body, fieldName] of cases) {
      const response = await call(token, 'POST', '/api/v1/decisions', body);
      expect(response.statusCode, fieldName).toBe(400);
      expect(problem(response).errors?.map((e) => e.field), fieldName).toEqual([fieldName]);
    }
    expect((await call(token, 'GET', '/api/v1/decisions?boardId=nope')).statusCode).toBe(400);
    expect(await count('decision', org)).toBe(0);
    expect(await count('audit_event', org)).toBe(before);
  });

  it('never shows another organisation’s decisions', async () => {
    const { token } = await writer();
    const otherOrg = await makeOrganisation(t.db);
    const theirs = await makeDecision(t.db, otherOrg, await makeBoard(t.db, otherOrg));
    expect((await call(token, 'GET', `/api/v1/decisions/${theirs.id}`)).statusCode).toBe(404);
    expect((await call(token, 'GET', '/api/v1/decisions')).json()).toMatchObject({ total: 0 });
  });
});

describe('a board’s agenda', () => {
  it('lists decisions needed from the latest status report of each project the board oversees', async () => {
    const org = await makeOrganisation(t.db);
    const overseen = await project(org, 'New website');
    const elsewhere = await project(org, 'Payroll');
    const report = (period: string, decisionsNeeded: string) => ({
      period,
      overall: 'green',
      schedule: 'green',
      budget: 'green',
      scope: 'green',
      reason: '',
      achievements: '',
      nextSteps: '',
      issues: '',
      decisionsNeeded,
    });
    await submitStatusReport(t.db, cliOperator(), org.id, overseen.id, report('2026-09-01', 'An old question'));
    await submitStatusReport(t.db, cliOperator(), org.id, overseen.id, report('2026-10-01', 'Choose a hosting supplier'));
    await submitStatusReport(t.db, cliOperator(), org.id, elsewhere.id, report('2026-10-01', 'Not this board’s'));
    const board = await makeBoard(t.db, org, { oversees: [{ type: 'project', id: overseen.id }] });
    await makeDecision(t.db, org, board, { title: 'Approve the beta', status: 'proposed', decision: '' });

    const agenda = await getBoardAgenda(t.db, cliOperator(), org.id, board.id);
    expect(agenda.decisionsNeeded).toEqual([
      { projectId: overseen.id, projectTitle: 'New website', period: '2026-10-01', decisionsNeeded: 'Choose a hosting supplier' },
    ]);
    expect(agenda.proposed.map((d) => d.title)).toEqual(['Approve the beta']);
  });
});
