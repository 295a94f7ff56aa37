import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeProject } from '../../../test/support/delivery-factories.ts';
import { makeKpi } from '../../../test/support/kpi-factories.ts';
import { makeRisk, makeRiskAction } from '../../../test/support/risk-factories.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import { type Actor, cliOperator } from '../../platform/access/actor.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import {
  deescalateRisk,
  deleteRisk,
  deleteRiskAction,
  escalateRisk,
  getRisk,
  getRiskAction,
  listEscalatedRisks,
  listRiskActions,
  listRiskAssessments,
  listRiskCategories,
  listRisks,
  listRisksForProject,
  listRisksOutsideAppetite,
  reassessRisk,
  saveContingencyPlan,
  setRiskAppetite,
  updateRisk,
  updateRiskAction,
} from './risk.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

const op = cliOperator();

function userActor(
  user: { id: string; email: string },
  organisation: Organisation,
  role: 'viewer' | 'contributor' | 'manager',
): Actor {
  return {
    kind: 'user',
    userId: user.id,
    label: user.email,
    organisationId: organisation.id,
    role,
    via: 'web',
    requestId: null,
  };
}

async function auditActions(org: Organisation): Promise<string[]> {
  const rows = await t.db
    .selectFrom('audit_event')
    .select('action')
    .where('organisation_id', '=', org.id)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.action);
}

async function riskCount(org: Organisation): Promise<number> {
  const row = await t.db
    .selectFrom('risk')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', org.id)
    .executeTakeFirstOrThrow();
  return row.n;
}

describe('categories', () => {
  it('gives every new organisation the Orange Book and digital-strategy categories with an appetite each', async () => {
    const org = await makeOrganisation(t.db);
    const categories = await listRiskCategories(t.db, op, org.id);
    expect(categories.map((c) => c.key)).toEqual(
      expect.arrayContaining([
        'strategy',
        'reputational',
        'project',
        'cybersecurity',
        'data_privacy',
        'technology_obsolescence',
        'workforce_skills',
      ]),
    );
    expect(categories.find((c) => c.key === 'data_privacy')?.appetite).toEqual({
      level: 'averse',
      maxScore: 4,
    });
  });
});

describe('the register', () => {
  it('records a risk with its first assessment, links and an audit event, scored and banded', async () => {
    const org = await makeOrganisation(t.db);
    const strategy = await makeStrategy(t.db, org);
    const objective = await makeObjective(t.db, org, await makeGoal(t.db, org, strategy));
    const kpi = await makeKpi(t.db, org);
    const risk = await makeRisk(
      t.db,
      org,
      { objectiveIds: [objective.id], kpiIds: [kpi.id] },
      { today: '2027-01-31' },
    );
    expect(risk.inherent).toEqual({ likelihood: 4, impact: 5, score: 20, level: 'very_high' });
    expect(risk.current).toEqual({ likelihood: 3, impact: 3, score: 9, level: 'medium' });
    expect(risk.objectiveIds).toEqual([objective.id]);
    expect(risk.kpiIds).toEqual([kpi.id]);
    expect(risk.lastReviewedOn).toBe('2027-01-31');
    expect(risk.nextReviewOn).toBe('2027-04-30');
    expect(await listRiskAssessments(t.db, op, org.id, risk.id)).toHaveLength(1);
    expect(await auditActions(org)).toContain('risk.created');
  });

  it('refuses unknown categories, owners from elsewhere, other organisations’ objectives and duplicate titles, writing nothing', async () => {
    const org = await makeOrganisation(t.db);
    const other = await makeOrganisation(t.db);
    const outsider = await makeUser(t.db, other, 'manager');
    const theirs = await makeObjective(
      t.db,
      other,
      await makeGoal(t.db, other, await makeStrategy(t.db, other)),
    );
    await makeRisk(t.db, org, { title: 'Supplier failure' });
    const before = await riskCount(org);
    const error = await makeRisk(t.db, org, {
      title: 'supplier FAILURE',
      category: 'weather',
      ownerId: outsider.id,
      objectiveIds: [theirs.id],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toEqual([
      'category',
      'ownerId',
      'objectiveIds',
      'title',
    ]);
    expect(await riskCount(org)).toBe(before);
  });

  it('audits a change with the links before and after, in the same transaction as the change', async () => {
    const org = await makeOrganisation(t.db);
    const objective = await makeObjective(
      t.db,
      org,
      await makeGoal(t.db, org, await makeStrategy(t.db, org)),
    );
    const risk = await makeRisk(t.db, org);
    const input = {
      title: risk.title,
      category: risk.category.key,
      proximity: risk.proximity,
      inherent: risk.inherent,
      current: risk.current,
      target: risk.target,
      response: 'tolerate',
      objectiveIds: [objective.id],
    };
    const updated = await updateRisk(t.db, op, org.id, risk.id, input, { expectedVersion: risk.version });
    expect(updated.objectiveIds).toEqual([objective.id]);
    expect(updated.lastReviewedOn).toBe(risk.lastReviewedOn);
    const event = await t.db
      .selectFrom('audit_event')
      .select(['before', 'after'])
      .where('organisation_id', '=', org.id)
      .where('action', '=', 'risk.updated')
      .executeTakeFirstOrThrow();
    expect(event.before).toMatchObject({ response: 'treat', objectiveIds: [] });
    expect(event.after).toMatchObject({ response: 'tolerate', objectiveIds: [objective.id] });
    await expect(
      updateRisk(t.db, op, org.id, risk.id, input, { expectedVersion: risk.version }),
    ).rejects.toMatchObject({ status: 412 });
  });

  it('keeps every re-assessment and restarts the review clock from the review', async () => {
    const org = await makeOrganisation(t.db);
    const risk = await makeRisk(t.db, org, { reviewFrequency: 'monthly' }, { today: '2028-01-31' });
    expect(risk.nextReviewOn).toBe('2028-02-29');
    const reviewed = await reassessRisk(
      t.db,
      op,
      org.id,
      risk.id,
      {
        inherent: { likelihood: 4, impact: 5 },
        current: { likelihood: 2, impact: 3 },
        target: { likelihood: 2, impact: 2 },
        note: 'Patched',
      },
      { today: '2028-03-31' },
    );
    expect(reviewed.current.score).toBe(6);
    expect(reviewed.nextReviewOn).toBe('2028-04-30');
    const history = await listRiskAssessments(t.db, op, org.id, risk.id);
    expect(history.map((h) => [h.assessedOn, h.current.score, h.note])).toEqual([
      ['2028-01-31', 9, 'First assessment'],
      ['2028-03-31', 6, 'Patched'],
    ]);
    expect(await auditActions(org)).toContain('risk.reassessed');
  });

  it('lists overdue reviews and overdue actions', async () => {
    const org = await makeOrganisation(t.db);
    const risk = await makeRisk(t.db, org, { reviewFrequency: 'monthly' }, { today: '2026-01-01' });
    await makeRiskAction(t.db, org, risk, { description: 'Late', dueOn: '2026-01-15' });
    await makeRiskAction(t.db, org, risk, { description: 'Done', dueOn: '2026-01-15', status: 'done' });
    const overdue = await listRisks(t.db, op, org.id, { reviewOverdue: true }, { today: '2026-02-02' });
    expect(overdue.map((r) => r.id)).toEqual([risk.id]);
    expect(await listRisks(t.db, op, org.id, { reviewOverdue: true }, { today: '2026-02-01' })).toEqual([]);
    const actions = await listRiskActions(t.db, op, org.id, { today: '2026-02-01' });
    expect(actions.filter((a) => a.overdue).map((a) => a.description)).toEqual(['Late']);
  });
});

describe('project links', () => {
  it('lists a project’s risks for its page, and only that organisation’s', async () => {
    const org = await makeOrganisation(t.db);
    const project = await makeProject(t.db, org);
    const linked = await makeRisk(t.db, org, { projectIds: [project.id] });
    await makeRisk(t.db, org);
    expect((await listRisksForProject(t.db, op, org.id, project.id)).map((r) => r.id)).toEqual([linked.id]);
    const other = await makeOrganisation(t.db);
    expect(await listRisksForProject(t.db, op, other.id, project.id)).toEqual([]);
  });
});

describe('appetite and contingency', () => {
  it('flags a risk outside appetite once the board lowers the category’s maximum below its current score', async () => {
    const org = await makeOrganisation(t.db);
    const risk = await makeRisk(t.db, org, {
      category: 'cybersecurity',
      current: { likelihood: 2, impact: 3 },
    });
    expect(risk.outsideAppetite).toBe(false);
    await setRiskAppetite(t.db, op, org.id, 'cybersecurity', { level: 'averse', maxScore: 4 });
    expect((await getRisk(t.db, op, org.id, risk.id)).outsideAppetite).toBe(true);
    expect((await listRisksOutsideAppetite(t.db, op, org.id)).map((r) => r.id)).toEqual([risk.id]);
    expect(await auditActions(org)).toContain('risk_appetite.changed');
  });

  it('refuses an appetite change from a contributor and a bad maximum from a manager', async () => {
    const org = await makeOrganisation(t.db);
    const contributor = await makeUser(t.db, org, 'contributor');
    const manager = await makeUser(t.db, org, 'manager');
    await expect(
      setRiskAppetite(t.db, userActor(contributor, org, 'contributor'), org.id, 'financial', {
        level: 'open',
        maxScore: 12,
      }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      setRiskAppetite(t.db, userActor(manager, org, 'manager'), org.id, 'financial', {
        level: 'open',
        maxScore: 30,
      }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('shows which high-impact risks lack a contingency plan until one is saved', async () => {
    const org = await makeOrganisation(t.db);
    const risk = await makeRisk(t.db, org, { current: { likelihood: 2, impact: 4 } });
    expect(risk.lacksContingencyPlan).toBe(true);
    expect((await listRisks(t.db, op, org.id, { lacksContingencyPlan: true })).map((r) => r.id)).toEqual([
      risk.id,
    ]);
    await saveContingencyPlan(t.db, op, org.id, risk.id, {
      trigger: 'Outage over 4 hours',
      plan: 'Paper forms and phone line',
    });
    expect((await getRisk(t.db, op, org.id, risk.id)).lacksContingencyPlan).toBe(false);
  });
});

describe('escalation', () => {
  it('shows an escalated risk to the parent read-only with its source, never to a sibling, until de-escalated', async () => {
    const parent = await makeOrganisation(t.db, { name: 'Central body' });
    const child = await makeOrganisation(t.db, { parent, name: 'Borough council' });
    const sibling = await makeOrganisation(t.db, { parent });
    const parentManager = await makeUser(t.db, parent, 'manager');
    const siblingManager = await makeUser(t.db, sibling, 'manager');
    const risk = await makeRisk(t.db, child);
    await escalateRisk(t.db, op, child.id, risk.id, { note: 'Needs central funding' });

    const asParent = userActor(parentManager, parent, 'manager');
    const seen = await listEscalatedRisks(t.db, asParent, parent.id);
    expect(seen.map((r) => [r.id, r.organisationName, r.readOnly, r.escalationNote])).toEqual([
      [risk.id, 'Borough council', true, 'Needs central funding'],
    ]);
    expect((await getRisk(t.db, asParent, parent.id, risk.id)).readOnly).toBe(true);
    const input = {
      title: 'Renamed',
      category: 'technology',
      proximity: 'imminent',
      inherent: { likelihood: 1, impact: 1 },
      current: { likelihood: 1, impact: 1 },
      target: { likelihood: 1, impact: 1 },
      response: 'tolerate',
    };
    await expect(updateRisk(t.db, asParent, parent.id, risk.id, input)).rejects.toMatchObject({
      status: 404,
    });
    await expect(updateRisk(t.db, asParent, child.id, risk.id, input)).rejects.toMatchObject({ status: 404 });

    const asSibling = userActor(siblingManager, sibling, 'manager');
    expect(await listEscalatedRisks(t.db, asSibling, sibling.id)).toEqual([]);
    await expect(getRisk(t.db, asSibling, sibling.id, risk.id)).rejects.toMatchObject({ status: 404 });

    await deescalateRisk(t.db, op, child.id, risk.id);
    expect(await listEscalatedRisks(t.db, asParent, parent.id)).toEqual([]);
    expect(await auditActions(child)).toEqual(expect.arrayContaining(['risk.escalated', 'risk.deescalated']));
  });

  it('refuses to escalate from an organisation without a parent', async () => {
    const org = await makeOrganisation(t.db);
    const risk = await makeRisk(t.db, org);
    await expect(escalateRisk(t.db, op, org.id, risk.id)).rejects.toBeInstanceOf(ValidationError);
  });
});

async function rowsOfRisk(riskId: string): Promise<Record<string, number>> {
  const count = async (
    table: 'risk_assessment' | 'risk_action' | 'contingency_plan' | 'risk_objective',
  ): Promise<number> => {
    const row = await t.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('risk_id', '=', riskId)
      .executeTakeFirstOrThrow();
    return row.n;
  };
  return {
    assessments: await count('risk_assessment'),
    actions: await count('risk_action'),
    plans: await count('contingency_plan'),
    objectiveLinks: await count('risk_objective'),
  };
}

describe('deleting a risk', () => {
  it('deletes it with its history, actions, plan and links, keeping what was deleted in the audit event', async () => {
    const org = await makeOrganisation(t.db);
    const objective = await makeObjective(
      t.db,
      org,
      await makeGoal(t.db, org, await makeStrategy(t.db, org)),
    );
    const risk = await makeRisk(t.db, org, {
      objectiveIds: [objective.id],
      current: { likelihood: 2, impact: 4 },
    });
    await makeRiskAction(t.db, org, risk);
    await saveContingencyPlan(t.db, op, org.id, risk.id, { trigger: 'Outage', plan: 'Paper forms' });
    await reassessRisk(t.db, op, org.id, risk.id, {
      inherent: { likelihood: 4, impact: 5 },
      current: { likelihood: 2, impact: 4 },
      target: { likelihood: 1, impact: 2 },
    });
    expect(await rowsOfRisk(risk.id)).toEqual({ assessments: 2, actions: 1, plans: 1, objectiveLinks: 1 });

    const { version } = await getRisk(t.db, op, org.id, risk.id);
    await deleteRisk(t.db, op, org.id, risk.id, { expectedVersion: version });

    await expect(getRisk(t.db, op, org.id, risk.id)).rejects.toMatchObject({ status: 404 });
    expect(await rowsOfRisk(risk.id)).toEqual({ assessments: 0, actions: 0, plans: 0, objectiveLinks: 0 });
    const event = await t.db
      .selectFrom('audit_event')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .where('action', '=', 'risk.deleted')
      .executeTakeFirstOrThrow();
    expect(event.entity_id).toBe(risk.id);
    expect(event.before).toMatchObject({
      title: risk.title,
      objectiveIds: [objective.id],
      assessments: 2,
      actions: 1,
      contingencyPlan: { trigger: 'Outage', plan: 'Paper forms' },
    });
  });

  it('is for managers: a contributor is refused, a stale version deletes nothing, another organisation finds nothing', async () => {
    const org = await makeOrganisation(t.db);
    const contributor = await makeUser(t.db, org, 'contributor');
    const risk = await makeRisk(t.db, org);
    await expect(
      deleteRisk(t.db, userActor(contributor, org, 'contributor'), org.id, risk.id),
    ).rejects.toMatchObject({ status: 403 });
    await expect(
      deleteRisk(t.db, op, org.id, risk.id, { expectedVersion: risk.version + 5 }),
    ).rejects.toMatchObject({
      status: 412,
    });
    const other = await makeOrganisation(t.db);
    await expect(deleteRisk(t.db, op, other.id, risk.id)).rejects.toMatchObject({ status: 404 });
    expect((await getRisk(t.db, op, org.id, risk.id)).id).toBe(risk.id);
    expect(await auditActions(org)).not.toContain('risk.deleted');
  });

  it('takes an escalated risk out of the parent’s register; the parent itself cannot delete it', async () => {
    const parent = await makeOrganisation(t.db);
    const child = await makeOrganisation(t.db, { parent });
    const parentManager = await makeUser(t.db, parent, 'manager');
    const risk = await makeRisk(t.db, child);
    await escalateRisk(t.db, op, child.id, risk.id);
    const asParent = userActor(parentManager, parent, 'manager');
    await expect(deleteRisk(t.db, asParent, parent.id, risk.id)).rejects.toMatchObject({ status: 404 });
    expect((await listEscalatedRisks(t.db, asParent, parent.id)).map((r) => r.id)).toEqual([risk.id]);

    await deleteRisk(t.db, op, child.id, risk.id);
    expect(await listEscalatedRisks(t.db, asParent, parent.id)).toEqual([]);
    await expect(getRisk(t.db, asParent, parent.id, risk.id)).rejects.toMatchObject({ status: 404 });
  });
});

describe('changing and deleting an action', () => {
  it('changes an action’s status, due date and owner, audited, and refuses a stale version or bad input, writing nothing', async () => {
    const org = await makeOrganisation(t.db);
    const owner = await makeUser(t.db, org, 'contributor');
    const risk = await makeRisk(t.db, org);
    const action = await makeRiskAction(t.db, org, risk, { description: 'Patch', dueOn: '2027-01-31' });
    const changed = await updateRiskAction(
      t.db,
      op,
      org.id,
      risk.id,
      action.id,
      { description: 'Patch', dueOn: '2027-02-28', status: 'in_progress', ownerId: owner.id },
      { expectedVersion: action.version },
    );
    expect(changed).toMatchObject({ dueOn: '2027-02-28', status: 'in_progress', ownerId: owner.id });
    expect(changed.version).toBe(action.version + 1);
    await expect(
      updateRiskAction(
        t.db,
        op,
        org.id,
        risk.id,
        action.id,
        { description: 'Patch', dueOn: '2027-03-31' },
        {
          expectedVersion: action.version,
        },
      ),
    ).rejects.toMatchObject({ status: 412 });
    await expect(
      updateRiskAction(t.db, op, org.id, risk.id, action.id, {
        description: '',
        dueOn: '31/02/2027',
        status: 'later',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await getRiskAction(t.db, op, org.id, risk.id, action.id)).toMatchObject({
      dueOn: '2027-02-28',
      status: 'in_progress',
      version: changed.version,
    });
    expect(await auditActions(org)).toContain('risk_action.updated');
  });

  it('deletes an action at its version, audited; a viewer, another risk or organisation, or a stale version deletes nothing', async () => {
    const org = await makeOrganisation(t.db);
    const viewer = await makeUser(t.db, org, 'viewer');
    const risk = await makeRisk(t.db, org);
    const otherRisk = await makeRisk(t.db, org);
    const action = await makeRiskAction(t.db, org, risk);
    const other = await makeOrganisation(t.db);
    await expect(
      deleteRiskAction(t.db, userActor(viewer, org, 'viewer'), org.id, risk.id, action.id),
    ).rejects.toMatchObject({ status: 403 });
    await expect(deleteRiskAction(t.db, op, org.id, otherRisk.id, action.id)).rejects.toMatchObject({
      status: 404,
    });
    await expect(deleteRiskAction(t.db, op, other.id, risk.id, action.id)).rejects.toMatchObject({
      status: 404,
    });
    await expect(
      deleteRiskAction(t.db, op, org.id, risk.id, action.id, { expectedVersion: action.version + 1 }),
    ).rejects.toMatchObject({ status: 412 });
    expect((await listRiskActions(t.db, op, org.id, { riskId: risk.id })).map((a) => a.id)).toEqual([
      action.id,
    ]);

    await deleteRiskAction(t.db, op, org.id, risk.id, action.id, { expectedVersion: action.version });
    expect(await listRiskActions(t.db, op, org.id, { riskId: risk.id })).toEqual([]);
    const event = await t.db
      .selectFrom('audit_event')
      .selectAll()
      .where('organisation_id', '=', org.id)
      .where('action', '=', 'risk_action.deleted')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      entity_id: action.id,
      before: { riskId: risk.id, description: action.description },
    });
  });
});
