import type { Db } from '../../src/db/database.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import {
  createGoal,
  createObjective,
  createStrategy,
  type Goal,
  type Objective,
  publishStrategy,
  archiveStrategy,
  type Strategy,
  type StrategyStatus,
} from '../../src/modules/strategy/strategy.service.ts';
import { cliOperator } from '../../src/platform/access/actor.ts';

let counter = 0;
const next = (): number => ++counter;

/** A strategy in the organisation, through the real service; a draft unless `status` says otherwise. */
export async function makeStrategy(
  db: Db,
  organisation: Organisation,
  options: { status?: StrategyStatus; title?: string; vision?: string; periodStart?: string; periodEnd?: string } = {},
): Promise<Strategy> {
  let strategy = await createStrategy(db, cliOperator(), organisation.id, {
    title: options.title ?? `Digital strategy ${next()}`,
    vision: options.vision ?? 'Services so good people prefer to use them',
    periodStart: options.periodStart ?? '2026-04-01',
    periodEnd: options.periodEnd ?? '2030-03-31',
  });
  if (options.status === 'published' || options.status === 'archived') strategy = await publishStrategy(db, cliOperator(), organisation.id, strategy.id);
  if (options.status === 'archived') strategy = await archiveStrategy(db, cliOperator(), organisation.id, strategy.id);
  return strategy;
}

/** A goal at the end of the strategy's goals. */
export async function makeGoal(
  db: Db,
  organisation: Organisation,
  strategy: { id: string },
  options: { title?: string; description?: string; tags?: string[]; weight?: number } = {},
): Promise<Goal> {
  return createGoal(db, cliOperator(), organisation.id, strategy.id, {
    title: options.title ?? `Goal ${next()}`,
    description: options.description ?? '',
    tags: options.tags ?? [],
    weight: options.weight ?? 1,
  });
}

/** An objective at the end of the goal's objectives; `ownerId` must be a member of the organisation. */
export async function makeObjective(
  db: Db,
  organisation: Organisation,
  goal: { id: string },
  options: { title?: string; description?: string; ownerId?: string | null; dueDate?: string | null; weight?: number } = {},
): Promise<Objective> {
  return createObjective(db, cliOperator(), organisation.id, goal.id, {
    title: options.title ?? `Objective ${next()}`,
    description: options.description ?? '',
    ownerId: options.ownerId ?? null,
    dueDate: options.dueDate ?? null,
    weight: options.weight ?? 1,
  });
}
