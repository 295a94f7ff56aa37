import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import type { TestClient } from '../../../test/support/client.ts';
import { makeMilestone, makeProject, makeStatusReport } from '../../../test/support/delivery-factories.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeKpi } from '../../../test/support/kpi-factories.ts';
import { makeRisk } from '../../../test/support/risk-factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { listGoldenThreads } from '../thread/thread.service.ts';
import { getProject, listStatusReports } from './delivery.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

async function memberOfNewOrg(
  role: 'viewer' | 'contributor' | 'manager' = 'manager',
): Promise<{ org: Organisation; client: TestClient; userId: string }> {
  const org = await makeOrganisation(t.db);
  const user = await makeUser(t.db, org, role);
  return { org, client: await signIn(t.app, user), userId: user.id };
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

async function count(
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

const projectFields = {
  title: 'Online council tax account',
  description: 'Residents manage council tax online',
  type: 'project',
  phase: 'alpha',
  'plannedStart-day': '1',
  'plannedStart-month': '4',
  'plannedStart-year': '2026',
  'plannedEnd-day': '31',
  'plannedEnd-month': '3',
  'plannedEnd-year': '2027',
  budgetPlannedCapital: '£120,000',
  budgetPlannedResource: '80000',
  budgetActualCapital: '',
  budgetActualResource: '12500.50',
  deliveryApproach: 'Agile',
  reportFrequency: 'monthly',
};

describe('the portfolio pages', () => {
  it('lets a manager add a project linked to an objective with a weight, and shows it everywhere', async () => {
    const { org, client, userId } = await memberOfNewOrg('manager');
    const strategy = await makeStrategy(t.db, org);
    const goal = await makeGoal(t.db, org, strategy, { title: 'Services people prefer' });
    const objective = await makeObjective(t.db, org, goal, { title: 'Move council tax online' });

    const form = await client.get(`/o/${org.slug}/projects/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Move council tax online');
    expectWellFormed(form.body);

    const created = await client.postForm(`/o/${org.slug}/projects`, {
      ...projectFields,
      ownerId: userId,
      objectives: objective.id,
      [`weight-${objective.id}`]: '2',
    });
    expect(created.statusCode).toBe(303);
    const url = String(created.headers.location);
    const projectId = url.split('/').at(-1) ?? '';
    const project = await getProject(t.db, cliOperator(), org.id, projectId);
    expect(project.objectives).toEqual([{ objectiveId: objective.id, weight: 2 }]);
    expect(project.budgetPlanned).toEqual({ capital: '120000.00', resource: '80000.00' });
    expect(project.budgetActual).toEqual({ capital: '0.00', resource: '12500.50' });
    expect(project.phaseStartedOn).not.toBeNull();

    const page = await client.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Online council tax account');
    expect(page.body).toContain('Move council tax online');
    expect(page.body).toContain('No report yet');
    expectWellFormed(page.body);

    const portfolio = await client.get(`/o/${org.slug}/projects`);
    expect(portfolio.statusCode).toBe(200);
    expect(portfolio.body).toContain('Online council tax account');
    expect(portfolio.body).toContain('<svg');
    expectWellFormed(portfolio.body);

    const edit = await client.get(`${url}/edit`);
    expect(edit.statusCode).toBe(200);
    expectWellFormed(edit.body);
    const changed = await client.postForm(`${url}/edit`, {
      ...projectFields,
      phase: 'beta',
      version: String(project.version),
      ownerId: userId,
    });
    expect(changed.statusCode).toBe(303);
    const after = await getProject(t.db, cliOperator(), org.id, projectId);
    expect(after.phase).toBe('beta');
    expect(after.objectives).toEqual([]);
  });

  it('refuses bad project input with an error summary and writes nothing', async () => {
    const { org, client } = await memberOfNewOrg('manager');
    const before = [await count('project', org), await count('audit_event', org)];
    const response = await client.postForm(`/o/${org.slug}/projects`, {
      ...projectFields,
      title: '',
      type: 'spaceship',
      budgetPlannedCapital: 'lots',
      'plannedEnd-year': '2025',
      objectives: '00000000-0000-4000-8000-000000000000',
      'weight-00000000-0000-4000-8000-000000000000': '1',
    });
    expect(response.statusCode).toBe(400);
    const summary = errorSummary(response.body);
    expect(summary).toContain('Enter a title for the project');
    expect(summary).toContain('Select the type');
    expect(summary).toContain('Planned capital budget must be an amount in pounds');
    expect(summary).toContain('The planned end date must be on or after the planned start date');
    expectWellFormed(response.body);
    expect([await count('project', org), await count('audit_event', org)]).toEqual(before);

    const unknownObjective = await client.postForm(`/o/${org.slug}/projects`, {
      ...projectFields,
      objectives: '00000000-0000-4000-8000-000000000000',
      'weight-00000000-0000-4000-8000-000000000000': '1',
    });
    expect(unknownObjective.statusCode).toBe(400);
    expect(errorSummary(unknownObjective.body)).toContain('There is no objective with the id');
    expect(await count('project', org)).toBe(before[0]);
  });

  it('requires a reason for an amber report, then records it in the RAG history', async () => {
    const { org, client } = await memberOfNewOrg('contributor');
    const project = await makeProject(t.db, org);
    const form = await client.get(`/o/${org.slug}/projects/${project.id}/reports/new`);
    expect(form.statusCode).toBe(200);
    expectWellFormed(form.body);
    const report = {
      period: '2026-02',
      overall: 'amber',
      schedule: 'amber',
      budget: 'green',
      scope: 'green',
      achievements: 'Private beta opened',
    };

    const refused = await client.postForm(`/o/${org.slug}/projects/${project.id}/reports`, report);
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toContain('Enter the reason for the amber or red status');
    expect(refused.body).toContain('Private beta opened');
    expectWellFormed(refused.body);
    expect(await count('status_report', org)).toBe(0);

    const accepted = await client.postForm(`/o/${org.slug}/projects/${project.id}/reports`, {
      ...report,
      reason: 'Supplier late',
      decisionsNeeded: 'Approve extra sprint',
    });
    expect(accepted.statusCode).toBe(303);
    const reports = await listStatusReports(t.db, cliOperator(), org.id, project.id);
    expect(reports.map((r) => [r.period, r.overall, r.reason])).toEqual([
      ['2026-02-01', 'amber', 'Supplier late'],
    ]);
    const page = await client.get(`/o/${org.slug}/projects/${project.id}`);
    expect(page.body).toContain('February 2026');
    expect(page.body).toContain('Approve extra sprint');

    const twice = await client.postForm(`/o/${org.slug}/projects/${project.id}/reports`, {
      ...report,
      reason: 'Again',
    });
    expect(twice.statusCode).toBe(400);
    expect(errorSummary(twice.body)).toContain('already has a report for that month');
    expect(await count('status_report', org)).toBe(1);
  });

  it('shows overdue milestones, late reports, unaligned projects and unsupported objectives, and filters', async () => {
    const { org, client } = await memberOfNewOrg('viewer');
    const strategy = await makeStrategy(t.db, org);
    const goal = await makeGoal(t.db, org, strategy);
    const delivered = await makeObjective(t.db, org, goal, { title: 'Delivered objective' });
    const measured = await makeObjective(t.db, org, goal, { title: 'Measured objective' });
    await makeObjective(t.db, org, goal, { title: 'Orphan objective' });
    await makeKpi(t.db, org, { objectiveIds: [measured.id] });
    const aligned = await makeProject(t.db, org, {
      title: 'Aligned project',
      objectives: [{ objectiveId: delivered.id }],
    });
    await makeProject(t.db, org, { title: 'Stray project', phase: 'beta' });
    await makeMilestone(t.db, org, aligned, { title: 'Late milestone', dueOn: '2026-01-15' });
    await makeStatusReport(t.db, org, aligned, { period: '2026-01-01', overall: 'red' });

    const page = await client.get(`/o/${org.slug}/projects`);
    expect(page.statusCode).toBe(200);
    const unaligned = page.body.slice(
      page.body.indexOf('id="unaligned"'),
      page.body.indexOf('id="unsupported"'),
    );
    expect(unaligned).toContain('Stray project');
    expect(unaligned).not.toContain('Aligned project');
    const unsupported = page.body.slice(
      page.body.indexOf('id="unsupported"'),
      page.body.indexOf('id="timeline"'),
    );
    expect(unsupported).toContain('Orphan objective');
    expect(unsupported).not.toContain('Measured objective');
    expect(unsupported).not.toContain('Delivered objective');
    const overdue = page.body.slice(
      page.body.indexOf('id="overdue-milestones"'),
      page.body.indexOf('id="unaligned"'),
    );
    expect(overdue).toContain('Late milestone');
    const late = page.body.slice(
      page.body.indexOf('id="late-reports"'),
      page.body.indexOf('id="overdue-milestones"'),
    );
    expect(late).toContain('Aligned project');
    expect(page.body).not.toContain('Add a project');

    const red = await client.get(`/o/${org.slug}/projects?rag=red`);
    const table = red.body.slice(red.body.indexOf('id="projects"'), red.body.indexOf('id="late-reports"'));
    expect(table).toContain('Aligned project');
    expect(table).not.toContain('Stray project');
    const beta = await client.get(`/o/${org.slug}/projects?phase=beta&objective=not-an-id`);
    const betaTable = beta.body.slice(
      beta.body.indexOf('id="projects"'),
      beta.body.indexOf('id="late-reports"'),
    );
    expect(betaTable).toContain('Stray project');
    expect(betaTable).not.toContain('Aligned project');
    const byGoal = await client.get(`/o/${org.slug}/projects?goal=${goal.id}`);
    const goalTable = byGoal.body.slice(
      byGoal.body.indexOf('id="projects"'),
      byGoal.body.indexOf('id="late-reports"'),
    );
    expect(goalTable).toContain('Aligned project');
    expect(goalTable).not.toContain('Stray project');

    expect((await client.get(`/o/${org.slug}/projects/new`)).statusCode).toBe(403);
    expect((await client.get(`/o/${org.slug}/projects/${aligned.id}/reports/new`)).statusCode).toBe(403);
  });

  it('adds and completes a milestone, refusing a milestone without a due date', async () => {
    const { org, client } = await memberOfNewOrg('manager');
    const project = await makeProject(t.db, org);
    const refused = await client.postForm(`/o/${org.slug}/projects/${project.id}/milestones`, {
      title: 'Beta opens',
    });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toContain('Enter the due date');
    expectWellFormed(refused.body);
    expect(await count('milestone', org)).toBe(0);
    const added = await client.postForm(`/o/${org.slug}/projects/${project.id}/milestones`, {
      title: 'Beta opens',
      'dueOn-day': '1',
      'dueOn-month': '2',
      'dueOn-year': '2026',
    });
    expect(added.statusCode).toBe(303);
    const page = await client.get(`/o/${org.slug}/projects/${project.id}`);
    expect(page.body).toContain('Overdue');
    const milestoneId = /\/milestones\/([0-9a-f-]{36})\/edit/.exec(page.body)?.[1] ?? '';
    const done = await client.postForm(`/o/${org.slug}/milestones/${milestoneId}/edit`, {
      title: 'Beta opens',
      'dueOn-day': '1',
      'dueOn-month': '2',
      'dueOn-year': '2026',
      'completedOn-day': '3',
      'completedOn-month': '2',
      'completedOn-year': '2026',
      version: '1',
    });
    expect(done.statusCode).toBe(303);
    const after = await client.get(`/o/${org.slug}/projects/${project.id}`);
    expect(after.body).toContain('3 February 2026');
    expect(after.body).not.toContain('>Overdue<');
  });

  it('deletes a project after confirmation', async () => {
    const { org, client } = await memberOfNewOrg('manager');
    const project = await makeProject(t.db, org);
    const confirm = await client.get(`/o/${org.slug}/projects/${project.id}/delete`);
    expectWellFormed(confirm.body);
    const unanswered = await client.postForm(`/o/${org.slug}/projects/${project.id}/delete`, {});
    expect(unanswered.statusCode).toBe(400);
    expect(await count('project', org)).toBe(1);
    const deleted = await client.postForm(`/o/${org.slug}/projects/${project.id}/delete`, { confirm: 'yes' });
    expect(deleted.statusCode).toBe(303);
    expect(await count('project', org)).toBe(0);
  });

  it('lists the open risks linked to a project on its page, and offers contributors to record one', async () => {
    const { org, client } = await memberOfNewOrg('viewer');
    const project = await makeProject(t.db, org, { title: 'Replace the case system' });
    const linked = await makeRisk(t.db, org, { title: 'Case system vendor leaves the market', projectIds: [project.id] });
    await makeRisk(t.db, org, { title: 'Closed supplier risk', projectIds: [project.id], status: 'closed' });
    await makeRisk(t.db, org, { title: 'A risk of another project' });
    const page = await client.get(`/o/${org.slug}/projects/${project.id}`);
    expectWellFormed(page.body);
    const risks = page.body.slice(page.body.indexOf('id="risks"'));
    expect(risks).toContain(`href="/o/${org.slug}/risks/${linked.id}"`);
    expect(risks).toContain('Medium (9)');
    expect(risks).not.toContain('Closed supplier risk');
    expect(risks).not.toContain('A risk of another project');
    expect(risks).not.toContain('Record a risk');
    const contributor = await signIn(t.app, await makeUser(t.db, org, 'contributor'));
    expect((await contributor.get(`/o/${org.slug}/projects/${project.id}`)).body).toContain('Record a risk');
  });

  it('hangs projects on the golden thread under their objectives, their RAG feeding the roll-up', async () => {
    const { org, client } = await memberOfNewOrg('viewer');
    const strategy = await makeStrategy(t.db, org, { title: 'Digital by default' });
    const goal = await makeGoal(t.db, org, strategy);
    const objective = await makeObjective(t.db, org, goal, { title: 'Pay online' });
    const green = await makeProject(t.db, org, {
      title: 'Green project',
      objectives: [{ objectiveId: objective.id, weight: 1 }],
    });
    const red = await makeProject(t.db, org, {
      title: 'Red project',
      objectives: [{ objectiveId: objective.id, weight: 3 }],
    });
    const today = '2026-02-05';
    await makeStatusReport(t.db, org, green, { period: '2026-01-01', overall: 'green', today });
    await makeStatusReport(t.db, org, red, { period: '2026-01-01', overall: 'red', today });

    const [thread] = await listGoldenThreads(t.db, cliOperator(), org.id, { today });
    const placed = thread?.goals[0]?.objectives[0];
    expect(placed?.items.map((i) => [i.kind, i.name, i.status, i.weight])).toEqual([
      ['project', 'Green project', 'on_track', 1],
      ['project', 'Red project', 'off_track', 3],
    ]);
    // (1 × 1 + 3 × 0) / 4 = 0.25: off track.
    expect(placed?.rollup.status).toBe('off_track');
    expect(placed?.rollup.reason).toBe('1 of 2 projects on track; 1 off track');

    const page = await client.get(`/o/${org.slug}/strategy/${strategy.id}/thread`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Projects delivering Pay online');
    expect(page.body).toContain(`/o/${org.slug}/projects/${red.id}`);
    expectWellFormed(page.body);
  });

  it('lists late status reports and overdue milestones on the organisation dashboard', async () => {
    const { org, client } = await memberOfNewOrg('viewer');
    const project = await makeProject(t.db, org, { title: 'Quiet project', plannedStart: '2025-01-01' });
    await makeMilestone(t.db, org, project, { title: 'Missed milestone', dueOn: '2025-03-01' });
    const html = (await client.get(`/o/${org.slug}`)).body;
    const section = html.slice(html.indexOf('id="delivery-heading"'));
    expect(section).toContain('Quiet project');
    expect(section).toContain('Missed milestone');
    expectWellFormed(html);
  });
});
