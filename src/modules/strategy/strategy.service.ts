import { type Db, inTransaction } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { type ChangeOptions, type Page, type Paging, paging } from '../../platform/paging.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors.ts';
import {
  type AgendaTag,
  agendaTagProblems,
  deleteProblem,
  editProblem,
  type Goal,
  type GoalInput,
  goalProblems,
  moveItem,
  normaliseTags,
  type Objective,
  type ObjectiveInput,
  objectiveProblems,
  STANDARD_AGENDA_AREAS,
  type Strategy,
  type StrategyInput,
  strategyProblems,
  type StrategyStatus,
  type StrategyTree,
  tagKeyFromLabel,
  transitionProblem,
} from './strategy.ts';
import * as repo from './strategy.repository.ts';

export type { AgendaTag, Goal, GoalInput, Objective, ObjectiveInput, Strategy, StrategyInput, StrategyStatus, StrategyTree };
export { STANDARD_AGENDA_AREAS, STATUS_LABELS, STATUS_TRANSITIONS } from './strategy.ts';

export type { ChangeOptions, Page, Paging };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Anything that cannot be an id is simply not found (and never reaches the database as a bad uuid). */
function assertId(id: string): void {
  if (!UUID.test(id)) throw new NotFoundError();
}

function checkVersion(current: number, options: ChangeOptions): void {
  if (options.expectedVersion !== undefined && options.expectedVersion !== current) throw new PreconditionFailedError();
}

/** What the audit trail keeps of each item (no timestamps: the event has its own). */
function strategyRecord(s: Strategy) {
  return { title: s.title, vision: s.vision, periodStart: s.periodStart, periodEnd: s.periodEnd, status: s.status, version: s.version };
}
function goalRecord(g: Goal) {
  return { strategyId: g.strategyId, title: g.title, description: g.description, tags: g.tags, weight: g.weight, position: g.position, version: g.version };
}
function objectiveRecord(o: Objective) {
  return {
    goalId: o.goalId,
    title: o.title,
    description: o.description,
    ownerId: o.ownerId,
    dueDate: o.dueDate,
    weight: o.weight,
    position: o.position,
    version: o.version,
  };
}

async function buildTree(db: Db, organisationId: string, strategy: Strategy): Promise<StrategyTree> {
  const [goals, objectives] = await Promise.all([
    repo.listGoals(db, organisationId, strategy.id),
    repo.listObjectivesOfStrategy(db, organisationId, strategy.id),
  ]);
  return {
    strategy,
    goals: goals.map((goal) => ({ ...goal, objectives: objectives.filter((o) => o.goalId === goal.id) })),
  };
}

/** The strategy, locked until the transaction ends, so changes to one tree happen one at a time. */
async function lockStrategy(trx: Db, organisationId: string, strategyId: string): Promise<Strategy> {
  const strategy = await repo.findStrategy(trx, organisationId, strategyId, { forUpdate: true });
  if (strategy === undefined) throw new NotFoundError();
  return strategy;
}

/**
 * Before any change to a strategy's tree: refuses changes to an archived strategy, and when
 * the strategy is published keeps its current state readable as a numbered version.
 */
async function keepPublishedVersion(trx: Db, strategy: Strategy): Promise<void> {
  const problem = editProblem(strategy.status);
  if (problem !== null) throw new ValidationError([problem], problem.message);
  if (strategy.status !== 'published') return;
  const tree = await buildTree(trx, strategy.organisationId, strategy);
  await repo.insertVersion(trx, strategy.organisationId, { strategyId: strategy.id, version: strategy.version, snapshot: tree });
}

/**
 * After a goal or objective of a published strategy changes, the strategy's version moves on
 * too: its published tree changed, and the version before it was kept. A draft's goals and
 * objectives carry their own versions; the draft strategy's stays as it is.
 */
async function bumpStrategy(trx: Db, strategy: Strategy): Promise<void> {
  if (strategy.status !== 'published') return;
  const bumped = await repo.updateStrategy(trx, strategy.organisationId, strategy.id, strategy.version, {});
  if (bumped === undefined) throw new PreconditionFailedError();
}

// Strategies

export async function createStrategy(db: Db, actor: Actor, organisationId: string, input: StrategyInput): Promise<Strategy> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  const problems = strategyProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
  return inTransaction(db, async (trx) => {
    const strategy = await repo.insertStrategy(trx, organisationId, {
      title: input.title.trim(),
      vision: input.vision.trim(),
      periodStart: input.periodStart.trim(),
      periodEnd: input.periodEnd.trim(),
    });
    await recordAudit(trx, actor, {
      organisationId,
      action: 'strategy.created',
      entityType: 'strategy',
      entityId: strategy.id,
      after: strategyRecord(strategy),
    });
    return strategy;
  });
}

export async function listStrategies(db: Db, actor: Actor, organisationId: string, page: Paging = {}): Promise<Page<Strategy>> {
  assertAllowed(actor, 'strategy.read', organisationId);
  const p = paging(page);
  const [items, total] = await Promise.all([repo.listStrategies(db, organisationId, p), repo.countStrategies(db, organisationId)]);
  return { items, page: p.page, pageSize: p.pageSize, total };
}

export async function getStrategy(db: Db, actor: Actor, organisationId: string, strategyId: string): Promise<Strategy> {
  assertAllowed(actor, 'strategy.read', organisationId);
  assertId(strategyId);
  const strategy = await repo.findStrategy(db, organisationId, strategyId);
  if (strategy === undefined) throw new NotFoundError();
  return strategy;
}

export interface StrategyChange extends StrategyInput {
  /** A new status (draft → published → archived, archived → published); omitted: unchanged. */
  status?: StrategyStatus | undefined;
}

/**
 * Changes a strategy's title, vision and period (and, when given, its status, in the same
 * change). A published strategy's state before the change stays readable as its earlier
 * version; an archived one cannot be changed until it is published again.
 */
export async function updateStrategy(
  db: Db,
  actor: Actor,
  organisationId: string,
  strategyId: string,
  input: StrategyChange,
  options: ChangeOptions = {},
): Promise<Strategy> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(strategyId);
  const problems = strategyProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
  const values = { title: input.title.trim(), vision: input.vision.trim(), periodStart: input.periodStart.trim(), periodEnd: input.periodEnd.trim() };
  return changeStrategy(db, actor, organisationId, strategyId, { values, status: input.status }, options);
}

async function changeStrategy(
  db: Db,
  actor: Actor,
  organisationId: string,
  strategyId: string,
  change: { values?: { title: string; vision: string; periodStart: string; periodEnd: string }; status?: StrategyStatus | undefined },
  options: ChangeOptions,
): Promise<Strategy> {
  return inTransaction(db, async (trx) => {
    const before = await lockStrategy(trx, organisationId, strategyId);
    checkVersion(before.version, options);
    const values = change.values;
    const contentChanged =
      values !== undefined &&
      (before.title !== values.title || before.vision !== values.vision || before.periodStart !== values.periodStart || before.periodEnd !== values.periodEnd);
    const statusChanged = change.status !== undefined && change.status !== before.status;
    if (!contentChanged && !statusChanged) {
      // Asking for the status it already has, on its own, is a mistake worth saying.
      if (values === undefined && change.status !== undefined) {
        const problem = transitionProblem(before.status, change.status);
        if (problem !== null) throw new ValidationError([problem], problem.message);
      }
      return before;
    }
    if (contentChanged) {
      const problem = editProblem(before.status);
      if (problem !== null) throw new ValidationError([problem], problem.message);
    }
    if (statusChanged && change.status !== undefined) {
      const problem = transitionProblem(before.status, change.status);
      if (problem !== null) throw new ValidationError([problem], problem.message);
    }
    // Whatever changes in a published strategy, what was published stays readable.
    if (before.status === 'published') await keepPublishedVersion(trx, before);
    const after = await repo.updateStrategy(trx, organisationId, strategyId, before.version, {
      ...(contentChanged ? values : {}),
      ...(statusChanged ? { status: change.status } : {}),
    });
    if (after === undefined) throw new PreconditionFailedError();
    const action = contentChanged ? 'strategy.updated' : after.status === 'published' ? 'strategy.published' : 'strategy.archived';
    await recordAudit(trx, actor, {
      organisationId,
      action,
      entityType: 'strategy',
      entityId: strategyId,
      before: strategyRecord(before),
      after: strategyRecord(after),
    });
    return after;
  });
}

async function changeStatus(
  db: Db,
  actor: Actor,
  organisationId: string,
  strategyId: string,
  status: StrategyStatus,
  options: ChangeOptions,
): Promise<Strategy> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(strategyId);
  return changeStrategy(db, actor, organisationId, strategyId, { status }, options);
}

/** draft → published, or an archived strategy reinstated. */
export function publishStrategy(db: Db, actor: Actor, organisationId: string, strategyId: string, options: ChangeOptions = {}): Promise<Strategy> {
  return changeStatus(db, actor, organisationId, strategyId, 'published', options);
}

/** published → archived: kept for the record, readable, no longer changeable. */
export function archiveStrategy(db: Db, actor: Actor, organisationId: string, strategyId: string, options: ChangeOptions = {}): Promise<Strategy> {
  return changeStatus(db, actor, organisationId, strategyId, 'archived', options);
}

/** Only a draft can be deleted (with its goals and objectives); a published strategy is archived instead. */
export async function deleteStrategy(db: Db, actor: Actor, organisationId: string, strategyId: string, options: ChangeOptions = {}): Promise<void> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(strategyId);
  await inTransaction(db, async (trx) => {
    const before = await lockStrategy(trx, organisationId, strategyId);
    checkVersion(before.version, options);
    const problem = deleteProblem(before.status);
    if (problem !== null) throw new ValidationError([problem], problem.message);
    const tree = await buildTree(trx, organisationId, before);
    if (!(await repo.deleteStrategy(trx, organisationId, strategyId, before.version))) throw new PreconditionFailedError();
    await recordAudit(trx, actor, {
      organisationId,
      action: 'strategy.deleted',
      entityType: 'strategy',
      entityId: strategyId,
      before: { ...strategyRecord(before), goals: tree.goals.length, objectives: tree.goals.reduce((n, g) => n + g.objectives.length, 0) },
    });
  });
}

/** The strategy with its goals and their objectives, in order: the spine of the golden thread. */
export async function getStrategyTree(db: Db, actor: Actor, organisationId: string, strategyId: string): Promise<StrategyTree> {
  const strategy = await getStrategy(db, actor, organisationId, strategyId);
  return buildTree(db, organisationId, strategy);
}

/**
 * The trees of every strategy in one of `statuses` (by default those not archived), in the
 * list's order: three queries however many strategies there are. For the organisation's
 * golden threads and dashboard.
 */
export async function listStrategyTrees(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: { statuses?: readonly StrategyStatus[] } = {},
): Promise<StrategyTree[]> {
  assertAllowed(actor, 'strategy.read', organisationId);
  const strategies = await repo.listStrategiesWithStatus(db, organisationId, options.statuses ?? ['draft', 'published']);
  const ids = strategies.map((s) => s.id);
  const [goals, objectives] = await Promise.all([repo.listGoalsOfStrategies(db, organisationId, ids), repo.listObjectivesOfStrategies(db, organisationId, ids)]);
  return strategies.map((strategy) => ({
    strategy,
    goals: goals.filter((g) => g.strategyId === strategy.id).map((goal) => ({ ...goal, objectives: objectives.filter((o) => o.goalId === goal.id) })),
  }));
}

export interface StrategyVersionSummary {
  version: number;
  /** True for the strategy as it is now. */
  current: boolean;
  /** When this version was replaced (kept versions), or last changed (the current one). */
  at: Date;
}

/** The current version first, then every earlier published version kept. */
export async function listStrategyVersions(db: Db, actor: Actor, organisationId: string, strategyId: string): Promise<StrategyVersionSummary[]> {
  const strategy = await getStrategy(db, actor, organisationId, strategyId);
  const kept = await repo.listVersions(db, organisationId, strategyId);
  return [
    { version: strategy.version, current: true, at: strategy.updatedAt },
    ...kept.filter((v) => v.version !== strategy.version).map((v) => ({ version: v.version, current: false, at: v.createdAt })),
  ];
}

export interface StrategyVersion {
  version: number;
  current: boolean;
  at: Date;
  tree: StrategyTree;
}

/** One version of a strategy: the current one, or an earlier published one as it was then. */
export async function getStrategyVersion(
  db: Db,
  actor: Actor,
  organisationId: string,
  strategyId: string,
  version: number,
): Promise<StrategyVersion> {
  const strategy = await getStrategy(db, actor, organisationId, strategyId);
  if (version === strategy.version) return { version, current: true, at: strategy.updatedAt, tree: await buildTree(db, organisationId, strategy) };
  if (!Number.isSafeInteger(version) || version < 1) throw new NotFoundError();
  const kept = await repo.findVersion(db, organisationId, strategyId, version);
  if (kept === undefined) throw new NotFoundError();
  const tree = kept.snapshot as unknown as StrategyTree;
  return {
    version,
    current: false,
    at: kept.createdAt,
    tree: { ...tree, strategy: { ...tree.strategy, updatedAt: new Date(tree.strategy.updatedAt) } },
  };
}

// Agenda tags

/** The four standard agenda areas, then the organisation's own tags by name. */
export async function listAgendaTags(db: Db, actor: Actor, organisationId: string): Promise<AgendaTag[]> {
  assertAllowed(actor, 'strategy.read', organisationId);
  return allTags(db, organisationId);
}

async function allTags(db: Db, organisationId: string): Promise<AgendaTag[]> {
  const own = await repo.listAgendaTags(db, organisationId);
  return [...STANDARD_AGENDA_AREAS.map((a) => ({ key: a.key, label: a.label, standard: true })), ...own];
}

/** Adds one of the organisation's own agenda tags; its key is made from its name unless given. */
export async function createAgendaTag(
  db: Db,
  actor: Actor,
  organisationId: string,
  input: { label: string; key?: string | undefined },
): Promise<AgendaTag> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  const label = input.label.trim();
  const key = (input.key ?? tagKeyFromLabel(label)).trim();
  return inTransaction(db, async (trx) => {
    const existing = await repo.listAgendaTags(trx, organisationId);
    const problems = agendaTagProblems({ key, label }, existing);
    if (problems.length > 0) throw new ValidationError(problems);
    const tag = await repo.insertAgendaTag(trx, organisationId, { key, label });
    await recordAudit(trx, actor, { organisationId, action: 'agenda_tag.created', entityType: 'agenda_tag', entityId: null, after: { key, label } });
    return tag;
  });
}

// Goals

export interface GoalChange extends GoalInput {
  /** 1-based place among the strategy's goals; omitted: at the end (new) or where it is (update). */
  position?: number | undefined;
}

async function knownTagKeys(db: Db, organisationId: string): Promise<string[]> {
  return (await allTags(db, organisationId)).map((t) => t.key);
}

async function goalValues(trx: Db, organisationId: string, input: GoalChange) {
  const known = await knownTagKeys(trx, organisationId);
  const problems = goalProblems(input, known);
  if (input.position !== undefined && (!Number.isSafeInteger(input.position) || input.position < 1)) {
    problems.push({ field: 'position', message: 'Position must be a whole number, 1 or more' });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    title: input.title.trim(),
    description: input.description.trim(),
    tags: normaliseTags(input.tags, known),
    weight: Number(String(input.weight).trim()),
  };
}

async function placeGoal(trx: Db, organisationId: string, strategyId: string, goalId: string, position: number): Promise<void> {
  const goals = await repo.listGoals(trx, organisationId, strategyId);
  const from = goals.findIndex((g) => g.id === goalId);
  await repo.setGoalPositions(trx, organisationId, moveItem(goals, from, position - 1));
}

export async function createGoal(db: Db, actor: Actor, organisationId: string, strategyId: string, input: GoalChange): Promise<Goal> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(strategyId);
  return inTransaction(db, async (trx) => {
    const strategy = await lockStrategy(trx, organisationId, strategyId);
    const values = await goalValues(trx, organisationId, input);
    await keepPublishedVersion(trx, strategy);
    const count = await repo.countGoals(trx, organisationId, strategyId);
    let goal = await repo.insertGoal(trx, organisationId, { ...values, strategyId, position: count + 1 });
    if (input.position !== undefined && input.position <= count) {
      await placeGoal(trx, organisationId, strategyId, goal.id, input.position);
      goal = (await repo.findGoal(trx, organisationId, goal.id)) ?? goal;
    }
    await bumpStrategy(trx, strategy);
    await recordAudit(trx, actor, { organisationId, action: 'goal.created', entityType: 'goal', entityId: goal.id, after: goalRecord(goal) });
    return goal;
  });
}

export async function getGoal(db: Db, actor: Actor, organisationId: string, goalId: string): Promise<Goal> {
  assertAllowed(actor, 'strategy.read', organisationId);
  assertId(goalId);
  const goal = await repo.findGoal(db, organisationId, goalId);
  if (goal === undefined) throw new NotFoundError();
  return goal;
}

export async function listGoals(db: Db, actor: Actor, organisationId: string, strategyId: string, page: Paging = {}): Promise<Page<Goal>> {
  await getStrategy(db, actor, organisationId, strategyId);
  const p = paging(page);
  const [items, total] = await Promise.all([repo.listGoals(db, organisationId, strategyId, p), repo.countGoals(db, organisationId, strategyId)]);
  return { items, page: p.page, pageSize: p.pageSize, total };
}

/** Locks the goal's strategy and reads the goal again under that lock. */
async function lockGoal(trx: Db, organisationId: string, goalId: string): Promise<{ strategy: Strategy; goal: Goal }> {
  const found = await repo.findGoal(trx, organisationId, goalId);
  if (found === undefined) throw new NotFoundError();
  const strategy = await lockStrategy(trx, organisationId, found.strategyId);
  const goal = await repo.findGoal(trx, organisationId, goalId);
  if (goal === undefined) throw new NotFoundError();
  return { strategy, goal };
}

export async function updateGoal(
  db: Db,
  actor: Actor,
  organisationId: string,
  goalId: string,
  input: GoalChange,
  options: ChangeOptions = {},
): Promise<Goal> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(goalId);
  return inTransaction(db, async (trx) => {
    const { strategy, goal: before } = await lockGoal(trx, organisationId, goalId);
    checkVersion(before.version, options);
    const values = await goalValues(trx, organisationId, input);
    const moves = input.position !== undefined && input.position !== before.position;
    const unchanged =
      !moves &&
      before.title === values.title &&
      before.description === values.description &&
      before.weight === values.weight &&
      before.tags.join(',') === values.tags.join(',');
    if (unchanged) return before;
    await keepPublishedVersion(trx, strategy);
    let after = await repo.updateGoal(trx, organisationId, goalId, before.version, values);
    if (after === undefined) throw new PreconditionFailedError();
    if (moves && input.position !== undefined) {
      await placeGoal(trx, organisationId, strategy.id, goalId, input.position);
      after = (await repo.findGoal(trx, organisationId, goalId)) ?? after;
    }
    await bumpStrategy(trx, strategy);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'goal.updated',
      entityType: 'goal',
      entityId: goalId,
      before: goalRecord(before),
      after: goalRecord(after),
    });
    return after;
  });
}

/** Deletes a goal with its objectives; the remaining goals close up. */
export async function deleteGoal(db: Db, actor: Actor, organisationId: string, goalId: string, options: ChangeOptions = {}): Promise<void> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(goalId);
  await inTransaction(db, async (trx) => {
    const { strategy, goal } = await lockGoal(trx, organisationId, goalId);
    checkVersion(goal.version, options);
    await keepPublishedVersion(trx, strategy);
    const objectives = await repo.countObjectives(trx, organisationId, goalId);
    if (!(await repo.deleteGoal(trx, organisationId, goalId, goal.version))) throw new PreconditionFailedError();
    await repo.setGoalPositions(trx, organisationId, await repo.listGoals(trx, organisationId, strategy.id));
    await bumpStrategy(trx, strategy);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'goal.deleted',
      entityType: 'goal',
      entityId: goalId,
      before: { ...goalRecord(goal), objectives },
    });
  });
}

export type Direction = 'up' | 'down';

/** Moves a goal one place up or down among its strategy's goals; positions stay 1…n. */
export async function moveGoal(db: Db, actor: Actor, organisationId: string, goalId: string, direction: Direction): Promise<Goal> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(goalId);
  return inTransaction(db, async (trx) => {
    const { strategy, goal } = await lockGoal(trx, organisationId, goalId);
    const goals = await repo.listGoals(trx, organisationId, strategy.id);
    const from = goals.findIndex((g) => g.id === goalId);
    const to = direction === 'up' ? from - 1 : from + 1;
    if (to < 0 || to >= goals.length) return goal;
    await keepPublishedVersion(trx, strategy);
    await repo.setGoalPositions(trx, organisationId, moveItem(goals, from, to));
    await bumpStrategy(trx, strategy);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'goal.moved',
      entityType: 'goal',
      entityId: goalId,
      before: { position: from + 1 },
      after: { position: to + 1 },
    });
    return { ...goal, position: to + 1 };
  });
}

// Objectives

export interface ObjectiveChange extends ObjectiveInput {
  /** 1-based place among the goal's objectives; omitted: at the end (new) or where it is (update). */
  position?: number | undefined;
}

async function objectiveValues(trx: Db, organisationId: string, input: ObjectiveChange, currentOwnerId: string | null) {
  const problems = objectiveProblems(input);
  if (input.position !== undefined && (!Number.isSafeInteger(input.position) || input.position < 1)) {
    problems.push({ field: 'position', message: 'Position must be a whole number, 1 or more' });
  }
  const ownerId = input.ownerId === null || input.ownerId.trim() === '' ? null : input.ownerId.trim();
  // An owner who has since left may stay; anyone newly chosen must be an active member.
  if (ownerId !== null && ownerId !== currentOwnerId && (!UUID.test(ownerId) || !(await repo.isActiveMember(trx, organisationId, ownerId)))) {
    problems.push({ field: 'ownerId', message: 'Choose an owner who is a member of this organisation' });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const dueDate = input.dueDate === null || input.dueDate.trim() === '' ? null : input.dueDate.trim();
  return { title: input.title.trim(), description: input.description.trim(), ownerId, dueDate, weight: Number(String(input.weight).trim()) };
}

async function placeObjective(trx: Db, organisationId: string, goalId: string, objectiveId: string, position: number): Promise<void> {
  const objectives = await repo.listObjectives(trx, organisationId, goalId);
  const from = objectives.findIndex((o) => o.id === objectiveId);
  await repo.setObjectivePositions(trx, organisationId, moveItem(objectives, from, position - 1));
}

export async function createObjective(db: Db, actor: Actor, organisationId: string, goalId: string, input: ObjectiveChange): Promise<Objective> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(goalId);
  return inTransaction(db, async (trx) => {
    const { strategy } = await lockGoal(trx, organisationId, goalId);
    const values = await objectiveValues(trx, organisationId, input, null);
    await keepPublishedVersion(trx, strategy);
    const count = await repo.countObjectives(trx, organisationId, goalId);
    let objective = await repo.insertObjective(trx, organisationId, { ...values, goalId, position: count + 1 });
    if (input.position !== undefined && input.position <= count) {
      await placeObjective(trx, organisationId, goalId, objective.id, input.position);
      objective = (await repo.findObjective(trx, organisationId, objective.id)) ?? objective;
    }
    await bumpStrategy(trx, strategy);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'objective.created',
      entityType: 'objective',
      entityId: objective.id,
      after: objectiveRecord(objective),
    });
    return objective;
  });
}

export async function getObjective(db: Db, actor: Actor, organisationId: string, objectiveId: string): Promise<Objective> {
  assertAllowed(actor, 'strategy.read', organisationId);
  assertId(objectiveId);
  const objective = await repo.findObjective(db, organisationId, objectiveId);
  if (objective === undefined) throw new NotFoundError();
  return objective;
}

export async function listObjectives(db: Db, actor: Actor, organisationId: string, goalId: string, page: Paging = {}): Promise<Page<Objective>> {
  await getGoal(db, actor, organisationId, goalId);
  const p = paging(page);
  const [items, total] = await Promise.all([
    repo.listObjectives(db, organisationId, goalId, p),
    repo.countObjectives(db, organisationId, goalId),
  ]);
  return { items, page: p.page, pageSize: p.pageSize, total };
}

async function lockObjective(trx: Db, organisationId: string, objectiveId: string): Promise<{ strategy: Strategy; objective: Objective }> {
  const found = await repo.findObjective(trx, organisationId, objectiveId);
  if (found === undefined) throw new NotFoundError();
  const { strategy } = await lockGoal(trx, organisationId, found.goalId);
  const objective = await repo.findObjective(trx, organisationId, objectiveId);
  if (objective === undefined) throw new NotFoundError();
  return { strategy, objective };
}

export async function updateObjective(
  db: Db,
  actor: Actor,
  organisationId: string,
  objectiveId: string,
  input: ObjectiveChange,
  options: ChangeOptions = {},
): Promise<Objective> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(objectiveId);
  return inTransaction(db, async (trx) => {
    const { strategy, objective: before } = await lockObjective(trx, organisationId, objectiveId);
    checkVersion(before.version, options);
    const values = await objectiveValues(trx, organisationId, input, before.ownerId);
    const moves = input.position !== undefined && input.position !== before.position;
    const unchanged =
      !moves &&
      before.title === values.title &&
      before.description === values.description &&
      before.ownerId === values.ownerId &&
      before.dueDate === values.dueDate &&
      before.weight === values.weight;
    if (unchanged) return before;
    await keepPublishedVersion(trx, strategy);
    let after = await repo.updateObjective(trx, organisationId, objectiveId, before.version, values);
    if (after === undefined) throw new PreconditionFailedError();
    if (moves && input.position !== undefined) {
      await placeObjective(trx, organisationId, before.goalId, objectiveId, input.position);
      after = (await repo.findObjective(trx, organisationId, objectiveId)) ?? after;
    }
    await bumpStrategy(trx, strategy);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'objective.updated',
      entityType: 'objective',
      entityId: objectiveId,
      before: objectiveRecord(before),
      after: objectiveRecord(after),
    });
    return after;
  });
}

export async function deleteObjective(db: Db, actor: Actor, organisationId: string, objectiveId: string, options: ChangeOptions = {}): Promise<void> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(objectiveId);
  await inTransaction(db, async (trx) => {
    const { strategy, objective } = await lockObjective(trx, organisationId, objectiveId);
    checkVersion(objective.version, options);
    await keepPublishedVersion(trx, strategy);
    if (!(await repo.deleteObjective(trx, organisationId, objectiveId, objective.version))) throw new PreconditionFailedError();
    await repo.setObjectivePositions(trx, organisationId, await repo.listObjectives(trx, organisationId, objective.goalId));
    await bumpStrategy(trx, strategy);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'objective.deleted',
      entityType: 'objective',
      entityId: objectiveId,
      before: objectiveRecord(objective),
    });
  });
}

/** Moves an objective one place up or down within its goal; positions stay 1…n. */
export async function moveObjective(db: Db, actor: Actor, organisationId: string, objectiveId: string, direction: Direction): Promise<Objective> {
  assertAllowed(actor, 'strategy.manage', organisationId);
  assertId(objectiveId);
  return inTransaction(db, async (trx) => {
    const { strategy, objective } = await lockObjective(trx, organisationId, objectiveId);
    const objectives = await repo.listObjectives(trx, organisationId, objective.goalId);
    const from = objectives.findIndex((o) => o.id === objectiveId);
    const to = direction === 'up' ? from - 1 : from + 1;
    if (to < 0 || to >= objectives.length) return objective;
    await keepPublishedVersion(trx, strategy);
    await repo.setObjectivePositions(trx, organisationId, moveItem(objectives, from, to));
    await bumpStrategy(trx, strategy);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'objective.moved',
      entityType: 'objective',
      entityId: objectiveId,
      before: { position: from + 1 },
      after: { position: to + 1 },
    });
    return { ...objective, position: to + 1 };
  });
}

/** The organisation's active members, who can own objectives. */
export async function listPossibleOwners(db: Db, actor: Actor, organisationId: string): Promise<{ id: string; name: string; email: string }[]> {
  assertAllowed(actor, 'strategy.read', organisationId);
  return repo.listActiveMembers(db, organisationId);
}

/**
 * The organisation's objectives with these ids (others, and anything that is not an id, are
 * left out). For other modules (KPIs) linking to objectives; the caller checks access.
 */
export async function findObjectivesByIds(db: Db, organisationId: string, ids: readonly string[]): Promise<Objective[]> {
  const valid = [...new Set(ids.filter((id) => UUID.test(id)))];
  return repo.findObjectivesByIds(db, organisationId, valid);
}

/** Throws a ValidationError on `field` unless every id is an objective of the organisation. */
export async function assertObjectivesInOrganisation(db: Db, organisationId: string, ids: readonly string[], field = 'objectiveIds'): Promise<void> {
  const found = new Set((await findObjectivesByIds(db, organisationId, ids)).map((o) => o.id));
  const unknown = [...new Set(ids)].filter((id) => !found.has(id));
  if (unknown.length > 0) throw ValidationError.of(field, `There is no objective with the id ${unknown.join(', ')} in this organisation`);
}
