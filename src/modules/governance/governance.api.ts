import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import {
  API_ERRORS,
  CHANGE_ERRORS,
  DELETED_RESPONSE,
  ETAG_HEADER,
  expectedVersion,
  IfMatchHeadersSchema,
  organisationOf,
  PageQuerySchema,
  PageSchema,
  pageJson,
  pagingOf,
  rejectInvalid,
  withEtag,
} from '../../platform/http/api.ts';
import { apiActor } from '../../platform/http/context.ts';
import { ProblemSchema } from '../../platform/http/problem.schema.ts';
import {
  type AssessmentJson,
  AssessmentInputSchema,
  AssessmentParamsSchema,
  AssessmentQuerySchema,
  AssessmentSchema,
  type BoardJson,
  BoardInputSchema,
  BoardParamsSchema,
  BoardSchema,
  type DecisionJson,
  DecisionInputSchema,
  DecisionParamsSchema,
  DecisionQuerySchema,
  DecisionSchema,
} from './governance.schemas.ts';
import {
  type Assessment,
  type AssessmentInput,
  createAssessment,
  getAssessment,
  listAssessments,
  updateAssessment,
  type Board,
  type BoardInput,
  createBoard,
  createDecision,
  type Decision,
  type DecisionInput,
  deleteBoard,
  getBoard,
  getDecision,
  listBoards,
  listDecisions,
  updateBoard,
  updateDecision,
} from './governance.service.ts';

export function boardJson(b: Board): BoardJson {
  return {
    id: b.id,
    name: b.name,
    termsOfReference: b.termsOfReference,
    chairId: b.chair?.id ?? null,
    cadence: b.cadence,
    memberIds: b.members.map((m) => m.id),
    oversees: b.oversees.map((i) => ({ type: i.type, id: i.id, title: i.title })),
    version: b.version,
  };
}

export function decisionJson(d: Decision): DecisionJson {
  return {
    id: d.id,
    boardId: d.boardId,
    decidedOn: d.decidedOn,
    title: d.title,
    decision: d.decision,
    rationale: d.rationale,
    optionsConsidered: d.optionsConsidered,
    status: d.status,
    supersededById: d.supersededBy?.id ?? null,
    links: d.links.map((i) => ({ type: i.type, id: i.id, title: i.title })),
    version: d.version,
  };
}

interface BoardBody {
  name: string;
  termsOfReference?: string | undefined;
  chairId?: string | null | undefined;
  cadence: string;
  memberIds?: string[] | undefined;
  oversees?: { type: string; id: string }[] | undefined;
}

function boardInput(body: BoardBody): BoardInput {
  return {
    name: body.name,
    termsOfReference: body.termsOfReference ?? '',
    chairId: body.chairId ?? '',
    cadence: body.cadence,
    memberIds: body.memberIds ?? [],
    oversees: body.oversees ?? [],
  };
}

interface DecisionBody {
  boardId: string;
  decidedOn: string;
  title: string;
  decision?: string | undefined;
  rationale?: string | undefined;
  optionsConsidered?: string | undefined;
  status: string;
  supersededById?: string | null | undefined;
  links?: { type: string; id: string }[] | undefined;
}

function decisionInput(body: DecisionBody): DecisionInput {
  return {
    boardId: body.boardId,
    decidedOn: body.decidedOn,
    title: body.title,
    decision: body.decision ?? '',
    rationale: body.rationale ?? '',
    optionsConsidered: body.optionsConsidered ?? '',
    status: body.status,
    supersededById: body.supersededById ?? '',
    links: body.links ?? [],
  };
}

export function assessmentJson(a: Assessment): AssessmentJson {
  return {
    id: a.id,
    projectId: a.project?.id ?? null,
    serviceName: a.serviceName,
    phase: a.phase,
    assessedOn: a.assessedOn,
    outcome: a.outcome,
    summary: a.summary,
    points: a.points.map((p) => ({ point: p.point, met: p.met, evidence: p.evidence, actions: p.actions })),
    version: a.version,
  };
}

interface AssessmentBody {
  projectId?: string | null | undefined;
  serviceName?: string | null | undefined;
  phase: string;
  assessedOn: string;
  outcome: string;
  summary?: string | undefined;
  points: { point: number; met: boolean; evidence?: string | undefined; actions?: string | undefined }[];
}

function assessmentInput(body: AssessmentBody): AssessmentInput {
  return {
    projectId: body.projectId ?? '',
    serviceName: body.serviceName ?? '',
    phase: body.phase,
    assessedOn: body.assessedOn,
    outcome: body.outcome,
    summary: body.summary ?? '',
    points: body.points.map((p) => ({ point: p.point, met: p.met ? 'met' : 'not_met', evidence: p.evidence ?? '', actions: p.actions ?? '' })),
  };
}

const errors = API_ERRORS;

/** Boards and the decision log under /api/v1 (bearer tokens; read scope to read, write to change). */
export async function governanceApiRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const db = app.db;

  // Boards

  const boardTags = ['boards'];

  app.get(
    '/api/v1/boards',
    { schema: { summary: 'List boards', tags: boardTags, querystring: PageQuerySchema, response: { 200: PageSchema(BoardSchema, 'A page of boards'), ...errors } } },
    async (request) => {
      const actor = apiActor(request);
      return pageJson(await listBoards(db, actor, organisationOf(actor), pagingOf(request.query)), boardJson);
    },
  );

  app.post(
    '/api/v1/boards',
    {
      attachValidation: true,
      schema: { summary: 'Add a board', tags: boardTags, body: BoardInputSchema, response: { 201: { ...BoardSchema, headers: ETAG_HEADER }, ...errors } },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const board = await createBoard(db, actor, organisationOf(actor), boardInput(request.body));
      void reply.code(201).header('location', `/api/v1/boards/${board.id}`);
      return withEtag(reply, board, boardJson(board));
    },
  );

  app.get(
    '/api/v1/boards/:boardId',
    {
      attachValidation: true,
      schema: { summary: 'Read a board', tags: boardTags, params: BoardParamsSchema, response: { 200: { ...BoardSchema, headers: ETAG_HEADER }, ...errors } },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const board = await getBoard(db, actor, organisationOf(actor), request.params.boardId);
      return withEtag(reply, board, boardJson(board));
    },
  );

  app.put(
    '/api/v1/boards/:boardId',
    {
      attachValidation: true,
      schema: {
        summary: 'Change a board (If-Match required)',
        tags: boardTags,
        params: BoardParamsSchema,
        headers: IfMatchHeadersSchema,
        body: BoardInputSchema,
        response: { 200: { ...BoardSchema, headers: ETAG_HEADER }, ...CHANGE_ERRORS },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getBoard(db, actor, organisationId, request.params.boardId);
      rejectInvalid(request);
      const version = expectedVersion(request.headers['if-match'], current.id);
      const board = await updateBoard(db, actor, organisationId, current.id, boardInput(request.body), { expectedVersion: version });
      return withEtag(reply, board, boardJson(board));
    },
  );

  app.delete(
    '/api/v1/boards/:boardId',
    {
      attachValidation: true,
      schema: {
        summary: 'Delete a board with its decision log (If-Match required)',
        description: 'Refused (409) while another board’s decision is superseded by one of this board’s decisions.',
        tags: boardTags,
        params: BoardParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: DELETED_RESPONSE, ...CHANGE_ERRORS, 409: ProblemSchema },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getBoard(db, actor, organisationId, request.params.boardId);
      rejectInvalid(request);
      await deleteBoard(db, actor, organisationId, current.id, { expectedVersion: expectedVersion(request.headers['if-match'], current.id) });
      return reply.code(204).send(null);
    },
  );

  // Decisions

  const decisionTags = ['decisions'];

  app.get(
    '/api/v1/decisions',
    {
      schema: {
        summary: 'List the decision log, newest first',
        tags: decisionTags,
        querystring: DecisionQuerySchema,
        response: { 200: PageSchema(DecisionSchema, 'A page of decisions'), ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      const filter = { boardId: request.query.boardId, status: request.query.status };
      return pageJson(await listDecisions(db, actor, organisationOf(actor), filter, pagingOf(request.query)), decisionJson);
    },
  );

  app.post(
    '/api/v1/decisions',
    {
      attachValidation: true,
      schema: {
        summary: 'Record a decision',
        tags: decisionTags,
        body: DecisionInputSchema,
        response: { 201: { ...DecisionSchema, headers: ETAG_HEADER }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const decision = await createDecision(db, actor, organisationOf(actor), decisionInput(request.body));
      void reply.code(201).header('location', `/api/v1/decisions/${decision.id}`);
      return withEtag(reply, decision, decisionJson(decision));
    },
  );

  app.get(
    '/api/v1/decisions/:decisionId',
    {
      attachValidation: true,
      schema: {
        summary: 'Read a decision',
        tags: decisionTags,
        params: DecisionParamsSchema,
        response: { 200: { ...DecisionSchema, headers: ETAG_HEADER }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const decision = await getDecision(db, actor, organisationOf(actor), request.params.decisionId);
      return withEtag(reply, decision, decisionJson(decision));
    },
  );

  app.put(
    '/api/v1/decisions/:decisionId',
    {
      attachValidation: true,
      schema: {
        summary: 'Change a decision (If-Match required)',
        description: 'To supersede a decision, set status to superseded and name the decision that replaced it in supersededById.',
        tags: decisionTags,
        params: DecisionParamsSchema,
        headers: IfMatchHeadersSchema,
        body: DecisionInputSchema,
        response: { 200: { ...DecisionSchema, headers: ETAG_HEADER }, ...CHANGE_ERRORS },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getDecision(db, actor, organisationId, request.params.decisionId);
      rejectInvalid(request);
      const version = expectedVersion(request.headers['if-match'], current.id);
      const decision = await updateDecision(db, actor, organisationId, current.id, decisionInput(request.body), { expectedVersion: version });
      return withEtag(reply, decision, decisionJson(decision));
    },
  );

  // Service Standard assessments

  const assessmentTags = ['assessments'];

  app.get(
    '/api/v1/assessments',
    {
      schema: {
        summary: 'List Service Standard assessments, newest first',
        tags: assessmentTags,
        querystring: AssessmentQuerySchema,
        response: { 200: PageSchema(AssessmentSchema, 'A page of assessments'), ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      return pageJson(await listAssessments(db, actor, organisationOf(actor), { projectId: request.query.projectId }, pagingOf(request.query)), assessmentJson);
    },
  );

  app.post(
    '/api/v1/assessments',
    {
      attachValidation: true,
      schema: {
        summary: 'Record an assessment',
        tags: assessmentTags,
        body: AssessmentInputSchema,
        response: { 201: { ...AssessmentSchema, headers: ETAG_HEADER }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const assessment = await createAssessment(db, actor, organisationOf(actor), assessmentInput(request.body));
      void reply.code(201).header('location', `/api/v1/assessments/${assessment.id}`);
      return withEtag(reply, assessment, assessmentJson(assessment));
    },
  );

  app.get(
    '/api/v1/assessments/:assessmentId',
    {
      attachValidation: true,
      schema: {
        summary: 'Read an assessment',
        tags: assessmentTags,
        params: AssessmentParamsSchema,
        response: { 200: { ...AssessmentSchema, headers: ETAG_HEADER }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const assessment = await getAssessment(db, actor, organisationOf(actor), request.params.assessmentId);
      return withEtag(reply, assessment, assessmentJson(assessment));
    },
  );

  app.put(
    '/api/v1/assessments/:assessmentId',
    {
      attachValidation: true,
      schema: {
        summary: 'Change an assessment (If-Match required)',
        tags: assessmentTags,
        params: AssessmentParamsSchema,
        headers: IfMatchHeadersSchema,
        body: AssessmentInputSchema,
        response: { 200: { ...AssessmentSchema, headers: ETAG_HEADER }, ...CHANGE_ERRORS },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getAssessment(db, actor, organisationId, request.params.assessmentId);
      rejectInvalid(request);
      const version = expectedVersion(request.headers['if-match'], current.id);
      const assessment = await updateAssessment(db, actor, organisationId, current.id, assessmentInput(request.body), { expectedVersion: version });
      return withEtag(reply, assessment, assessmentJson(assessment));
    },
  );
}
