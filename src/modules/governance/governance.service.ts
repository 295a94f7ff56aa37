import { type Db, inTransaction } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import { ConflictError, NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors.ts';
import { type ChangeOptions, MAX_PAGE_SIZE, type Page, type Paging, paging } from '../../platform/paging.ts';
import { isRealDate } from '../../platform/validation.ts';
import {
  type Board,
  type BoardInput,
  boardMemberIds,
  boardProblems,
  type Decision,
  type DecisionInput,
  decisionProblems,
  type DecisionStatus,
  isUuid,
  type ItemRef,
  type LinkedItemType,
  type OverseenItemType,
  type Person,
  type RaciEntry,
  raciProblems,
  type RaciRole,
} from './governance.ts';
import * as repo from './governance.repository.ts';
import { type Assessment, type AssessmentInput, type AssessmentPhase, assessmentProblems } from './service-standard.ts';
import { getDashboard } from '../dashboard/dashboard.service.ts';
import { listDecisionsNeeded, listLatestStatusReports } from '../delivery/delivery.service.ts';
import { formatPeriod, formatValue, listKpisWithStatus, statusLabel } from '../kpis/kpis.service.ts';
import { listRisksOutsideAppetite } from '../risk/risk.service.ts';
import { type BoardPack, boardPack } from './board-pack.ts';

export type { Assessment, AssessmentInput, AssessmentPhase } from './service-standard.ts';
export type { BoardPack, PackSection } from './board-pack.ts';
export { packFileName } from './board-pack.ts';
export { boardPackPdf } from './board-pack.pdf.ts';
export {
  ASSESSMENT_PHASE_LABELS,
  ASSESSMENT_PHASES,
  OUTCOME_LABELS,
  OUTCOMES,
  pointField,
  SERVICE_STANDARD_POINTS,
  subjectOf,
} from './service-standard.ts';
export type { Board, BoardInput, Decision, DecisionInput, DecisionStatus, ItemRef, LinkedItemType, Person, RaciEntry, RaciRole };
export {
  CADENCE_LABELS,
  CADENCES,
  DECISION_STATUS_LABELS,
  DECISION_STATUSES,
  ITEM_TYPE_LABELS,
  RACI_ROLE_LABELS,
  RACI_ROLES,
} from './governance.ts';

export type { ChangeOptions, Page, Paging };

/** Anything that cannot be an id is simply not found (and never reaches the database as a bad uuid). */
function assertId(id: string): void {
  if (!isUuid(id)) throw new NotFoundError();
}

function checkVersion(current: number, options: ChangeOptions): void {
  if (options.expectedVersion !== undefined && options.expectedVersion !== current) throw new PreconditionFailedError();
}

function refKey(ref: { type: string; id: string }): string {
  return `${ref.type}:${ref.id.toLowerCase()}`;
}

function uniqueRefs<T extends { type: string; id: string }>(refs: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const ref of refs) seen.set(refKey(ref), { ...ref, id: ref.id.toLowerCase() });
  return [...seen.values()];
}

/** What the audit trail keeps of each item (no timestamps: the event has its own). */
function boardRecord(b: Board) {
  return {
    name: b.name,
    termsOfReference: b.termsOfReference,
    chairId: b.chair?.id ?? null,
    cadence: b.cadence,
    memberIds: b.members.map((m) => m.id),
    oversees: b.oversees.map((i) => ({ type: i.type, id: i.id })),
    version: b.version,
  };
}
function decisionRecord(d: Decision) {
  return {
    boardId: d.boardId,
    decidedOn: d.decidedOn,
    title: d.title,
    decision: d.decision,
    rationale: d.rationale,
    optionsConsidered: d.optionsConsidered,
    status: d.status,
    supersededById: d.supersededBy?.id ?? null,
    links: d.links.map((i) => ({ type: i.type, id: i.id })),
    version: d.version,
  };
}

// Boards

export async function listPeople(db: Db, actor: Actor, organisationId: string): Promise<Person[]> {
  assertAllowed(actor, 'governance.read', organisationId);
  return repo.listActiveMembers(db, organisationId);
}

/** Projects, objectives and KPIs of the organisation, for choosing what a board oversees or a decision is about. */
export async function listLinkableItems(db: Db, actor: Actor, organisationId: string): Promise<ItemRef[]> {
  assertAllowed(actor, 'governance.read', organisationId);
  return repo.listLinkableItems(db, organisationId);
}

/**
 * Checks a board's input against the organisation: people must be its members, items its own
 * projects and objectives, the name not another board's. Throws with every problem at once.
 */
async function checkBoard(trx: Db, organisationId: string, input: BoardInput, exceptId: string | null) {
  const members = new Set((await repo.listActiveMembers(trx, organisationId)).map((m) => m.id));
  const problems = boardProblems(input, members);
  const oversees = uniqueRefs(input.oversees) as { type: OverseenItemType; id: string }[];
  if (!problems.some((p) => p.field === 'oversees')) {
    const found = await repo.findItems(trx, organisationId, oversees);
    if (found.length !== oversees.length) {
      problems.push({ field: 'oversees', message: 'A board can only oversee projects and objectives of your organisation' });
    }
  }
  const name = input.name.trim();
  if (name !== '' && !problems.some((p) => p.field === 'name') && (await repo.boardNameTaken(trx, organisationId, name, exceptId))) {
    problems.push({ field: 'name', message: 'There is already a board with this name' });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    values: { name, termsOfReference: input.termsOfReference.trim(), chairId: input.chairId === '' ? null : input.chairId, cadence: input.cadence as Board['cadence'] },
    memberIds: boardMemberIds(input),
    oversees,
  };
}

export async function createBoard(db: Db, actor: Actor, organisationId: string, input: BoardInput): Promise<Board> {
  assertAllowed(actor, 'governance.manage', organisationId);
  return inTransaction(db, async (trx) => {
    const checked = await checkBoard(trx, organisationId, input, null);
    const id = await repo.insertBoard(trx, organisationId, checked.values);
    await repo.replaceBoardMembers(trx, organisationId, id, checked.memberIds);
    await repo.replaceBoardOversight(trx, organisationId, id, checked.oversees);
    const board = await repo.findBoard(trx, organisationId, id);
    if (board === undefined) throw new NotFoundError();
    await recordAudit(trx, actor, { organisationId, action: 'board.created', entityType: 'board', entityId: id, after: boardRecord(board) });
    return board;
  });
}

export async function updateBoard(db: Db, actor: Actor, organisationId: string, boardId: string, input: BoardInput, options: ChangeOptions = {}): Promise<Board> {
  assertAllowed(actor, 'governance.manage', organisationId);
  assertId(boardId);
  return inTransaction(db, async (trx) => {
    const before = await repo.findBoard(trx, organisationId, boardId, { forUpdate: true });
    if (before === undefined) throw new NotFoundError();
    checkVersion(before.version, options);
    const checked = await checkBoard(trx, organisationId, input, boardId);
    if (!(await repo.updateBoard(trx, organisationId, boardId, before.version, checked.values))) throw new PreconditionFailedError();
    await repo.replaceBoardMembers(trx, organisationId, boardId, checked.memberIds);
    await repo.replaceBoardOversight(trx, organisationId, boardId, checked.oversees);
    const after = await repo.findBoard(trx, organisationId, boardId);
    if (after === undefined) throw new NotFoundError();
    await recordAudit(trx, actor, {
      organisationId,
      action: 'board.updated',
      entityType: 'board',
      entityId: boardId,
      before: boardRecord(before),
      after: boardRecord(after),
    });
    return after;
  });
}

/**
 * Deletes a board with its decision log, unless another board's decision was superseded by one
 * of its decisions (that record would lose its successor).
 */
export async function deleteBoard(db: Db, actor: Actor, organisationId: string, boardId: string, options: ChangeOptions = {}): Promise<void> {
  assertAllowed(actor, 'governance.manage', organisationId);
  assertId(boardId);
  await inTransaction(db, async (trx) => {
    const before = await repo.findBoard(trx, organisationId, boardId, { forUpdate: true });
    if (before === undefined) throw new NotFoundError();
    checkVersion(before.version, options);
    if ((await repo.countSupersededFromOtherBoards(trx, organisationId, boardId)) > 0) {
      throw new ConflictError('Decisions of other boards were superseded by this board’s decisions, so the board is kept for the record');
    }
    await repo.deleteBoard(trx, organisationId, boardId);
    await recordAudit(trx, actor, { organisationId, action: 'board.deleted', entityType: 'board', entityId: boardId, before: boardRecord(before) });
  });
}

export async function getBoard(db: Db, actor: Actor, organisationId: string, boardId: string): Promise<Board> {
  assertAllowed(actor, 'governance.read', organisationId);
  assertId(boardId);
  const board = await repo.findBoard(db, organisationId, boardId);
  if (board === undefined) throw new NotFoundError();
  return board;
}

export async function listBoards(db: Db, actor: Actor, organisationId: string, page: Paging = {}): Promise<Page<Board>> {
  assertAllowed(actor, 'governance.read', organisationId);
  const p = paging(page);
  const [items, total] = await Promise.all([repo.listBoards(db, organisationId, p), repo.countBoards(db, organisationId)]);
  return { items, page: p.page, pageSize: p.pageSize, total };
}

export interface DecisionNeeded {
  projectId: string;
  projectTitle: string;
  /** The status report's period, 'YYYY-MM-DD'. */
  period: string;
  decisionsNeeded: string;
}

export interface BoardAgenda {
  /** Decisions asked for by the latest status report of each project the board oversees. */
  decisionsNeeded: DecisionNeeded[];
  /** Decisions proposed to the board and not yet made. */
  proposed: Decision[];
}

/** The board's agenda: what its projects need decided, and what has been proposed to it. */
export async function getBoardAgenda(db: Db, actor: Actor, organisationId: string, boardId: string): Promise<BoardAgenda> {
  const board = await getBoard(db, actor, organisationId, boardId);
  const overseenProjects = new Set(board.oversees.filter((i) => i.type === 'project').map((i) => i.id));
  const [needed, proposed] = await Promise.all([
    overseenProjects.size === 0 ? [] : listDecisionsNeeded(db, actor, organisationId),
    repo.listDecisions(db, organisationId, { boardId: board.id, status: 'proposed' }, { limit: MAX_PAGE_SIZE, offset: 0 }),
  ]);
  const decisionsNeeded = needed
    .filter((s) => overseenProjects.has(s.project.id))
    .map((s) => ({ projectId: s.project.id, projectTitle: s.project.title, period: s.report.period, decisionsNeeded: s.report.decisionsNeeded }));
  return { decisionsNeeded, proposed: proposed.sort((a, b) => a.decidedOn.localeCompare(b.decidedOn) || a.title.localeCompare(b.title)) };
}

// Decisions

async function checkDecision(trx: Db, organisationId: string, input: DecisionInput, selfId: string | null) {
  const problems = decisionProblems(input, selfId === null ? {} : { selfId });
  const links = uniqueRefs(input.links) as { type: LinkedItemType; id: string }[];
  if (!problems.some((p) => p.field === 'boardId') && (await repo.findBoard(trx, organisationId, input.boardId)) === undefined) {
    problems.push({ field: 'boardId', message: 'Select the board the decision belongs to' });
  }
  if (input.status === 'superseded' && !problems.some((p) => p.field === 'supersededById')) {
    const successor = await repo.findDecision(trx, organisationId, input.supersededById);
    if (successor === undefined) problems.push({ field: 'supersededById', message: 'Select the decision that replaced this one' });
    else if (successor.status === 'superseded') {
      problems.push({ field: 'supersededById', message: 'Select a decision that is still in force: that one has itself been superseded' });
    }
  }
  if (!problems.some((p) => p.field === 'links')) {
    const found = await repo.findItems(trx, organisationId, links);
    if (found.length !== links.length) problems.push({ field: 'links', message: 'Link only projects, objectives and KPIs of your organisation' });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return {
    values: {
      boardId: input.boardId.toLowerCase(),
      decidedOn: input.decidedOn.trim(),
      title: input.title.trim(),
      decision: input.decision.trim(),
      rationale: input.rationale.trim(),
      optionsConsidered: input.optionsConsidered.trim(),
      status: input.status as DecisionStatus,
      supersededById: input.status === 'superseded' ? input.supersededById.toLowerCase() : null,
    },
    links,
  };
}

export async function createDecision(db: Db, actor: Actor, organisationId: string, input: DecisionInput): Promise<Decision> {
  assertAllowed(actor, 'governance.manage', organisationId);
  return inTransaction(db, async (trx) => {
    const checked = await checkDecision(trx, organisationId, input, null);
    const id = await repo.insertDecision(trx, organisationId, checked.values);
    await repo.replaceDecisionLinks(trx, organisationId, id, checked.links);
    const decision = await repo.findDecision(trx, organisationId, id);
    if (decision === undefined) throw new NotFoundError();
    await recordAudit(trx, actor, { organisationId, action: 'decision.created', entityType: 'decision', entityId: id, after: decisionRecord(decision) });
    return decision;
  });
}

/**
 * Changes a decision. Superseding a decision names its successor; a decision others were
 * superseded by cannot itself become proposed again, or the log would point at nothing in force.
 */
export async function updateDecision(
  db: Db,
  actor: Actor,
  organisationId: string,
  decisionId: string,
  input: DecisionInput,
  options: ChangeOptions = {},
): Promise<Decision> {
  assertAllowed(actor, 'governance.manage', organisationId);
  assertId(decisionId);
  return inTransaction(db, async (trx) => {
    const before = await repo.findDecision(trx, organisationId, decisionId, { forUpdate: true });
    if (before === undefined) throw new NotFoundError();
    checkVersion(before.version, options);
    const checked = await checkDecision(trx, organisationId, input, decisionId);
    if (checked.values.status !== 'made' && (await repo.countSupersededBy(trx, organisationId, decisionId)) > 0) {
      throw ValidationError.of('status', 'Other decisions were superseded by this one, so it stays made');
    }
    if (!(await repo.updateDecision(trx, organisationId, decisionId, before.version, checked.values))) throw new PreconditionFailedError();
    await repo.replaceDecisionLinks(trx, organisationId, decisionId, checked.links);
    const after = await repo.findDecision(trx, organisationId, decisionId);
    if (after === undefined) throw new NotFoundError();
    await recordAudit(trx, actor, {
      organisationId,
      action: 'decision.updated',
      entityType: 'decision',
      entityId: decisionId,
      before: decisionRecord(before),
      after: decisionRecord(after),
    });
    return after;
  });
}

export async function getDecision(db: Db, actor: Actor, organisationId: string, decisionId: string): Promise<Decision> {
  assertAllowed(actor, 'governance.read', organisationId);
  assertId(decisionId);
  const decision = await repo.findDecision(db, organisationId, decisionId);
  if (decision === undefined) throw new NotFoundError();
  return decision;
}

export interface DecisionFilter {
  boardId?: string | undefined;
  status?: DecisionStatus | undefined;
}

/** The decision log, newest first; a board id that is not one of the organisation's finds nothing. */
export async function listDecisions(db: Db, actor: Actor, organisationId: string, filter: DecisionFilter = {}, page: Paging = {}): Promise<Page<Decision>> {
  assertAllowed(actor, 'governance.read', organisationId);
  const p = paging(page);
  if (filter.boardId !== undefined && !isUuid(filter.boardId)) return { items: [], page: p.page, pageSize: p.pageSize, total: 0 };
  const [items, total] = await Promise.all([repo.listDecisions(db, organisationId, filter, p), repo.countDecisions(db, organisationId, filter)]);
  return { items, page: p.page, pageSize: p.pageSize, total };
}

// RACI

export interface RaciAssignment {
  person: Person;
  role: RaciRole;
}

async function findItemOrThrow(db: Db, organisationId: string, type: LinkedItemType, id: string): Promise<ItemRef> {
  assertId(id);
  const [item] = await repo.findItems(db, organisationId, [{ type, id: id.toLowerCase() }]);
  if (item === undefined) throw new NotFoundError();
  return item;
}

/** A project, objective or KPI (with where its page is) and who is responsible, accountable, consulted and informed. */
export async function getRaci(
  db: Db,
  actor: Actor,
  organisationId: string,
  type: LinkedItemType,
  itemId: string,
): Promise<{ item: ItemRef; path: string | undefined; assignments: RaciAssignment[] }> {
  assertAllowed(actor, 'governance.read', organisationId);
  const item = await findItemOrThrow(db, organisationId, type, itemId);
  const [path, assignments] = await Promise.all([repo.itemPath(db, organisationId, item), repo.listRaci(db, organisationId, item)]);
  return { item, path, assignments };
}

/** Replaces an item's RACI; exactly one person is accountable. */
export async function setRaci(
  db: Db,
  actor: Actor,
  organisationId: string,
  type: LinkedItemType,
  itemId: string,
  entries: readonly RaciEntry[],
): Promise<RaciAssignment[]> {
  assertAllowed(actor, 'governance.manage', organisationId);
  return inTransaction(db, async (trx) => {
    const item = await findItemOrThrow(trx, organisationId, type, itemId);
    const members = new Set((await repo.listActiveMembers(trx, organisationId)).map((m) => m.id));
    const problems = raciProblems(entries, members);
    if (problems.length > 0) throw new ValidationError(problems);
    const before = await repo.listRaci(trx, organisationId, item);
    await repo.replaceRaci(
      trx,
      organisationId,
      item,
      entries.map((e) => ({ userId: e.userId, role: e.role as RaciRole })),
    );
    const after = await repo.listRaci(trx, organisationId, item);
    const record = (list: RaciAssignment[]) => ({ itemType: item.type, assignments: list.map((a) => ({ userId: a.person.id, role: a.role })) });
    await recordAudit(trx, actor, { organisationId, action: 'raci.updated', entityType: item.type, entityId: item.id, before: record(before), after: record(after) });
    return after;
  });
}

export interface PersonHoldings {
  person: Person;
  raci: { item: ItemRef; role: RaciRole }[];
  boards: { id: string; name: string; chair: boolean }[];
}

/** What a person holds: their RACI roles on projects, objectives and KPIs, and the boards they sit on. */
export async function getPersonHoldings(db: Db, actor: Actor, organisationId: string, userId: string): Promise<PersonHoldings> {
  assertAllowed(actor, 'governance.read', organisationId);
  assertId(userId);
  const person = await repo.findMember(db, organisationId, userId);
  if (person === undefined) throw new NotFoundError();
  const [raci, boards] = await Promise.all([repo.listRaciOfPerson(db, organisationId, userId), repo.listBoardsOfMember(db, organisationId, userId)]);
  return { person, raci, boards };
}

// Service Standard assessments

function assessmentRecord(a: Assessment) {
  return {
    projectId: a.project?.id ?? null,
    serviceName: a.serviceName,
    phase: a.phase,
    assessedOn: a.assessedOn,
    outcome: a.outcome,
    summary: a.summary,
    points: a.points,
    version: a.version,
  };
}

async function checkAssessment(trx: Db, organisationId: string, input: AssessmentInput) {
  const problems = assessmentProblems(input);
  const projectId = input.projectId.toLowerCase();
  if (projectId !== '' && !problems.some((p) => p.field === 'projectId')) {
    const [found] = await repo.findItems(trx, organisationId, [{ type: 'project', id: projectId }]);
    if (found === undefined) problems.push({ field: 'projectId', message: 'Select a project of your organisation' });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const serviceName = input.serviceName.trim();
  return {
    values: {
      projectId: projectId === '' ? null : projectId,
      serviceName: projectId === '' ? serviceName : null,
      phase: input.phase as AssessmentPhase,
      assessedOn: input.assessedOn.trim(),
      outcome: input.outcome as Assessment['outcome'],
      summary: input.summary.trim(),
    },
    points: [...input.points]
      .sort((a, b) => a.point - b.point)
      .map((p) => ({ point: p.point, met: p.met === 'met', evidence: p.evidence.trim(), actions: p.actions.trim() })),
  };
}

export async function createAssessment(db: Db, actor: Actor, organisationId: string, input: AssessmentInput): Promise<Assessment> {
  assertAllowed(actor, 'governance.manage', organisationId);
  return inTransaction(db, async (trx) => {
    const checked = await checkAssessment(trx, organisationId, input);
    const id = await repo.insertAssessment(trx, organisationId, checked.values);
    await repo.replaceAssessmentPoints(trx, organisationId, id, checked.points);
    const assessment = await repo.findAssessment(trx, organisationId, id);
    if (assessment === undefined) throw new NotFoundError();
    await recordAudit(trx, actor, {
      organisationId,
      action: 'service_assessment.created',
      entityType: 'service_assessment',
      entityId: id,
      after: assessmentRecord(assessment),
    });
    return assessment;
  });
}

export async function updateAssessment(
  db: Db,
  actor: Actor,
  organisationId: string,
  assessmentId: string,
  input: AssessmentInput,
  options: ChangeOptions = {},
): Promise<Assessment> {
  assertAllowed(actor, 'governance.manage', organisationId);
  assertId(assessmentId);
  return inTransaction(db, async (trx) => {
    const before = await repo.findAssessment(trx, organisationId, assessmentId, { forUpdate: true });
    if (before === undefined) throw new NotFoundError();
    checkVersion(before.version, options);
    const checked = await checkAssessment(trx, organisationId, input);
    if (!(await repo.updateAssessment(trx, organisationId, assessmentId, before.version, checked.values))) throw new PreconditionFailedError();
    await repo.replaceAssessmentPoints(trx, organisationId, assessmentId, checked.points);
    const after = await repo.findAssessment(trx, organisationId, assessmentId);
    if (after === undefined) throw new NotFoundError();
    await recordAudit(trx, actor, {
      organisationId,
      action: 'service_assessment.updated',
      entityType: 'service_assessment',
      entityId: assessmentId,
      before: assessmentRecord(before),
      after: assessmentRecord(after),
    });
    return after;
  });
}

export async function getAssessment(db: Db, actor: Actor, organisationId: string, assessmentId: string): Promise<Assessment> {
  assertAllowed(actor, 'governance.read', organisationId);
  assertId(assessmentId);
  const assessment = await repo.findAssessment(db, organisationId, assessmentId);
  if (assessment === undefined) throw new NotFoundError();
  return assessment;
}

export interface AssessmentFilter {
  projectId?: string | undefined;
  serviceName?: string | undefined;
}

/** Assessments, newest first; filtered to one project or named service, this is its history across phases. */
export async function listAssessments(
  db: Db,
  actor: Actor,
  organisationId: string,
  filter: AssessmentFilter = {},
  page: Paging = {},
): Promise<Page<Assessment>> {
  assertAllowed(actor, 'governance.read', organisationId);
  const p = paging(page);
  if (filter.projectId !== undefined && !isUuid(filter.projectId)) return { items: [], page: p.page, pageSize: p.pageSize, total: 0 };
  const [items, total] = await Promise.all([repo.listAssessments(db, organisationId, filter, p), repo.countAssessments(db, organisationId, filter)]);
  return { items, page: p.page, pageSize: p.pageSize, total };
}

/** The history of the assessment's subject (the same project or named service) across phases, oldest first. */
export async function getAssessmentHistory(db: Db, actor: Actor, organisationId: string, assessment: Assessment): Promise<Assessment[]> {
  const filter = assessment.project === null ? { serviceName: assessment.serviceName ?? '' } : { projectId: assessment.project.id };
  const result = await listAssessments(db, actor, organisationId, filter, { pageSize: MAX_PAGE_SIZE });
  return result.items.reverse();
}

export async function listProjectChoices(db: Db, actor: Actor, organisationId: string): Promise<{ id: string; title: string }[]> {
  assertAllowed(actor, 'governance.read', organisationId);
  return repo.listProjectChoices(db, organisationId);
}

// The board pack

/**
 * Everything a board's pack for a meeting holds, as at `date` ('YYYY-MM-DD'): the strategies'
 * roll-ups, KPIs off track or overdue, red and amber projects with their latest reports, the
 * board's agenda, and open risks outside appetite.
 */
export async function getBoardPack(db: Db, actor: Actor, organisationId: string, boardId: string, date: string): Promise<BoardPack> {
  const board = await getBoard(db, actor, organisationId, boardId);
  if (!isRealDate(date)) throw ValidationError.of('date', 'Enter the date of the meeting as year-month-day, for example 2026-12-10');
  const [agenda, dashboard, kpis, reports, risks] = await Promise.all([
    getBoardAgenda(db, actor, organisationId, board.id),
    getDashboard(db, actor, organisationId, { today: date }),
    listKpisWithStatus(db, actor, organisationId, {}, { today: date }),
    listLatestStatusReports(db, actor, organisationId),
    listRisksOutsideAppetite(db, actor, organisationId, { today: date }),
  ]);
  return boardPack({
    board,
    date,
    strategies: dashboard.strategies.map((s) => ({ title: s.title, status: s.rollup.status, statusLabel: statusLabel(s.rollup.status), reason: s.rollup.reason })),
    kpis: kpis.map((k) => ({
      name: k.name,
      status: k.status,
      statusLabel: statusLabel(k.status),
      reason: k.statusReason,
      overdue: k.overdue,
      latest: k.latest === null ? 'No value yet' : `${formatValue(k.latest.value, k.unit)} (${formatPeriod(k.latest.period, k.frequency)})`,
      ownerName: k.ownerName,
    })),
    projects: reports.map((r) => ({ title: r.project.title, ownerName: r.project.ownerName, report: r.report })),
    decisionsNeeded: agenda.decisionsNeeded,
    proposedDecisions: agenda.proposed.map((d) => ({ title: d.title, decidedOn: d.decidedOn })),
    risks: risks.map((r) => ({
      title: r.title,
      category: r.category.label,
      ownerName: r.ownerName,
      currentScore: r.current.score,
      appetiteLimit: r.appetite.maxScore,
      appetiteLevel: r.appetite.level.charAt(0).toUpperCase() + r.appetite.level.slice(1),
    })),
  });
}
