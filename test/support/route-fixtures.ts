import type { Db } from '../../src/db/database.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { makeKpi, recordValues } from './kpi-factories.ts';
import { makeGoal, makeObjective, makeStrategy } from './strategy-factories.ts';

/**
 * Values for every path parameter of the app's routes, for tests that walk all routes (route
 * walk, security checks). A new route parameter needs a line here; the walks say so when missing.
 */
export async function routeFixtureIds(
  db: Db,
  organisation: Organisation,
  people: { userId: string; tokenId: string },
): Promise<Record<string, string>> {
  const strategy = await makeStrategy(db, organisation);
  const goal = await makeGoal(db, organisation, strategy);
  const objective = await makeObjective(db, organisation, goal);
  const kpi = await makeKpi(db, organisation);
  await recordValues(db, organisation, kpi.key, [['2026-01', 10]]);
  return {
    org: organisation.slug,
    ...people,
    strategyId: strategy.id,
    goalId: goal.id,
    objectiveId: objective.id,
    version: String(strategy.version),
    key: kpi.key,
    period: '2026-01-01',
  };
}
