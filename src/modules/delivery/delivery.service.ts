import { type Db, inTransaction } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import {
  type ChangeOptions as BaseChangeOptions,
  type Page,
  type Paging,
  paging,
} from '../../platform/paging.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import {
  type FieldError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '../../platform/errors.ts';
import { formatPeriod, type KpiStatus } from '../kpis/kpis.service.ts';
import { findObjectivesByIds, listStrategyTrees } from '../strategy/strategy.service.ts';
import {
  isMilestoneOverdue,
  type LateReport,
  lateReport,
  type Milestone,
  type MilestoneInput,
  milestoneProblems,
  type ObjectiveLink,
  parseMoney,
  type Phase,
  type PhaseStart,
  type Project,
  type ProjectInput,
  projectProblems,
  projectRag,
  projectRollupStatus,
  type ProjectType,
  RAG_LABELS,
  type Rag,
  type ReportFrequency,
  type StatusReport,
  type StatusReportInput,
  statusReportProblems,
} from './delivery.ts';
import { refeedKpis } from './benefits.service.ts';
import { type ImportRow, listedProblems, parseProjectRows } from './portfolio-file.ts';
import { readCsvRows, UnreadableFileError } from './portfolio-reader.ts';
import * as repo from './delivery.repository.ts';

export type {
  LateReport,
  Milestone,
  MilestoneInput,
  ObjectiveLink,
  Phase,
  PhaseStart,
  Project,
  ProjectInput,
  ProjectType,
  Rag,
  StatusReport,
  StatusReportInput,
};
export {
  BENEFIT_TYPE_LABELS,
  PHASE_LABELS,
  PHASES,
  PROJECT_TYPE_LABELS,
  PROJECT_TYPES,
  RAG_LABELS,
  RAG_TAG_CLASSES,
  RAGS,
  REPORT_FREQUENCIES,
  REPORT_FREQUENCY_LABELS,
  reportPeriodLabel,
} from './delivery.ts';

export interface ChangeOptions extends BaseChangeOptions {
  /** The day the change happens (a phase change records it); default: today (UTC). */
  today?: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function assertId(id: string): void {
  if (!UUID.test(id)) throw new NotFoundError();
}

function todayOf(today: string | undefined): string {
  return today ?? new Date().toISOString().slice(0, 10);
}

function paginate<T>(items: readonly T[], input: Paging = {}): Page<T> {
  const { page, pageSize, limit, offset } = paging(input);
  return { items: items.slice(offset, offset + limit), page, pageSize, total: items.length };
}

/** A project with what every page and the API show beside it. */
export interface ProjectView extends Project {
  objectives: ObjectiveLink[];
  /** The latest status report's overall RAG; null: no report yet. */
  rag: Rag | null;
  latestReport: StatusReport | null;
  /** The report that should exist by today and does not; null when reporting is up to date. */
  late: LateReport | null;
  overdueMilestones: number;
}

function projectRecord(p: Project, objectives: readonly ObjectiveLink[]) {
  return {
    title: p.title,
    description: p.description,
    ownerId: p.ownerId,
    type: p.type,
    programmeId: p.programmeId,
    phase: p.phase,
    plannedStart: p.plannedStart,
    plannedEnd: p.plannedEnd,
    budgetPlanned: p.budgetPlanned,
    budgetActual: p.budgetActual,
    deliveryApproach: p.deliveryApproach,
    reportFrequency: p.reportFrequency,
    objectives,
    version: p.version,
  };
}

interface Portfolio {
  projects: Project[];
  links: (ObjectiveLink & { projectId: string })[];
  latest: Map<string, StatusReport>;
  milestones: Milestone[];
}

async function readPortfolio(db: Db, organisationId: string): Promise<Portfolio> {
  const [projects, links, latest, milestones] = await Promise.all([
    repo.listProjects(db, organisationId),
    repo.listObjectiveLinks(db, organisationId),
    repo.listLatestReports(db, organisationId),
    repo.listMilestones(db, organisationId, null),
  ]);
  return { projects, links, latest: new Map(latest.map((r) => [r.projectId, r])), milestones };
}

function viewOf(project: Project, portfolio: Portfolio, today: string): ProjectView {
  const latestReport = portfolio.latest.get(project.id) ?? null;
  return {
    ...project,
    objectives: portfolio.links
      .filter((l) => l.projectId === project.id)
      .map((l) => ({ objectiveId: l.objectiveId, weight: l.weight })),
    rag: latestReport === null ? null : projectRag([latestReport]),
    latestReport,
    late: lateReport(
      { ...project, startedOn: project.createdAt.toISOString().slice(0, 10) },
      latestReport?.period ?? null,
      today,
    ),
    overdueMilestones: portfolio.milestones.filter(
      (m) => m.projectId === project.id && isMilestoneOverdue(m, today),
    ).length,
  };
}

export interface PortfolioFilters {
  goalId?: string | undefined;
  objectiveId?: string | undefined;
  phase?: Phase | undefined;
  /** A RAG, or 'none' for projects with no report yet. */
  rag?: Rag | 'none' | undefined;
  ownerId?: string | undefined;
  type?: ProjectType | undefined;
}

export interface StatusOptions {
  /** The day statuses are computed for (YYYY-MM-DD); default today (UTC). */
  today?: string | undefined;
}

/**
 * Every project of the organisation with its objectives, RAG, late report and overdue
 * milestones, filtered. The goal filter keeps projects linked to any objective of the goal.
 */
export async function listProjectViews(
  db: Db,
  actor: Actor,
  organisationId: string,
  filters: PortfolioFilters = {},
  options: StatusOptions = {},
): Promise<ProjectView[]> {
  assertAllowed(actor, 'projects.read', organisationId);
  const today = todayOf(options.today);
  const portfolio = await readPortfolio(db, organisationId);
  let goalObjectives: Set<string> | null = null;
  if (filters.goalId !== undefined) {
    const trees = await listStrategyTrees(db, actor, organisationId, {
      statuses: ['draft', 'published', 'archived'],
    });
    const goal = trees.flatMap((t) => t.goals).find((g) => g.id === filters.goalId);
    goalObjectives = new Set(goal?.objectives.map((o) => o.id) ?? []);
  }
  return portfolio.projects
    .map((p) => viewOf(p, portfolio, today))
    .filter((p) => {
      if (filters.phase !== undefined && p.phase !== filters.phase) return false;
      if (filters.type !== undefined && p.type !== filters.type) return false;
      if (filters.ownerId !== undefined && p.ownerId !== filters.ownerId) return false;
      if (filters.rag !== undefined && (p.rag ?? 'none') !== filters.rag) return false;
      if (
        filters.objectiveId !== undefined &&
        !p.objectives.some((o) => o.objectiveId === filters.objectiveId)
      )
        return false;
      if (goalObjectives !== null && !p.objectives.some((o) => goalObjectives.has(o.objectiveId)))
        return false;
      return true;
    });
}

export interface DeliverySnapshot {
  projects: ProjectView[];
  /** Milestones due before today and not completed, oldest first. */
  overdueMilestones: OverdueMilestone[];
}

/**
 * Every project with its status, and the overdue milestones, in four queries however many
 * projects there are: for pages that show delivery beside other things (the dashboard, the
 * golden thread), which pass it on instead of reading it again.
 */
export async function deliverySnapshot(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: StatusOptions = {},
): Promise<DeliverySnapshot> {
  assertAllowed(actor, 'projects.read', organisationId);
  const today = todayOf(options.today);
  const portfolio = await readPortfolio(db, organisationId);
  const projects = portfolio.projects.map((p) => viewOf(p, portfolio, today));
  const titles = new Map(projects.map((p) => [p.id, p.title]));
  const overdueMilestones = portfolio.milestones
    .filter((m) => isMilestoneOverdue(m, today))
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.id.localeCompare(b.id))
    .map((m) => ({ ...m, projectTitle: titles.get(m.projectId) ?? '' }));
  return { projects, overdueMilestones };
}

/** A project under an objective on the golden thread, with its roll-up status. */
export interface ProjectSummary {
  id: string;
  title: string;
  phase: Phase;
  rag: Rag | null;
  ownerName: string | null;
  late: boolean;
  /** The link's contribution weight. */
  weight: number;
  status: KpiStatus;
  statusReason: string;
}

function statusReasonOf(p: ProjectView): string {
  const frequency = p.reportFrequency;
  const latest =
    p.latestReport === null
      ? null
      : `${RAG_LABELS[p.latestReport.overall]} in the report for ${formatPeriod(p.latestReport.period, frequency)}`;
  if (p.late !== null)
    return `The report for ${formatPeriod(p.late.period, frequency)} is late${latest === null ? '' : `; last: ${latest.toLowerCase()}`}`;
  return latest ?? 'No status report yet';
}

/**
 * For the golden thread: each objective's projects with their roll-up statuses (by
 * projectRollupStatus) and link weights, by title. A caller that already holds the projects
 * (from deliverySnapshot) passes them, and nothing is read again.
 */
export async function projectStatusesForObjectives(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: StatusOptions & { projects?: readonly ProjectView[] | undefined } = {},
): Promise<Map<string, ProjectSummary[]>> {
  assertAllowed(actor, 'projects.read', organisationId);
  const projects = options.projects ?? (await listProjectViews(db, actor, organisationId, {}, options));
  const result = new Map<string, ProjectSummary[]>();
  for (const p of [...projects].sort((a, b) => a.title.localeCompare(b.title, 'en-GB'))) {
    for (const link of p.objectives) {
      const summary: ProjectSummary = {
        id: p.id,
        title: p.title,
        phase: p.phase,
        rag: p.rag,
        ownerName: p.ownerName,
        late: p.late !== null,
        weight: link.weight,
        status: projectRollupStatus(p.rag, p.late !== null),
        statusReason: statusReasonOf(p),
      };
      const list = result.get(link.objectiveId);
      if (list === undefined) result.set(link.objectiveId, [summary]);
      else list.push(summary);
    }
  }
  return result;
}

export async function listProjects(
  db: Db,
  actor: Actor,
  organisationId: string,
  filters: PortfolioFilters = {},
  paging: Paging = {},
  options: StatusOptions = {},
): Promise<Page<ProjectView>> {
  return paginate(await listProjectViews(db, actor, organisationId, filters, options), paging);
}

export async function getProject(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
  options: StatusOptions = {},
): Promise<ProjectView> {
  assertAllowed(actor, 'projects.read', organisationId);
  assertId(projectId);
  const project = await repo.findProject(db, organisationId, projectId);
  if (project === undefined) throw new NotFoundError();
  const [links, reports, milestones] = await Promise.all([
    repo.listObjectiveLinks(db, organisationId),
    repo.listReports(db, organisationId, projectId),
    repo.listMilestones(db, organisationId, projectId),
  ]);
  const latest = new Map(reports.slice(0, 1).map((r) => [r.projectId, r]));
  return viewOf(
    project,
    { projects: [project], links: links.filter((l) => l.projectId === projectId), latest, milestones },
    todayOf(options.today),
  );
}

/** The phases the project has been through, with the day each started, in order. */
export async function listPhaseHistory(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
): Promise<PhaseStart[]> {
  assertAllowed(actor, 'projects.read', organisationId);
  assertId(projectId);
  return repo.listPhaseStarts(db, organisationId, projectId);
}

/** Who can own a project, which objectives it can contribute to, and which programmes it can join. */
export async function projectFormOptions(
  db: Db,
  actor: Actor,
  organisationId: string,
): Promise<{
  owners: { id: string; name: string; email: string }[];
  objectives: { id: string; title: string; goalId: string; goalTitle: string }[];
  goals: { id: string; title: string }[];
  programmes: { id: string; title: string }[];
}> {
  assertAllowed(actor, 'projects.read', organisationId);
  const [owners, trees, projects] = await Promise.all([
    repo.listActiveMembers(db, organisationId),
    listStrategyTrees(db, actor, organisationId),
    repo.listProjects(db, organisationId),
  ]);
  const goals = trees.flatMap((t) => t.goals);
  return {
    owners,
    goals: goals.map((g) => ({ id: g.id, title: g.title })),
    objectives: goals.flatMap((g) =>
      g.objectives.map((o) => ({ id: o.id, title: o.title, goalId: g.id, goalTitle: g.title })),
    ),
    programmes: projects.filter((p) => p.type === 'programme').map((p) => ({ id: p.id, title: p.title })),
  };
}

function normalised(input: ProjectInput): repo.ProjectValues & { objectives: ObjectiveLink[] } {
  const optional = (value: string | null): string | null =>
    value === null || value.trim() === '' ? null : value.trim();
  return {
    title: input.title.trim(),
    description: input.description.trim(),
    ownerId: optional(input.ownerId),
    type: input.type as ProjectType,
    programmeId: optional(input.programmeId),
    phase: input.phase as Phase,
    plannedStart: optional(input.plannedStart),
    plannedEnd: optional(input.plannedEnd),
    budgetPlannedCapital: parseMoney(input.budgetPlanned.capital) ?? '0',
    budgetPlannedResource: parseMoney(input.budgetPlanned.resource) ?? '0',
    budgetActualCapital: parseMoney(input.budgetActual.capital) ?? '0',
    budgetActualResource: parseMoney(input.budgetActual.resource) ?? '0',
    deliveryApproach: input.deliveryApproach.trim(),
    reportFrequency: input.reportFrequency as ReportFrequency,
    objectives: input.objectives.map((o) => ({
      objectiveId: o.objectiveId,
      weight: Number(String(o.weight).trim()),
    })),
  };
}

/** Writes a new project with its first phase and objective links, and its audit event, in `trx`. */
async function insertProject(
  trx: Db,
  actor: Actor,
  organisationId: string,
  values: ReturnType<typeof normalised>,
  today: string,
  action: 'project.created' | 'project.imported',
): Promise<string> {
  const projectId = await repo.insertProject(trx, organisationId, values);
  await repo.recordPhaseStart(trx, organisationId, projectId, values.phase, today);
  await repo.replaceObjectiveLinks(trx, organisationId, projectId, values.objectives);
  const project = await repo.findProject(trx, organisationId, projectId);
  if (project === undefined) throw new NotFoundError();
  await recordAudit(trx, actor, { organisationId, action, entityType: 'project', entityId: projectId, after: projectRecord(project, values.objectives) });
  return projectId;
}

/** The problems that need the database: owner a member, programme and objectives of the organisation. */
async function referenceProblems(
  trx: Db,
  organisationId: string,
  values: ReturnType<typeof normalised>,
  current: Project | null,
): Promise<FieldError[]> {
  const problems: FieldError[] = [];
  const projectId = current?.id ?? null;
  // An owner who has since left stays, so saving other changes does not drop them.
  if (values.ownerId !== null && values.ownerId !== current?.ownerId) {
    const members = await repo.listActiveMembers(trx, organisationId);
    if (!members.some((m) => m.id === values.ownerId))
      problems.push({ field: 'ownerId', message: 'Choose an owner who is a member of this organisation' });
  }
  if (values.programmeId !== null) {
    const programme = UUID.test(values.programmeId)
      ? await repo.findProject(trx, organisationId, values.programmeId)
      : undefined;
    if (programme?.type !== 'programme' || programme.id === projectId) {
      problems.push({ field: 'programmeId', message: 'Choose a programme of this organisation' });
    }
  }
  if (
    values.type !== 'programme' &&
    projectId !== null &&
    (await repo.countProgrammeMembers(trx, organisationId, projectId)) > 0
  ) {
    problems.push({
      field: 'type',
      message: 'This programme groups projects. Move its projects out of it before changing its type',
    });
  }
  const ids = values.objectives.map((o) => o.objectiveId);
  if (ids.length > 0) {
    const found = new Set((await findObjectivesByIds(trx, organisationId, ids)).map((o) => o.id));
    const unknown = ids.filter((id) => !found.has(id));
    if (unknown.length > 0)
      problems.push({
        field: 'objectives',
        message: `There is no objective with the id ${unknown.join(', ')} in this organisation`,
      });
  }
  return problems;
}

export async function createProject(
  db: Db,
  actor: Actor,
  organisationId: string,
  input: ProjectInput,
  options: ChangeOptions = {},
): Promise<ProjectView> {
  assertAllowed(actor, 'projects.manage', organisationId);
  const problems = projectProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
  const values = normalised(input);
  const id = await inTransaction(db, async (trx) => {
    const more = await referenceProblems(trx, organisationId, values, null);
    if (more.length > 0) throw new ValidationError(more);
    return insertProject(trx, actor, organisationId, values, todayOf(options.today), 'project.created');
  });
  return getProject(db, actor, organisationId, id, options);
}

/**
 * Changes a project's values and objective links in one change. Moving to another phase records
 * the day the new phase started.
 */
export async function updateProject(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
  input: ProjectInput,
  options: ChangeOptions = {},
): Promise<ProjectView> {
  assertAllowed(actor, 'projects.manage', organisationId);
  assertId(projectId);
  const problems = projectProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
  const values = normalised(input);
  await inTransaction(db, async (trx) => {
    const current = await repo.findProject(trx, organisationId, projectId, { forUpdate: true });
    if (current === undefined) throw new NotFoundError();
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version)
      throw new PreconditionFailedError();
    const more = await referenceProblems(trx, organisationId, values, current);
    if (more.length > 0) throw new ValidationError(more);
    const before = projectRecord(
      current,
      (await repo.listObjectiveLinks(trx, organisationId))
        .filter((l) => l.projectId === projectId)
        .map((l) => ({ objectiveId: l.objectiveId, weight: l.weight })),
    );
    if (!(await repo.updateProject(trx, organisationId, projectId, current.version, values)))
      throw new PreconditionFailedError();
    if (values.phase !== current.phase)
      await repo.recordPhaseStart(trx, organisationId, projectId, values.phase, todayOf(options.today));
    await repo.replaceObjectiveLinks(trx, organisationId, projectId, values.objectives);
    const updated = await repo.findProject(trx, organisationId, projectId);
    if (updated === undefined) throw new NotFoundError();
    await recordAudit(trx, actor, {
      organisationId,
      action: 'project.updated',
      entityType: 'project',
      entityId: projectId,
      before,
      after: projectRecord(updated, values.objectives),
    });
  });
  return getProject(db, actor, organisationId, projectId, options);
}

/** Deletes a project with its milestones, reports and benefits; a programme's projects stay, outside any programme. */
export async function deleteProject(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
  options: ChangeOptions = {},
): Promise<void> {
  assertAllowed(actor, 'projects.manage', organisationId);
  assertId(projectId);
  await inTransaction(db, async (trx) => {
    const current = await repo.findProject(trx, organisationId, projectId, { forUpdate: true });
    if (current === undefined) throw new NotFoundError();
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version)
      throw new PreconditionFailedError();
    const fedKpis = await repo.listKpisFedByProject(trx, organisationId, projectId);
    await repo.deleteProject(trx, organisationId, projectId);
    // Its benefits went with it: the KPIs they fed lose those savings.
    const fed = await refeedKpis(trx, organisationId, fedKpis);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'project.deleted',
      entityType: 'project',
      entityId: projectId,
      before: projectRecord(current, []),
      after: fed.length > 0 ? { fed } : null,
    });
  });
}

/**
 * Imports a project list (CSV bytes), all or nothing: every row is checked by the form's rules,
 * owners are found by email among the organisation's members and objectives by title; any
 * problem anywhere is listed with its line and nothing is written. Otherwise every project is
 * created in one transaction, each with its audit event. Returns the projects created.
 */
export async function importProjects(
  db: Db,
  actor: Actor,
  organisationId: string,
  bytes: Uint8Array,
  options: ChangeOptions = {},
): Promise<string[]> {
  assertAllowed(actor, 'projects.manage', organisationId);
  let rows: ImportRow[];
  try {
    rows = await readCsvRows(bytes);
  } catch (error) {
    if (error instanceof UnreadableFileError) throw ValidationError.of('file', error.message);
    throw error;
  }
  const parsed = parseProjectRows(rows);
  if (!parsed.ok)
    throw new ValidationError(listedProblems(parsed.problems).map((message) => ({ field: 'file', message })));
  const [members, trees] = await Promise.all([
    repo.listActiveMembers(db, organisationId),
    listStrategyTrees(db, actor, organisationId),
  ]);
  const memberByEmail = new Map(members.map((m) => [m.email.toLowerCase(), m.id]));
  const objectivesByTitle = new Map<string, string[]>();
  for (const o of trees.flatMap((t) => t.goals.flatMap((g) => g.objectives))) {
    const key = o.title.trim().toLowerCase();
    objectivesByTitle.set(key, [...(objectivesByTitle.get(key) ?? []), o.id]);
  }
  const problems: string[] = [];
  const inputs = parsed.projects.map((p) => {
    let ownerId: string | null = null;
    if (p.ownerEmail !== '') {
      ownerId = memberByEmail.get(p.ownerEmail) ?? null;
      if (ownerId === null)
        problems.push(`Line ${p.line}: owner_email: ${p.ownerEmail} is not a member of this organisation`);
    }
    const objectives: { objectiveId: string; weight: number }[] = [];
    for (const title of p.objectiveTitles) {
      const ids = objectivesByTitle.get(title.toLowerCase()) ?? [];
      if (ids.length === 1 && ids[0] !== undefined) objectives.push({ objectiveId: ids[0], weight: 1 });
      else if (ids.length === 0)
        problems.push(`Line ${p.line}: objectives: there is no objective called “${title}”`);
      else
        problems.push(
          `Line ${p.line}: objectives: more than one objective is called “${title}”; link this project on its page instead`,
        );
    }
    return normalised({ ...p.input, ownerId, objectives });
  });
  if (problems.length > 0)
    throw new ValidationError(listedProblems(problems).map((message) => ({ field: 'file', message })));
  return inTransaction(db, async (trx) => {
    const ids: string[] = [];
    for (const values of inputs) {
      ids.push(await insertProject(trx, actor, organisationId, values, todayOf(options.today), 'project.imported'));
    }
    return ids;
  });
}

// Milestones

export async function listMilestones(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
): Promise<Milestone[]> {
  assertAllowed(actor, 'projects.read', organisationId);
  assertId(projectId);
  if ((await repo.findProject(db, organisationId, projectId)) === undefined) throw new NotFoundError();
  return repo.listMilestones(db, organisationId, projectId);
}

export interface OverdueMilestone extends Milestone {
  projectTitle: string;
}

/** Milestones due before today and not completed, across the organisation, oldest first. */
export async function listOverdueMilestones(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: StatusOptions = {},
): Promise<OverdueMilestone[]> {
  assertAllowed(actor, 'projects.read', organisationId);
  const [milestones, projects] = await Promise.all([
    repo.listOverdueMilestones(db, organisationId, todayOf(options.today)),
    repo.listProjects(db, organisationId),
  ]);
  const titles = new Map(projects.map((p) => [p.id, p.title]));
  return milestones.map((m) => ({ ...m, projectTitle: titles.get(m.projectId) ?? '' }));
}

export async function getMilestone(
  db: Db,
  actor: Actor,
  organisationId: string,
  milestoneId: string,
): Promise<Milestone> {
  assertAllowed(actor, 'projects.read', organisationId);
  assertId(milestoneId);
  const milestone = await repo.findMilestone(db, organisationId, milestoneId);
  if (milestone === undefined) throw new NotFoundError();
  return milestone;
}

function milestoneValues(input: MilestoneInput): {
  title: string;
  dueOn: string;
  completedOn: string | null;
} {
  const completed = (input.completedOn ?? '').trim();
  return {
    title: input.title.trim(),
    dueOn: input.dueOn.trim(),
    completedOn: completed === '' ? null : completed,
  };
}

export async function createMilestone(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
  input: MilestoneInput,
): Promise<Milestone> {
  assertAllowed(actor, 'projects.manage', organisationId);
  assertId(projectId);
  const problems = milestoneProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
  return inTransaction(db, async (trx) => {
    if ((await repo.findProject(trx, organisationId, projectId)) === undefined) throw new NotFoundError();
    const milestone = await repo.insertMilestone(trx, organisationId, projectId, milestoneValues(input));
    await recordAudit(trx, actor, {
      organisationId,
      action: 'milestone.created',
      entityType: 'milestone',
      entityId: milestone.id,
      after: {
        projectId,
        title: milestone.title,
        dueOn: milestone.dueOn,
        completedOn: milestone.completedOn,
      },
    });
    return milestone;
  });
}

export async function updateMilestone(
  db: Db,
  actor: Actor,
  organisationId: string,
  milestoneId: string,
  input: MilestoneInput,
  options: ChangeOptions = {},
): Promise<Milestone> {
  assertAllowed(actor, 'projects.manage', organisationId);
  assertId(milestoneId);
  const problems = milestoneProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
  return inTransaction(db, async (trx) => {
    const current = await repo.findMilestone(trx, organisationId, milestoneId);
    if (current === undefined) throw new NotFoundError();
    const version = options.expectedVersion ?? current.version;
    const milestone = await repo.updateMilestone(
      trx,
      organisationId,
      milestoneId,
      version,
      milestoneValues(input),
    );
    if (milestone === undefined) throw new PreconditionFailedError();
    await recordAudit(trx, actor, {
      organisationId,
      action: 'milestone.updated',
      entityType: 'milestone',
      entityId: milestoneId,
      before: { title: current.title, dueOn: current.dueOn, completedOn: current.completedOn },
      after: { title: milestone.title, dueOn: milestone.dueOn, completedOn: milestone.completedOn },
    });
    return milestone;
  });
}

export async function deleteMilestone(
  db: Db,
  actor: Actor,
  organisationId: string,
  milestoneId: string,
  options: ChangeOptions = {},
): Promise<void> {
  assertAllowed(actor, 'projects.manage', organisationId);
  assertId(milestoneId);
  await inTransaction(db, async (trx) => {
    const current = await repo.findMilestone(trx, organisationId, milestoneId);
    if (current === undefined) throw new NotFoundError();
    if (options.expectedVersion !== undefined && options.expectedVersion !== current.version)
      throw new PreconditionFailedError();
    await repo.deleteMilestone(trx, organisationId, milestoneId);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'milestone.deleted',
      entityType: 'milestone',
      entityId: milestoneId,
      before: {
        projectId: current.projectId,
        title: current.title,
        dueOn: current.dueOn,
        completedOn: current.completedOn,
      },
    });
  });
}

// Status reports

/** A project's status reports, newest period first: its RAG history. */
export async function listStatusReports(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
): Promise<StatusReport[]> {
  assertAllowed(actor, 'projects.read', organisationId);
  assertId(projectId);
  if ((await repo.findProject(db, organisationId, projectId)) === undefined) throw new NotFoundError();
  return repo.listReports(db, organisationId, projectId);
}

export async function getStatusReport(
  db: Db,
  actor: Actor,
  organisationId: string,
  reportId: string,
): Promise<StatusReport> {
  assertAllowed(actor, 'projects.read', organisationId);
  assertId(reportId);
  const report = await repo.findReport(db, organisationId, reportId);
  if (report === undefined) throw new NotFoundError();
  return report;
}

function reportValues(input: StatusReportInput, submittedBy: string | null): repo.ReportValues {
  return {
    period: input.period.trim(),
    overall: input.overall as Rag,
    schedule: input.schedule as Rag,
    budget: input.budget as Rag,
    scope: input.scope as Rag,
    reason: input.reason.trim(),
    achievements: input.achievements.trim(),
    nextSteps: input.nextSteps.trim(),
    issues: input.issues.trim(),
    decisionsNeeded: input.decisionsNeeded.trim(),
    submittedBy,
  };
}

/** What the audit trail keeps of a report: its content (the event names who submitted it). */
function reportRecord(v: repo.ReportValues) {
  return {
    period: v.period,
    overall: v.overall,
    schedule: v.schedule,
    budget: v.budget,
    scope: v.scope,
    reason: v.reason,
    achievements: v.achievements,
    nextSteps: v.nextSteps,
    issues: v.issues,
    decisionsNeeded: v.decisionsNeeded,
  };
}

function submitterOf(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}

/**
 * Submits a project's status report for a period. A period already reported is refused with
 * a message (change that report instead), so nobody overwrites a report by accident.
 */
export async function submitStatusReport(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
  input: StatusReportInput,
  options: StatusOptions = {},
): Promise<StatusReport> {
  assertAllowed(actor, 'status_reports.submit', organisationId);
  assertId(projectId);
  const problems = statusReportProblems(input, todayOf(options.today));
  if (problems.length > 0) throw new ValidationError(problems);
  const values = reportValues(input, submitterOf(actor));
  const id = await inTransaction(db, async (trx) => {
    if ((await repo.findProject(trx, organisationId, projectId)) === undefined) throw new NotFoundError();
    const reportId = await repo.insertReport(trx, organisationId, projectId, values);
    if (reportId === undefined)
      throw ValidationError.of(
        'period',
        'This project already has a report for that month. Change that report instead',
      );
    await recordAudit(trx, actor, {
      organisationId,
      action: 'status_report.submitted',
      entityType: 'status_report',
      entityId: reportId,
      after: { projectId, ...reportRecord(values) },
    });
    return reportId;
  });
  return getStatusReport(db, actor, organisationId, id);
}

// For other modules (governance's board pack and agendas, the golden thread, the dashboard)

export interface LatestReportSummary {
  project: { id: string; title: string; ownerName: string | null; phase: Phase; type: ProjectType };
  report: StatusReport;
}

/** Each project's latest status report, red first then amber then green, by project title. */
export async function listLatestStatusReports(
  db: Db,
  actor: Actor,
  organisationId: string,
): Promise<LatestReportSummary[]> {
  assertAllowed(actor, 'projects.read', organisationId);
  const [projects, latest] = await Promise.all([
    repo.listProjects(db, organisationId),
    repo.listLatestReports(db, organisationId),
  ]);
  const byId = new Map(projects.map((p) => [p.id, p]));
  const order: Record<Rag, number> = { red: 0, amber: 1, green: 2 };
  return latest
    .flatMap((report) => {
      const p = byId.get(report.projectId);
      return p === undefined
        ? []
        : [
            {
              project: { id: p.id, title: p.title, ownerName: p.ownerName, phase: p.phase, type: p.type },
              report,
            },
          ];
    })
    .sort(
      (a, b) =>
        order[a.report.overall] - order[b.report.overall] ||
        a.project.title.localeCompare(b.project.title, 'en-GB'),
    );
}

/** The decisions each project's latest status report asks for (empty ones left out). */
export async function listDecisionsNeeded(
  db: Db,
  actor: Actor,
  organisationId: string,
): Promise<LatestReportSummary[]> {
  return (await listLatestStatusReports(db, actor, organisationId)).filter(
    (s) => s.report.decisionsNeeded.trim() !== '',
  );
}
