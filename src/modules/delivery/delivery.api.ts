import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import {
  API_ERRORS,
  CHANGE_ERRORS,
  DELETED_RESPONSE,
  ETAG_HEADER,
  expectedVersion,
  IfMatchHeadersSchema,
  organisationOf,
  pageJson,
  PageSchema,
  pagingOf,
  rejectInvalid,
  withEtag,
} from '../../platform/http/api.ts';
import { AppError, NotFoundError } from '../../platform/errors.ts';
import { ProblemSchema } from '../../platform/http/problem.schema.ts';
import { apiActor } from '../../platform/http/context.ts';
import { isMilestoneOverdue, monthFromText } from './delivery.ts';
import {
  MilestoneInputSchema,
  type MilestoneJson,
  MilestoneParamsSchema,
  MilestoneSchema,
  type ProjectInputJson,
  ProjectInputSchema,
  type ProjectJson,
  ProjectParamsSchema,
  ProjectQuerySchema,
  ProjectSchema,
  StatusReportInputSchema,
  type StatusReportJson,
  StatusReportSchema,
} from './delivery.schemas.ts';
import {
  createMilestone,
  createProject,
  deleteMilestone,
  deleteProject,
  getMilestone,
  getProject,
  importProjects,
  listMilestones,
  listProjects,
  listStatusReports,
  type Milestone,
  type ProjectInput,
  type ProjectView,
  type StatusReport,
  submitStatusReport,
  updateMilestone,
  updateProject,
} from './delivery.service.ts';
import { MAX_IMPORT_BYTES } from './portfolio-reader.ts';

export function projectJson(p: ProjectView): ProjectJson {
  return {
    id: p.id,
    title: p.title,
    description: p.description,
    type: p.type,
    phase: p.phase,
    phaseStartedOn: p.phaseStartedOn,
    owner: p.ownerId === null ? null : { id: p.ownerId, name: p.ownerName ?? '' },
    programmeId: p.programmeId,
    plannedStart: p.plannedStart,
    plannedEnd: p.plannedEnd,
    budget: { planned: p.budgetPlanned, actual: p.budgetActual },
    deliveryApproach: p.deliveryApproach,
    reportFrequency: p.reportFrequency,
    objectiveIds: p.objectives.map((o) => o.objectiveId),
    objectives: p.objectives,
    rag: p.rag,
    reportLate: p.late !== null,
    version: p.version,
  };
}

function milestoneJson(m: Milestone, today: string): MilestoneJson {
  return {
    id: m.id,
    projectId: m.projectId,
    title: m.title,
    dueOn: m.dueOn,
    completedOn: m.completedOn,
    overdue: isMilestoneOverdue(m, today),
    version: m.version,
  };
}

export function statusReportJson(r: StatusReport): StatusReportJson {
  return {
    id: r.id,
    projectId: r.projectId,
    period: r.period,
    overall: r.overall,
    schedule: r.schedule,
    budget: r.budget,
    scope: r.scope,
    reason: r.reason,
    achievements: r.achievements,
    nextSteps: r.nextSteps,
    issues: r.issues,
    decisionsNeeded: r.decisionsNeeded,
    submittedAt: r.submittedAt.toISOString(),
    version: r.version,
  };
}

function money(value: string | number | undefined): string {
  return value === undefined ? '' : String(value);
}

/** The body of a POST or PUT as the service's input; omitted optional fields take their defaults. */
function projectInputOf(body: ProjectInputJson): ProjectInput {
  const links =
    body.objectives ?? (body.objectiveIds ?? []).map((objectiveId) => ({ objectiveId, weight: 1 }));
  return {
    title: body.title,
    description: body.description ?? '',
    ownerId: body.owner ?? null,
    type: body.type ?? 'project',
    programmeId: body.programmeId ?? null,
    phase: body.phase ?? 'discovery',
    plannedStart: body.plannedStart ?? null,
    plannedEnd: body.plannedEnd ?? null,
    budgetPlanned: {
      capital: money(body.budget?.planned?.capital),
      resource: money(body.budget?.planned?.resource),
    },
    budgetActual: {
      capital: money(body.budget?.actual?.capital),
      resource: money(body.budget?.actual?.resource),
    },
    deliveryApproach: body.deliveryApproach ?? '',
    reportFrequency: body.reportFrequency ?? 'monthly',
    objectives: links.map((l) => ({ objectiveId: l.objectiveId, weight: l.weight ?? 1 })),
  };
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

const errors = API_ERRORS;
const changeErrors = CHANGE_ERRORS;
const etagHeader = ETAG_HEADER;
const Deleted = DELETED_RESPONSE;

/** Projects, their milestones and status reports under /api/v1 (read scope to read, write to change). */
export async function deliveryApiRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const db = app.db;
  const tags = ['delivery'];

  app.get(
    '/api/v1/projects',
    {
      attachValidation: true,
      schema: {
        summary: 'List projects (the portfolio)',
        tags,
        querystring: ProjectQuerySchema,
        response: { 200: PageSchema(ProjectSchema, 'A page of projects'), ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const q = request.query;
      const result = await listProjects(
        db,
        actor,
        organisationOf(actor),
        { phase: q.phase, rag: q.rag, objectiveId: q.objectiveId, goalId: q.goalId, ownerId: q.owner },
        pagingOf(q),
      );
      return pageJson(result, projectJson);
    },
  );

  app.post(
    '/api/v1/projects',
    {
      attachValidation: true,
      schema: {
        summary: 'Create a project',
        tags,
        body: ProjectInputSchema,
        response: { 201: { ...ProjectSchema, headers: etagHeader }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const project = await createProject(db, actor, organisationOf(actor), projectInputOf(request.body));
      void reply.code(201).header('location', `/api/v1/projects/${project.id}`);
      return withEtag(reply, project, projectJson(project));
    },
  );

  app.get(
    '/api/v1/projects/:projectId',
    {
      attachValidation: true,
      schema: {
        summary: 'Read a project',
        tags,
        params: ProjectParamsSchema,
        response: { 200: { ...ProjectSchema, headers: etagHeader }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const project = await getProject(db, actor, organisationOf(actor), request.params.projectId);
      return withEtag(reply, project, projectJson(project));
    },
  );

  app.put(
    '/api/v1/projects/:projectId',
    {
      attachValidation: true,
      schema: {
        summary: 'Replace a project’s values and objective links (If-Match required)',
        tags,
        params: ProjectParamsSchema,
        headers: IfMatchHeadersSchema,
        body: ProjectInputSchema,
        response: { 200: { ...ProjectSchema, headers: etagHeader }, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getProject(db, actor, organisationId, request.params.projectId);
      rejectInvalid(request);
      const version = expectedVersion(request.headers['if-match'], current.id);
      const project = await updateProject(
        db,
        actor,
        organisationId,
        current.id,
        projectInputOf(request.body),
        { expectedVersion: version },
      );
      return withEtag(reply, project, projectJson(project));
    },
  );

  app.delete(
    '/api/v1/projects/:projectId',
    {
      attachValidation: true,
      schema: {
        summary: 'Delete a project with its milestones, reports and benefits (If-Match required)',
        tags,
        params: ProjectParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: Deleted, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getProject(db, actor, organisationId, request.params.projectId);
      rejectInvalid(request);
      await deleteProject(db, actor, organisationId, current.id, {
        expectedVersion: expectedVersion(request.headers['if-match'], current.id),
      });
      return reply.code(204).send(null);
    },
  );

  // Importing a project list

  // Scoped to this plugin: a project list is small, so it is read whole, within the import's limit.
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'buffer', bodyLimit: MAX_IMPORT_BYTES },
    (_request, body, done) => {
      done(null, body);
    },
  );

  app.post(
    '/api/v1/projects/import',
    {
      // The body is a CSV file, not JSON: nothing to validate here; the import checks every row.
      validatorCompiler: () => () => true,
      schema: {
        summary: 'Import a project list from a CSV file (all rows or none)',
        description: [
          'Send the file itself as the body, with Content-Type `text/csv`: UTF-8 (with or without BOM) or UTF-16, up to 2 MB and 2,000 rows.',
          'The first row names the columns (any order or case); only `title` is required. Also read: type, phase, owner_email, planned_start,',
          'planned_end, planned_capital, planned_resource, actual_capital, actual_resource, delivery_approach, report_frequency,',
          'objectives (objective titles separated by semicolons) and description; other columns, such as those of a portfolio export, are ignored.',
          'Any problem → 400 listing every problem as "Line N: column: message", and nothing is written.',
        ].join(' '),
        tags,
        consumes: ['text/csv'],
        body: Type.String({ format: 'binary', description: 'The CSV file' }),
        response: {
          201: Type.Object(
            {
              ids: Type.Array(Type.String({ format: 'uuid' }), {
                description: 'The projects created, in the file’s order',
              }),
            },
            { description: 'Every row was imported' },
          ),
          ...errors,
          415: ProblemSchema,
        },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== 'text/csv' || !Buffer.isBuffer(request.body)) {
        throw new AppError(
          415,
          'unsupported_media_type',
          'Unsupported content type',
          'Send the CSV file as the body with Content-Type text/csv',
        );
      }
      const ids = await importProjects(db, actor, organisationOf(actor), request.body);
      return reply.code(201).send({ ids });
    },
  );

  // Milestones

  app.get(
    '/api/v1/projects/:projectId/milestones',
    {
      attachValidation: true,
      schema: {
        summary: 'List a project’s milestones',
        tags,
        params: ProjectParamsSchema,
        response: { 200: Type.Array(MilestoneSchema), ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const now = today();
      return (await listMilestones(db, actor, organisationOf(actor), request.params.projectId)).map((m) =>
        milestoneJson(m, now),
      );
    },
  );

  app.post(
    '/api/v1/projects/:projectId/milestones',
    {
      attachValidation: true,
      schema: {
        summary: 'Add a milestone',
        tags,
        params: ProjectParamsSchema,
        body: MilestoneInputSchema,
        response: { 201: { ...MilestoneSchema, headers: etagHeader }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const project = await getProject(db, actor, organisationId, request.params.projectId);
      rejectInvalid(request);
      const body = request.body;
      const milestone = await createMilestone(db, actor, organisationId, project.id, {
        title: body.title,
        dueOn: body.dueOn,
        completedOn: body.completedOn ?? null,
      });
      void reply.code(201).header('location', `/api/v1/projects/${project.id}/milestones/${milestone.id}`);
      return withEtag(reply, milestone, milestoneJson(milestone, today()));
    },
  );

  async function milestoneOf(
    request: { params: { projectId: string; milestoneId: string } },
    actor: ReturnType<typeof apiActor>,
  ): Promise<Milestone> {
    const milestone = await getMilestone(db, actor, organisationOf(actor), request.params.milestoneId);
    if (milestone.projectId !== request.params.projectId) throw new NotFoundError();
    return milestone;
  }

  app.get(
    '/api/v1/projects/:projectId/milestones/:milestoneId',
    {
      attachValidation: true,
      schema: {
        summary: 'Read a milestone',
        tags,
        params: MilestoneParamsSchema,
        response: { 200: { ...MilestoneSchema, headers: etagHeader }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const milestone = await milestoneOf(request, actor);
      return withEtag(reply, milestone, milestoneJson(milestone, today()));
    },
  );

  app.put(
    '/api/v1/projects/:projectId/milestones/:milestoneId',
    {
      attachValidation: true,
      schema: {
        summary: 'Change a milestone, for example to record it as completed (If-Match required)',
        tags,
        params: MilestoneParamsSchema,
        headers: IfMatchHeadersSchema,
        body: MilestoneInputSchema,
        response: { 200: { ...MilestoneSchema, headers: etagHeader }, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const current = await milestoneOf(request, actor);
      rejectInvalid(request);
      const version = expectedVersion(request.headers['if-match'], current.id);
      const body = request.body;
      const milestone = await updateMilestone(
        db,
        actor,
        organisationOf(actor),
        current.id,
        { title: body.title, dueOn: body.dueOn, completedOn: body.completedOn ?? null },
        { expectedVersion: version },
      );
      return withEtag(reply, milestone, milestoneJson(milestone, today()));
    },
  );

  app.delete(
    '/api/v1/projects/:projectId/milestones/:milestoneId',
    {
      attachValidation: true,
      schema: {
        summary: 'Delete a milestone (If-Match required)',
        tags,
        params: MilestoneParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: Deleted, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const current = await milestoneOf(request, actor);
      rejectInvalid(request);
      await deleteMilestone(db, actor, organisationOf(actor), current.id, {
        expectedVersion: expectedVersion(request.headers['if-match'], current.id),
      });
      return reply.code(204).send(null);
    },
  );

  // Status reports

  app.get(
    '/api/v1/projects/:projectId/status-reports',
    {
      attachValidation: true,
      schema: {
        summary: 'List a project’s status reports, newest period first',
        tags,
        params: ProjectParamsSchema,
        response: { 200: Type.Array(StatusReportSchema), ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      return (await listStatusReports(db, actor, organisationOf(actor), request.params.projectId)).map(
        statusReportJson,
      );
    },
  );

  app.post(
    '/api/v1/projects/:projectId/status-reports',
    {
      attachValidation: true,
      schema: {
        summary: 'Submit a status report',
        description:
          'A reason is required when any RAG is amber or red. One report per project and period: a second for the same period is refused (400).',
        tags,
        params: ProjectParamsSchema,
        body: StatusReportInputSchema,
        response: { 201: { ...StatusReportSchema, headers: etagHeader }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const project = await getProject(db, actor, organisationId, request.params.projectId);
      rejectInvalid(request);
      const body = request.body;
      const report = await submitStatusReport(db, actor, organisationId, project.id, {
        period: monthFromText(body.period),
        overall: body.overall,
        schedule: body.schedule,
        budget: body.budget,
        scope: body.scope,
        reason: body.reason ?? '',
        achievements: body.achievements ?? '',
        nextSteps: body.nextSteps ?? '',
        issues: body.issues ?? '',
        decisionsNeeded: body.decisionsNeeded ?? '',
      });
      void reply.code(201);
      return withEtag(reply, report, statusReportJson(report));
    },
  );
}
