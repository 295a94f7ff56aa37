import type { FastifyInstance, FastifyRequest } from 'fastify';
import { roleAtLeast } from '../../platform/access/roles.ts';
import { PreconditionFailedError, ValidationError } from '../../platform/errors.ts';
import { redirectWithFlash, requireOrg, webActor } from '../../platform/http/context.ts';
import { field, formFields, withFormErrors } from '../../platform/http/forms.ts';
import type { PageData } from '../../platform/http/render.ts';
import { dateFromParts, dateParts } from '../../platform/validation.ts';
import { formatPeriod } from '../kpis/kpis.service.ts';
import { listRisksForProject, riskListItem } from '../risk/risk.service.ts';
import { defaultReportPeriod, isMilestoneOverdue, monthFromText } from './delivery.ts';
import {
  createMilestone,
  createProject,
  deleteProject,
  getMilestone,
  getProject,
  listMilestones,
  listPhaseHistory,
  listProjectViews,
  listStatusReports,
  type Milestone,
  type MilestoneInput,
  PHASE_LABELS,
  PHASES,
  type PortfolioFilters,
  PROJECT_TYPE_LABELS,
  PROJECT_TYPES,
  projectFormOptions,
  type ProjectInput,
  type ProjectView,
  RAG_LABELS,
  RAG_TAG_CLASSES,
  RAGS,
  REPORT_FREQUENCIES,
  REPORT_FREQUENCY_LABELS,
  submitStatusReport,
  updateMilestone,
  updateProject,
} from './delivery.service.ts';
import {
  type Benefit,
  type BenefitInput,
  createBenefit,
  feedableKpis,
  getBenefit,
  listBenefits,
  updateBenefit,
} from './benefits.service.ts';
import { BENEFIT_TYPE_LABELS, BENEFIT_TYPES } from './delivery.ts';
import { portfolioOverview } from './portfolio.service.ts';

function param(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string | undefined>)[name] ?? '';
}

function query(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function dateField(fields: Record<string, string>, name: string): string {
  return dateFromParts({
    day: field(fields, `${name}-day`),
    month: field(fields, `${name}-month`),
    year: field(fields, `${name}-year`),
  });
}

function datePartsOf(
  fields: Record<string, string>,
  name: string,
  fallback: string | null | undefined,
): { day: string; month: string; year: string } {
  if (fields[`${name}-year`] === undefined) return dateParts(fallback);
  return {
    day: field(fields, `${name}-day`),
    month: field(fields, `${name}-month`),
    year: field(fields, `${name}-year`),
  };
}

/** Checkbox values (a repeated field arrives as an array, a single one as a string). */
function listField(request: FastifyRequest, name: string): string[] {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

function expectedVersionField(fields: Record<string, string>): number | undefined {
  const value = field(fields, 'version');
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** The portfolio filters from the query string; anything not on the lists is ignored. */
export function filtersOf(request: FastifyRequest): PortfolioFilters {
  const pick = <T extends string>(value: string, allowed: readonly T[]): T | undefined =>
    (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
  const id = (value: string): string | undefined => (/^[0-9a-f-]{36}$/i.test(value) ? value : undefined);
  return {
    goalId: id(query(request, 'goal')),
    objectiveId: id(query(request, 'objective')),
    phase: pick(query(request, 'phase'), PHASES),
    rag: pick(query(request, 'rag'), [...RAGS, 'none'] as const),
    ownerId: id(query(request, 'owner')),
    type: pick(query(request, 'type'), PROJECT_TYPES),
  };
}

/** The filters as a query string ('' when none), so downloads match what the page shows. */
function queryString(filters: PortfolioFilters): string {
  const names: Record<keyof PortfolioFilters, string> = {
    goalId: 'goal',
    objectiveId: 'objective',
    phase: 'phase',
    rag: 'rag',
    ownerId: 'owner',
    type: 'type',
  };
  const params = new URLSearchParams();
  for (const [key, name] of Object.entries(names) as [keyof PortfolioFilters, string][]) {
    const value = filters[key];
    if (value !== undefined) params.set(name, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

const labels = {
  phase: PHASE_LABELS,
  type: PROJECT_TYPE_LABELS,
  rag: RAG_LABELS,
  ragClasses: RAG_TAG_CLASSES,
  frequency: REPORT_FREQUENCY_LABELS,
};

/**
 * The portfolio pages: the portfolio with its filters, timeline, overdue milestones, late
 * reports, unaligned projects and unsupported objectives; a project with its milestones and
 * RAG history; forms to create and change projects and milestones (managers) and to submit
 * status reports (contributors and up). Everyone in the organisation reads.
 */
export async function deliveryWebRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;
  const read = { schema: { hide: true } };
  const manage = { config: { role: 'manager' as const }, schema: { hide: true } };
  const contribute = { config: { role: 'contributor' as const }, schema: { hide: true } };
  const base = (request: FastifyRequest): string => `/o/${requireOrg(request).organisation.slug}`;
  const roleOf = (request: FastifyRequest) => requireOrg(request).role;

  // The portfolio

  app.get('/o/:org/projects', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const filters = filtersOf(request);
    const [overview, options, projects] = await Promise.all([
      portfolioOverview(db, actor, organisation.id),
      projectFormOptions(db, actor, organisation.id),
      listProjectViews(db, actor, organisation.id, filters),
    ]);
    const selected = (value: string | undefined, id: string): boolean => value === id;
    return reply.page('delivery/views/portfolio.njk', {
      pageTitle: 'Portfolio',
      organisation,
      projects,
      overview,
      filtered: Object.values(filters).some((v) => v !== undefined),
      query: queryString(filters),
      filterItems: {
        goal: [
          { value: '', text: 'Any goal' },
          ...options.goals.map((g) => ({
            value: g.id,
            text: g.title,
            selected: selected(filters.goalId, g.id),
          })),
        ],
        objective: [
          { value: '', text: 'Any objective' },
          ...options.objectives.map((o) => ({
            value: o.id,
            text: o.title,
            selected: selected(filters.objectiveId, o.id),
          })),
        ],
        phase: [
          { value: '', text: 'Any phase' },
          ...PHASES.map((p) => ({ value: p, text: PHASE_LABELS[p], selected: filters.phase === p })),
        ],
        rag: [
          { value: '', text: 'Any RAG' },
          ...RAGS.map((r) => ({ value: r, text: RAG_LABELS[r], selected: filters.rag === r })),
          { value: 'none', text: 'No report yet', selected: filters.rag === 'none' },
        ],
        owner: [
          { value: '', text: 'Anyone' },
          ...options.owners.map((o) => ({
            value: o.id,
            text: o.name,
            selected: selected(filters.ownerId, o.id),
          })),
        ],
      },
      labels,
      canManage: roleAtLeast(roleOf(request), 'manager'),
    });
  });

  // Creating and changing a project

  const projectForm = 'delivery/views/project-form.njk';

  async function projectFormData(
    request: FastifyRequest,
    fields: Record<string, string>,
    chosen: string[] | null,
    project?: ProjectView,
  ): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const options = await projectFormOptions(db, webActor(request), organisation.id);
    const ownerId = fields.ownerId ?? project?.ownerId ?? '';
    const ownerItems = [
      { value: '', text: 'No owner yet', selected: ownerId === '' },
      ...options.owners.map((o) => ({
        value: o.id,
        text: `${o.name} (${o.email})`,
        selected: o.id === ownerId,
      })),
    ];
    if (project?.ownerId && !options.owners.some((o) => o.id === project.ownerId)) {
      ownerItems.push({
        value: project.ownerId,
        text: `${project.ownerName ?? 'Former member'} (no longer a member)`,
        selected: ownerId === project.ownerId,
      });
    }
    const programmeId = fields.programmeId ?? project?.programmeId ?? '';
    const programmeItems = [
      { value: '', text: 'Not part of a programme', selected: programmeId === '' },
      ...options.programmes
        .filter((p) => p.id !== project?.id)
        .map((p) => ({ value: p.id, text: p.title, selected: p.id === programmeId })),
    ];
    const linked = new Map((project?.objectives ?? []).map((o) => [o.objectiveId, String(o.weight)]));
    const chosenIds = new Set(chosen ?? [...linked.keys()]);
    const objectiveGroups = options.goals.map((goal) => ({
      goal,
      objectives: options.objectives
        .filter((o) => o.goalId === goal.id)
        .map((o) => ({
          ...o,
          checked: chosenIds.has(o.id),
          weight: fields[`weight-${o.id}`] ?? linked.get(o.id) ?? '1',
        })),
    }));
    return {
      pageTitle: project === undefined ? 'Add a project' : `Change ${project.title}`,
      organisation,
      project,
      ownerItems,
      programmeItems,
      objectiveGroups,
      labels,
      phases: PHASES,
      types: PROJECT_TYPES,
      frequencies: REPORT_FREQUENCIES,
      values: {
        title: fields.title ?? project?.title ?? '',
        description: fields.description ?? project?.description ?? '',
        type: fields.type ?? project?.type ?? 'project',
        phase: fields.phase ?? project?.phase ?? 'discovery',
        plannedStart: datePartsOf(fields, 'plannedStart', project?.plannedStart),
        plannedEnd: datePartsOf(fields, 'plannedEnd', project?.plannedEnd),
        budgetPlannedCapital: fields.budgetPlannedCapital ?? project?.budgetPlanned.capital ?? '',
        budgetPlannedResource: fields.budgetPlannedResource ?? project?.budgetPlanned.resource ?? '',
        budgetActualCapital: fields.budgetActualCapital ?? project?.budgetActual.capital ?? '',
        budgetActualResource: fields.budgetActualResource ?? project?.budgetActual.resource ?? '',
        deliveryApproach: fields.deliveryApproach ?? project?.deliveryApproach ?? '',
        reportFrequency: fields.reportFrequency ?? project?.reportFrequency ?? 'monthly',
        version: fields.version ?? String(project?.version ?? ''),
      },
    };
  }

  function projectInput(request: FastifyRequest, fields: Record<string, string>): ProjectInput {
    return {
      title: field(fields, 'title'),
      description: field(fields, 'description'),
      ownerId: field(fields, 'ownerId'),
      type: field(fields, 'type'),
      programmeId: field(fields, 'programmeId'),
      phase: field(fields, 'phase'),
      plannedStart: dateField(fields, 'plannedStart'),
      plannedEnd: dateField(fields, 'plannedEnd'),
      budgetPlanned: {
        capital: field(fields, 'budgetPlannedCapital'),
        resource: field(fields, 'budgetPlannedResource'),
      },
      budgetActual: {
        capital: field(fields, 'budgetActualCapital'),
        resource: field(fields, 'budgetActualResource'),
      },
      deliveryApproach: field(fields, 'deliveryApproach'),
      reportFrequency: field(fields, 'reportFrequency'),
      objectives: listField(request, 'objectives').map((objectiveId) => ({
        objectiveId,
        weight: field(fields, `weight-${objectiveId}`),
      })),
    };
  }

  app.get('/o/:org/projects/new', manage, async (request, reply) =>
    reply.page(projectForm, await projectFormData(request, {}, null)),
  );

  app.post('/o/:org/projects', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const fields = formFields(request);
    const chosen = listField(request, 'objectives');
    return withFormErrors(reply, projectForm, await projectFormData(request, fields, chosen), async () => {
      const project = await createProject(
        db,
        webActor(request),
        organisation.id,
        projectInput(request, fields),
      );
      return redirectWithFlash(
        reply,
        `${base(request)}/projects/${project.id}`,
        `“${project.title}” added to the portfolio`,
      );
    });
  });

  app.get('/o/:org/projects/:projectId/edit', manage, async (request, reply) => {
    const project = await getProject(
      db,
      webActor(request),
      requireOrg(request).organisation.id,
      param(request, 'projectId'),
    );
    return reply.page(projectForm, await projectFormData(request, {}, null, project));
  });

  app.post('/o/:org/projects/:projectId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const project = await getProject(db, actor, organisation.id, param(request, 'projectId'));
    const fields = formFields(request);
    const data = await projectFormData(request, fields, listField(request, 'objectives'), project);
    return withFormErrors(reply, projectForm, data, async () => {
      try {
        await updateProject(db, actor, organisation.id, project.id, projectInput(request, fields), {
          expectedVersion: expectedVersionField(fields),
        });
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        (data.values as { version: string }).version = String(
          (await getProject(db, actor, organisation.id, project.id)).version,
        );
        throw ValidationError.of(
          'title',
          'Someone else changed this project while you were editing. Check your answers, then save again',
        );
      }
      return redirectWithFlash(reply, `${base(request)}/projects/${project.id}`, 'Project saved');
    });
  });

  const deletePage = 'delivery/views/delete.njk';

  app.get('/o/:org/projects/:projectId/delete', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const project = await getProject(db, webActor(request), organisation.id, param(request, 'projectId'));
    return reply.page(deletePage, { pageTitle: `Delete ${project.title}`, organisation, project });
  });

  app.post('/o/:org/projects/:projectId/delete', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const project = await getProject(db, actor, organisation.id, param(request, 'projectId'));
    const answer = field(formFields(request), 'confirm');
    return withFormErrors(
      reply,
      deletePage,
      { pageTitle: `Delete ${project.title}`, organisation, project },
      async () => {
        if (answer === 'no') return reply.redirect(`${base(request)}/projects/${project.id}`, 303);
        if (answer !== 'yes')
          throw ValidationError.of('confirm', 'Select yes if you want to delete this project');
        await deleteProject(db, actor, organisation.id, project.id);
        return redirectWithFlash(reply, `${base(request)}/projects`, `“${project.title}” deleted`);
      },
    );
  });

  // One project

  app.get('/o/:org/projects/:projectId', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const project = await getProject(db, actor, organisation.id, param(request, 'projectId'));
    const now = today();
    const [options, milestones, reports, phases, benefits, kpis, risks] = await Promise.all([
      projectFormOptions(db, actor, organisation.id),
      listMilestones(db, actor, organisation.id, project.id),
      listStatusReports(db, actor, organisation.id, project.id),
      listPhaseHistory(db, actor, organisation.id, project.id),
      listBenefits(db, actor, organisation.id, project.id),
      feedableKpis(db, actor, organisation.id),
      listRisksForProject(db, actor, organisation.id, project.id, { today: now }),
    ]);
    const kpiById = new Map(kpis.map((k) => [k.id, k]));
    const objectiveTitles = new Map(options.objectives.map((o) => [o.id, o]));
    return reply.page('delivery/views/project.njk', {
      pageTitle: project.title,
      organisation,
      project,
      programme: options.programmes.find((p) => p.id === project.programmeId) ?? null,
      members: (await listProjectViews(db, actor, organisation.id)).filter(
        (p) => p.programmeId === project.id,
      ),
      objectives: project.objectives.map((link) => ({
        ...link,
        objective: objectiveTitles.get(link.objectiveId),
      })),
      milestones: milestones.map((m) => ({ ...m, overdue: isMilestoneOverdue(m, now) })),
      reports: reports.map((r) => ({ ...r, periodLabel: formatPeriod(r.period, project.reportFrequency) })),
      phases,
      benefits: benefits.map((b) => ({
        ...b,
        typeLabel: BENEFIT_TYPE_LABELS[b.type],
        kpi: b.kpiId === null ? null : (kpiById.get(b.kpiId) ?? null),
      })),
      risks: risks.filter((r) => r.status === 'open').map((r) => riskListItem(r, organisation.slug)),
      latePeriodLabel:
        project.late === null ? null : formatPeriod(project.late.period, project.reportFrequency),
      labels,
      canManage: roleAtLeast(roleOf(request), 'manager'),
      canReport: roleAtLeast(roleOf(request), 'contributor'),
    });
  });

  // Milestones

  const milestoneForm = 'delivery/views/milestone-form.njk';

  function milestoneFormData(
    request: FastifyRequest,
    project: ProjectView,
    fields: Record<string, string>,
    milestone?: Milestone,
  ): PageData {
    const { organisation } = requireOrg(request);
    return {
      pageTitle:
        milestone === undefined ? `Add a milestone to ${project.title}` : `Change ${milestone.title}`,
      organisation,
      project,
      milestone,
      values: {
        title: fields.title ?? milestone?.title ?? '',
        dueOn: datePartsOf(fields, 'dueOn', milestone?.dueOn),
        completedOn: datePartsOf(fields, 'completedOn', milestone?.completedOn),
        version: fields.version ?? String(milestone?.version ?? ''),
      },
    };
  }

  function milestoneInput(fields: Record<string, string>): MilestoneInput {
    return {
      title: field(fields, 'title'),
      dueOn: dateField(fields, 'dueOn'),
      completedOn: dateField(fields, 'completedOn'),
    };
  }

  app.get('/o/:org/projects/:projectId/milestones/new', manage, async (request, reply) => {
    const project = await getProject(
      db,
      webActor(request),
      requireOrg(request).organisation.id,
      param(request, 'projectId'),
    );
    return reply.page(milestoneForm, milestoneFormData(request, project, {}));
  });

  app.post('/o/:org/projects/:projectId/milestones', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const project = await getProject(db, actor, organisation.id, param(request, 'projectId'));
    const fields = formFields(request);
    return withFormErrors(reply, milestoneForm, milestoneFormData(request, project, fields), async () => {
      const milestone = await createMilestone(db, actor, organisation.id, project.id, milestoneInput(fields));
      return redirectWithFlash(
        reply,
        `${base(request)}/projects/${project.id}#milestones`,
        `Milestone “${milestone.title}” added`,
      );
    });
  });

  app.get('/o/:org/milestones/:milestoneId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const milestone = await getMilestone(db, actor, organisation.id, param(request, 'milestoneId'));
    const project = await getProject(db, actor, organisation.id, milestone.projectId);
    return reply.page(milestoneForm, milestoneFormData(request, project, {}, milestone));
  });

  app.post('/o/:org/milestones/:milestoneId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const milestone = await getMilestone(db, actor, organisation.id, param(request, 'milestoneId'));
    const project = await getProject(db, actor, organisation.id, milestone.projectId);
    const fields = formFields(request);
    const data = milestoneFormData(request, project, fields, milestone);
    return withFormErrors(reply, milestoneForm, data, async () => {
      try {
        await updateMilestone(db, actor, organisation.id, milestone.id, milestoneInput(fields), {
          expectedVersion: expectedVersionField(fields),
        });
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        (data.values as { version: string }).version = String(
          (await getMilestone(db, actor, organisation.id, milestone.id)).version,
        );
        throw ValidationError.of(
          'title',
          'Someone else changed this milestone while you were editing. Check your answers, then save again',
        );
      }
      return redirectWithFlash(
        reply,
        `${base(request)}/projects/${project.id}#milestones`,
        'Milestone saved',
      );
    });
  });

  // Status reports

  const reportForm = 'delivery/views/report-form.njk';

  function reportFormData(
    request: FastifyRequest,
    project: ProjectView,
    fields: Record<string, string>,
  ): PageData {
    const { organisation } = requireOrg(request);
    const suggested = project.late?.period ?? defaultReportPeriod(today(), project.reportFrequency);
    const ragItems = (name: string) =>
      RAGS.map((r) => ({ value: r, text: RAG_LABELS[r], checked: fields[name] === r }));
    return {
      pageTitle: `Status report for ${project.title}`,
      organisation,
      project,
      ragItems: {
        overall: ragItems('overall'),
        schedule: ragItems('schedule'),
        budget: ragItems('budget'),
        scope: ragItems('scope'),
      },
      values: {
        period: fields.period ?? suggested.slice(0, 7),
        reason: fields.reason ?? '',
        achievements: fields.achievements ?? '',
        nextSteps: fields.nextSteps ?? '',
        issues: fields.issues ?? '',
        decisionsNeeded: fields.decisionsNeeded ?? '',
      },
    };
  }

  app.get('/o/:org/projects/:projectId/reports/new', contribute, async (request, reply) => {
    const project = await getProject(
      db,
      webActor(request),
      requireOrg(request).organisation.id,
      param(request, 'projectId'),
    );
    return reply.page(reportForm, reportFormData(request, project, {}));
  });

  app.post('/o/:org/projects/:projectId/reports', contribute, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const project = await getProject(db, actor, organisation.id, param(request, 'projectId'));
    const fields = formFields(request);
    return withFormErrors(reply, reportForm, reportFormData(request, project, fields), async () => {
      const report = await submitStatusReport(db, actor, organisation.id, project.id, {
        period: monthFromText(field(fields, 'period')),
        overall: field(fields, 'overall'),
        schedule: field(fields, 'schedule'),
        budget: field(fields, 'budget'),
        scope: field(fields, 'scope'),
        reason: field(fields, 'reason'),
        achievements: field(fields, 'achievements'),
        nextSteps: field(fields, 'nextSteps'),
        issues: field(fields, 'issues'),
        decisionsNeeded: field(fields, 'decisionsNeeded'),
      });
      return redirectWithFlash(
        reply,
        `${base(request)}/projects/${project.id}#reports`,
        `Status report for ${formatPeriod(report.period, project.reportFrequency)} submitted`,
      );
    });
  });

  // Benefits

  const benefitForm = 'delivery/views/benefit-form.njk';

  async function benefitFormData(
    request: FastifyRequest,
    project: ProjectView,
    fields: Record<string, string>,
    benefit?: Benefit,
  ): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const kpis = await feedableKpis(db, webActor(request), organisation.id);
    const type = fields.type ?? benefit?.type ?? '';
    const kpiId = fields.kpiId ?? benefit?.kpiId ?? '';
    return {
      pageTitle: benefit === undefined ? `Add a benefit to ${project.title}` : 'Change the benefit',
      organisation,
      project,
      benefit,
      typeItems: BENEFIT_TYPES.map((t) => ({ value: t, text: BENEFIT_TYPE_LABELS[t], checked: t === type })),
      kpiItems: [
        { value: '', text: 'No KPI', selected: kpiId === '' },
        ...kpis.map((k) => ({ value: k.id, text: k.name, selected: k.id === kpiId })),
      ],
      values: {
        description: fields.description ?? benefit?.description ?? '',
        plannedValue: fields.plannedValue ?? benefit?.plannedValue ?? '',
        plannedOn: datePartsOf(fields, 'plannedOn', benefit?.plannedOn),
        realisedValue: fields.realisedValue ?? benefit?.realisedValue ?? '',
        realisedOn: datePartsOf(fields, 'realisedOn', benefit?.realisedOn),
        version: fields.version ?? String(benefit?.version ?? ''),
      },
    };
  }

  function benefitInput(fields: Record<string, string>): BenefitInput {
    return {
      type: field(fields, 'type'),
      description: field(fields, 'description'),
      plannedValue: field(fields, 'plannedValue'),
      plannedOn: dateField(fields, 'plannedOn'),
      realisedValue: field(fields, 'realisedValue'),
      realisedOn: dateField(fields, 'realisedOn'),
      kpiId: field(fields, 'kpiId'),
    };
  }

  app.get('/o/:org/projects/:projectId/benefits/new', manage, async (request, reply) => {
    const project = await getProject(
      db,
      webActor(request),
      requireOrg(request).organisation.id,
      param(request, 'projectId'),
    );
    return reply.page(benefitForm, await benefitFormData(request, project, {}));
  });

  app.post('/o/:org/projects/:projectId/benefits', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const project = await getProject(db, actor, organisation.id, param(request, 'projectId'));
    const fields = formFields(request);
    return withFormErrors(reply, benefitForm, await benefitFormData(request, project, fields), async () => {
      await createBenefit(db, actor, organisation.id, project.id, benefitInput(fields));
      return redirectWithFlash(reply, `${base(request)}/projects/${project.id}#benefits`, 'Benefit added');
    });
  });

  app.get('/o/:org/benefits/:benefitId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const benefit = await getBenefit(db, actor, organisation.id, param(request, 'benefitId'));
    const project = await getProject(db, actor, organisation.id, benefit.projectId);
    return reply.page(benefitForm, await benefitFormData(request, project, {}, benefit));
  });

  app.post('/o/:org/benefits/:benefitId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const benefit = await getBenefit(db, actor, organisation.id, param(request, 'benefitId'));
    const project = await getProject(db, actor, organisation.id, benefit.projectId);
    const fields = formFields(request);
    const data = await benefitFormData(request, project, fields, benefit);
    return withFormErrors(reply, benefitForm, data, async () => {
      try {
        await updateBenefit(db, actor, organisation.id, benefit.id, benefitInput(fields), {
          expectedVersion: expectedVersionField(fields),
        });
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        (data.values as { version: string }).version = String(
          (await getBenefit(db, actor, organisation.id, benefit.id)).version,
        );
        throw ValidationError.of(
          'description',
          'Someone else changed this benefit while you were editing. Check your answers, then save again',
        );
      }
      return redirectWithFlash(reply, `${base(request)}/projects/${project.id}#benefits`, 'Benefit saved');
    });
  });
}
