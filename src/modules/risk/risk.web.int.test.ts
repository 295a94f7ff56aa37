import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import type { TestClient } from '../../../test/support/client.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { xlsxOf } from '../../../test/support/import-fixtures.ts';
import { signIn } from '../../../test/support/login.ts';
import { makeRisk, makeRiskAction } from '../../../test/support/risk-factories.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { escalateRisk, getRiskAction, listEscalatedRisks, listRiskActions } from './risk.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

function errorSummary(html: string): string {
  const match = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html);
  return match === null
    ? ''
    : match[0]
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .replace(/&#39;|&#x27;/g, "'")
        .replace(/&quot;/g, '"');
}

async function riskCount(org: Organisation): Promise<number> {
  const row = await t.db
    .selectFrom('risk')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', org.id)
    .executeTakeFirstOrThrow();
  return row.n;
}

async function upload(
  client: TestClient,
  org: Organisation,
  fileName: string,
  bytes: Buffer,
  type = 'text/csv',
): Promise<LightMyRequestResponse> {
  const boundary = `----waymark${randomBytes(8).toString('hex')}`;
  const csrf = await client.csrfToken();
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return client.request({
    method: 'POST',
    url: `/o/${org.slug}/risks/import`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
}

const HEADER = [
  'title',
  'category',
  'inherent likelihood',
  'inherent impact',
  'current likelihood',
  'current impact',
  'target likelihood',
  'target impact',
  'response',
];

describe('the risk register pages', () => {
  it('shows the register with levels and flags to a viewer, without the add button', async () => {
    const org = await makeOrganisation(t.db);
    const viewer = await makeUser(t.db, org, 'viewer');
    await makeRisk(t.db, org, {
      title: 'Phishing campaign',
      category: 'data_privacy',
      current: { likelihood: 3, impact: 4 },
    });
    const client = await signIn(t.app, viewer);
    const page = await client.get(`/o/${org.slug}/risks`);
    expect(page.statusCode).toBe(200);
    const row =
      page.body.split('<tr class="govuk-table__row">').find((r) => r.includes('Phishing campaign')) ?? '';
    expect(row).toContain('High (12)');
    expect(row).toContain('Outside appetite');
    expect(row).toContain('Add a contingency plan');
    expect(page.body).not.toContain('Add a risk');
    const filtered = await client.get(`/o/${org.slug}/risks?level=low`);
    expect(filtered.body).toContain('No risks match these filters.');
  });

  it('shows the GOV.UK error summary for a bad risk and writes nothing', async () => {
    const org = await makeOrganisation(t.db);
    const contributor = await makeUser(t.db, org, 'contributor');
    const client = await signIn(t.app, contributor);
    const response = await client.postForm(`/o/${org.slug}/risks`, {
      title: '',
      category: 'cybersecurity',
      inherentLikelihood: '6',
    });
    expect(response.statusCode).toBe(400);
    const summary = errorSummary(response.body);
    expect(summary).toContain('Enter a title for the risk');
    expect(summary).toContain('Choose the inherent likelihood');
    expect(response.body).toContain('href="#inherentLikelihood"');
    expect(await riskCount(org)).toBe(0);
  });

  it('adds a risk from the form and records a review that shows in the history table', async () => {
    const org = await makeOrganisation(t.db);
    const contributor = await makeUser(t.db, org, 'contributor');
    const client = await signIn(t.app, contributor);
    const created = await client.postForm(`/o/${org.slug}/risks`, {
      title: 'Key supplier fails',
      category: 'commercial',
      proximity: 'within_a_year',
      inherentLikelihood: '3',
      inherentImpact: '4',
      currentLikelihood: '3',
      currentImpact: '3',
      targetLikelihood: '2',
      targetImpact: '2',
      response: 'transfer',
      reviewFrequency: 'monthly',
    });
    expect(created.statusCode).toBe(303);
    const location = String(created.headers.location);
    const reviewed = await client.postForm(`${location}/reassess`, {
      inherentLikelihood: '3',
      inherentImpact: '4',
      currentLikelihood: '2',
      currentImpact: '3',
      targetLikelihood: '2',
      targetImpact: '2',
      note: 'New contract signed',
    });
    expect(reviewed.statusCode).toBe(303);
    const page = await client.get(location);
    expect(page.body).toContain('New contract signed');
    expect(page.body).toContain('<svg');
    expect(page.body).toContain('Score history of Key supplier fails: 2 assessments');
  });

  it('lets a manager set a category’s appetite, which flags risks above it', async () => {
    const org = await makeOrganisation(t.db);
    const manager = await makeUser(t.db, org, 'manager');
    await makeRisk(t.db, org, {
      title: 'Ageing laptops',
      category: 'technology',
      current: { likelihood: 3, impact: 3 },
    });
    const client = await signIn(t.app, manager);
    const bad = await client.postForm(`/o/${org.slug}/risks/appetite/technology`, {
      label: 'Technology',
      level: 'open',
      maxScore: '30',
    });
    expect(bad.statusCode).toBe(400);
    expect(errorSummary(bad.body)).toContain('whole number from 1 to 25');
    const ok = await client.postForm(`/o/${org.slug}/risks/appetite/technology`, {
      label: 'Technology',
      level: 'cautious',
      maxScore: '6',
    });
    expect(ok.statusCode).toBe(303);
    const register = await client.get(`/o/${org.slug}/risks?appetite=outside`);
    expect(register.body).toContain('Ageing laptops');
  });

  it('lets a manager add a category of the organisation’s own, refusing a key already used', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'manager'));
    const taken = await client.postForm(`/o/${org.slug}/risks/appetite`, {
      key: 'cybersecurity',
      label: 'Cyber',
      level: 'open',
      maxScore: '9',
    });
    expect(taken.statusCode).toBe(400);
    expect(errorSummary(taken.body)).toContain('There is already a category with the key cybersecurity');
    const added = await client.postForm(`/o/${org.slug}/risks/appetite`, {
      key: 'supply_chain',
      label: 'Supply chain',
      level: 'cautious',
      maxScore: '8',
    });
    expect(added.statusCode).toBe(303);
    expect((await client.get(`/o/${org.slug}/risks/appetite`)).body).toContain('Supply chain');
  });

  it('draws both heat maps with counts and links to the cell’s risks, and a table alternative', async () => {
    const org = await makeOrganisation(t.db);
    const viewer = await makeUser(t.db, org, 'viewer');
    await makeRisk(t.db, org, {
      inherent: { likelihood: 4, impact: 5 },
      current: { likelihood: 2, impact: 3 },
    });
    const client = await signIn(t.app, viewer);
    const page = await client.get(`/o/${org.slug}/risks/heat-map`);
    expect(page.body).toContain('id="heat-map-inherent"');
    expect(page.body).toContain(`href="/o/${org.slug}/risks?cell=current-2-3"`);
    expect(page.body).toContain('aria-label="Likelihood 4 (high), impact 5 (very high): 1 risk"');
    const cell = await client.get(`/o/${org.slug}/risks?cell=inherent-4-5`);
    expect(cell.body).toContain('Legacy case system out of support');
  });
});

describe('escalation pages', () => {
  it('shows a child’s escalated risk read-only in the parent’s register, and nothing to a sibling', async () => {
    const parent = await makeOrganisation(t.db, { name: 'Combined authority' });
    const child = await makeOrganisation(t.db, { parent, name: 'River district council' });
    const sibling = await makeOrganisation(t.db, { parent });
    const risk = await makeRisk(t.db, child, { title: 'Flood defences data lost' });
    await escalateRisk(t.db, cliOperator(), child.id, risk.id, { note: 'Shared system' });
    const parentClient = await signIn(t.app, await makeUser(t.db, parent, 'manager'));
    const register = await parentClient.get(`/o/${parent.slug}/risks`);
    expect(register.body).toContain('Escalated to Combined authority');
    expect(register.body).toContain('River district council');
    const page = await parentClient.get(`/o/${parent.slug}/risks/${risk.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('River district council escalated this risk');
    expect(page.body).not.toContain('Record a review');
    expect((await parentClient.get(`/o/${parent.slug}/risks/${risk.id}/edit`)).statusCode).toBe(404);
    const siblingClient = await signIn(t.app, await makeUser(t.db, sibling, 'manager'));
    expect((await siblingClient.get(`/o/${sibling.slug}/risks`)).body).not.toContain(
      'Flood defences data lost',
    );
    expect((await siblingClient.get(`/o/${sibling.slug}/risks/${risk.id}`)).statusCode).toBe(404);
  });
});

describe('importing and exporting the register', () => {
  it('refuses a CSV with problems, line by line, writing nothing; then imports the fixed file', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'contributor'));
    const bad = [
      HEADER.join(','),
      'Phishing,cybersecurity,0,5,3,3,1,1,treat',
      'Outage,weather,4,4,3,3,1,1,treat',
      'Phishing,cybersecurity,4,5,3,3,1,1,treat',
    ].join('\r\n');
    const refused = await upload(client, org, 'register.csv', Buffer.from(bad));
    expect(refused.statusCode).toBe(400);
    const summary = errorSummary(refused.body);
    expect(summary).toContain('Line 2: inherent likelihood must be 1 to 5');
    expect(summary).toContain('Line 3: category “weather” is not one of the organisation’s categories');
    expect(summary).toContain('Line 4: the title “Phishing” is also on line 2');
    expect(await riskCount(org)).toBe(0);
    const good = [
      HEADER.join(','),
      'Phishing,cybersecurity,very high,5,3,3,1,1,treat',
      'Outage,technology,4,4,3,3,1,1,tolerate',
    ].join('\r\n');
    const imported = await upload(client, org, 'register.csv', Buffer.from(good));
    expect(imported.statusCode).toBe(303);
    expect(await riskCount(org)).toBe(2);
  });

  it('imports an XLSX workbook and refuses a file without the required columns', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'contributor'));
    const missing = await upload(
      client,
      org,
      'register.xlsx',
      await xlsxOf([
        ['title', 'category'],
        ['A', 'cybersecurity'],
      ]),
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(errorSummary(missing.body)).toContain('The header row is missing the columns inherent likelihood');
    const workbook = await xlsxOf([
      HEADER,
      ['Skills gap in data engineering', 'Workforce skills', 'high', 'high', 3, 3, 2, 2, 'treat'],
    ]);
    const imported = await upload(
      client,
      org,
      'register.xlsx',
      workbook,
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(imported.statusCode).toBe(303);
    expect(await riskCount(org)).toBe(1);
  });

  it('exports the register as CSV with formula-looking text neutralised', async () => {
    const org = await makeOrganisation(t.db);
    await makeRisk(t.db, org, { title: '=HYPERLINK("http://evil")' });
    const client = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const csv = await client.get(`/o/${org.slug}/risks/export.csv`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toContain('title,category,owner');
    expect(csv.body).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});

describe('risks elsewhere', () => {
  it('lists top risks on the organisation dashboard and under their objectives on the golden thread', async () => {
    const org = await makeOrganisation(t.db);
    const strategy = await makeStrategy(t.db, org);
    const objective = await makeObjective(t.db, org, await makeGoal(t.db, org, strategy));
    await makeRisk(t.db, org, {
      title: 'Cloud costs overrun',
      category: 'financial',
      current: { likelihood: 4, impact: 4 },
      objectiveIds: [objective.id],
    });
    const client = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const overview = await client.get(`/o/${org.slug}`);
    const top = /<table class="govuk-table" id="top-risks">[\s\S]*?<\/table>/.exec(overview.body)?.[0] ?? '';
    expect(top).toContain('Cloud costs overrun');
    expect(top).toContain('Very high (16)');
    expect(top).toContain('Outside appetite');
    const thread = await client.get(`/o/${org.slug}/strategy/${strategy.id}/thread`);
    expect(thread.body).toContain(`Open risks to ${objective.title}`);
    expect(thread.body).toContain('Cloud costs overrun');
  });
});

describe('changing and deleting actions', () => {
  it('changes an action’s status, due date and owner from the risk page, with the error summary on bad input and nothing written', async () => {
    const org = await makeOrganisation(t.db);
    const contributor = await makeUser(t.db, org, 'contributor');
    const owner = await makeUser(t.db, org, 'viewer');
    const risk = await makeRisk(t.db, org);
    const action = await makeRiskAction(t.db, org, risk, {
      description: 'Buy spare servers',
      dueOn: '2027-01-31',
    });
    const client = await signIn(t.app, contributor);
    const here = `/o/${org.slug}/risks/${risk.id}`;
    const page = await client.get(here);
    expect(page.body).toContain(`href="${here}/actions/${action.id}/edit"`);
    expect(page.body).toContain(`href="${here}/actions/${action.id}/delete"`);
    expect((await client.get(`${here}/actions/${action.id}/edit`)).body).toContain('Delete this action');

    const bad = await client.postForm(`${here}/actions/${action.id}/edit`, {
      description: '',
      ownerId: owner.id,
      dueOn: '2027-02-30',
      status: 'in_progress',
      version: String(action.version),
    });
    expect(bad.statusCode).toBe(400);
    const summary = errorSummary(bad.body);
    expect(summary).toContain('There is a problem');
    expect(bad.body).toContain('href="#description"');
    expect(bad.body).toContain('href="#dueOn"');
    expect(await getRiskAction(t.db, cliOperator(), org.id, risk.id, action.id)).toMatchObject({
      description: 'Buy spare servers',
      dueOn: '2027-01-31',
      status: 'planned',
      version: action.version,
    });

    const changed = await client.postForm(`${here}/actions/${action.id}/edit`, {
      description: 'Buy spare servers',
      ownerId: owner.id,
      dueOn: '2027-02-28',
      status: 'in_progress',
      version: String(action.version),
    });
    expect(changed.statusCode).toBe(303);
    expect(await getRiskAction(t.db, cliOperator(), org.id, risk.id, action.id)).toMatchObject({
      ownerId: owner.id,
      dueOn: '2027-02-28',
      status: 'in_progress',
    });
  });

  it('deletes an action only after confirming: no answer shows the error summary, no goes back, yes deletes', async () => {
    const org = await makeOrganisation(t.db);
    const contributor = await makeUser(t.db, org, 'contributor');
    const risk = await makeRisk(t.db, org);
    const action = await makeRiskAction(t.db, org, risk, { description: 'Buy spare servers' });
    const client = await signIn(t.app, contributor);
    const here = `/o/${org.slug}/risks/${risk.id}`;
    const url = `${here}/actions/${action.id}/delete`;
    const confirm = await client.get(url);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Are you sure you want to delete this action?');
    expect(confirm.body).toContain('Buy spare servers');

    const unanswered = await client.postForm(url, { version: String(action.version) });
    expect(unanswered.statusCode).toBe(400);
    expect(errorSummary(unanswered.body)).toContain('Select yes if you want to delete this action');
    expect(unanswered.body).toContain('href="#confirm"');
    const no = await client.postForm(url, { confirm: 'no', version: String(action.version) });
    expect(no.statusCode).toBe(303);
    expect(no.headers.location).toBe(here);
    const stale = await client.postForm(url, { confirm: 'yes', version: String(action.version + 1) });
    expect(stale.statusCode).toBe(400);
    expect(errorSummary(stale.body)).toContain('Someone else changed this action');
    expect(await listRiskActions(t.db, cliOperator(), org.id, { riskId: risk.id })).toHaveLength(1);

    const yes = await client.postForm(url, { confirm: 'yes', version: String(action.version) });
    expect(yes.statusCode).toBe(303);
    expect(yes.headers.location).toBe(here);
    expect(await listRiskActions(t.db, cliOperator(), org.id, { riskId: risk.id })).toEqual([]);
    expect((await client.get(url)).statusCode).toBe(404);
  });

  it('does not let a viewer delete an action', async () => {
    const org = await makeOrganisation(t.db);
    const risk = await makeRisk(t.db, org);
    const action = await makeRiskAction(t.db, org, risk);
    const client = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const here = `/o/${org.slug}/risks/${risk.id}`;
    expect((await client.get(here)).body).not.toContain(`${here}/actions/${action.id}/delete`);
    expect(
      (await client.postForm(`${here}/actions/${action.id}/delete`, { confirm: 'yes' })).statusCode,
    ).toBe(403);
    expect(await listRiskActions(t.db, cliOperator(), org.id, { riskId: risk.id })).toHaveLength(1);
  });
});

describe('deleting a risk', () => {
  it('lets a manager delete a risk after confirming, with the error summary when nothing is chosen', async () => {
    const org = await makeOrganisation(t.db);
    const manager = await makeUser(t.db, org, 'manager');
    const risk = await makeRisk(t.db, org, { title: 'Data centre flood' });
    await makeRiskAction(t.db, org, risk);
    const client = await signIn(t.app, manager);
    const here = `/o/${org.slug}/risks/${risk.id}`;
    expect((await client.get(here)).body).toContain(`href="${here}/delete"`);
    const confirm = await client.get(`${here}/delete`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Are you sure you want to delete this risk?');
    expect(confirm.body).toContain('score history, mitigating actions, contingency plan and links');

    const unanswered = await client.postForm(`${here}/delete`, { version: String(risk.version) });
    expect(unanswered.statusCode).toBe(400);
    expect(errorSummary(unanswered.body)).toContain('Select yes if you want to delete this risk');
    expect(await riskCount(org)).toBe(1);
    const no = await client.postForm(`${here}/delete`, { confirm: 'no', version: String(risk.version) });
    expect(no.headers.location).toBe(here);
    expect(await riskCount(org)).toBe(1);

    const yes = await client.postForm(`${here}/delete`, { confirm: 'yes', version: String(risk.version) });
    expect(yes.statusCode).toBe(303);
    expect(yes.headers.location).toBe(`/o/${org.slug}/risks`);
    expect(await riskCount(org)).toBe(0);
    expect((await client.get(here)).statusCode).toBe(404);
  });

  it('is for managers only, and only for the organisation’s own risks; an escalated one leaves the parent when deleted', async () => {
    const parent = await makeOrganisation(t.db);
    const child = await makeOrganisation(t.db, { parent });
    const risk = await makeRisk(t.db, child);
    await escalateRisk(t.db, cliOperator(), child.id, risk.id);
    const here = `/o/${child.slug}/risks/${risk.id}`;

    const contributor = await signIn(t.app, await makeUser(t.db, child, 'contributor'));
    expect((await contributor.get(here)).body).not.toContain(`href="${here}/delete"`);
    expect((await contributor.get(`${here}/delete`)).statusCode).toBe(403);
    expect((await contributor.postForm(`${here}/delete`, { confirm: 'yes' })).statusCode).toBe(403);

    const parentManager = await signIn(t.app, await makeUser(t.db, parent, 'manager'));
    const inParent = `/o/${parent.slug}/risks/${risk.id}`;
    expect((await parentManager.get(inParent)).body).not.toContain(`${inParent}/delete`);
    expect((await parentManager.get(`${inParent}/delete`)).statusCode).toBe(404);
    expect((await parentManager.postForm(`${inParent}/delete`, { confirm: 'yes' })).statusCode).toBe(404);
    expect(await riskCount(child)).toBe(1);

    const manager = await signIn(t.app, await makeUser(t.db, child, 'manager'));
    expect((await manager.get(`${here}/delete`)).body).toContain(
      'it will leave the parent organisation’s register',
    );
    expect((await manager.postForm(`${here}/delete`, { confirm: 'yes' })).statusCode).toBe(303);
    expect(await listEscalatedRisks(t.db, cliOperator(), parent.id)).toEqual([]);
  });
});
