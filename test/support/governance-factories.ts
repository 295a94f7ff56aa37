import type { Db } from '../../src/db/database.ts';
import {
  type Assessment,
  type AssessmentInput,
  createAssessment,
  SERVICE_STANDARD_POINTS,
  type Board,
  type BoardInput,
  createBoard,
  createDecision,
  type Decision,
  type DecisionInput,
} from '../../src/modules/governance/governance.service.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { cliOperator } from '../../src/platform/access/actor.ts';

let counter = 0;
const next = (): number => ++counter;

/** A board in the organisation, through the real service; meets monthly unless told otherwise. */
export async function makeBoard(db: Db, organisation: Organisation, options: Partial<BoardInput> = {}): Promise<Board> {
  return createBoard(db, cliOperator(), organisation.id, {
    name: options.name ?? `Digital board ${next()}`,
    termsOfReference: options.termsOfReference ?? 'Oversees the digital strategy',
    chairId: options.chairId ?? '',
    cadence: options.cadence ?? 'monthly',
    memberIds: options.memberIds ?? [],
    oversees: options.oversees ?? [],
  });
}

/** A decision of the board; made unless `status` says otherwise. */
export async function makeDecision(db: Db, organisation: Organisation, board: { id: string }, options: Partial<DecisionInput> = {}): Promise<Decision> {
  return createDecision(db, cliOperator(), organisation.id, {
    boardId: board.id,
    decidedOn: options.decidedOn ?? '2026-11-12',
    title: options.title ?? `Decision ${next()}`,
    decision: options.decision ?? 'Approved',
    rationale: options.rationale ?? '',
    optionsConsidered: options.optionsConsidered ?? '',
    status: options.status ?? 'made',
    supersededById: options.supersededById ?? '',
    links: options.links ?? [],
  });
}

/** All 14 points met, with evidence: change the ones a test needs not met. */
export function allPointsMet(): AssessmentInput['points'] {
  return SERVICE_STANDARD_POINTS.map((p) => ({ point: p.point, met: 'met', evidence: `Evidence for point ${p.point}`, actions: '' }));
}

/** An assessment of a named service (or of `projectId`), at beta with every point met unless told otherwise. */
export async function makeAssessment(db: Db, organisation: Organisation, options: Partial<AssessmentInput> = {}): Promise<Assessment> {
  return createAssessment(db, cliOperator(), organisation.id, {
    projectId: options.projectId ?? '',
    serviceName: options.serviceName ?? (options.projectId === undefined ? `Service ${next()}` : ''),
    phase: options.phase ?? 'beta',
    assessedOn: options.assessedOn ?? '2026-10-14',
    outcome: options.outcome ?? 'met',
    summary: options.summary ?? '',
    points: options.points ?? allPointsMet(),
  });
}
