import type { Db } from '../../src/db/database.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { makeBenefit, makeMilestone, makeProject, makeStatusReport } from './delivery-factories.ts';
import { makeAssessment, makeBoard, makeDecision } from './governance-factories.ts';
import { makeKpi, recordValues } from './kpi-factories.ts';
import { makeRisk, makeRiskAction, makeRiskCategory } from './risk-factories.ts';
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
  const board = await makeBoard(db, organisation, { oversees: [{ type: 'objective', id: objective.id }] });
  const decision = await makeDecision(db, organisation, board, { links: [{ type: 'kpi', id: kpi.id }] });
  const assessment = await makeAssessment(db, organisation);
  const project = await makeProject(db, organisation, { objectives: [{ objectiveId: objective.id }] });
  const milestone = await makeMilestone(db, organisation, project);
  await makeStatusReport(db, organisation, project);
  const benefit = await makeBenefit(db, organisation, project);
  const risk = await makeRisk(db, organisation, { objectiveIds: [objective.id] });
  const riskAction = await makeRiskAction(db, organisation, risk);
  const riskCategory = await makeRiskCategory(db, organisation);
  return {
    org: organisation.slug,
    ...people,
    strategyId: strategy.id,
    goalId: goal.id,
    objectiveId: objective.id,
    version: String(strategy.version),
    key: kpi.key,
    period: '2026-01-01',
    boardId: board.id,
    decisionId: decision.id,
    assessmentId: assessment.id,
    itemType: 'objective',
    itemId: objective.id,
    projectId: project.id,
    milestoneId: milestone.id,
    benefitId: benefit.id,
    riskId: risk.id,
    actionId: riskAction.id,
    category: riskCategory.key,
  };
}
