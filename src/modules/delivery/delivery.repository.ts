import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Frequency } from '../kpis/kpis.service.ts';
import type {
  Benefit,
  BenefitType,
  Milestone,
  ObjectiveLink,
  Phase,
  PhaseStart,
  Project,
  ProjectType,
  Rag,
  ReportFrequency,
  StatusReport,
} from './delivery.ts';

// Every query is scoped by organisation_id: an id from another organisation finds nothing.

const projectColumns = [
  'project.id',
  'project.organisation_id',
  'project.title',
  'project.description',
  'project.owner_id',
  'app_user.name as owner_name',
  'project.type',
  'project.programme_id',
  'project.phase',
  'project.planned_start',
  'project.planned_end',
  'project.budget_planned_capital',
  'project.budget_planned_resource',
  'project.budget_actual_capital',
  'project.budget_actual_resource',
  'project.delivery_approach',
  'project.report_frequency',
  'project.version',
  'project.created_at',
  'project.updated_at',
] as const;

interface ProjectRow {
  id: string;
  organisation_id: string;
  title: string;
  description: string;
  owner_id: string | null;
  owner_name: string | null;
  type: ProjectType;
  programme_id: string | null;
  phase: Phase;
  phase_started_on: string | null;
  planned_start: string | null;
  planned_end: string | null;
  budget_planned_capital: string;
  budget_planned_resource: string;
  budget_actual_capital: string;
  budget_actual_resource: string;
  delivery_approach: string;
  report_frequency: ReportFrequency;
  version: number;
  created_at: Date;
  updated_at: Date;
}

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    title: row.title,
    description: row.description,
    ownerId: row.owner_id,
    ownerName: row.owner_name,
    type: row.type,
    programmeId: row.programme_id,
    phase: row.phase,
    phaseStartedOn: row.phase_started_on,
    plannedStart: row.planned_start,
    plannedEnd: row.planned_end,
    budgetPlanned: { capital: row.budget_planned_capital, resource: row.budget_planned_resource },
    budgetActual: { capital: row.budget_actual_capital, resource: row.budget_actual_resource },
    deliveryApproach: row.delivery_approach,
    reportFrequency: row.report_frequency,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function projectQuery(db: Db, organisationId: string) {
  return db
    .selectFrom('project')
    .leftJoin('app_user', 'app_user.id', 'project.owner_id')
    .leftJoin('project_phase', (join) =>
      join
        .onRef('project_phase.project_id', '=', 'project.id')
        .onRef('project_phase.phase', '=', 'project.phase'),
    )
    .select(projectColumns)
    .select('project_phase.started_on as phase_started_on')
    .where('project.organisation_id', '=', organisationId);
}

export interface ProjectValues {
  title: string;
  description: string;
  ownerId: string | null;
  type: ProjectType;
  programmeId: string | null;
  phase: Phase;
  plannedStart: string | null;
  plannedEnd: string | null;
  budgetPlannedCapital: string;
  budgetPlannedResource: string;
  budgetActualCapital: string;
  budgetActualResource: string;
  deliveryApproach: string;
  reportFrequency: ReportFrequency;
}

function projectColumnsOf(values: ProjectValues) {
  return {
    title: values.title,
    description: values.description,
    owner_id: values.ownerId,
    type: values.type,
    programme_id: values.programmeId,
    phase: values.phase,
    planned_start: values.plannedStart,
    planned_end: values.plannedEnd,
    budget_planned_capital: values.budgetPlannedCapital,
    budget_planned_resource: values.budgetPlannedResource,
    budget_actual_capital: values.budgetActualCapital,
    budget_actual_resource: values.budgetActualResource,
    delivery_approach: values.deliveryApproach,
    report_frequency: values.reportFrequency,
  };
}

export async function insertProject(db: Db, organisationId: string, values: ProjectValues): Promise<string> {
  const row = await db
    .insertInto('project')
    .values({ organisation_id: organisationId, ...projectColumnsOf(values) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findProject(
  db: Db,
  organisationId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Project | undefined> {
  if (options.forUpdate === true) {
    await db
      .selectFrom('project')
      .select('id')
      .where('organisation_id', '=', organisationId)
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }
  const row = await projectQuery(db, organisationId).where('project.id', '=', id).executeTakeFirst();
  return row && toProject(row);
}

/** Every project of the organisation, by title: portfolios are hundreds, not millions. */
export async function listProjects(db: Db, organisationId: string): Promise<Project[]> {
  const rows = await projectQuery(db, organisationId)
    .orderBy('project.title')
    .orderBy('project.id')
    .execute();
  return rows.map(toProject);
}

/** Writes new values and bumps the version, only if the project is still at `expectedVersion`. */
export async function updateProject(
  db: Db,
  organisationId: string,
  id: string,
  expectedVersion: number,
  values: ProjectValues,
): Promise<boolean> {
  const result = await db
    .updateTable('project')
    .set({ ...projectColumnsOf(values), version: sql<number>`version + 1`, updated_at: new Date() })
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteProject(db: Db, organisationId: string, id: string): Promise<void> {
  await db.deleteFrom('project').where('organisation_id', '=', organisationId).where('id', '=', id).execute();
}

/** Projects of a programme. */
export async function countProgrammeMembers(
  db: Db,
  organisationId: string,
  programmeId: string,
): Promise<number> {
  const row = await db
    .selectFrom('project')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('organisation_id', '=', organisationId)
    .where('programme_id', '=', programmeId)
    .executeTakeFirstOrThrow();
  return row.n;
}

// Phases

/** Records the day a phase started; a phase entered again keeps its latest start. */
export async function recordPhaseStart(
  db: Db,
  organisationId: string,
  projectId: string,
  phase: Phase,
  startedOn: string,
): Promise<void> {
  await db
    .insertInto('project_phase')
    .values({ organisation_id: organisationId, project_id: projectId, phase, started_on: startedOn })
    .onConflict((oc) => oc.columns(['project_id', 'phase']).doUpdateSet({ started_on: startedOn }))
    .execute();
}

export async function listPhaseStarts(
  db: Db,
  organisationId: string,
  projectId: string,
): Promise<PhaseStart[]> {
  const rows = await db
    .selectFrom('project_phase')
    .select(['phase', 'started_on'])
    .where('organisation_id', '=', organisationId)
    .where('project_id', '=', projectId)
    .orderBy('started_on')
    .execute();
  return rows.map((r) => ({ phase: r.phase, startedOn: r.started_on }));
}

// Objective links

export async function replaceObjectiveLinks(
  db: Db,
  organisationId: string,
  projectId: string,
  links: readonly ObjectiveLink[],
): Promise<void> {
  await db
    .deleteFrom('project_objective')
    .where('organisation_id', '=', organisationId)
    .where('project_id', '=', projectId)
    .execute();
  if (links.length === 0) return;
  await db
    .insertInto('project_objective')
    .values(
      links.map((l) => ({
        organisation_id: organisationId,
        project_id: projectId,
        objective_id: l.objectiveId,
        weight: l.weight,
      })),
    )
    .execute();
}

export async function listObjectiveLinks(
  db: Db,
  organisationId: string,
): Promise<(ObjectiveLink & { projectId: string })[]> {
  const rows = await db
    .selectFrom('project_objective')
    .select(['project_id', 'objective_id', 'weight'])
    .where('organisation_id', '=', organisationId)
    .orderBy('project_id')
    .orderBy('objective_id')
    .execute();
  return rows.map((r) => ({
    projectId: r.project_id,
    objectiveId: r.objective_id,
    weight: Number(r.weight),
  }));
}

// Members

export async function listActiveMembers(
  db: Db,
  organisationId: string,
): Promise<{ id: string; name: string; email: string }[]> {
  return db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select(['app_user.id', 'app_user.name', 'app_user.email'])
    .where('membership.organisation_id', '=', organisationId)
    .where('membership.deactivated_at', 'is', null)
    .where('app_user.active', '=', true)
    .orderBy('app_user.name')
    .execute();
}

// Milestones

const milestoneColumns = [
  'id',
  'organisation_id',
  'project_id',
  'title',
  'due_on',
  'completed_on',
  'version',
] as const;

function toMilestone(row: {
  id: string;
  organisation_id: string;
  project_id: string;
  title: string;
  due_on: string;
  completed_on: string | null;
  version: number;
}): Milestone {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    projectId: row.project_id,
    title: row.title,
    dueOn: row.due_on,
    completedOn: row.completed_on,
    version: row.version,
  };
}

export async function insertMilestone(
  db: Db,
  organisationId: string,
  projectId: string,
  values: { title: string; dueOn: string; completedOn: string | null },
): Promise<Milestone> {
  const row = await db
    .insertInto('milestone')
    .values({
      organisation_id: organisationId,
      project_id: projectId,
      title: values.title,
      due_on: values.dueOn,
      completed_on: values.completedOn,
    })
    .returning(milestoneColumns)
    .executeTakeFirstOrThrow();
  return toMilestone(row);
}

export async function findMilestone(
  db: Db,
  organisationId: string,
  id: string,
): Promise<Milestone | undefined> {
  const row = await db
    .selectFrom('milestone')
    .select(milestoneColumns)
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toMilestone(row);
}

export async function updateMilestone(
  db: Db,
  organisationId: string,
  id: string,
  expectedVersion: number,
  values: { title: string; dueOn: string; completedOn: string | null },
): Promise<Milestone | undefined> {
  const row = await db
    .updateTable('milestone')
    .set({
      title: values.title,
      due_on: values.dueOn,
      completed_on: values.completedOn,
      version: sql<number>`version + 1`,
      updated_at: new Date(),
    })
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .returning(milestoneColumns)
    .executeTakeFirst();
  return row && toMilestone(row);
}

export async function deleteMilestone(db: Db, organisationId: string, id: string): Promise<void> {
  await db
    .deleteFrom('milestone')
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .execute();
}

/** Milestones of one project, or of every project when `projectId` is null; by due date. */
export async function listMilestones(
  db: Db,
  organisationId: string,
  projectId: string | null,
): Promise<Milestone[]> {
  let query = db
    .selectFrom('milestone')
    .select(milestoneColumns)
    .where('organisation_id', '=', organisationId);
  if (projectId !== null) query = query.where('project_id', '=', projectId);
  const rows = await query.orderBy('due_on').orderBy('title').orderBy('id').execute();
  return rows.map(toMilestone);
}

/** Milestones not completed and due before `today`, across the organisation. */
export async function listOverdueMilestones(
  db: Db,
  organisationId: string,
  today: string,
): Promise<Milestone[]> {
  const rows = await db
    .selectFrom('milestone')
    .select(milestoneColumns)
    .where('organisation_id', '=', organisationId)
    .where('completed_on', 'is', null)
    .where('due_on', '<', today)
    .orderBy('due_on')
    .orderBy('id')
    .execute();
  return rows.map(toMilestone);
}

// Status reports

const reportColumns = [
  'status_report.id',
  'status_report.organisation_id',
  'status_report.project_id',
  'status_report.period',
  'status_report.overall',
  'status_report.schedule',
  'status_report.budget',
  'status_report.scope',
  'status_report.reason',
  'status_report.achievements',
  'status_report.next_steps',
  'status_report.issues',
  'status_report.decisions_needed',
  'status_report.submitted_by',
  'app_user.name as submitted_by_name',
  'status_report.submitted_at',
  'status_report.version',
] as const;

interface ReportRow {
  id: string;
  organisation_id: string;
  project_id: string;
  period: string;
  overall: Rag;
  schedule: Rag;
  budget: Rag;
  scope: Rag;
  reason: string;
  achievements: string;
  next_steps: string;
  issues: string;
  decisions_needed: string;
  submitted_by: string | null;
  submitted_by_name: string | null;
  submitted_at: Date;
  version: number;
}

function toReport(row: ReportRow): StatusReport {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    projectId: row.project_id,
    period: row.period,
    overall: row.overall,
    schedule: row.schedule,
    budget: row.budget,
    scope: row.scope,
    reason: row.reason,
    achievements: row.achievements,
    nextSteps: row.next_steps,
    issues: row.issues,
    decisionsNeeded: row.decisions_needed,
    submittedBy: row.submitted_by,
    submittedByName: row.submitted_by_name,
    submittedAt: row.submitted_at,
    version: row.version,
  };
}

function reportQuery(db: Db, organisationId: string) {
  return db
    .selectFrom('status_report')
    .leftJoin('app_user', 'app_user.id', 'status_report.submitted_by')
    .select(reportColumns)
    .where('status_report.organisation_id', '=', organisationId);
}

export interface ReportValues {
  period: string;
  overall: Rag;
  schedule: Rag;
  budget: Rag;
  scope: Rag;
  reason: string;
  achievements: string;
  nextSteps: string;
  issues: string;
  decisionsNeeded: string;
  submittedBy: string | null;
}

function reportColumnsOf(values: ReportValues) {
  return {
    period: values.period,
    overall: values.overall,
    schedule: values.schedule,
    budget: values.budget,
    scope: values.scope,
    reason: values.reason,
    achievements: values.achievements,
    next_steps: values.nextSteps,
    issues: values.issues,
    decisions_needed: values.decisionsNeeded,
    submitted_by: values.submittedBy,
  };
}

/** Inserts a report; undefined when the project already has one for that period. */
export async function insertReport(
  db: Db,
  organisationId: string,
  projectId: string,
  values: ReportValues,
): Promise<string | undefined> {
  const row = await db
    .insertInto('status_report')
    .values({ organisation_id: organisationId, project_id: projectId, ...reportColumnsOf(values) })
    .onConflict((oc) => oc.columns(['project_id', 'period']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function findReport(
  db: Db,
  organisationId: string,
  id: string,
): Promise<StatusReport | undefined> {
  const row = await reportQuery(db, organisationId).where('status_report.id', '=', id).executeTakeFirst();
  return row && toReport(row);
}

/** A project's reports, newest period first. */
export async function listReports(
  db: Db,
  organisationId: string,
  projectId: string,
): Promise<StatusReport[]> {
  const rows = await reportQuery(db, organisationId)
    .where('status_report.project_id', '=', projectId)
    .orderBy('status_report.period', 'desc')
    .execute();
  return rows.map(toReport);
}

/** Each project's latest report (by period), for the projects that have one. */
export async function listLatestReports(db: Db, organisationId: string): Promise<StatusReport[]> {
  const rows = await reportQuery(db, organisationId)
    .distinctOn('status_report.project_id')
    .orderBy('status_report.project_id')
    .orderBy('status_report.period', 'desc')
    .execute();
  return rows.map(toReport);
}

// Late-report reminders

export interface ReportReminderKey {
  projectId: string;
  period: string;
}

/** Organisations with at least one owned project that is not retired: the only ones a reminder run looks at. */
export async function listOrganisationsWithOwnedProjects(
  db: Db,
): Promise<{ id: string; slug: string; name: string }[]> {
  return db
    .selectFrom('organisation')
    .select(['organisation.id', 'organisation.slug', 'organisation.name'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('project')
          .select('project.id')
          .whereRef('project.organisation_id', '=', 'organisation.id')
          .where('project.owner_id', 'is not', null)
          .where('project.phase', '<>', 'retirement'),
      ),
    )
    .orderBy('organisation.slug')
    .execute();
}

/** Claims reminders before they are sent; returns the ones this call claimed (see kpis reminders). */
export async function claimReportReminders(
  db: Db,
  organisationId: string,
  keys: readonly ReportReminderKey[],
): Promise<ReportReminderKey[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .insertInto('status_report_reminder')
    .values(keys.map((k) => ({ organisation_id: organisationId, project_id: k.projectId, period: k.period })))
    .onConflict((oc) => oc.columns(['project_id', 'period']).doNothing())
    .returning(['project_id', 'period'])
    .execute();
  return rows.map((r) => ({ projectId: r.project_id, period: r.period }));
}

export async function releaseReportReminders(
  db: Db,
  organisationId: string,
  keys: readonly ReportReminderKey[],
): Promise<void> {
  if (keys.length === 0) return;
  await db
    .deleteFrom('status_report_reminder')
    .where('organisation_id', '=', organisationId)
    .where((eb) =>
      eb.or(keys.map((k) => eb.and([eb('project_id', '=', k.projectId), eb('period', '=', k.period)]))),
    )
    .execute();
}

// Benefits

const benefitColumns = [
  'id',
  'organisation_id',
  'project_id',
  'type',
  'description',
  'planned_value',
  'planned_on',
  'realised_value',
  'realised_on',
  'kpi_id',
  'version',
] as const;

interface BenefitRow {
  id: string;
  organisation_id: string;
  project_id: string;
  type: BenefitType;
  description: string;
  planned_value: string | null;
  planned_on: string | null;
  realised_value: string | null;
  realised_on: string | null;
  kpi_id: string | null;
  version: number;
}

function toBenefit(row: BenefitRow): Benefit {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    projectId: row.project_id,
    type: row.type,
    description: row.description,
    plannedValue: row.planned_value,
    plannedOn: row.planned_on,
    realisedValue: row.realised_value,
    realisedOn: row.realised_on,
    kpiId: row.kpi_id,
    version: row.version,
  };
}

export interface BenefitValues {
  type: BenefitType;
  description: string;
  plannedValue: string | null;
  plannedOn: string | null;
  realisedValue: string | null;
  realisedOn: string | null;
  kpiId: string | null;
}

function benefitColumnsOf(v: BenefitValues) {
  return {
    type: v.type,
    description: v.description,
    planned_value: v.plannedValue,
    planned_on: v.plannedOn,
    realised_value: v.realisedValue,
    realised_on: v.realisedOn,
    kpi_id: v.kpiId,
  };
}

export async function insertBenefit(
  db: Db,
  organisationId: string,
  projectId: string,
  values: BenefitValues,
): Promise<Benefit> {
  const row = await db
    .insertInto('benefit')
    .values({ organisation_id: organisationId, project_id: projectId, ...benefitColumnsOf(values) })
    .returning(benefitColumns)
    .executeTakeFirstOrThrow();
  return toBenefit(row);
}

export async function findBenefit(db: Db, organisationId: string, id: string): Promise<Benefit | undefined> {
  const row = await db
    .selectFrom('benefit')
    .select(benefitColumns)
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row && toBenefit(row);
}

export async function updateBenefit(
  db: Db,
  organisationId: string,
  id: string,
  expectedVersion: number,
  values: BenefitValues,
): Promise<Benefit | undefined> {
  const row = await db
    .updateTable('benefit')
    .set({ ...benefitColumnsOf(values), version: sql<number>`version + 1`, updated_at: new Date() })
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .returning(benefitColumns)
    .executeTakeFirst();
  return row && toBenefit(row);
}

export async function deleteBenefit(db: Db, organisationId: string, id: string): Promise<void> {
  await db.deleteFrom('benefit').where('organisation_id', '=', organisationId).where('id', '=', id).execute();
}

/** A project's benefits, or every benefit of the organisation when `projectId` is null. */
export async function listBenefits(
  db: Db,
  organisationId: string,
  projectId: string | null,
): Promise<Benefit[]> {
  let query = db.selectFrom('benefit').select(benefitColumns).where('organisation_id', '=', organisationId);
  if (projectId !== null) query = query.where('project_id', '=', projectId);
  const rows = await query.orderBy('planned_on').orderBy('description').orderBy('id').execute();
  return rows.map(toBenefit);
}

export async function listBenefitsFeeding(db: Db, organisationId: string, kpiId: string): Promise<Benefit[]> {
  const rows = await db
    .selectFrom('benefit')
    .select(benefitColumns)
    .where('organisation_id', '=', organisationId)
    .where('kpi_id', '=', kpiId)
    .execute();
  return rows.map(toBenefit);
}

/** The ids of the KPIs the benefits of a project feed (before the project and its benefits are deleted). */
export async function listKpisFedByProject(
  db: Db,
  organisationId: string,
  projectId: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('benefit')
    .select('kpi_id')
    .distinct()
    .where('organisation_id', '=', organisationId)
    .where('project_id', '=', projectId)
    .where('kpi_id', 'is not', null)
    .execute();
  return rows.flatMap((r) => (r.kpi_id === null ? [] : [r.kpi_id]));
}

/** KPIs a benefit can feed: the organisation's KPIs that are not calculated by a formula. */
export async function listFeedableKpis(db: Db, organisationId: string): Promise<KpiRef[]> {
  return db
    .selectFrom('kpi')
    .select(['id', 'key', 'name', 'frequency', 'formula'])
    .where('organisation_id', '=', organisationId)
    .where('formula', 'is', null)
    .orderBy('name')
    .execute();
}

export interface KpiRef {
  id: string;
  key: string;
  name: string;
  frequency: Frequency;
  formula: string | null;
}

export async function findKpiRef(db: Db, organisationId: string, id: string): Promise<KpiRef | undefined> {
  return db
    .selectFrom('kpi')
    .select(['id', 'key', 'name', 'frequency', 'formula'])
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Locks the KPI's row until the transaction ends, so writes to its values take turns (as recording a value does). */
export async function lockKpi(db: Db, organisationId: string, id: string): Promise<void> {
  await db
    .selectFrom('kpi')
    .select('id')
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}
