import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeProject } from '../../../test/support/delivery-factories.ts';
import { makeOrganisation, makeToken, makeUser } from '../../../test/support/factories.ts';
import { allPointsMet, makeAssessment } from '../../../test/support/governance-factories.ts';
import { signIn } from '../../../test/support/login.ts';
import type { Organisation } from '../organisations/organisations.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

async function count(table: 'service_assessment' | 'service_assessment_point' | 'audit_event', org: Organisation): Promise<number> {
  const row = await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('organisation_id', '=', org.id).executeTakeFirstOrThrow();
  return row.n;
}

function errorSummary(html: string): string {
  const match = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html);
  return match === null ? '' : match[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

function expectWellFormed(html: string): void {
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  for (const [, target] of html.matchAll(/<a href="#([^"]+)"/g)) {
    if (target !== 'main-content') expect(ids, `error link #${target}`).toContain(target);
  }
  expect(html.match(/<h1[\s>]/g)?.length ?? 0).toBe(1);
}

/** The form's fields with every point answered met, then `changes` applied. */
function formOf(changes: Record<string, string>): Record<string, string> {
  const fields: Record<string, string> = { projectId: '', serviceName: '', phase: 'beta', 'assessedOn-day': '14', 'assessedOn-month': '10', 'assessedOn-year': '2026', outcome: 'met', summary: '' };
  for (let point = 1; point <= 14; point++) {
    fields[`point-${point}`] = 'met';
    fields[`point-${point}-evidence`] = `Seen for ${point}`;
    fields[`point-${point}-actions`] = '';
  }
  return { ...fields, ...changes };
}

describe('the assessment pages', () => {
  it('records an assessment of a project against the 14 points and shows its history across phases', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'manager'));
    const project = await makeProject(t.db, org, { title: 'New website' });
    await makeAssessment(t.db, org, { projectId: project.id, phase: 'alpha', assessedOn: '2026-03-02', outcome: 'not_met', points: allPointsMet().map((p) => (p.point === 12 ? { ...p, met: 'not_met', actions: 'Publish the code' } : p)) });

    const list = await client.get(`/o/${org.slug}/assessments`);
    expect(list.statusCode).toBe(200);
    expectWellFormed(list.body);
    const form = await client.get(`/o/${org.slug}/assessments/new`);
    expectWellFormed(form.body);
    expect(form.body).toContain('Make new source code open');

    const created = await client.postForm(`/o/${org.slug}/assessments`, formOf({ projectId: project.id, summary: 'Ready for public beta' }));
    expect(created.statusCode).toBe(303);
    const page = await client.get(String(created.headers.location));
    expect(page.statusCode).toBe(200);
    expectWellFormed(page.body);
    expect(page.body).toContain('New website');
    expect(page.body).toContain('Ready for public beta');
    expect(page.body).toContain('Seen for 14');
    const history = page.body.slice(page.body.indexOf('History across phases'));
    expect(history.indexOf('Alpha')).toBeLessThan(history.indexOf('Beta (this one)'));
    expect(history).toContain('13 of 14');
    expect(await count('service_assessment_point', org)).toBe(28);

    await makeAssessment(t.db, org, { serviceName: 'Report a missed bin', phase: 'live' });
    const ofProject = await client.get(`/o/${org.slug}/assessments?projectId=${project.id}`);
    expect(ofProject.statusCode).toBe(200);
    expectWellFormed(ofProject.body);
    expect(ofProject.body).toContain('2 assessments');
    expect(ofProject.body).not.toContain('Report a missed bin');
    const otherProject = await makeProject(t.db, await makeOrganisation(t.db));
    expect((await client.get(`/o/${org.slug}/assessments?projectId=${otherProject.id}`)).statusCode).toBe(404);
    expect((await client.get(`/o/${org.slug}/assessments?projectId=nonsense`)).statusCode).toBe(404);
  });

  it('refuses an incomplete assessment with an error per problem, writing nothing', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'manager'));
    const before = await count('audit_event', org);
    const response = await client.postForm(
      `/o/${org.slug}/assessments`,
      formOf({ 'assessedOn-day': '31', 'assessedOn-month': '9', phase: '', 'point-3': '', 'point-5': 'not_met' }),
    );
    expect(response.statusCode).toBe(400);
    expectWellFormed(response.body);
    const summary = errorSummary(response.body);
    expect(summary).toContain('Select the project assessed, or enter the name of the service');
    expect(summary).toContain('Select the phase assessed: alpha, beta or live');
    expect(summary).toContain('Enter a real date for the assessment');
    expect(summary).toContain('Select whether point 3 is met or not met');
    expect(summary).toContain('Enter the actions agreed for point 5, which is not met');
    expect(summary).toContain('The outcome cannot be met while a point is not met');
    expect(await count('service_assessment', org)).toBe(0);
    expect(await count('audit_event', org)).toBe(before);
  });
});

function call(token: string, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return t.app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(body === undefined ? {} : { payload: body as Record<string, unknown> }) });
}

const points = Array.from({ length: 14 }, (_, i) => ({ point: i + 1, met: true, evidence: 'Seen', actions: '' }));

describe('assessments over the API', () => {
  it('records, reads, lists by project and changes an assessment with If-Match', async () => {
    const org = await makeOrganisation(t.db);
    const token = await makeToken(t.db, org, 'read,write');
    const project = await makeProject(t.db, org);
    const body = { projectId: project.id, phase: 'alpha', assessedOn: '2026-03-02', outcome: 'met', summary: 'Good', points };
    const created = await call(token, 'POST', '/api/v1/assessments', body);
    expect(created.statusCode).toBe(201);
    const assessment = created.json<{ id: string }>();
    expect(assessment).toEqual({ ...body, id: assessment.id, serviceName: null, version: 1 });
    expect(created.headers.etag).toBe(`"${assessment.id}.1"`);

    const listed = await call(token, 'GET', `/api/v1/assessments?projectId=${project.id}`);
    expect(listed.json()).toMatchObject({ total: 1 });
    expect((await call(token, 'PUT', `/api/v1/assessments/${assessment.id}`, body)).statusCode).toBe(428);
    const changed = await call(token, 'PUT', `/api/v1/assessments/${assessment.id}`, { ...body, phase: 'beta' }, { 'if-match': `"${assessment.id}.1"` });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({ phase: 'beta', version: 2 });
    expect((await call(token, 'PUT', `/api/v1/assessments/${assessment.id}`, body, { 'if-match': `"${assessment.id}.1"` })).statusCode).toBe(412);
  });

  it('refuses bad assessments with problem+json, writing nothing, and hides other organisations’ ones', async () => {
    const org = await makeOrganisation(t.db);
    const token = await makeToken(t.db, org, 'read,write');
    const otherOrg = await makeOrganisation(t.db);
    const theirProject = await makeProject(t.db, otherOrg);
    const theirs = await makeAssessment(t.db, otherOrg);
    const base = { serviceName: 'Parking permits', phase: 'live', assessedOn: '2026-03-02', outcome: 'met', points };
    const cases: [unknown, string][] = [
      [{ ...base, serviceName: null, projectId: theirProject.id }, 'projectId'],
      [{ ...base, points: points.slice(1) }, 'point-1'],
      [{ ...base, phase: 'discovery' }, 'phase'],
      [{ ...base, points: points.map((p) => (p.point === 2 ? { ...p, met: false } : p)), outcome: 'not_met' }, 'point-2-actions'],
    ];
    for (const [body, fieldName] of cases) {
      const response = await call(token, 'POST', '/api/v1/assessments', body);
      expect(response.statusCode, fieldName).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field), fieldName).toEqual([fieldName]);
    }
    expect(await count('service_assessment', org)).toBe(0);
    expect((await call(token, 'GET', `/api/v1/assessments/${theirs.id}`)).statusCode).toBe(404);
  });
});
