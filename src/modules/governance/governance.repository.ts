import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Board, BoardCadence, Decision, DecisionStatus, ItemRef, LinkedItemType, OverseenItemType, Person, RaciRole } from './governance.ts';
import type { Assessment, AssessmentOutcome, AssessmentPhase, AssessmentPoint } from './service-standard.ts';

// Every query is scoped by organisation_id: an id from another organisation finds nothing.
// Links to projects, objectives and KPIs are read by joining each kind to its own table, so a
// link to an item that no longer exists (or belongs to someone else) never shows.

export async function listActiveMembers(db: Db, organisationId: string): Promise<Person[]> {
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

/** A member of the organisation (active or not), for their page. */
export async function findMember(db: Db, organisationId: string, userId: string): Promise<Person | undefined> {
  return db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select(['app_user.id', 'app_user.name', 'app_user.email'])
    .where('membership.organisation_id', '=', organisationId)
    .where('membership.user_id', '=', userId)
    .executeTakeFirst();
}

// Items of other modules (projects, objectives, KPIs) by id, with their titles

const ITEM_ORDER: Readonly<Record<LinkedItemType, number>> = { project: 0, objective: 1, kpi: 2 };

function sortItems(items: ItemRef[]): ItemRef[] {
  return items.sort((a, b) => ITEM_ORDER[a.type] - ITEM_ORDER[b.type] || a.title.localeCompare(b.title) || a.id.localeCompare(b.id));
}

/** The organisation's items among these references; others are left out. */
export async function findItems(db: Db, organisationId: string, refs: readonly { type: LinkedItemType; id: string }[]): Promise<ItemRef[]> {
  const ids = (type: LinkedItemType) => [...new Set(refs.filter((r) => r.type === type).map((r) => r.id))];
  const [projectIds, objectiveIds, kpiIds] = [ids('project'), ids('objective'), ids('kpi')];
  const [projects, objectives, kpis] = await Promise.all([
    projectIds.length === 0
      ? []
      : db.selectFrom('project').select(['id', 'title']).where('organisation_id', '=', organisationId).where('id', 'in', projectIds).execute(),
    objectiveIds.length === 0
      ? []
      : db.selectFrom('objective').select(['id', 'title']).where('organisation_id', '=', organisationId).where('id', 'in', objectiveIds).execute(),
    kpiIds.length === 0
      ? []
      : db.selectFrom('kpi').select(['id', 'name as title']).where('organisation_id', '=', organisationId).where('id', 'in', kpiIds).execute(),
  ]);
  return sortItems([
    ...projects.map((p) => ({ type: 'project' as const, id: p.id, title: p.title })),
    ...objectives.map((o) => ({ type: 'objective' as const, id: o.id, title: o.title })),
    ...kpis.map((k) => ({ type: 'kpi' as const, id: k.id, title: k.title })),
  ]);
}

/** Every project, objective and KPI of the organisation, for choosing links. */
export async function listLinkableItems(db: Db, organisationId: string): Promise<ItemRef[]> {
  const [projects, objectives, kpis] = await Promise.all([
    db.selectFrom('project').select(['id', 'title']).where('organisation_id', '=', organisationId).execute(),
    db.selectFrom('objective').select(['id', 'title']).where('organisation_id', '=', organisationId).execute(),
    db.selectFrom('kpi').select(['id', 'name as title']).where('organisation_id', '=', organisationId).execute(),
  ]);
  return sortItems([
    ...projects.map((p) => ({ type: 'project' as const, id: p.id, title: p.title })),
    ...objectives.map((o) => ({ type: 'objective' as const, id: o.id, title: o.title })),
    ...kpis.map((k) => ({ type: 'kpi' as const, id: k.id, title: k.title })),
  ]);
}

/** Where an item's own page is, under the organisation's pages: a KPI by its key, an objective on its strategy's page. */
export async function itemPath(db: Db, organisationId: string, item: { type: LinkedItemType; id: string }): Promise<string | undefined> {
  switch (item.type) {
    case 'project':
      return `/projects/${item.id}`;
    case 'kpi': {
      const row = await db.selectFrom('kpi').select('key').where('organisation_id', '=', organisationId).where('id', '=', item.id).executeTakeFirst();
      return row && `/kpis/${row.key}`;
    }
    case 'objective': {
      const row = await db
        .selectFrom('objective')
        .innerJoin('goal', 'goal.id', 'objective.goal_id')
        .select('goal.strategy_id')
        .where('objective.organisation_id', '=', organisationId)
        .where('objective.id', '=', item.id)
        .executeTakeFirst();
      return row && `/strategy/${row.strategy_id}#objective-${item.id}`;
    }
  }
}

// Boards

interface BoardRow {
  id: string;
  organisation_id: string;
  name: string;
  terms_of_reference: string;
  chair_id: string | null;
  chair_name: string | null;
  chair_email: string | null;
  cadence: BoardCadence;
  version: number;
}

function boardQuery(db: Db, organisationId: string) {
  return db
    .selectFrom('board')
    .leftJoin('app_user as chair', 'chair.id', 'board.chair_id')
    .select([
      'board.id',
      'board.organisation_id',
      'board.name',
      'board.terms_of_reference',
      'board.chair_id',
      'chair.name as chair_name',
      'chair.email as chair_email',
      'board.cadence',
      'board.version',
    ])
    .where('board.organisation_id', '=', organisationId);
}

async function withMembersAndOversight(db: Db, organisationId: string, rows: BoardRow[]): Promise<Board[]> {
  if (rows.length === 0) return [];
  const boardIds = rows.map((r) => r.id);
  const [members, oversight] = await Promise.all([
    db
      .selectFrom('board_member')
      .innerJoin('app_user', 'app_user.id', 'board_member.user_id')
      .select(['board_member.board_id', 'app_user.id', 'app_user.name', 'app_user.email'])
      .where('board_member.organisation_id', '=', organisationId)
      .where('board_member.board_id', 'in', boardIds)
      .orderBy('app_user.name')
      .orderBy('app_user.email')
      .execute(),
    db
      .selectFrom('board_oversight')
      .select(['board_id', 'item_type', 'item_id'])
      .where('organisation_id', '=', organisationId)
      .where('board_id', 'in', boardIds)
      .execute(),
  ]);
  const items = await findItems(
    db,
    organisationId,
    oversight.map((o) => ({ type: o.item_type, id: o.item_id })),
  );
  return rows.map((row) => {
    const overseen = new Set(oversight.filter((o) => o.board_id === row.id).map((o) => `${o.item_type}:${o.item_id}`));
    return {
      id: row.id,
      organisationId: row.organisation_id,
      name: row.name,
      termsOfReference: row.terms_of_reference,
      chair: row.chair_id === null ? null : { id: row.chair_id, name: row.chair_name ?? '', email: row.chair_email ?? '' },
      cadence: row.cadence,
      members: members.filter((m) => m.board_id === row.id).map((m) => ({ id: m.id, name: m.name, email: m.email })),
      oversees: items.filter((i) => overseen.has(`${i.type}:${i.id}`)),
      version: row.version,
    };
  });
}

export interface BoardValues {
  name: string;
  termsOfReference: string;
  chairId: string | null;
  cadence: BoardCadence;
}

export async function insertBoard(db: Db, organisationId: string, values: BoardValues): Promise<string> {
  const row = await db
    .insertInto('board')
    .values({ organisation_id: organisationId, name: values.name, terms_of_reference: values.termsOfReference, chair_id: values.chairId, cadence: values.cadence })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Changes the board when it is still at `version`; undefined when it is not (changed meanwhile). */
export async function updateBoard(db: Db, organisationId: string, id: string, version: number, values: BoardValues): Promise<boolean> {
  const row = await db
    .updateTable('board')
    .set({
      name: values.name,
      terms_of_reference: values.termsOfReference,
      chair_id: values.chairId,
      cadence: values.cadence,
      version: sql<number>`version + 1`,
      updated_at: new Date(),
    })
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', version)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function deleteBoard(db: Db, organisationId: string, id: string): Promise<void> {
  await db.deleteFrom('board').where('organisation_id', '=', organisationId).where('id', '=', id).execute();
}

export async function boardNameTaken(db: Db, organisationId: string, name: string, exceptId: string | null): Promise<boolean> {
  let query = db.selectFrom('board').select('id').where('organisation_id', '=', organisationId).where(sql`lower(name)`, '=', name.toLowerCase());
  if (exceptId !== null) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export async function replaceBoardMembers(db: Db, organisationId: string, boardId: string, userIds: readonly string[]): Promise<void> {
  await db.deleteFrom('board_member').where('organisation_id', '=', organisationId).where('board_id', '=', boardId).execute();
  if (userIds.length === 0) return;
  await db
    .insertInto('board_member')
    .values(userIds.map((userId) => ({ organisation_id: organisationId, board_id: boardId, user_id: userId })))
    .execute();
}

export async function replaceBoardOversight(
  db: Db,
  organisationId: string,
  boardId: string,
  items: readonly { type: OverseenItemType; id: string }[],
): Promise<void> {
  await db.deleteFrom('board_oversight').where('organisation_id', '=', organisationId).where('board_id', '=', boardId).execute();
  if (items.length === 0) return;
  await db
    .insertInto('board_oversight')
    .values(items.map((item) => ({ organisation_id: organisationId, board_id: boardId, item_type: item.type, item_id: item.id })))
    .execute();
}

export async function findBoard(db: Db, organisationId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Board | undefined> {
  let query = boardQuery(db, organisationId).where('board.id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate('board');
  const row = await query.executeTakeFirst();
  if (row === undefined) return undefined;
  return (await withMembersAndOversight(db, organisationId, [row]))[0];
}

export async function listBoards(db: Db, organisationId: string, page: { limit: number; offset: number }): Promise<Board[]> {
  const rows = await boardQuery(db, organisationId).orderBy('board.name').orderBy('board.id').limit(page.limit).offset(page.offset).execute();
  return withMembersAndOversight(db, organisationId, rows);
}

export async function countBoards(db: Db, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('board')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** The boards a person chairs or sits on. */
export async function listBoardsOfMember(db: Db, organisationId: string, userId: string): Promise<{ id: string; name: string; chair: boolean }[]> {
  const rows = await db
    .selectFrom('board')
    .leftJoin('board_member', (join) => join.onRef('board_member.board_id', '=', 'board.id').on('board_member.user_id', '=', userId))
    .select(['board.id', 'board.name', 'board.chair_id', 'board_member.user_id'])
    .where('board.organisation_id', '=', organisationId)
    .where((eb) => eb.or([eb('board.chair_id', '=', userId), eb('board_member.user_id', '=', userId)]))
    .orderBy('board.name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, chair: r.chair_id === userId }));
}

// Decisions

interface DecisionRow {
  id: string;
  organisation_id: string;
  board_id: string;
  board_name: string;
  decided_on: string;
  title: string;
  decision: string;
  rationale: string;
  options_considered: string;
  status: DecisionStatus;
  superseded_by_id: string | null;
  superseded_by_title: string | null;
  version: number;
}

function decisionQuery(db: Db, organisationId: string) {
  return db
    .selectFrom('decision')
    .innerJoin('board', 'board.id', 'decision.board_id')
    .leftJoin('decision as successor', 'successor.id', 'decision.superseded_by_id')
    .select([
      'decision.id',
      'decision.organisation_id',
      'decision.board_id',
      'board.name as board_name',
      'decision.decided_on',
      'decision.title',
      'decision.decision',
      'decision.rationale',
      'decision.options_considered',
      'decision.status',
      'decision.superseded_by_id',
      'successor.title as superseded_by_title',
      'decision.version',
    ])
    .where('decision.organisation_id', '=', organisationId);
}

async function withLinks(db: Db, organisationId: string, rows: DecisionRow[]): Promise<Decision[]> {
  if (rows.length === 0) return [];
  const links = await db
    .selectFrom('decision_link')
    .select(['decision_id', 'item_type', 'item_id'])
    .where('organisation_id', '=', organisationId)
    .where(
      'decision_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  const items = await findItems(
    db,
    organisationId,
    links.map((l) => ({ type: l.item_type, id: l.item_id })),
  );
  return rows.map((row) => {
    const linked = new Set(links.filter((l) => l.decision_id === row.id).map((l) => `${l.item_type}:${l.item_id}`));
    return {
      id: row.id,
      organisationId: row.organisation_id,
      boardId: row.board_id,
      boardName: row.board_name,
      decidedOn: row.decided_on,
      title: row.title,
      decision: row.decision,
      rationale: row.rationale,
      optionsConsidered: row.options_considered,
      status: row.status,
      supersededBy: row.superseded_by_id === null ? null : { id: row.superseded_by_id, title: row.superseded_by_title ?? '' },
      links: items.filter((i) => linked.has(`${i.type}:${i.id}`)),
      version: row.version,
    };
  });
}

export interface DecisionValues {
  boardId: string;
  decidedOn: string;
  title: string;
  decision: string;
  rationale: string;
  optionsConsidered: string;
  status: DecisionStatus;
  supersededById: string | null;
}

function decisionColumns(values: DecisionValues) {
  return {
    board_id: values.boardId,
    decided_on: values.decidedOn,
    title: values.title,
    decision: values.decision,
    rationale: values.rationale,
    options_considered: values.optionsConsidered,
    status: values.status,
    superseded_by_id: values.supersededById,
  };
}

export async function insertDecision(db: Db, organisationId: string, values: DecisionValues): Promise<string> {
  const row = await db
    .insertInto('decision')
    .values({ organisation_id: organisationId, ...decisionColumns(values) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateDecision(db: Db, organisationId: string, id: string, version: number, values: DecisionValues): Promise<boolean> {
  const row = await db
    .updateTable('decision')
    .set({ ...decisionColumns(values), version: sql<number>`version + 1`, updated_at: new Date() })
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', version)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function replaceDecisionLinks(
  db: Db,
  organisationId: string,
  decisionId: string,
  items: readonly { type: LinkedItemType; id: string }[],
): Promise<void> {
  await db.deleteFrom('decision_link').where('organisation_id', '=', organisationId).where('decision_id', '=', decisionId).execute();
  if (items.length === 0) return;
  await db
    .insertInto('decision_link')
    .values(items.map((item) => ({ organisation_id: organisationId, decision_id: decisionId, item_type: item.type, item_id: item.id })))
    .execute();
}

export async function findDecision(db: Db, organisationId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Decision | undefined> {
  let query = decisionQuery(db, organisationId).where('decision.id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate('decision');
  const row = await query.executeTakeFirst();
  if (row === undefined) return undefined;
  return (await withLinks(db, organisationId, [row]))[0];
}

export interface DecisionFilter {
  boardId?: string | undefined;
  status?: DecisionStatus | undefined;
}

function filtered<Q extends ReturnType<typeof decisionQuery>>(query: Q, filter: DecisionFilter): Q {
  let q = query;
  if (filter.boardId !== undefined) q = q.where('decision.board_id', '=', filter.boardId) as Q;
  if (filter.status !== undefined) q = q.where('decision.status', '=', filter.status) as Q;
  return q;
}

export async function listDecisions(db: Db, organisationId: string, filter: DecisionFilter, page: { limit: number; offset: number }): Promise<Decision[]> {
  const rows = await filtered(decisionQuery(db, organisationId), filter)
    .orderBy('decision.decided_on', 'desc')
    .orderBy('decision.title')
    .orderBy('decision.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return withLinks(db, organisationId, rows);
}

export async function countDecisions(db: Db, organisationId: string, filter: DecisionFilter): Promise<number> {
  let query = db
    .selectFrom('decision')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', organisationId);
  if (filter.boardId !== undefined) query = query.where('board_id', '=', filter.boardId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const row = await query.executeTakeFirstOrThrow();
  return row.n;
}

/** Decisions of other boards superseded by a decision of this board: they would lose their successor with it. */
export async function countSupersededFromOtherBoards(db: Db, organisationId: string, boardId: string): Promise<number> {
  const row = await db
    .selectFrom('decision as replaced')
    .innerJoin('decision as successor', 'successor.id', 'replaced.superseded_by_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('replaced.organisation_id', '=', organisationId)
    .where('successor.board_id', '=', boardId)
    .where('replaced.board_id', '<>', boardId)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** Decisions superseded by this one, so deleting or changing it can say what depends on it. */
export async function countSupersededBy(db: Db, organisationId: string, decisionId: string): Promise<number> {
  const row = await db
    .selectFrom('decision')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', organisationId)
    .where('superseded_by_id', '=', decisionId)
    .executeTakeFirstOrThrow();
  return row.n;
}

// RACI

export async function listRaci(db: Db, organisationId: string, item: { type: LinkedItemType; id: string }): Promise<{ person: Person; role: RaciRole }[]> {
  const rows = await db
    .selectFrom('raci_assignment')
    .innerJoin('app_user', 'app_user.id', 'raci_assignment.user_id')
    .select(['app_user.id', 'app_user.name', 'app_user.email', 'raci_assignment.role'])
    .where('raci_assignment.organisation_id', '=', organisationId)
    .where('raci_assignment.item_type', '=', item.type)
    .where('raci_assignment.item_id', '=', item.id)
    .orderBy('app_user.name')
    .orderBy('app_user.email')
    .execute();
  return rows.map((r) => ({ person: { id: r.id, name: r.name, email: r.email }, role: r.role }));
}

export async function replaceRaci(
  db: Db,
  organisationId: string,
  item: { type: LinkedItemType; id: string },
  entries: readonly { userId: string; role: RaciRole }[],
): Promise<void> {
  await db
    .deleteFrom('raci_assignment')
    .where('organisation_id', '=', organisationId)
    .where('item_type', '=', item.type)
    .where('item_id', '=', item.id)
    .execute();
  if (entries.length === 0) return;
  await db
    .insertInto('raci_assignment')
    .values(entries.map((e) => ({ organisation_id: organisationId, item_type: item.type, item_id: item.id, user_id: e.userId, role: e.role })))
    .execute();
}

/** What a person holds: each item with their roles on it. */
export async function listRaciOfPerson(db: Db, organisationId: string, userId: string): Promise<{ item: ItemRef; role: RaciRole }[]> {
  const rows = await db
    .selectFrom('raci_assignment')
    .select(['item_type', 'item_id', 'role'])
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .execute();
  const items = await findItems(
    db,
    organisationId,
    rows.map((r) => ({ type: r.item_type, id: r.item_id })),
  );
  return items.flatMap((item) => rows.filter((r) => r.item_type === item.type && r.item_id === item.id).map((r) => ({ item, role: r.role })));
}

// Service Standard assessments

interface AssessmentRow {
  id: string;
  organisation_id: string;
  project_id: string | null;
  project_title: string | null;
  service_name: string | null;
  phase: AssessmentPhase;
  assessed_on: string;
  outcome: AssessmentOutcome;
  summary: string;
  version: number;
}

function assessmentQuery(db: Db, organisationId: string) {
  return db
    .selectFrom('service_assessment')
    .leftJoin('project', 'project.id', 'service_assessment.project_id')
    .select([
      'service_assessment.id',
      'service_assessment.organisation_id',
      'service_assessment.project_id',
      'project.title as project_title',
      'service_assessment.service_name',
      'service_assessment.phase',
      'service_assessment.assessed_on',
      'service_assessment.outcome',
      'service_assessment.summary',
      'service_assessment.version',
    ])
    .where('service_assessment.organisation_id', '=', organisationId);
}

async function withPoints(db: Db, organisationId: string, rows: AssessmentRow[]): Promise<Assessment[]> {
  if (rows.length === 0) return [];
  const points = await db
    .selectFrom('service_assessment_point')
    .select(['assessment_id', 'point', 'met', 'evidence', 'actions'])
    .where('organisation_id', '=', organisationId)
    .where(
      'assessment_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('point')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    organisationId: row.organisation_id,
    project: row.project_id === null ? null : { id: row.project_id, title: row.project_title ?? '' },
    serviceName: row.service_name,
    phase: row.phase,
    assessedOn: row.assessed_on,
    outcome: row.outcome,
    summary: row.summary,
    points: points.filter((p) => p.assessment_id === row.id).map((p) => ({ point: p.point, met: p.met, evidence: p.evidence, actions: p.actions })),
    version: row.version,
  }));
}

export interface AssessmentValues {
  projectId: string | null;
  serviceName: string | null;
  phase: AssessmentPhase;
  assessedOn: string;
  outcome: AssessmentOutcome;
  summary: string;
}

function assessmentColumns(values: AssessmentValues) {
  return {
    project_id: values.projectId,
    service_name: values.serviceName,
    phase: values.phase,
    assessed_on: values.assessedOn,
    outcome: values.outcome,
    summary: values.summary,
  };
}

export async function insertAssessment(db: Db, organisationId: string, values: AssessmentValues): Promise<string> {
  const row = await db
    .insertInto('service_assessment')
    .values({ organisation_id: organisationId, ...assessmentColumns(values) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateAssessment(db: Db, organisationId: string, id: string, version: number, values: AssessmentValues): Promise<boolean> {
  const row = await db
    .updateTable('service_assessment')
    .set({ ...assessmentColumns(values), version: sql<number>`version + 1`, updated_at: new Date() })
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', version)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function replaceAssessmentPoints(db: Db, organisationId: string, assessmentId: string, points: readonly AssessmentPoint[]): Promise<void> {
  await db.deleteFrom('service_assessment_point').where('organisation_id', '=', organisationId).where('assessment_id', '=', assessmentId).execute();
  if (points.length === 0) return;
  await db
    .insertInto('service_assessment_point')
    .values(
      points.map((p) => ({ organisation_id: organisationId, assessment_id: assessmentId, point: p.point, met: p.met, evidence: p.evidence, actions: p.actions })),
    )
    .execute();
}

export async function findAssessment(db: Db, organisationId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Assessment | undefined> {
  let query = assessmentQuery(db, organisationId).where('service_assessment.id', '=', id);
  if (options.forUpdate === true) query = query.forUpdate('service_assessment');
  const row = await query.executeTakeFirst();
  if (row === undefined) return undefined;
  return (await withPoints(db, organisationId, [row]))[0];
}

export interface AssessmentFilter {
  projectId?: string | undefined;
  serviceName?: string | undefined;
}

export async function listAssessments(db: Db, organisationId: string, filter: AssessmentFilter, page: { limit: number; offset: number }): Promise<Assessment[]> {
  let query = assessmentQuery(db, organisationId);
  if (filter.projectId !== undefined) query = query.where('service_assessment.project_id', '=', filter.projectId);
  if (filter.serviceName !== undefined) query = query.where('service_assessment.service_name', '=', filter.serviceName);
  const rows = await query
    .orderBy('service_assessment.assessed_on', 'desc')
    .orderBy('service_assessment.id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return withPoints(db, organisationId, rows);
}

export async function countAssessments(db: Db, organisationId: string, filter: AssessmentFilter): Promise<number> {
  let query = db
    .selectFrom('service_assessment')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', organisationId);
  if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
  if (filter.serviceName !== undefined) query = query.where('service_name', '=', filter.serviceName);
  const row = await query.executeTakeFirstOrThrow();
  return row.n;
}

/** The organisation's projects, for choosing the one assessed. */
export async function listProjectChoices(db: Db, organisationId: string): Promise<{ id: string; title: string }[]> {
  return db.selectFrom('project').select(['id', 'title']).where('organisation_id', '=', organisationId).orderBy('title').orderBy('id').execute();
}
