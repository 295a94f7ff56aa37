import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type {
  ActionStatus,
  Appetite,
  AppetiteLevel,
  Assessment,
  Proximity,
  ReviewFrequency,
  RiskResponse,
  RiskStatus,
  RiskValues,
  ScaleValue,
} from './risk.ts';

export interface CategoryRow {
  id: string;
  key: string;
  label: string;
  appetite: Appetite;
  position: number;
  version: number;
}

/** A risk as stored, before its scores, levels and flags are worked out. */
export interface RiskRow {
  id: string;
  organisationId: string;
  organisationName: string;
  organisationSlug: string;
  title: string;
  cause: string;
  event: string;
  consequence: string;
  category: { id: string; key: string; label: string };
  appetite: Appetite;
  ownerId: string | null;
  ownerName: string | null;
  ownerEmail: string | null;
  proximity: Proximity;
  status: RiskStatus;
  inherent: Assessment;
  current: Assessment;
  target: Assessment;
  response: RiskResponse;
  reviewFrequency: ReviewFrequency;
  lastReviewedOn: string;
  nextReviewOn: string;
  escalatedToId: string | null;
  escalatedAt: Date | null;
  escalationNote: string;
  hasContingencyPlan: boolean;
  version: number;
}

function selectRisks(db: Db) {
  return db
    .selectFrom('risk')
    .innerJoin('risk_category', 'risk_category.id', 'risk.category_id')
    .innerJoin('organisation', 'organisation.id', 'risk.organisation_id')
    .leftJoin('app_user', 'app_user.id', 'risk.owner_id')
    .select([
      'risk.id',
      'risk.organisation_id',
      'organisation.name as organisation_name',
      'organisation.slug as organisation_slug',
      'risk.title',
      'risk.cause',
      'risk.event',
      'risk.consequence',
      'risk.category_id',
      'risk_category.key as category_key',
      'risk_category.label as category_label',
      'risk_category.appetite_level',
      'risk_category.appetite_max_score',
      'risk.owner_id',
      'app_user.name as owner_name',
      'app_user.email as owner_email',
      'risk.proximity',
      'risk.status',
      'risk.inherent_likelihood',
      'risk.inherent_impact',
      'risk.current_likelihood',
      'risk.current_impact',
      'risk.target_likelihood',
      'risk.target_impact',
      'risk.response',
      'risk.review_frequency',
      'risk.last_reviewed_on',
      'risk.next_review_on',
      'risk.escalated_to_id',
      'risk.escalated_at',
      'risk.escalation_note',
      'risk.version',
      (eb) =>
        eb
          .exists(
            eb
              .selectFrom('contingency_plan')
              .select('contingency_plan.risk_id')
              .whereRef('contingency_plan.risk_id', '=', 'risk.id'),
          )
          .as('has_plan'),
    ]);
}

type SelectedRisk = Awaited<ReturnType<ReturnType<typeof selectRisks>['executeTakeFirstOrThrow']>>;

const pair = (likelihood: number, impact: number): Assessment => ({
  likelihood: likelihood as ScaleValue,
  impact: impact as ScaleValue,
});

function toRisk(row: SelectedRisk): RiskRow {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    organisationSlug: row.organisation_slug,
    title: row.title,
    cause: row.cause,
    event: row.event,
    consequence: row.consequence,
    category: { id: row.category_id, key: row.category_key, label: row.category_label },
    appetite: { level: row.appetite_level as AppetiteLevel, maxScore: row.appetite_max_score },
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    ownerEmail: row.owner_email,
    proximity: row.proximity as Proximity,
    status: row.status as RiskStatus,
    inherent: pair(row.inherent_likelihood, row.inherent_impact),
    current: pair(row.current_likelihood, row.current_impact),
    target: pair(row.target_likelihood, row.target_impact),
    response: row.response as RiskResponse,
    reviewFrequency: row.review_frequency as ReviewFrequency,
    lastReviewedOn: row.last_reviewed_on,
    nextReviewOn: row.next_review_on,
    escalatedToId: row.escalated_to_id,
    escalatedAt: row.escalated_at,
    escalationNote: row.escalation_note,
    hasContingencyPlan: Boolean(row.has_plan),
    version: row.version,
  };
}

// ---------------------------------------------------------------------------------------------
// Categories and appetite
// ---------------------------------------------------------------------------------------------

export async function insertCategories(
  db: Db,
  organisationId: string,
  categories: readonly { key: string; label: string; appetite: Appetite }[],
  firstPosition = 0,
): Promise<void> {
  if (categories.length === 0) return;
  await db
    .insertInto('risk_category')
    .values(
      categories.map((c, i) => ({
        organisation_id: organisationId,
        key: c.key,
        label: c.label,
        appetite_level: c.appetite.level,
        appetite_max_score: c.appetite.maxScore,
        position: firstPosition + i,
      })),
    )
    .onConflict((oc) => oc.columns(['organisation_id', 'key']).doNothing())
    .execute();
}

const categoryColumns = [
  'id',
  'key',
  'label',
  'appetite_level',
  'appetite_max_score',
  'position',
  'version',
] as const;

function toCategory(row: {
  id: string;
  key: string;
  label: string;
  appetite_level: string;
  appetite_max_score: number;
  position: number;
  version: number;
}): CategoryRow {
  return {
    id: row.id,
    key: row.key,
    label: row.label,
    appetite: { level: row.appetite_level as AppetiteLevel, maxScore: row.appetite_max_score },
    position: row.position,
    version: row.version,
  };
}

export async function listCategories(db: Db, organisationId: string): Promise<CategoryRow[]> {
  const rows = await db
    .selectFrom('risk_category')
    .select(categoryColumns)
    .where('organisation_id', '=', organisationId)
    .orderBy('position')
    .orderBy('key')
    .execute();
  return rows.map(toCategory);
}

export async function findCategoryByKey(
  db: Db,
  organisationId: string,
  key: string,
  options: { lock?: boolean } = {},
): Promise<CategoryRow | undefined> {
  let query = db
    .selectFrom('risk_category')
    .select(categoryColumns)
    .where('organisation_id', '=', organisationId)
    .where('key', '=', key);
  if (options.lock === true) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toCategory(row);
}

export async function updateCategory(
  db: Db,
  organisationId: string,
  id: string,
  values: { label: string; appetite: Appetite },
): Promise<void> {
  await db
    .updateTable('risk_category')
    .set((eb) => ({
      label: values.label,
      appetite_level: values.appetite.level,
      appetite_max_score: values.appetite.maxScore,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .execute();
}

export async function nextCategoryPosition(db: Db, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('risk_category')
    .select(sql<number>`coalesce(max(position), -1)::int + 1`.as('next'))
    .where('organisation_id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return row.next;
}

// ---------------------------------------------------------------------------------------------
// Risks
// ---------------------------------------------------------------------------------------------

export interface RiskSqlFilters {
  categoryKey?: string | undefined;
  ownerId?: string | undefined;
  response?: RiskResponse | undefined;
  status?: RiskStatus | undefined;
}

export async function listRisks(
  db: Db,
  organisationId: string,
  filters: RiskSqlFilters = {},
): Promise<RiskRow[]> {
  let query = selectRisks(db).where('risk.organisation_id', '=', organisationId);
  if (filters.categoryKey !== undefined) query = query.where('risk_category.key', '=', filters.categoryKey);
  if (filters.ownerId !== undefined) query = query.where('risk.owner_id', '=', filters.ownerId);
  if (filters.response !== undefined) query = query.where('risk.response', '=', filters.response);
  if (filters.status !== undefined) query = query.where('risk.status', '=', filters.status);
  const rows = await query
    .orderBy(sql`risk.current_likelihood * risk.current_impact`, 'desc')
    .orderBy('risk.title')
    .execute();
  return rows.map(toRisk);
}

/** Open risks escalated to `parentId` by its child organisations. */
export async function listRisksEscalatedTo(db: Db, parentId: string): Promise<RiskRow[]> {
  const rows = await selectRisks(db)
    .where('risk.escalated_to_id', '=', parentId)
    .where('organisation.parent_id', '=', parentId)
    .orderBy(sql`risk.current_likelihood * risk.current_impact`, 'desc')
    .orderBy('risk.title')
    .execute();
  return rows.map(toRisk);
}

export async function findRisk(
  db: Db,
  organisationId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<RiskRow | undefined> {
  let query = selectRisks(db).where('risk.organisation_id', '=', organisationId).where('risk.id', '=', id);
  if (options.lock === true) query = query.forUpdate(['risk']);
  const row = await query.executeTakeFirst();
  return row && toRisk(row);
}

/** A risk escalated to `parentId` by one of its children (read by the parent). */
export async function findRiskEscalatedTo(
  db: Db,
  parentId: string,
  id: string,
): Promise<RiskRow | undefined> {
  const row = await selectRisks(db)
    .where('risk.escalated_to_id', '=', parentId)
    .where('organisation.parent_id', '=', parentId)
    .where('risk.id', '=', id)
    .executeTakeFirst();
  return row && toRisk(row);
}

export async function findRiskIdByTitle(
  db: Db,
  organisationId: string,
  title: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('risk')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where(sql`lower(title)`, '=', title.toLowerCase())
    .executeTakeFirst();
  return row?.id;
}

export async function listRiskTitles(db: Db, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('risk')
    .select('title')
    .where('organisation_id', '=', organisationId)
    .execute();
  return rows.map((r) => r.title);
}

function columnsOf(values: RiskValues, categoryId: string) {
  return {
    title: values.title,
    cause: values.cause,
    event: values.event,
    consequence: values.consequence,
    category_id: categoryId,
    owner_id: values.ownerId,
    proximity: values.proximity,
    status: values.status,
    inherent_likelihood: values.inherent.likelihood,
    inherent_impact: values.inherent.impact,
    current_likelihood: values.current.likelihood,
    current_impact: values.current.impact,
    target_likelihood: values.target.likelihood,
    target_impact: values.target.impact,
    response: values.response,
    review_frequency: values.reviewFrequency,
  };
}

export async function insertRisk(
  db: Db,
  organisationId: string,
  values: RiskValues,
  categoryId: string,
  review: { lastReviewedOn: string; nextReviewOn: string },
): Promise<string> {
  const row = await db
    .insertInto('risk')
    .values({
      organisation_id: organisationId,
      ...columnsOf(values, categoryId),
      last_reviewed_on: review.lastReviewedOn,
      next_review_on: review.nextReviewOn,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Updates the risk when it is still at `version`; false when it has moved on. */
export async function updateRisk(
  db: Db,
  organisationId: string,
  id: string,
  version: number,
  values: RiskValues,
  categoryId: string,
  review: { lastReviewedOn: string; nextReviewOn: string },
): Promise<boolean> {
  const result = await db
    .updateTable('risk')
    .set({
      ...columnsOf(values, categoryId),
      last_reviewed_on: review.lastReviewedOn,
      next_review_on: review.nextReviewOn,
      version: version + 1,
      updated_at: new Date(),
    })
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setEscalation(
  db: Db,
  organisationId: string,
  id: string,
  escalation: { toId: string | null; note: string },
): Promise<void> {
  await db
    .updateTable('risk')
    .set((eb) => ({
      escalated_to_id: escalation.toId,
      escalated_at: escalation.toId === null ? null : new Date(),
      escalation_note: escalation.note,
      version: eb('version', '+', 1),
      updated_at: new Date(),
    }))
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .execute();
}

/** The organisation's parent, where its risks are escalated to; null at the top of the tree. */
export async function findParentId(db: Db, organisationId: string): Promise<string | null> {
  const row = await db
    .selectFrom('organisation')
    .select('parent_id')
    .where('id', '=', organisationId)
    .executeTakeFirst();
  return row?.parent_id ?? null;
}

// ---------------------------------------------------------------------------------------------
// Assessments (history)
// ---------------------------------------------------------------------------------------------

export interface AssessmentRow {
  assessedOn: string;
  inherent: Assessment;
  current: Assessment;
  target: Assessment;
  note: string;
  assessedByName: string | null;
}

export async function insertAssessment(
  db: Db,
  organisationId: string,
  riskId: string,
  a: {
    assessedOn: string;
    inherent: Assessment;
    current: Assessment;
    target: Assessment;
    note: string;
    assessedBy: string | null;
  },
): Promise<void> {
  await db
    .insertInto('risk_assessment')
    .values({
      organisation_id: organisationId,
      risk_id: riskId,
      assessed_on: a.assessedOn,
      inherent_likelihood: a.inherent.likelihood,
      inherent_impact: a.inherent.impact,
      current_likelihood: a.current.likelihood,
      current_impact: a.current.impact,
      target_likelihood: a.target.likelihood,
      target_impact: a.target.impact,
      note: a.note,
      assessed_by: a.assessedBy,
    })
    .execute();
}

/** The risk's assessments, oldest first. */
export async function listAssessments(
  db: Db,
  organisationId: string,
  riskId: string,
): Promise<AssessmentRow[]> {
  const rows = await db
    .selectFrom('risk_assessment')
    .leftJoin('app_user', 'app_user.id', 'risk_assessment.assessed_by')
    .select([
      'risk_assessment.assessed_on',
      'risk_assessment.inherent_likelihood',
      'risk_assessment.inherent_impact',
      'risk_assessment.current_likelihood',
      'risk_assessment.current_impact',
      'risk_assessment.target_likelihood',
      'risk_assessment.target_impact',
      'risk_assessment.note',
      'app_user.name',
    ])
    .where('risk_assessment.organisation_id', '=', organisationId)
    .where('risk_assessment.risk_id', '=', riskId)
    .orderBy('risk_assessment.assessed_on')
    .orderBy('risk_assessment.id')
    .execute();
  return rows.map((r) => ({
    assessedOn: r.assessed_on,
    inherent: pair(r.inherent_likelihood, r.inherent_impact),
    current: pair(r.current_likelihood, r.current_impact),
    target: pair(r.target_likelihood, r.target_impact),
    note: r.note,
    assessedByName: r.name,
  }));
}

// ---------------------------------------------------------------------------------------------
// Links
// ---------------------------------------------------------------------------------------------

export interface RiskLinks {
  objectiveIds: string[];
  kpiIds: string[];
  projectIds: string[];
}

export async function replaceLinks(
  db: Db,
  organisationId: string,
  riskId: string,
  links: RiskLinks,
): Promise<void> {
  await db
    .deleteFrom('risk_objective')
    .where('organisation_id', '=', organisationId)
    .where('risk_id', '=', riskId)
    .execute();
  await db
    .deleteFrom('risk_kpi')
    .where('organisation_id', '=', organisationId)
    .where('risk_id', '=', riskId)
    .execute();
  await db
    .deleteFrom('risk_project')
    .where('organisation_id', '=', organisationId)
    .where('risk_id', '=', riskId)
    .execute();
  const base = { organisation_id: organisationId, risk_id: riskId };
  if (links.objectiveIds.length > 0)
    await db
      .insertInto('risk_objective')
      .values(links.objectiveIds.map((id) => ({ ...base, objective_id: id })))
      .execute();
  if (links.kpiIds.length > 0)
    await db
      .insertInto('risk_kpi')
      .values(links.kpiIds.map((id) => ({ ...base, kpi_id: id })))
      .execute();
  if (links.projectIds.length > 0)
    await db
      .insertInto('risk_project')
      .values(links.projectIds.map((id) => ({ ...base, project_id: id })))
      .execute();
}

export async function findLinks(db: Db, organisationId: string, riskId: string): Promise<RiskLinks> {
  const [objectives, kpis, projects] = await Promise.all([
    db
      .selectFrom('risk_objective')
      .select('objective_id as id')
      .where('organisation_id', '=', organisationId)
      .where('risk_id', '=', riskId)
      .execute(),
    db
      .selectFrom('risk_kpi')
      .select('kpi_id as id')
      .where('organisation_id', '=', organisationId)
      .where('risk_id', '=', riskId)
      .execute(),
    db
      .selectFrom('risk_project')
      .select('project_id as id')
      .where('organisation_id', '=', organisationId)
      .where('risk_id', '=', riskId)
      .execute(),
  ]);
  return {
    objectiveIds: objectives.map((r) => r.id),
    kpiIds: kpis.map((r) => r.id),
    projectIds: projects.map((r) => r.id),
  };
}

/** The links of many risks at once (a page of the API list): three queries whatever their number. */
export async function findLinksOfRisks(
  db: Db,
  organisationId: string,
  riskIds: readonly string[],
): Promise<Map<string, RiskLinks>> {
  const result = new Map<string, RiskLinks>(
    riskIds.map((id) => [id, { objectiveIds: [], kpiIds: [], projectIds: [] }]),
  );
  if (riskIds.length === 0) return result;
  const [objectives, kpis, projects] = await Promise.all([
    db
      .selectFrom('risk_objective')
      .select(['risk_id', 'objective_id as id'])
      .where('organisation_id', '=', organisationId)
      .where('risk_id', 'in', riskIds)
      .execute(),
    db
      .selectFrom('risk_kpi')
      .select(['risk_id', 'kpi_id as id'])
      .where('organisation_id', '=', organisationId)
      .where('risk_id', 'in', riskIds)
      .execute(),
    db
      .selectFrom('risk_project')
      .select(['risk_id', 'project_id as id'])
      .where('organisation_id', '=', organisationId)
      .where('risk_id', 'in', riskIds)
      .execute(),
  ]);
  for (const r of objectives) result.get(r.risk_id)?.objectiveIds.push(r.id);
  for (const r of kpis) result.get(r.risk_id)?.kpiIds.push(r.id);
  for (const r of projects) result.get(r.risk_id)?.projectIds.push(r.id);
  return result;
}

/** Risk ↔ objective links of the organisation (the golden thread). */
export async function listObjectiveLinks(
  db: Db,
  organisationId: string,
): Promise<{ riskId: string; objectiveId: string }[]> {
  const rows = await db
    .selectFrom('risk_objective')
    .select(['risk_id', 'objective_id'])
    .where('organisation_id', '=', organisationId)
    .execute();
  return rows.map((r) => ({ riskId: r.risk_id, objectiveId: r.objective_id }));
}

export async function listRiskIdsForProject(
  db: Db,
  organisationId: string,
  projectId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('risk_project')
    .select('risk_id')
    .where('organisation_id', '=', organisationId)
    .where('project_id', '=', projectId)
    .execute();
  return rows.map((r) => r.risk_id);
}

export interface LinkOption {
  id: string;
  title: string;
}

/** What a risk can link to, and who can own it: the form's choices. */
export async function listFormOptions(
  db: Db,
  organisationId: string,
): Promise<{
  owners: { id: string; name: string; email: string }[];
  objectives: LinkOption[];
  kpis: LinkOption[];
  projects: LinkOption[];
}> {
  const [owners, objectives, kpis, projects] = await Promise.all([
    db
      .selectFrom('membership')
      .innerJoin('app_user', 'app_user.id', 'membership.user_id')
      .select(['app_user.id', 'app_user.name', 'app_user.email'])
      .where('membership.organisation_id', '=', organisationId)
      .where('membership.deactivated_at', 'is', null)
      .where('app_user.active', '=', true)
      .orderBy('app_user.name')
      .execute(),
    db
      .selectFrom('objective')
      .select(['id', 'title'])
      .where('organisation_id', '=', organisationId)
      .orderBy('title')
      .execute(),
    db
      .selectFrom('kpi')
      .select(['id', 'name as title'])
      .where('organisation_id', '=', organisationId)
      .orderBy('name')
      .execute(),
    db
      .selectFrom('project')
      .select(['id', 'title'])
      .where('organisation_id', '=', organisationId)
      .orderBy('title')
      .execute(),
  ]);
  return { owners, objectives, kpis, projects };
}

// ---------------------------------------------------------------------------------------------
// Actions and contingency plans
// ---------------------------------------------------------------------------------------------

export interface ActionRow {
  id: string;
  riskId: string;
  riskTitle: string;
  description: string;
  ownerId: string | null;
  ownerName: string | null;
  dueOn: string;
  status: ActionStatus;
  version: number;
}

function selectActions(db: Db) {
  return db
    .selectFrom('risk_action')
    .innerJoin('risk', 'risk.id', 'risk_action.risk_id')
    .leftJoin('app_user', 'app_user.id', 'risk_action.owner_id')
    .select([
      'risk_action.id',
      'risk_action.risk_id',
      'risk.title as risk_title',
      'risk_action.description',
      'risk_action.owner_id',
      'app_user.name as owner_name',
      'risk_action.due_on',
      'risk_action.status',
      'risk_action.version',
    ]);
}

function toAction(
  r: Awaited<ReturnType<ReturnType<typeof selectActions>['executeTakeFirstOrThrow']>>,
): ActionRow {
  return {
    id: r.id,
    riskId: r.risk_id,
    riskTitle: r.risk_title,
    description: r.description,
    ownerId: r.owner_id,
    ownerName: r.owner_name,
    dueOn: r.due_on,
    status: r.status as ActionStatus,
    version: r.version,
  };
}

export async function listActions(db: Db, organisationId: string, riskId?: string): Promise<ActionRow[]> {
  let query = selectActions(db).where('risk_action.organisation_id', '=', organisationId);
  if (riskId !== undefined) query = query.where('risk_action.risk_id', '=', riskId);
  const rows = await query.orderBy('risk_action.due_on').orderBy('risk_action.description').execute();
  return rows.map(toAction);
}

export async function findAction(
  db: Db,
  organisationId: string,
  riskId: string,
  id: string,
): Promise<ActionRow | undefined> {
  const row = await selectActions(db)
    .where('risk_action.organisation_id', '=', organisationId)
    .where('risk_action.risk_id', '=', riskId)
    .where('risk_action.id', '=', id)
    .executeTakeFirst();
  return row && toAction(row);
}

export async function insertAction(
  db: Db,
  organisationId: string,
  riskId: string,
  values: { description: string; ownerId: string | null; dueOn: string; status: ActionStatus },
): Promise<string> {
  const row = await db
    .insertInto('risk_action')
    .values({
      organisation_id: organisationId,
      risk_id: riskId,
      description: values.description,
      owner_id: values.ownerId,
      due_on: values.dueOn,
      status: values.status,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateAction(
  db: Db,
  organisationId: string,
  id: string,
  version: number,
  values: { description: string; ownerId: string | null; dueOn: string; status: ActionStatus },
): Promise<boolean> {
  const result = await db
    .updateTable('risk_action')
    .set({
      description: values.description,
      owner_id: values.ownerId,
      due_on: values.dueOn,
      status: values.status,
      version: version + 1,
      updated_at: new Date(),
    })
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteAction(
  db: Db,
  organisationId: string,
  id: string,
  version: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('risk_action')
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** How many assessments and actions a risk has: what its deletion takes with it, for the audit trail. */
export async function countRiskRecords(
  db: Db,
  organisationId: string,
  riskId: string,
): Promise<{ assessments: number; actions: number }> {
  const count = (table: 'risk_assessment' | 'risk_action') =>
    db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('organisation_id', '=', organisationId)
      .where('risk_id', '=', riskId)
      .executeTakeFirstOrThrow();
  const assessments = await count('risk_assessment');
  const actions = await count('risk_action');
  return { assessments: assessments.n, actions: actions.n };
}

/**
 * Deletes a risk at the version read. Its assessments, actions, contingency plan, links and
 * review-reminder claims go with it (their foreign keys cascade), and so does its escalation:
 * the parent's register reads escalated risks from this row.
 */
export async function deleteRisk(
  db: Db,
  organisationId: string,
  id: string,
  version: number,
): Promise<boolean> {
  const result = await db
    .deleteFrom('risk')
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function findContingencyPlan(
  db: Db,
  organisationId: string,
  riskId: string,
): Promise<{ trigger: string; plan: string } | undefined> {
  return db
    .selectFrom('contingency_plan')
    .select(['trigger', 'plan'])
    .where('organisation_id', '=', organisationId)
    .where('risk_id', '=', riskId)
    .executeTakeFirst();
}

export async function upsertContingencyPlan(
  db: Db,
  organisationId: string,
  riskId: string,
  value: { trigger: string; plan: string },
): Promise<void> {
  await db
    .insertInto('contingency_plan')
    .values({ organisation_id: organisationId, risk_id: riskId, trigger: value.trigger, plan: value.plan })
    .onConflict((oc) =>
      oc.column('risk_id').doUpdateSet({ trigger: value.trigger, plan: value.plan, updated_at: new Date() }),
    )
    .execute();
}

/** Owners' ids that are active members of the organisation (others are left out). */
export async function findActiveMemberIds(
  db: Db,
  organisationId: string,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select('app_user.id')
    .where('membership.organisation_id', '=', organisationId)
    .where('membership.deactivated_at', 'is', null)
    .where('app_user.id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Ids among `ids` that are items of the organisation in `table`. */
export async function findItemIds(
  db: Db,
  organisationId: string,
  table: 'objective' | 'kpi' | 'project',
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom(table)
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.id));
}
