import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeProject } from '../../../test/support/delivery-factories.ts';
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

function call(
  token: string,
  method: Method,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
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

async function rows(
  table: 'project' | 'status_report' | 'milestone' | 'audit_event',
  org: Organisation,
): Promise<number> {
  const row = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', org.id)
    .executeTakeFirstOrThrow();
  return row.n;
}

describe('projects over the API', () => {
  it('creates, reads, lists, replaces and deletes a project with the issue’s JSON names, ETags and If-Match', async () => {
    const { org, token } = await writer();
    const owner = await makeUser(t.db, org, 'contributor');
    const goal = await makeGoal(t.db, org, await makeStrategy(t.db, org));
    const objective = await makeObjective(t.db, org, goal);
    const body = {
      title: 'Digital front door',
      type: 'service_change',
      phase: 'beta',
      owner: owner.id,
      plannedStart: '2026-04-01',
      plannedEnd: '2027-03-31',
      budget: { planned: { capital: 250000, resource: '100000.50' }, actual: { capital: '1000' } },
      objectiveIds: [objective.id],
    };
    const created = await call(token, 'POST', '/api/v1/projects', body);
    expect(created.statusCode).toBe(201);
    const project = created.json<Record<string, unknown> & { id: string }>();
    expect(project).toMatchObject({
      title: 'Digital front door',
      type: 'service_change',
      phase: 'beta',
      owner: { id: owner.id, name: owner.name },
      plannedStart: '2026-04-01',
      plannedEnd: '2027-03-31',
      budget: {
        planned: { capital: '250000.00', resource: '100000.50' },
        actual: { capital: '1000.00', resource: '0.00' },
      },
      objectiveIds: [objective.id],
      rag: null,
      version: 1,
    });
    expect(created.headers.etag).toBe(`"${project.id}.1"`);

    const listed = await call(token, 'GET', '/api/v1/projects?pageSize=1');
    expect(listed.json()).toMatchObject({ page: 1, pageSize: 1, total: 1, items: [{ id: project.id }] });
    expect(
      (await call(token, 'GET', `/api/v1/projects?objectiveId=${objective.id}`)).json<{ total: number }>()
        .total,
    ).toBe(1);
    expect((await call(token, 'GET', '/api/v1/projects?rag=red')).json<{ total: number }>().total).toBe(0);

    const report = await call(token, 'POST', `/api/v1/projects/${project.id}/status-reports`, {
      period: '2026-05',
      overall: 'red',
      schedule: 'red',
      budget: 'amber',
      scope: 'green',
      reason: 'Supplier failed',
      decisionsNeeded: 'Change supplier',
    });
    expect(report.statusCode).toBe(201);
    expect(report.json()).toMatchObject({
      period: '2026-05-01',
      overall: 'red',
      schedule: 'red',
      budget: 'amber',
      scope: 'green',
      reason: 'Supplier failed',
      nextSteps: '',
      decisionsNeeded: 'Change supplier',
    });
    expect((await call(token, 'GET', `/api/v1/projects/${project.id}`)).json<{ rag: string }>().rag).toBe(
      'red',
    );
    expect(
      (await call(token, 'GET', `/api/v1/projects/${project.id}/status-reports`)).json<unknown[]>(),
    ).toHaveLength(1);

    const noIfMatch = await call(token, 'PUT', `/api/v1/projects/${project.id}`, {
      ...body,
      title: 'Renamed',
    });
    expect(noIfMatch.statusCode).toBe(428);
    const stale = await call(
      token,
      'PUT',
      `/api/v1/projects/${project.id}`,
      { ...body, title: 'Renamed' },
      { 'if-match': `"${project.id}.9"` },
    );
    expect(stale.statusCode).toBe(412);
    const replaced = await call(
      token,
      'PUT',
      `/api/v1/projects/${project.id}`,
      { ...body, title: 'Renamed', objectiveIds: [] },
      { 'if-match': `"${project.id}.1"` },
    );
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ title: 'Renamed', objectiveIds: [], version: 2 });

    const deleted = await call(token, 'DELETE', `/api/v1/projects/${project.id}`, undefined, {
      'if-match': `"${project.id}.2"`,
    });
    expect(deleted.statusCode).toBe(204);
    expect(await rows('project', org)).toBe(0);
  });

  it('refuses bad input with problem+json and writes nothing', async () => {
    const { org, token } = await writer();
    const before = await rows('audit_event', org);
    const bad = await call(token, 'POST', '/api/v1/projects', {
      title: '',
      type: 'rocket',
      plannedStart: '2026-13-01',
      budget: { planned: { capital: -5 } },
    });
    expect(bad.statusCode).toBe(400);
    const fields = problem(bad).errors?.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['title', 'type', 'plannedStart', 'budgetPlannedCapital']));
    const missing = await call(token, 'POST', '/api/v1/projects', { description: 'no title' });
    expect(missing.statusCode).toBe(400);
    problem(missing);
    const otherOrgObjective = await makeObjective(
      t.db,
      org,
      await makeGoal(t.db, org, await makeStrategy(t.db, org)),
    );
    const stranger = await writer();
    const foreign = await call(stranger.token, 'POST', '/api/v1/projects', {
      title: 'Sneaky',
      objectiveIds: [otherOrgObjective.id],
    });
    expect(foreign.statusCode).toBe(400);
    expect(await rows('project', stranger.org)).toBe(0);
    expect(await rows('project', org)).toBe(0);
    expect(await rows('audit_event', org)).toBe(before + 3);

    const project = await makeProject(t.db, org);
    const amber = await call(token, 'POST', `/api/v1/projects/${project.id}/status-reports`, {
      period: '2026-02',
      overall: 'amber',
      schedule: 'green',
      budget: 'green',
      scope: 'purple',
    });
    expect(amber.statusCode).toBe(400);
    expect(problem(amber).errors?.map((e) => e.field)).toEqual(expect.arrayContaining(['reason', 'scope']));
    const future = await call(token, 'POST', `/api/v1/projects/${project.id}/status-reports`, {
      period: '2999-01',
      overall: 'green',
      schedule: 'green',
      budget: 'green',
      scope: 'green',
    });
    expect(future.statusCode).toBe(400);
    expect(await rows('status_report', org)).toBe(0);
  });

  it('manages milestones and hides other organisations’ projects', async () => {
    const { org, token } = await writer();
    const project = await makeProject(t.db, org);
    const added = await call(token, 'POST', `/api/v1/projects/${project.id}/milestones`, {
      title: 'Alpha assessment',
      dueOn: '2026-01-31',
    });
    expect(added.statusCode).toBe(201);
    const milestone = added.json<{ id: string; overdue: boolean }>();
    expect(milestone.overdue).toBe(true);
    const done = await call(
      token,
      'PUT',
      `/api/v1/projects/${project.id}/milestones/${milestone.id}`,
      { title: 'Alpha assessment', dueOn: '2026-01-31', completedOn: '2026-01-30' },
      { 'if-match': `"${milestone.id}.1"` },
    );
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ completedOn: '2026-01-30', overdue: false, version: 2 });
    const badMilestone = await call(token, 'POST', `/api/v1/projects/${project.id}/milestones`, {
      title: 'x',
      dueOn: '31/01/2026',
    });
    expect(badMilestone.statusCode).toBe(400);
    expect(await rows('milestone', org)).toBe(1);

    const stranger = await writer();
    for (const url of [
      `/api/v1/projects/${project.id}`,
      `/api/v1/projects/${project.id}/milestones`,
      `/api/v1/projects/${project.id}/status-reports`,
    ]) {
      expect((await call(stranger.token, 'GET', url)).statusCode).toBe(404);
    }
    const readOnly = await makeToken(t.db, org, 'read');
    expect((await call(readOnly, 'POST', '/api/v1/projects', { title: 'Nope' })).statusCode).toBe(403);
  });

  it('imports a project list sent as CSV, all or nothing', async () => {
    const { org, token } = await writer();
    const send = (body: string, type = 'text/csv') =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/projects/import',
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        payload: body,
      });
    const refused = await send('title,phase\nGood,alpha\n,gamma\n');
    expect(refused.statusCode).toBe(400);
    expect(problem(refused).errors?.map((e) => e.message)).toEqual([
      'Line 3: title: Enter a title for the project',
      'Line 3: phase: Select the phase: discovery, alpha, beta, live or retirement',
    ]);
    expect(await rows('project', org)).toBe(0);
    expect((await send('title\nX\n', 'text/plain')).statusCode).toBe(415);
    const created = await send('title,phase\nGood,alpha\nBetter,beta\n');
    expect(created.statusCode).toBe(201);
    expect(created.json<{ ids: string[] }>().ids).toHaveLength(2);
    expect(await rows('project', org)).toBe(2);
    const readOnly = await makeToken(t.db, org, 'read');
    const forbidden = await t.app.inject({
      method: 'POST',
      url: '/api/v1/projects/import',
      headers: { authorization: `Bearer ${readOnly}`, 'content-type': 'text/csv' },
      payload: 'title\nNope\n',
    });
    expect(forbidden.statusCode).toBe(403);
    expect(await rows('project', org)).toBe(2);
  });
});
