import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { ForbiddenError, NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import {
  archiveStrategy,
  assertObjectivesInOrganisation,
  createAgendaTag,
  createGoal,
  createStrategy,
  deleteGoal,
  deleteObjective,
  deleteStrategy,
  findObjectivesByIds,
  getStrategyTree,
  getStrategyVersion,
  listAgendaTags,
  listStrategies,
  listStrategyVersions,
  moveGoal,
  moveObjective,
  publishStrategy,
  updateGoal,
  updateObjective,
  updateStrategy,
} from './strategy.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

const op = cliOperator();

async function auditEvents(org: Organisation) {
  return t.db
    .selectFrom('audit_event')
    .select(['action', 'entity_type', 'entity_id', 'before', 'after'])
    .where('organisation_id', '=', org.id)
    .orderBy('id')
    .execute();
}

async function counts(org: Organisation) {
  const n = async (table: 'strategy' | 'goal' | 'objective' | 'audit_event' | 'agenda_tag' | 'strategy_version') =>
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('organisation_id', '=', org.id)
        .executeTakeFirstOrThrow()
    ).n;
  return {
    strategies: await n('strategy'),
    goals: await n('goal'),
    objectives: await n('objective'),
    events: await n('audit_event'),
    tags: await n('agenda_tag'),
    versions: await n('strategy_version'),
  };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

function userActor(user: { id: string; email: string }, org: Organisation, role: 'viewer' | 'contributor' | 'manager' | 'admin'): Actor {
  return { kind: 'user', userId: user.id, label: user.email, organisationId: org.id, role, via: 'web', requestId: null };
}

describe('creating and changing a strategy', () => {
  it('creates a draft at version 1 and audits it', async () => {
    const org = await makeOrganisation(t.db);
    const strategy = await createStrategy(t.db, op, org.id, { title: ' Digital 2030 ', vision: 'Better', periodStart: '2026-04-01', periodEnd: '2030-03-31' });
    expect(strategy).toMatchObject({ title: 'Digital 2030', status: 'draft', version: 1, periodStart: '2026-04-01', periodEnd: '2030-03-31' });
    const events = await auditEvents(org);
    expect(events.at(-1)).toMatchObject({ action: 'strategy.created', entity_id: strategy.id, before: null, after: { title: 'Digital 2030', status: 'draft' } });
  });

  it.each([
    ['no title', { title: '' }, 'title'],
    ['an impossible date', { periodStart: '2026-02-30' }, 'periodStart'],
    ['an end before the start', { periodEnd: '2025-01-01' }, 'periodEnd'],
  ])('refuses %s and writes nothing, not even an audit event', async (_case, change, fieldName) => {
    const org = await makeOrganisation(t.db);
    const before = await counts(org);
    const error = await refusal(createStrategy(t.db, op, org.id, { title: 'T', vision: '', periodStart: '2026-04-01', periodEnd: '2030-03-31', ...change }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toEqual([fieldName]);
    expect(await counts(org)).toEqual(before);
  });

  it('updates a draft in place (no version kept), bumping its version, with before and after audited', async () => {
    const org = await makeOrganisation(t.db);
    const strategy = await makeStrategy(t.db, org, { title: 'Old' });
    const updated = await updateStrategy(t.db, op, org.id, strategy.id, { title: 'New', vision: 'v', periodStart: '2026-04-01', periodEnd: '2030-03-31' });
    expect(updated).toMatchObject({ title: 'New', version: 2 });
    expect((await counts(org)).versions).toBe(0);
    expect((await auditEvents(org)).at(-1)).toMatchObject({ action: 'strategy.updated', before: { title: 'Old', version: 1 }, after: { title: 'New', version: 2 } });
  });

  it('refuses a stale expected version and changes nothing', async () => {
    const org = await makeOrganisation(t.db);
    const strategy = await makeStrategy(t.db, org);
    const before = await counts(org);
    const error = await refusal(
      updateStrategy(t.db, op, org.id, strategy.id, { title: 'X', vision: '', periodStart: '2026-04-01', periodEnd: '2030-03-31' }, { expectedVersion: 7 }),
    );
    expect(error).toBeInstanceOf(PreconditionFailedError);
    expect(await counts(org)).toEqual(before);
  });
});

describe('publishing and versions', () => {
  it('keeps the published tree readable when the strategy, a goal or an objective changes', async () => {
    const org = await makeOrganisation(t.db);
    const draft = await makeStrategy(t.db, org, { title: 'Version one' });
    const goal = await makeGoal(t.db, org, draft, { title: 'First goal', tags: ['economic_growth'] });
    await makeObjective(t.db, org, goal, { title: 'First objective' });
    const published = await publishStrategy(t.db, op, org.id, draft.id);
    expect(published.status).toBe('published');
    const v = published.version;

    await updateStrategy(t.db, op, org.id, draft.id, { title: 'Version two', vision: '', periodStart: '2026-04-01', periodEnd: '2030-03-31' });
    await updateGoal(t.db, op, org.id, goal.id, { title: 'Renamed goal', description: '', tags: [], weight: 2 });

    const old = await getStrategyVersion(t.db, op, org.id, draft.id, v);
    expect(old.current).toBe(false);
    expect(old.tree.strategy.title).toBe('Version one');
    expect(old.tree.goals.map((g) => [g.title, g.tags, g.objectives.map((o) => o.title)])).toEqual([['First goal', ['economic_growth'], ['First objective']]]);
    const middle = await getStrategyVersion(t.db, op, org.id, draft.id, v + 1);
    expect(middle.tree.strategy.title).toBe('Version two');
    expect(middle.tree.goals[0]?.title).toBe('First goal');

    const current = await getStrategyTree(t.db, op, org.id, draft.id);
    expect(current.strategy.version).toBe(v + 2);
    expect(current.goals[0]?.title).toBe('Renamed goal');
    const versions = await listStrategyVersions(t.db, op, org.id, draft.id);
    expect(versions.map((x) => [x.version, x.current])).toEqual([
      [v + 2, true],
      [v + 1, false],
      [v, false],
    ]);
    expect((await getStrategyVersion(t.db, op, org.id, draft.id, v + 2)).current).toBe(true);
    await expect(getStrategyVersion(t.db, op, org.id, draft.id, 99)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('archives a published strategy, then refuses changes to it until it is published again', async () => {
    const org = await makeOrganisation(t.db);
    const strategy = await makeStrategy(t.db, org, { status: 'published' });
    const goal = await makeGoal(t.db, org, strategy);
    const archived = await archiveStrategy(t.db, op, org.id, strategy.id);
    expect(archived.status).toBe('archived');
    const before = await counts(org);
    const attempts = [
      () => updateStrategy(t.db, op, org.id, strategy.id, { title: 'X', vision: '', periodStart: '2026-04-01', periodEnd: '2030-03-31' }),
      () => createGoal(t.db, op, org.id, strategy.id, { title: 'G', description: '', tags: [], weight: 1 }),
      () => updateGoal(t.db, op, org.id, goal.id, { title: 'G2', description: '', tags: [], weight: 1 }),
      () => deleteGoal(t.db, op, org.id, goal.id),
      () => deleteStrategy(t.db, op, org.id, strategy.id),
      () => archiveStrategy(t.db, op, org.id, strategy.id),
    ];
    for (const attempt of attempts) expect(await refusal(attempt())).toBeInstanceOf(ValidationError);
    expect(await counts(org)).toEqual(before);
    expect((await publishStrategy(t.db, op, org.id, strategy.id)).status).toBe('published');
  });

  it('refuses to delete a published strategy, and deletes a draft with its goals and objectives', async () => {
    const org = await makeOrganisation(t.db);
    const published = await makeStrategy(t.db, org, { status: 'published' });
    const error = await refusal(deleteStrategy(t.db, op, org.id, published.id));
    expect((error as ValidationError).message).toBe('A published strategy cannot be deleted. Archive it instead');

    const draft = await makeStrategy(t.db, org);
    await makeObjective(t.db, org, await makeGoal(t.db, org, draft));
    await deleteStrategy(t.db, op, org.id, draft.id);
    expect(await counts(org)).toMatchObject({ strategies: 1, goals: 0, objectives: 0 });
    expect((await auditEvents(org)).at(-1)).toMatchObject({ action: 'strategy.deleted', entity_id: draft.id, before: { goals: 1, objectives: 1 } });
  });
});

describe('goals, objectives and their order', () => {
  it('keeps positions dense through adds, moves, placed inserts and deletes', async () => {
    const org = await makeOrganisation(t.db);
    const strategy = await makeStrategy(t.db, org);
    const [a, b, c] = [await makeGoal(t.db, org, strategy, { title: 'A' }), await makeGoal(t.db, org, strategy, { title: 'B' }), await makeGoal(t.db, org, strategy, { title: 'C' })];
    expect([a.position, b.position, c.position]).toEqual([1, 2, 3]);
    const order = async () => (await getStrategyTree(t.db, op, org.id, strategy.id)).goals.map((g) => `${g.position}${g.title}`);

    await moveGoal(t.db, op, org.id, c.id, 'up');
    expect(await order()).toEqual(['1A', '2C', '3B']);
    await moveGoal(t.db, op, org.id, a.id, 'up'); // already first: nothing happens
    expect(await order()).toEqual(['1A', '2C', '3B']);
    await createGoal(t.db, op, org.id, strategy.id, { title: 'D', description: '', tags: [], weight: 1, position: 1 });
    expect(await order()).toEqual(['1D', '2A', '3C', '4B']);
    await updateGoal(t.db, op, org.id, b.id, { title: 'B', description: '', tags: [], weight: 1, position: 2 });
    expect(await order()).toEqual(['1D', '2B', '3A', '4C']);
    await deleteGoal(t.db, op, org.id, a.id);
    expect(await order()).toEqual(['1D', '2B', '3C']);
    // A draft's goals carry their own versions; the draft strategy's version stays put.
    expect((await getStrategyTree(t.db, op, org.id, strategy.id)).strategy.version).toBe(1);
    expect((await auditEvents(org)).map((e) => e.action)).toEqual(expect.arrayContaining(['goal.moved', 'goal.created', 'goal.updated', 'goal.deleted']));
  });

  it('orders objectives within their goal', async () => {
    const org = await makeOrganisation(t.db);
    const goal = await makeGoal(t.db, org, await makeStrategy(t.db, org));
    const [x, y, z] = [await makeObjective(t.db, org, goal, { title: 'X' }), await makeObjective(t.db, org, goal, { title: 'Y' }), await makeObjective(t.db, org, goal, { title: 'Z' })];
    await moveObjective(t.db, op, org.id, x.id, 'down');
    await moveObjective(t.db, op, org.id, z.id, 'up');
    await deleteObjective(t.db, op, org.id, y.id);
    const tree = await getStrategyTree(t.db, op, org.id, goal.strategyId);
    expect(tree.goals[0]?.objectives.map((o) => `${o.position}${o.title}`)).toEqual(['1Z', '2X']);
  });

  it('tags goals with standard areas and the organisation’s own tags, not another organisation’s', async () => {
    const org = await makeOrganisation(t.db);
    const other = await makeOrganisation(t.db);
    const own = await createAgendaTag(t.db, op, org.id, { label: 'Net zero by 2030' });
    await createAgendaTag(t.db, op, other.id, { label: 'Their tag' });
    expect(own.key).toBe('net_zero_by_2030');
    expect((await listAgendaTags(t.db, op, org.id)).map((tag) => tag.key)).toEqual([
      'economic_growth',
      'social_inclusion',
      'environmental_sustainability',
      'public_sector_efficiency',
      'net_zero_by_2030',
    ]);
    const strategy = await makeStrategy(t.db, org);
    const goal = await makeGoal(t.db, org, strategy, { tags: ['net_zero_by_2030', 'social_inclusion', 'social_inclusion'] });
    expect(goal.tags).toEqual(['social_inclusion', 'net_zero_by_2030']);
    const error = await refusal(makeGoal(t.db, org, strategy, { tags: ['their_tag'] }));
    expect((error as ValidationError).errors).toEqual([{ field: 'tags', message: 'Choose agenda areas from the list. Not known: their_tag' }]);
    expect(await refusal(createAgendaTag(t.db, op, org.id, { label: 'net zero BY 2030' }))).toBeInstanceOf(ValidationError);
    expect((await auditEvents(org)).filter((e) => e.action === 'agenda_tag.created')).toHaveLength(1);
  });

  it('takes owners only from the organisation’s active members', async () => {
    const org = await makeOrganisation(t.db);
    const member = await makeUser(t.db, org, 'contributor');
    const outsider = await makeUser(t.db, await makeOrganisation(t.db), 'manager');
    const goal = await makeGoal(t.db, org, await makeStrategy(t.db, org));
    const objective = await makeObjective(t.db, org, goal, { ownerId: member.id, dueDate: '2027-03-31' });
    expect(objective).toMatchObject({ ownerId: member.id, ownerName: member.name, dueDate: '2027-03-31' });
    const before = await counts(org);
    for (const ownerId of [outsider.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const error = await refusal(makeObjective(t.db, org, goal, { ownerId }));
      expect((error as ValidationError).errors).toEqual([{ field: 'ownerId', message: 'Choose an owner who is a member of this organisation' }]);
    }
    const error = await refusal(updateObjective(t.db, op, org.id, objective.id, { title: 'T', description: '', ownerId: outsider.id, dueDate: null, weight: 1 }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(await counts(org)).toEqual(before);
  });
});

describe('access and tenancy', () => {
  it('lets viewers read and refuses them changes; other organisations see nothing', async () => {
    const org = await makeOrganisation(t.db);
    const viewer = await makeUser(t.db, org, 'viewer');
    const manager = await makeUser(t.db, org, 'manager');
    const strategy = await makeStrategy(t.db, org);
    const goal = await makeGoal(t.db, org, strategy);
    const asViewer = userActor(viewer, org, 'viewer');
    expect((await listStrategies(t.db, asViewer, org.id)).total).toBe(1);
    const input = { title: 'X', vision: '', periodStart: '2026-04-01', periodEnd: '2030-03-31' };
    expect(await refusal(createStrategy(t.db, asViewer, org.id, input))).toBeInstanceOf(ForbiddenError);
    expect(await refusal(updateGoal(t.db, asViewer, org.id, goal.id, { title: 'G', description: '', tags: [], weight: 1 }))).toBeInstanceOf(ForbiddenError);
    expect((await createStrategy(t.db, userActor(manager, org, 'manager'), org.id, input)).status).toBe('draft');

    const other = await makeOrganisation(t.db);
    const otherManager = userActor(await makeUser(t.db, other, 'manager'), other, 'manager');
    // Their own organisation id with our ids: not found. Our organisation id: not found either.
    expect(await refusal(getStrategyTree(t.db, otherManager, other.id, strategy.id))).toBeInstanceOf(NotFoundError);
    expect(await refusal(updateGoal(t.db, otherManager, other.id, goal.id, { title: 'G', description: '', tags: [], weight: 1 }))).toBeInstanceOf(NotFoundError);
    expect(await refusal(listStrategies(t.db, otherManager, org.id))).toBeInstanceOf(NotFoundError);
  });

  it('finds objectives by id only within the organisation', async () => {
    const org = await makeOrganisation(t.db);
    const other = await makeOrganisation(t.db);
    const mine = await makeObjective(t.db, org, await makeGoal(t.db, org, await makeStrategy(t.db, org)));
    const theirs = await makeObjective(t.db, other, await makeGoal(t.db, other, await makeStrategy(t.db, other)));
    expect((await findObjectivesByIds(t.db, org.id, [mine.id, theirs.id, 'junk'])).map((o) => o.id)).toEqual([mine.id]);
    await assertObjectivesInOrganisation(t.db, org.id, [mine.id]);
    const error = await refusal(assertObjectivesInOrganisation(t.db, org.id, [mine.id, theirs.id]));
    expect((error as ValidationError).errors[0]?.field).toBe('objectiveIds');
  });
});

describe('concurrent changes', () => {
  it('lets exactly one of two changes from the same version win', async () => {
    const org = await makeOrganisation(t.db);
    const strategy = await makeStrategy(t.db, org, { status: 'published' });
    const input = (title: string) => ({ title, vision: '', periodStart: '2026-04-01', periodEnd: '2030-03-31' });
    const results = await Promise.allSettled([
      updateStrategy(t.db, op, org.id, strategy.id, input('One'), { expectedVersion: strategy.version }),
      updateStrategy(t.db, op, org.id, strategy.id, input('Two'), { expectedVersion: strategy.version }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(PreconditionFailedError);
    expect((await counts(org)).versions).toBe(1);
  });
});
