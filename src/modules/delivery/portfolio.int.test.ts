import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import type { TestClient } from '../../../test/support/client.ts';
import { makeProject, makeStatusReport } from '../../../test/support/delivery-factories.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { listProjectViews } from './delivery.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

async function upload(
  client: TestClient,
  org: Organisation,
  fileName: string,
  bytes: Buffer,
): Promise<LightMyRequestResponse> {
  const boundary = `----waymark${randomBytes(8).toString('hex')}`;
  const csrf = await client.csrfToken();
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return client.request({
    method: 'POST',
    url: `/o/${org.slug}/projects/import`,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload,
  });
}

function errorSummary(html: string): string[] {
  const summary =
    /<div class="govuk-error-summary"[\s\S]*?<ul class="govuk-list govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(
      html,
    )?.[1] ?? '';
  return [...summary.matchAll(/<a href="#file">([\s\S]*?)<\/a>/g)].map((m) =>
    (m[1] ?? '')
      .trim()
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

async function projectCount(org: Organisation): Promise<number> {
  const row = await t.db
    .selectFrom('project')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', org.id)
    .executeTakeFirstOrThrow();
  return row.n;
}

describe('portfolio downloads', () => {
  it('downloads the filtered portfolio as CSV and XLSX, neutralising formulas', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'viewer'));
    const objective = await makeObjective(
      t.db,
      org,
      await makeGoal(t.db, org, await makeStrategy(t.db, org)),
      { title: 'Pay online' },
    );
    const red = await makeProject(t.db, org, {
      title: '=HYPERLINK("x")',
      objectives: [{ objectiveId: objective.id }],
    });
    await makeStatusReport(t.db, org, red, { overall: 'red' });
    await makeProject(t.db, org, { title: 'Quiet project' });

    const csv = await client.get(`/o/${org.slug}/projects/export.csv?rag=red`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = csv.body.trim().split(/\r?\n/);
    expect(lines[0]).toBe(
      'title,type,phase,phase_started_on,owner,owner_email,programme,planned_start,planned_end,planned_capital,planned_resource,actual_capital,actual_resource,delivery_approach,report_frequency,rag,report_late,overdue_milestones,objectives,description',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines[1]).toContain('red');
    expect(lines[1]).toContain('Pay online');

    const xlsx = await client.request({ method: 'GET', url: `/o/${org.slug}/projects/export.xlsx` });
    expect(xlsx.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet?.rowCount).toBe(3);
    expect(sheet?.getRow(1).getCell(1).value).toBe('title');
  });
});

describe('importing a project list', () => {
  const header = 'Title,Type,Phase,Owner_Email,Planned_Start,Planned_End,Planned_Capital,Objectives,RAG';

  it('imports every row, with owners by email and objectives by title, then refuses nothing twice', async () => {
    const org = await makeOrganisation(t.db);
    const manager = await makeUser(t.db, org, 'manager');
    const client = await signIn(t.app, manager);
    const objective = await makeObjective(
      t.db,
      org,
      await makeGoal(t.db, org, await makeStrategy(t.db, org)),
      { title: 'Pay online' },
    );
    const page = await client.get(`/o/${org.slug}/projects/import`);
    expect(page.statusCode).toBe(200);
    const file = Buffer.from(
      [
        header,
        `Council tax online,project,beta,${manager.email.toUpperCase()},2026-04-01,2027-03-31,"£120,000",Pay online,green`,
        'Bins pilot,pilot,,,,,,,',
        '',
      ].join('\r\n'),
      'utf8',
    );
    const done = await upload(client, org, 'projects.csv', file);
    expect(done.statusCode).toBe(303);
    const projects = await listProjectViews(t.db, cliOperator(), org.id);
    expect(
      projects.map((p) => [
        p.title,
        p.type,
        p.phase,
        p.ownerId,
        p.budgetPlanned.capital,
        p.objectives.map((o) => o.objectiveId),
      ]),
    ).toEqual([
      ['Bins pilot', 'pilot', 'discovery', null, '0.00', []],
      ['Council tax online', 'project', 'beta', manager.id, '120000.00', [objective.id]],
    ]);
  });

  it('lists every problem with its line number and imports nothing', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'manager'));
    const file = Buffer.from(
      [
        header,
        'Good one,project,alpha,,,,,,',
        ',rocket,alpha,,,,,,',
        'Late,project,gamma,nobody@example.com,2026-04-01,2026-01-01,lots,Unknown objective,',
      ].join('\n'),
      'utf8',
    );
    const refused = await upload(client, org, 'projects.csv', file);
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toEqual([
      'Line 3: title: Enter a title for the project',
      'Line 3: type: Select the type: project, programme, service change or pilot',
      'Line 4: phase: Select the phase: discovery, alpha, beta, live or retirement',
      'Line 4: planned_capital: Planned capital budget must be an amount in pounds, like 25000 or 25000.50',
      'Line 4: planned_end: The planned end date must be on or after the planned start date',
    ]);
    expect(await projectCount(org)).toBe(0);

    const unknown = await upload(
      client,
      org,
      'projects.csv',
      Buffer.from([header, 'Late,project,alpha,nobody@example.com,,,,Unknown objective,'].join('\n')),
    );
    expect(errorSummary(unknown.body)).toEqual([
      'Line 2: owner_email: nobody@example.com is not a member of this organisation',
      'Line 2: objectives: there is no objective called “Unknown objective”',
    ]);
    const latin1 = await upload(
      client,
      org,
      'projects.csv',
      Buffer.from([header, 'Caf\xe9 project'].join('\n'), 'latin1'),
    );
    expect(errorSummary(latin1.body)[0]).toContain('UTF-8');
    const noTitle = await upload(client, org, 'projects.csv', Buffer.from('name,type\nX,project\n'));
    expect(errorSummary(noTitle.body)).toEqual([
      'Line 1: the first row must name the columns, and one must be title',
    ]);
    const notCsv = await upload(client, org, 'projects.xlsx', Buffer.from('PK'));
    expect(errorSummary(notCsv.body)).toEqual(['The selected file must be a CSV file']);
    expect(await projectCount(org)).toBe(0);
  });

  it('is for managers only', async () => {
    const org = await makeOrganisation(t.db);
    const client = await signIn(t.app, await makeUser(t.db, org, 'contributor'));
    expect((await client.get(`/o/${org.slug}/projects/import`)).statusCode).toBe(403);
    expect((await upload(client, org, 'projects.csv', Buffer.from('title\nX\n'))).statusCode).toBe(403);
    expect(await projectCount(org)).toBe(0);
  });
});
