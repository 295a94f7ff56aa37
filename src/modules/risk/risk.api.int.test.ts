import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeOrganisation, makeToken } from '../../../test/support/factories.ts';
import { makeRisk, makeRiskAction } from '../../../test/support/risk-factories.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { escalateRisk, saveContingencyPlan } from './risk.service.ts';
import { cliOperator } from '../../platform/access/actor.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

function api(
  token: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
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

const body = {
  title: 'Ransomware attack on the case system',
  category: 'cybersecurity',
  proximity: 'within_6_months',
  inherent: { likelihood: 4, impact: 5 },
  current: { likelihood: 'medium', impact: 'high' },
  target: { likelihood: 2, impact: 3 },
  response: 'treat',
};

describe('the risk API', () => {
  it('creates a risk with the issue’s JSON names, scores and levels, and reads it back with an ETag', async () => {
    const { token } = await writerOfNewOrg();
    const created = await api(token, 'POST', '/api/v1/risks', body);
    expect(created.statusCode).toBe(201);
    const risk = created.json<Record<string, unknown>>();
    expect(risk).toMatchObject({
      title: body.title,
      category: 'cybersecurity',
      owner: null,
      inherent: { likelihood: 4, impact: 5, score: 20, level: 'very_high' },
      current: { likelihood: 3, impact: 4, score: 12, level: 'high' },
      target: { likelihood: 2, impact: 3, score: 6, level: 'medium' },
      response: 'treat',
      outsideAppetite: true,
      status: 'open',
    });
    expect(created.headers.location).toBe(`/api/v1/risks/${String(risk.id)}`);
    const read = await api(token, 'GET', `/api/v1/risks/${String(risk.id)}`);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(created.headers.etag);
  });

  it('answers bad input with problem+json and JSON pointers, writing nothing', async () => {
    const { org, token } = await writerOfNewOrg();
    const response = await api(token, 'POST', '/api/v1/risks', {
      ...body,
      category: 'weather',
      inherent: { likelihood: 0, impact: 6 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(['/inherent/likelihood', '/inherent/impact']);
    const count = await t.db
      .selectFrom('risk')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', org.id)
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(0);
  });

  it('changes a risk only with a current If-Match: 428 without, 412 when stale', async () => {
    const { org, token } = await writerOfNewOrg();
    const risk = await makeRisk(t.db, org);
    const change = { ...body, title: 'Renamed' };
    expect((await api(token, 'PUT', `/api/v1/risks/${risk.id}`, change)).statusCode).toBe(428);
    expect(
      (await api(token, 'PUT', `/api/v1/risks/${risk.id}`, change, { 'if-match': `"${risk.id}.99"` }))
        .statusCode,
    ).toBe(412);
    const ok = await api(token, 'PUT', `/api/v1/risks/${risk.id}`, change, {
      'if-match': `"${risk.id}.${risk.version}"`,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<{ title: string }>().title).toBe('Renamed');
  });

  it('lists a page of the register with the page size capped at 200', async () => {
    const { org, token } = await writerOfNewOrg();
    const objective = await makeObjective(
      t.db,
      org,
      await makeGoal(t.db, org, await makeStrategy(t.db, org)),
    );
    const linked = await makeRisk(t.db, org, { objectiveIds: [objective.id] });
    await makeRisk(t.db, org);
    const page = await api(token, 'GET', '/api/v1/risks?pageSize=1000');
    expect(page.json()).toMatchObject({ page: 1, pageSize: 200, total: 2 });
    const items = page.json<{ items: { id: string; objectiveIds: string[] }[] }>().items;
    expect(items.find((i) => i.id === linked.id)?.objectiveIds).toEqual([objective.id]);
  });

  it('adds and lists a risk’s actions', async () => {
    const { org, token } = await writerOfNewOrg();
    const risk = await makeRisk(t.db, org);
    const added = await api(token, 'POST', `/api/v1/risks/${risk.id}/actions`, {
      description: 'Offline backups',
      dueOn: '2020-01-31',
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ description: 'Offline backups', status: 'planned', overdue: true });
    const list = await api(token, 'GET', `/api/v1/risks/${risk.id}/actions`);
    expect(list.json<{ items: unknown[] }>().items).toHaveLength(1);
  });

  it('sets a category’s appetite with If-Match, which puts a risk outside appetite', async () => {
    const { org, token } = await writerOfNewOrg();
    const risk = await makeRisk(t.db, org, {
      category: 'workforce_skills',
      current: { likelihood: 2, impact: 4 },
    });
    expect(risk.outsideAppetite).toBe(false);
    const read = await api(token, 'GET', '/api/v1/risk-appetite/workforce_skills');
    const put = await api(
      token,
      'PUT',
      '/api/v1/risk-appetite/workforce_skills',
      { level: 'cautious', maxScore: 6 },
      { 'if-match': String(read.headers.etag) },
    );
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({
      category: 'workforce_skills',
      label: 'Workforce skills',
      level: 'cautious',
      maxScore: 6,
    });
    const after = await api(token, 'GET', `/api/v1/risks/${risk.id}`);
    expect(after.json<{ outsideAppetite: boolean }>().outsideAppetite).toBe(true);
    const bad = await api(
      token,
      'PUT',
      '/api/v1/risk-appetite/workforce_skills',
      { level: 'reckless', maxScore: 6 },
      { 'if-match': String(put.headers.etag) },
    );
    expect(bad.statusCode).toBe(400);
  });

  it('refuses changes with a read-only token and hides other organisations’ risks', async () => {
    const { org } = await writerOfNewOrg();
    const reader = await makeToken(t.db, org, 'read');
    expect((await api(reader, 'POST', '/api/v1/risks', body)).statusCode).toBe(403);
    const other = await makeOrganisation(t.db);
    const theirs = await makeRisk(t.db, other);
    expect((await api(reader, 'GET', `/api/v1/risks/${theirs.id}`)).statusCode).toBe(404);
  });
});

async function countRows(
  table: 'risk' | 'risk_action' | 'risk_assessment' | 'contingency_plan',
  org: Organisation,
): Promise<number> {
  const row = await t.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', org.id)
    .executeTakeFirstOrThrow();
  return row.n;
}

async function auditCount(org: Organisation, action: string): Promise<number> {
  const rows = await t.db
    .selectFrom('audit_event')
    .select('id')
    .where('organisation_id', '=', org.id)
    .where('action', '=', action)
    .execute();
  return rows.length;
}

describe('deleting a risk through the API', () => {
  it('deletes only with a current If-Match (428 without, 412 stale), with its history, actions and plan, audited', async () => {
    const { org, token } = await writerOfNewOrg();
    const risk = await makeRisk(t.db, org);
    await makeRiskAction(t.db, org, risk);
    await saveContingencyPlan(t.db, cliOperator(), org.id, risk.id, {
      trigger: 'Outage',
      plan: 'Paper forms',
    });
    const url = `/api/v1/risks/${risk.id}`;
    const etag = String((await api(token, 'GET', url)).headers.etag);
    expect((await api(token, 'DELETE', url)).statusCode).toBe(428);
    expect((await api(token, 'DELETE', url, undefined, { 'if-match': `"${risk.id}.99"` })).statusCode).toBe(
      412,
    );
    expect(await countRows('risk', org)).toBe(1);

    const deleted = await api(token, 'DELETE', url, undefined, { 'if-match': etag });
    expect(deleted.statusCode).toBe(204);
    expect(deleted.body).toBe('');
    expect((await api(token, 'GET', url)).statusCode).toBe(404);
    expect((await api(token, 'GET', `${url}/actions`)).statusCode).toBe(404);
    for (const table of ['risk', 'risk_action', 'risk_assessment', 'contingency_plan'] as const)
      expect(await countRows(table, org)).toBe(0);
    expect(await auditCount(org, 'risk.deleted')).toBe(1);
  });

  it('refuses a read-only token (403) and finds nothing of another organisation or escalated to this one (404)', async () => {
    const parent = await makeOrganisation(t.db);
    const child = await makeOrganisation(t.db, { parent });
    const risk = await makeRisk(t.db, child);
    await escalateRisk(t.db, cliOperator(), child.id, risk.id);
    const url = `/api/v1/risks/${risk.id}`;
    const reader = await makeToken(t.db, child, 'read');
    const ifMatch = { 'if-match': String((await api(reader, 'GET', url)).headers.etag) };
    expect((await api(reader, 'DELETE', url, undefined, ifMatch)).statusCode).toBe(403);
    const parentWriter = await makeToken(t.db, parent, 'read,write');
    expect((await api(parentWriter, 'GET', url)).statusCode).toBe(200);
    expect((await api(parentWriter, 'DELETE', url, undefined, ifMatch)).statusCode).toBe(404);
    const { token: stranger } = await writerOfNewOrg();
    expect((await api(stranger, 'DELETE', url, undefined, ifMatch)).statusCode).toBe(404);
    expect((await api(stranger, 'DELETE', '/api/v1/risks/not-an-id', undefined, ifMatch)).statusCode).toBe(
      404,
    );
    expect(await countRows('risk', child)).toBe(1);

    const childWriter = await makeToken(t.db, child, 'read,write');
    expect((await api(childWriter, 'DELETE', url, undefined, ifMatch)).statusCode).toBe(204);
    expect((await api(parentWriter, 'GET', url)).statusCode).toBe(404);
  });
});

describe('one action through the API', () => {
  it('reads an action with an ETag, changes it with If-Match (428 without, 412 stale) and deletes it', async () => {
    const { org, token } = await writerOfNewOrg();
    const risk = await makeRisk(t.db, org);
    const added = await api(token, 'POST', `/api/v1/risks/${risk.id}/actions`, {
      description: 'Offline backups',
      dueOn: '2027-01-31',
    });
    const url = String(added.headers.location);
    const id = added.json<{ id: string }>().id;
    expect(url).toBe(`/api/v1/risks/${risk.id}/actions/${id}`);
    const read = await api(token, 'GET', url);
    expect(read.statusCode).toBe(200);
    expect(read.headers.etag).toBe(added.headers.etag);
    expect(read.json()).toEqual({
      id,
      description: 'Offline backups',
      owner: null,
      dueOn: '2027-01-31',
      status: 'planned',
      overdue: false,
    });

    const change = { description: 'Offline backups', dueOn: '2020-02-28', status: 'in_progress' };
    expect((await api(token, 'PUT', url, change)).statusCode).toBe(428);
    expect((await api(token, 'PUT', url, change, { 'if-match': `"${id}.99"` })).statusCode).toBe(412);
    const changed = await api(token, 'PUT', url, change, { 'if-match': String(read.headers.etag) });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ dueOn: '2020-02-28', status: 'in_progress', overdue: true });
    expect(changed.headers.etag).not.toBe(read.headers.etag);

    expect((await api(token, 'DELETE', url)).statusCode).toBe(428);
    expect(
      (await api(token, 'DELETE', url, undefined, { 'if-match': String(read.headers.etag) })).statusCode,
    ).toBe(412);
    expect(await countRows('risk_action', org)).toBe(1);
    const deleted = await api(token, 'DELETE', url, undefined, { 'if-match': String(changed.headers.etag) });
    expect(deleted.statusCode).toBe(204);
    expect((await api(token, 'GET', url)).statusCode).toBe(404);
    expect(await auditCount(org, 'risk_action.updated')).toBe(1);
    expect(await auditCount(org, 'risk_action.deleted')).toBe(1);
  });

  it('answers a bad change with problem+json and JSON pointers, writing nothing', async () => {
    const { org, token } = await writerOfNewOrg();
    const risk = await makeRisk(t.db, org);
    const action = await makeRiskAction(t.db, org, risk, { description: 'Patch', dueOn: '2027-01-31' });
    const url = `/api/v1/risks/${risk.id}/actions/${action.id}`;
    const ifMatch = { 'if-match': `"${action.id}.${action.version}"` };
    const bad = await api(
      token,
      'PUT',
      url,
      {
        description: '',
        dueOn: '2027-02-30',
        status: 'later',
        owner: '00000000-0000-4000-8000-000000000000',
      },
      ifMatch,
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const fields = bad.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['/description', '/dueOn', '/status']));
    expect(fields.every((f) => f.startsWith('/'))).toBe(true);
    const unknownField = await api(
      token,
      'PUT',
      url,
      { description: 'Patch', dueOn: '2027-01-31', colour: 'red' },
      ifMatch,
    );
    expect(unknownField.statusCode).toBe(400);
    expect((await api(token, 'GET', url)).json()).toMatchObject({
      description: 'Patch',
      dueOn: '2027-01-31',
      status: 'planned',
    });
    expect(await auditCount(org, 'risk_action.updated')).toBe(0);
  });

  it('refuses a read-only token (403) and hides other organisations’ and other risks’ actions (404)', async () => {
    const { org, token } = await writerOfNewOrg();
    const risk = await makeRisk(t.db, org);
    const otherRisk = await makeRisk(t.db, org);
    const action = await makeRiskAction(t.db, org, risk);
    const url = `/api/v1/risks/${risk.id}/actions/${action.id}`;
    const ifMatch = { 'if-match': `"${action.id}.${action.version}"` };
    const change = { description: 'Changed', dueOn: '2027-01-31' };
    const reader = await makeToken(t.db, org, 'read');
    expect((await api(reader, 'GET', url)).statusCode).toBe(200);
    expect((await api(reader, 'PUT', url, change, ifMatch)).statusCode).toBe(403);
    expect((await api(reader, 'DELETE', url, undefined, ifMatch)).statusCode).toBe(403);
    const { token: stranger } = await writerOfNewOrg();
    for (const method of ['GET', 'PUT', 'DELETE'] as const)
      expect(
        (await api(stranger, method, url, method === 'PUT' ? change : undefined, ifMatch)).statusCode,
      ).toBe(404);
    const wrongRisk = `/api/v1/risks/${otherRisk.id}/actions/${action.id}`;
    expect((await api(token, 'GET', wrongRisk)).statusCode).toBe(404);
    expect((await api(token, 'DELETE', wrongRisk, undefined, ifMatch)).statusCode).toBe(404);
    expect((await api(token, 'GET', `/api/v1/risks/${risk.id}/actions/nope`)).statusCode).toBe(404);
    expect(await countRows('risk_action', org)).toBe(1);
  });
});
