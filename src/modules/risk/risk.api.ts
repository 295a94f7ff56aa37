import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import {
  API_ERRORS,
  CHANGE_ERRORS,
  DELETED_RESPONSE,
  ETAG_HEADER,
  expectedVersion,
  IfMatchHeadersSchema,
  organisationOf,
  pageJson,
  PageQuerySchema,
  pagingOf,
  rejectInvalid,
  withEtag,
} from '../../platform/http/api.ts';
import { apiActor } from '../../platform/http/context.ts';
import {
  type ActionJson,
  ActionInputSchema,
  ActionListSchema,
  ActionSchema,
  type AppetiteJson,
  AppetiteInputSchema,
  AppetiteListSchema,
  AppetiteSchema,
  ActionParamsSchema,
  CategoryParamsSchema,
  RiskInputSchema,
  type RiskJson,
  RiskPageSchema,
  RiskParamsSchema,
  RiskSchema,
} from './risk.schemas.ts';
import {
  addRiskAction,
  createRisk,
  deleteRisk,
  deleteRiskAction,
  getRisk,
  getRiskAction,
  getRiskCategory,
  listRiskActions,
  listRiskCategories,
  listRisksPage,
  type RiskAction,
  type RiskCategory,
  type RiskDetail,
  type RiskInput,
  setRiskAppetite,
  todayUtc,
  updateRisk,
  updateRiskAction,
} from './risk.service.ts';
import { isActionOverdue } from './risk.ts';

export function riskJson(r: RiskDetail): RiskJson {
  return {
    id: r.id,
    title: r.title,
    cause: r.cause,
    event: r.event,
    consequence: r.consequence,
    category: r.category.key,
    owner: r.ownerId,
    proximity: r.proximity,
    status: r.status,
    inherent: r.inherent,
    current: r.current,
    target: r.target,
    response: r.response,
    outsideAppetite: r.outsideAppetite,
    needsContingencyPlan: r.needsContingencyPlan,
    hasContingencyPlan: r.hasContingencyPlan,
    reviewFrequency: r.reviewFrequency,
    lastReviewedOn: r.lastReviewedOn,
    nextReviewOn: r.nextReviewOn,
    escalated: r.escalatedToId !== null,
    objectiveIds: r.objectiveIds,
    kpiIds: r.kpiIds,
    projectIds: r.projectIds,
  };
}

function actionJson(a: RiskAction): ActionJson {
  return {
    id: a.id,
    description: a.description,
    owner: a.ownerId,
    dueOn: a.dueOn,
    status: a.status,
    overdue: isActionOverdue(a, todayUtc()),
  };
}

function appetiteJson(c: RiskCategory): AppetiteJson {
  return { category: c.key, label: c.label, level: c.appetite.level, maxScore: c.appetite.maxScore };
}

/** Form field names → JSON pointers into the risk body. */
const POINTERS: Readonly<Record<string, string>> = {
  ownerId: '/owner',
  inherentLikelihood: '/inherent/likelihood',
  inherentImpact: '/inherent/impact',
  currentLikelihood: '/current/likelihood',
  currentImpact: '/current/impact',
  targetLikelihood: '/target/likelihood',
  targetImpact: '/target/impact',
};

async function withPointers<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ValidationError && !error.errors.every((e) => e.field.startsWith('/'))) {
      throw new ValidationError(
        error.errors.map((e) => ({
          field: e.field.startsWith('/') ? e.field : (POINTERS[e.field] ?? `/${e.field}`),
          message: e.message,
        })),
        error.message,
      );
    }
    throw error;
  }
}

function inputOf(body: { owner?: string | null | undefined } & Omit<RiskInput, 'ownerId'>): RiskInput {
  const { owner, ...rest } = body;
  return { ...rest, ownerId: owner ?? null };
}

const errors = API_ERRORS;
const changeErrors = CHANGE_ERRORS;
const etagHeader = ETAG_HEADER;

/** The risk register, its actions and appetite under /api/v1 (bearer tokens; read scope to read, write to change). */
export async function riskApiRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const db = app.db;
  const tags = ['risks'];

  app.get(
    '/api/v1/risks',
    {
      schema: {
        summary: 'List the risk register',
        tags,
        querystring: PageQuerySchema,
        response: { 200: RiskPageSchema, ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      const result = await listRisksPage(db, actor, organisationOf(actor), pagingOf(request.query));
      return pageJson(result, riskJson);
    },
  );

  app.post(
    '/api/v1/risks',
    {
      attachValidation: true,
      schema: {
        summary: 'Record a risk',
        description: 'Its first assessment is kept in its history and its review clock starts today.',
        tags,
        body: RiskInputSchema,
        response: { 201: { ...RiskSchema, headers: etagHeader }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const risk = await withPointers(() =>
        createRisk(db, actor, organisationOf(actor), inputOf(request.body)),
      );
      void reply.code(201).header('location', `/api/v1/risks/${risk.id}`);
      return withEtag(reply, risk, riskJson(risk));
    },
  );

  app.get(
    '/api/v1/risks/:riskId',
    {
      attachValidation: true,
      schema: {
        summary: 'Read a risk',
        tags,
        params: RiskParamsSchema,
        response: { 200: { ...RiskSchema, headers: etagHeader }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const risk = await getRisk(db, actor, organisationOf(actor), request.params.riskId);
      return withEtag(reply, risk, riskJson(risk));
    },
  );

  app.put(
    '/api/v1/risks/:riskId',
    {
      attachValidation: true,
      schema: {
        summary: 'Change a risk (If-Match required)',
        description:
          'Changed scores are a re-assessment: kept in the history, and the review clock restarts.',
        tags,
        params: RiskParamsSchema,
        headers: IfMatchHeadersSchema,
        body: RiskInputSchema,
        response: { 200: { ...RiskSchema, headers: etagHeader }, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getRisk(db, actor, organisationId, request.params.riskId);
      const version = expectedVersion(request.headers['if-match'], current.id);
      rejectInvalid(request);
      const risk = await withPointers(() =>
        updateRisk(db, actor, organisationId, current.id, inputOf(request.body), {
          expectedVersion: version,
        }),
      );
      return withEtag(reply, risk, riskJson(risk));
    },
  );

  app.delete(
    '/api/v1/risks/:riskId',
    {
      attachValidation: true,
      schema: {
        summary: 'Delete a risk (If-Match required)',
        description:
          'Its assessment history, mitigating actions, contingency plan and links are deleted with it; if it was escalated it leaves the parent’s register too. A risk escalated to this organisation is not its to delete (404).',
        tags,
        params: RiskParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: DELETED_RESPONSE, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getRisk(db, actor, organisationId, request.params.riskId);
      if (current.readOnly) throw new NotFoundError();
      const version = expectedVersion(request.headers['if-match'], current.id);
      rejectInvalid(request);
      await deleteRisk(db, actor, organisationId, current.id, { expectedVersion: version });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/risks/:riskId/actions',
    {
      attachValidation: true,
      schema: {
        summary: 'List a risk’s mitigating actions',
        tags,
        params: RiskParamsSchema,
        response: { 200: ActionListSchema, ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const actions = await listRiskActions(db, actor, organisationOf(actor), {
        riskId: request.params.riskId,
      });
      return { items: actions.map(actionJson) };
    },
  );

  app.post(
    '/api/v1/risks/:riskId/actions',
    {
      attachValidation: true,
      schema: {
        summary: 'Add a mitigating action to a risk',
        tags,
        params: RiskParamsSchema,
        body: ActionInputSchema,
        response: { 201: { ...ActionSchema, headers: etagHeader }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      await getRisk(db, actor, organisationId, request.params.riskId);
      rejectInvalid(request);
      const { owner, ...rest } = request.body;
      const action = await withPointers(() =>
        addRiskAction(db, actor, organisationId, request.params.riskId, { ...rest, ownerId: owner ?? null }),
      );
      void reply.code(201).header('location', `/api/v1/risks/${action.riskId}/actions/${action.id}`);
      return withEtag(reply, action, actionJson(action));
    },
  );

  app.get(
    '/api/v1/risks/:riskId/actions/:actionId',
    {
      attachValidation: true,
      schema: {
        summary: 'Read a mitigating action',
        tags,
        params: ActionParamsSchema,
        response: { 200: { ...ActionSchema, headers: etagHeader }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const action = await getRiskAction(
        db,
        actor,
        organisationOf(actor),
        request.params.riskId,
        request.params.actionId,
      );
      return withEtag(reply, action, actionJson(action));
    },
  );

  app.put(
    '/api/v1/risks/:riskId/actions/:actionId',
    {
      attachValidation: true,
      schema: {
        summary: 'Change a mitigating action (If-Match required)',
        description: 'Its description, owner, due date and status: all of them, as when adding it.',
        tags,
        params: ActionParamsSchema,
        headers: IfMatchHeadersSchema,
        body: ActionInputSchema,
        response: { 200: { ...ActionSchema, headers: etagHeader }, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getRiskAction(
        db,
        actor,
        organisationId,
        request.params.riskId,
        request.params.actionId,
      );
      const version = expectedVersion(request.headers['if-match'], current.id);
      rejectInvalid(request);
      const { owner, ...rest } = request.body;
      const action = await withPointers(() =>
        updateRiskAction(
          db,
          actor,
          organisationId,
          current.riskId,
          current.id,
          { ...rest, ownerId: owner ?? null },
          { expectedVersion: version },
        ),
      );
      return withEtag(reply, action, actionJson(action));
    },
  );

  app.delete(
    '/api/v1/risks/:riskId/actions/:actionId',
    {
      attachValidation: true,
      schema: {
        summary: 'Delete a mitigating action (If-Match required)',
        tags,
        params: ActionParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: DELETED_RESPONSE, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getRiskAction(
        db,
        actor,
        organisationId,
        request.params.riskId,
        request.params.actionId,
      );
      const version = expectedVersion(request.headers['if-match'], current.id);
      rejectInvalid(request);
      await deleteRiskAction(db, actor, organisationId, current.riskId, current.id, {
        expectedVersion: version,
      });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/risk-appetite',
    {
      schema: {
        summary: 'List the risk categories with their appetite',
        tags,
        response: { 200: AppetiteListSchema, ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      return { items: (await listRiskCategories(db, actor, organisationOf(actor))).map(appetiteJson) };
    },
  );

  app.get(
    '/api/v1/risk-appetite/:category',
    {
      schema: {
        summary: 'Read a category’s appetite',
        tags,
        params: CategoryParamsSchema,
        response: { 200: { ...AppetiteSchema, headers: etagHeader }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const category = await getRiskCategory(db, actor, organisationOf(actor), request.params.category);
      return withEtag(reply, category, appetiteJson(category));
    },
  );

  app.put(
    '/api/v1/risk-appetite/:category',
    {
      attachValidation: true,
      schema: {
        summary: 'Set a category’s appetite (If-Match required)',
        description: 'Risks whose current score is above `maxScore` are then outside appetite.',
        tags,
        params: CategoryParamsSchema,
        headers: IfMatchHeadersSchema,
        body: AppetiteInputSchema,
        response: { 200: { ...AppetiteSchema, headers: etagHeader }, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getRiskCategory(db, actor, organisationId, request.params.category);
      const version = expectedVersion(request.headers['if-match'], current.id);
      rejectInvalid(request);
      const saved = await withPointers(() =>
        setRiskAppetite(db, actor, organisationId, current.key, request.body, { expectedVersion: version }),
      );
      return withEtag(reply, saved, appetiteJson(saved));
    },
  );
}
