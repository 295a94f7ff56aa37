import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { AgendaTag, Goal, Objective, Strategy, StrategyStatus } from './strategy.ts';

// Every query is scoped by organisation_id: an id from another organisation finds nothing.

const strategyColumns = [
  'strategy.id',
  'strategy.organisation_id',
  'strategy.title',
  'strategy.vision',
  'strategy.period_start',
  'strategy.period_end',
  'strategy.status',
  'strategy.version',
  'strategy.updated_at',
] as const;

interface StrategyRow {
  id: string;
  organisation_id: string;
  title: string;
  vision: string;
  period_start: string;
  period_end: string;
  status: StrategyStatus;
  version: number;
  updated_at: Date;
}

function toStrategy(row: StrategyRow): Strategy {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    title: row.title,
    vision: row.vision,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    status: row.status,
    version: row.version,
    updatedAt: row.updated_at,
  };
}

export async function insertStrategy(
  db: Db,
  organisationId: string,
  values: { title: string; vision: string; periodStart: string; periodEnd: string },
): Promise<Strategy> {
  const row = await db
    .insertInto('strategy')
    .values({
      organisation_id: organisationId,
      title: values.title,
      vision: values.vision,
      period_start: values.periodStart,
      period_end: values.periodEnd,
    })
    .returning(['id', 'organisation_id', 'title', 'vision', 'period_start', 'period_end', 'status', 'version', 'updated_at'])
    .executeTakeFirstOrThrow();
  return toStrategy(row);
}

export async function findStrategy(db: Db, organisationId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Strategy | undefined> {
  let query = db.selectFrom('strategy').select(strategyColumns).where('strategy.organisation_id', '=', organisationId).where('strategy.id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toStrategy(row);
}

export async function listStrategies(db: Db, organisationId: string, page: { limit: number; offset: number }): Promise<Strategy[]> {
  const rows = await db
    .selectFrom('strategy')
    .select(strategyColumns)
    .where('strategy.organisation_id', '=', organisationId)
    .orderBy('strategy.period_start', 'desc')
    .orderBy('strategy.title')
    .orderBy('strategy.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.map(toStrategy);
}

/** Every strategy of the organisation in one of `statuses`, in the list's order (no paging). */
export async function listStrategiesWithStatus(db: Db, organisationId: string, statuses: readonly StrategyStatus[]): Promise<Strategy[]> {
  if (statuses.length === 0) return [];
  const rows = await db
    .selectFrom('strategy')
    .select(strategyColumns)
    .where('strategy.organisation_id', '=', organisationId)
    .where('strategy.status', 'in', [...statuses])
    .orderBy('strategy.period_start', 'desc')
    .orderBy('strategy.title')
    .orderBy('strategy.id')
    .execute();
  return rows.map(toStrategy);
}

export async function countStrategies(db: Db, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('strategy')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return row.n;
}

/**
 * Writes the strategy's new values and bumps its version, only if it is still at
 * `expectedVersion`; false when another change got there first.
 */
export async function updateStrategy(
  db: Db,
  organisationId: string,
  id: string,
  expectedVersion: number,
  values: Partial<{ title: string; vision: string; periodStart: string; periodEnd: string; status: StrategyStatus }>,
): Promise<Strategy | undefined> {
  const row = await db
    .updateTable('strategy')
    .set((eb) => ({
      ...(values.title === undefined ? {} : { title: values.title }),
      ...(values.vision === undefined ? {} : { vision: values.vision }),
      ...(values.periodStart === undefined ? {} : { period_start: values.periodStart }),
      ...(values.periodEnd === undefined ? {} : { period_end: values.periodEnd }),
      ...(values.status === undefined ? {} : { status: values.status }),
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .returning(['id', 'organisation_id', 'title', 'vision', 'period_start', 'period_end', 'status', 'version', 'updated_at'])
    .executeTakeFirst();
  return row && toStrategy(row);
}

export async function deleteStrategy(db: Db, organisationId: string, id: string, expectedVersion: number): Promise<boolean> {
  const result = await db
    .deleteFrom('strategy')
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

// Goals

const goalColumns = [
  'goal.id',
  'goal.organisation_id',
  'goal.strategy_id',
  'goal.title',
  'goal.description',
  'goal.tags',
  'goal.weight',
  'goal.position',
  'goal.version',
] as const;

interface GoalRow {
  id: string;
  organisation_id: string;
  strategy_id: string;
  title: string;
  description: string;
  tags: string[];
  weight: string;
  position: number;
  version: number;
}

function toGoal(row: GoalRow): Goal {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    strategyId: row.strategy_id,
    title: row.title,
    description: row.description,
    tags: [...row.tags],
    weight: Number(row.weight),
    position: row.position,
    version: row.version,
  };
}

/** A text[] built element by element: the same on PGlite and pg, whatever their array serialisers do. */
function tagsValue(tags: readonly string[]) {
  if (tags.length === 0) return sql<string[]>`'{}'::text[]`;
  return sql<string[]>`array[${sql.join(tags.map((t) => sql.val(t)))}]::text[]`;
}

export async function insertGoal(
  db: Db,
  organisationId: string,
  values: { strategyId: string; title: string; description: string; tags: readonly string[]; weight: number; position: number },
): Promise<Goal> {
  const row = await db
    .insertInto('goal')
    .values({
      organisation_id: organisationId,
      strategy_id: values.strategyId,
      title: values.title,
      description: values.description,
      tags: tagsValue(values.tags),
      weight: values.weight,
      position: values.position,
    })
    .returning(['id', 'organisation_id', 'strategy_id', 'title', 'description', 'tags', 'weight', 'position', 'version'])
    .executeTakeFirstOrThrow();
  return toGoal(row);
}

export async function findGoal(db: Db, organisationId: string, id: string): Promise<Goal | undefined> {
  const row = await db.selectFrom('goal').select(goalColumns).where('goal.organisation_id', '=', organisationId).where('goal.id', '=', id).executeTakeFirst();
  return row && toGoal(row);
}

export async function listGoals(db: Db, organisationId: string, strategyId: string, page?: { limit: number; offset: number }): Promise<Goal[]> {
  let query = db
    .selectFrom('goal')
    .select(goalColumns)
    .where('goal.organisation_id', '=', organisationId)
    .where('goal.strategy_id', '=', strategyId)
    .orderBy('goal.position')
    .orderBy('goal.id');
  if (page !== undefined) query = query.limit(page.limit).offset(page.offset);
  return (await query.execute()).map(toGoal);
}

/** The goals of several strategies, by strategy then position. */
export async function listGoalsOfStrategies(db: Db, organisationId: string, strategyIds: readonly string[]): Promise<Goal[]> {
  if (strategyIds.length === 0) return [];
  const rows = await db
    .selectFrom('goal')
    .select(goalColumns)
    .where('goal.organisation_id', '=', organisationId)
    .where('goal.strategy_id', 'in', [...strategyIds])
    .orderBy('goal.strategy_id')
    .orderBy('goal.position')
    .orderBy('goal.id')
    .execute();
  return rows.map(toGoal);
}

export async function countGoals(db: Db, organisationId: string, strategyId: string): Promise<number> {
  const row = await db
    .selectFrom('goal')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('organisation_id', '=', organisationId)
    .where('strategy_id', '=', strategyId)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function updateGoal(
  db: Db,
  organisationId: string,
  id: string,
  expectedVersion: number,
  values: { title: string; description: string; tags: readonly string[]; weight: number },
): Promise<Goal | undefined> {
  const row = await db
    .updateTable('goal')
    .set((eb) => ({
      title: values.title,
      description: values.description,
      tags: tagsValue(values.tags),
      weight: values.weight,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .returning(['id', 'organisation_id', 'strategy_id', 'title', 'description', 'tags', 'weight', 'position', 'version'])
    .executeTakeFirst();
  return row && toGoal(row);
}

export async function deleteGoal(db: Db, organisationId: string, id: string, expectedVersion: number): Promise<boolean> {
  const result = await db
    .deleteFrom('goal')
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Sets positions 1…n in the order given; only rows whose position changes are written. */
export async function setGoalPositions(db: Db, organisationId: string, ordered: readonly { id: string; position: number }[]): Promise<void> {
  for (const [index, goal] of ordered.entries()) {
    if (goal.position === index + 1) continue;
    await db
      .updateTable('goal')
      .set({ position: index + 1 })
      .where('organisation_id', '=', organisationId)
      .where('id', '=', goal.id)
      .execute();
  }
}

// Objectives

const objectiveColumns = [
  'objective.id',
  'objective.organisation_id',
  'objective.goal_id',
  'objective.title',
  'objective.description',
  'objective.owner_id',
  'app_user.name as owner_name',
  'objective.due_date',
  'objective.weight',
  'objective.position',
  'objective.version',
] as const;

interface ObjectiveRow {
  id: string;
  organisation_id: string;
  goal_id: string;
  title: string;
  description: string;
  owner_id: string | null;
  owner_name: string | null;
  due_date: string | null;
  weight: string;
  position: number;
  version: number;
}

function toObjective(row: ObjectiveRow): Objective {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    goalId: row.goal_id,
    title: row.title,
    description: row.description,
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    dueDate: row.due_date,
    weight: Number(row.weight),
    position: row.position,
    version: row.version,
  };
}

function selectObjectives(db: Db, organisationId: string) {
  return db
    .selectFrom('objective')
    .leftJoin('app_user', 'app_user.id', 'objective.owner_id')
    .select(objectiveColumns)
    .where('objective.organisation_id', '=', organisationId);
}

export async function insertObjective(
  db: Db,
  organisationId: string,
  values: { goalId: string; title: string; description: string; ownerId: string | null; dueDate: string | null; weight: number; position: number },
): Promise<Objective> {
  const { id } = await db
    .insertInto('objective')
    .values({
      organisation_id: organisationId,
      goal_id: values.goalId,
      title: values.title,
      description: values.description,
      owner_id: values.ownerId,
      due_date: values.dueDate,
      weight: values.weight,
      position: values.position,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const created = await findObjective(db, organisationId, id);
  if (created === undefined) throw new Error('Inserted objective not found');
  return created;
}

export async function findObjective(db: Db, organisationId: string, id: string): Promise<Objective | undefined> {
  const row = await selectObjectives(db, organisationId).where('objective.id', '=', id).executeTakeFirst();
  return row && toObjective(row);
}

export async function findObjectivesByIds(db: Db, organisationId: string, ids: readonly string[]): Promise<Objective[]> {
  if (ids.length === 0) return [];
  const rows = await selectObjectives(db, organisationId).where('objective.id', 'in', [...ids]).execute();
  return rows.map(toObjective);
}

export async function listObjectives(db: Db, organisationId: string, goalId: string, page?: { limit: number; offset: number }): Promise<Objective[]> {
  let query = selectObjectives(db, organisationId).where('objective.goal_id', '=', goalId).orderBy('objective.position').orderBy('objective.id');
  if (page !== undefined) query = query.limit(page.limit).offset(page.offset);
  return (await query.execute()).map(toObjective);
}

/** Every objective of a strategy's goals, ordered by goal then position. */
export async function listObjectivesOfStrategy(db: Db, organisationId: string, strategyId: string): Promise<Objective[]> {
  const rows = await selectObjectives(db, organisationId)
    .innerJoin('goal', 'goal.id', 'objective.goal_id')
    .where('goal.strategy_id', '=', strategyId)
    .where('goal.organisation_id', '=', organisationId)
    .orderBy('goal.position')
    .orderBy('objective.position')
    .orderBy('objective.id')
    .execute();
  return rows.map(toObjective);
}

/** Every objective of several strategies' goals, by goal position then position. */
export async function listObjectivesOfStrategies(db: Db, organisationId: string, strategyIds: readonly string[]): Promise<Objective[]> {
  if (strategyIds.length === 0) return [];
  const rows = await selectObjectives(db, organisationId)
    .innerJoin('goal', 'goal.id', 'objective.goal_id')
    .where('goal.strategy_id', 'in', [...strategyIds])
    .where('goal.organisation_id', '=', organisationId)
    .orderBy('goal.position')
    .orderBy('objective.position')
    .orderBy('objective.id')
    .execute();
  return rows.map(toObjective);
}

export async function countObjectives(db: Db, organisationId: string, goalId: string): Promise<number> {
  const row = await db
    .selectFrom('objective')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('organisation_id', '=', organisationId)
    .where('goal_id', '=', goalId)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function updateObjective(
  db: Db,
  organisationId: string,
  id: string,
  expectedVersion: number,
  values: { title: string; description: string; ownerId: string | null; dueDate: string | null; weight: number },
): Promise<Objective | undefined> {
  const result = await db
    .updateTable('objective')
    .set((eb) => ({
      title: values.title,
      description: values.description,
      owner_id: values.ownerId,
      due_date: values.dueDate,
      weight: values.weight,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) return undefined;
  return findObjective(db, organisationId, id);
}

export async function deleteObjective(db: Db, organisationId: string, id: string, expectedVersion: number): Promise<boolean> {
  const result = await db
    .deleteFrom('objective')
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function setObjectivePositions(db: Db, organisationId: string, ordered: readonly { id: string; position: number }[]): Promise<void> {
  for (const [index, objective] of ordered.entries()) {
    if (objective.position === index + 1) continue;
    await db
      .updateTable('objective')
      .set({ position: index + 1 })
      .where('organisation_id', '=', organisationId)
      .where('id', '=', objective.id)
      .execute();
  }
}

// Versions

export async function insertVersion(db: Db, organisationId: string, values: { strategyId: string; version: number; snapshot: unknown }): Promise<void> {
  await db
    .insertInto('strategy_version')
    .values({ organisation_id: organisationId, strategy_id: values.strategyId, version: values.version, snapshot: JSON.stringify(values.snapshot) })
    .execute();
}

export async function listVersions(db: Db, organisationId: string, strategyId: string): Promise<{ version: number; createdAt: Date }[]> {
  const rows = await db
    .selectFrom('strategy_version')
    .select(['version', 'created_at'])
    .where('organisation_id', '=', organisationId)
    .where('strategy_id', '=', strategyId)
    .orderBy('version', 'desc')
    .execute();
  return rows.map((r) => ({ version: r.version, createdAt: r.created_at }));
}

export async function findVersion(
  db: Db,
  organisationId: string,
  strategyId: string,
  version: number,
): Promise<{ version: number; snapshot: Record<string, unknown>; createdAt: Date } | undefined> {
  const row = await db
    .selectFrom('strategy_version')
    .select(['version', 'snapshot', 'created_at'])
    .where('organisation_id', '=', organisationId)
    .where('strategy_id', '=', strategyId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row && { version: row.version, snapshot: row.snapshot, createdAt: row.created_at };
}

// Agenda tags

export async function listAgendaTags(db: Db, organisationId: string): Promise<AgendaTag[]> {
  const rows = await db.selectFrom('agenda_tag').select(['key', 'label']).where('organisation_id', '=', organisationId).orderBy('label').execute();
  return rows.map((r) => ({ key: r.key, label: r.label, standard: false }));
}

export async function insertAgendaTag(db: Db, organisationId: string, values: { key: string; label: string }): Promise<AgendaTag> {
  const row = await db
    .insertInto('agenda_tag')
    .values({ organisation_id: organisationId, key: values.key, label: values.label })
    .returning(['key', 'label'])
    .executeTakeFirstOrThrow();
  return { key: row.key, label: row.label, standard: false };
}

// Members (owners of objectives): a scoped read of the organisation's active memberships.

export async function isActiveMember(db: Db, organisationId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select('membership.user_id')
    .where('membership.organisation_id', '=', organisationId)
    .where('membership.user_id', '=', userId)
    .where('membership.deactivated_at', 'is', null)
    .where('app_user.active', '=', true)
    .executeTakeFirst();
  return row !== undefined;
}

export async function listActiveMembers(db: Db, organisationId: string): Promise<{ id: string; name: string; email: string }[]> {
  return db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select(['app_user.id', 'app_user.name', 'app_user.email'])
    .where('membership.organisation_id', '=', organisationId)
    .where('membership.deactivated_at', 'is', null)
    .where('app_user.active', '=', true)
    .orderBy('app_user.name')
    .orderBy('app_user.email')
    .execute();
}
