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
import {
  GoalInputSchema,
  type GoalJson,
  GoalParamsSchema,
  GoalSchema,
  ObjectiveInputSchema,
  type ObjectiveJson,
  ObjectiveParamsSchema,
  ObjectiveSchema,
  StrategyInputSchema,
  type StrategyJson,
  StrategyParamsSchema,
  StrategySchema,
  StrategyUpdateSchema,
} from './strategy.schemas.ts';
import {
  createGoal,
  createObjective,
  createStrategy,
  deleteGoal,
  deleteObjective,
  deleteStrategy,
  type Goal,
  getGoal,
  getObjective,
  getStrategy,
  listGoals,
  listObjectives,
  listStrategies,
  type Objective,
  type Strategy,
  updateGoal,
  updateObjective,
  updateStrategy,
} from './strategy.service.ts';

export function strategyJson(s: Strategy): StrategyJson {
  return { id: s.id, title: s.title, vision: s.vision, periodStart: s.periodStart, periodEnd: s.periodEnd, status: s.status, version: s.version };
}

export function goalJson(g: Goal): GoalJson {
  return { id: g.id, strategyId: g.strategyId, title: g.title, description: g.description, tags: g.tags, weight: g.weight, position: g.position };
}

export function objectiveJson(o: Objective): ObjectiveJson {
  return {
    id: o.id,
    goalId: o.goalId,
    title: o.title,
    description: o.description,
    ownerId: o.ownerId,
    dueDate: o.dueDate,
    weight: o.weight,
    position: o.position,
  };
}

const errors = API_ERRORS;

/** Strategies, goals and objectives under /api/v1 (bearer tokens; read scope to read, write to change). */
export async function strategyApiRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const db = app.db;
  const tags = ['strategy'];

  // Strategies

  app.get(
    '/api/v1/strategies',
    { schema: { summary: 'List strategies', tags, querystring: PageQuerySchema, response: { 200: PageSchema(StrategySchema, 'A page of strategies'), ...errors } } },
    async (request) => {
      const actor = apiActor(request);
      return pageJson(await listStrategies(db, actor, organisationOf(actor), pagingOf(request.query)), strategyJson);
    },
  );

  app.post(
    '/api/v1/strategies',
    {
      attachValidation: true,
      schema: { summary: 'Create a strategy (as a draft)', tags, body: StrategyInputSchema, response: { 201: { ...StrategySchema, headers: ETAG_HEADER }, ...errors } },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const body = request.body;
      const strategy = await createStrategy(db, actor, organisationOf(actor), {
        title: body.title,
        vision: body.vision ?? '',
        periodStart: body.periodStart,
        periodEnd: body.periodEnd,
      });
      void reply.code(201).header('location', `/api/v1/strategies/${strategy.id}`);
      return withEtag(reply, strategy, strategyJson(strategy));
    },
  );

  app.get(
    '/api/v1/strategies/:strategyId',
    {
      attachValidation: true,
      schema: {
        summary: 'Read a strategy',
        tags,
        params: StrategyParamsSchema,
        response: { 200: { ...StrategySchema, headers: ETAG_HEADER }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const strategy = await getStrategy(db, actor, organisationOf(actor), request.params.strategyId);
      return withEtag(reply, strategy, strategyJson(strategy));
    },
  );

  app.put(
    '/api/v1/strategies/:strategyId',
    {
      attachValidation: true,
      schema: {
        summary: 'Change a strategy (If-Match required)',
        description: 'Also publishes or archives it when `status` changes. Editing a published strategy keeps the earlier version readable.',
        tags,
        params: StrategyParamsSchema,
        headers: IfMatchHeadersSchema,
        body: StrategyUpdateSchema,
        response: { 200: { ...StrategySchema, headers: ETAG_HEADER }, ...CHANGE_ERRORS },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getStrategy(db, actor, organisationId, request.params.strategyId);
      rejectInvalid(request);
      const version = expectedVersion(request.headers['if-match'], current.id);
      const body = request.body;
      const strategy = await updateStrategy(
        db,
        actor,
        organisationId,
        current.id,
        { title: body.title, vision: body.vision ?? current.vision, periodStart: body.periodStart, periodEnd: body.periodEnd, status: body.status },
        { expectedVersion: version },
      );
      return withEtag(reply, strategy, strategyJson(strategy));
    },
  );

  app.delete(
    '/api/v1/strategies/:strategyId',
    {
      attachValidation: true,
      schema: {
        summary: 'Delete a draft strategy with its goals and objectives (If-Match required)',
        description: 'A published or archived strategy cannot be deleted: archive it instead.',
        tags,
        params: StrategyParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: DELETED_RESPONSE, ...CHANGE_ERRORS },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getStrategy(db, actor, organisationId, request.params.strategyId);
      rejectInvalid(request);
      await deleteStrategy(db, actor, organisationId, current.id, { expectedVersion: expectedVersion(request.headers['if-match'], current.id) });
      return reply.code(204).send(null);
    },
  );

  // Goals

  app.get(
    '/api/v1/strategies/:strategyId/goals',
    {
      attachValidation: true,
      schema: {
        summary: 'List a strategy’s goals, in order',
        tags,
        params: StrategyParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: PageSchema(GoalSchema, 'A page of goals'), ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const strategy = await getStrategy(db, actor, organisationId, request.params.strategyId);
      rejectInvalid(request);
      return pageJson(await listGoals(db, actor, organisationId, strategy.id, pagingOf(request.query)), goalJson);
    },
  );

  app.post(
    '/api/v1/strategies/:strategyId/goals',
    {
      attachValidation: true,
      schema: {
        summary: 'Add a goal to a strategy',
        tags,
        params: StrategyParamsSchema,
        body: GoalInputSchema,
        response: { 201: { ...GoalSchema, headers: ETAG_HEADER }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const strategy = await getStrategy(db, actor, organisationId, request.params.strategyId);
      rejectInvalid(request);
      const body = request.body;
      const goal = await createGoal(db, actor, organisationId, strategy.id, {
        title: body.title,
        description: body.description ?? '',
        tags: body.tags ?? [],
        weight: body.weight ?? 1,
        position: body.position,
      });
      void reply.code(201).header('location', `/api/v1/goals/${goal.id}`);
      return withEtag(reply, goal, goalJson(goal));
    },
  );

  app.get(
    '/api/v1/goals/:goalId',
    {
      attachValidation: true,
      schema: { summary: 'Read a goal', tags, params: GoalParamsSchema, response: { 200: { ...GoalSchema, headers: ETAG_HEADER }, ...errors } },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const goal = await getGoal(db, actor, organisationOf(actor), request.params.goalId);
      return withEtag(reply, goal, goalJson(goal));
    },
  );

  app.put(
    '/api/v1/goals/:goalId',
    {
      attachValidation: true,
      schema: {
        summary: 'Change a goal (If-Match required)',
        tags,
        params: GoalParamsSchema,
        headers: IfMatchHeadersSchema,
        body: GoalInputSchema,
        response: { 200: { ...GoalSchema, headers: ETAG_HEADER }, ...CHANGE_ERRORS },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getGoal(db, actor, organisationId, request.params.goalId);
      rejectInvalid(request);
      const version = expectedVersion(request.headers['if-match'], current.id);
      const body = request.body;
      const goal = await updateGoal(
        db,
        actor,
        organisationId,
        current.id,
        {
          title: body.title,
          description: body.description ?? current.description,
          tags: body.tags ?? current.tags,
          weight: body.weight ?? current.weight,
          position: body.position,
        },
        { expectedVersion: version },
      );
      return withEtag(reply, goal, goalJson(goal));
    },
  );

  app.delete(
    '/api/v1/goals/:goalId',
    {
      attachValidation: true,
      schema: {
        summary: 'Delete a goal with its objectives (If-Match required)',
        tags,
        params: GoalParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: DELETED_RESPONSE, ...CHANGE_ERRORS },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getGoal(db, actor, organisationId, request.params.goalId);
      rejectInvalid(request);
      await deleteGoal(db, actor, organisationId, current.id, { expectedVersion: expectedVersion(request.headers['if-match'], current.id) });
      return reply.code(204).send(null);
    },
  );

  // Objectives

  app.get(
    '/api/v1/goals/:goalId/objectives',
    {
      attachValidation: true,
      schema: {
        summary: 'List a goal’s objectives, in order',
        tags,
        params: GoalParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: PageSchema(ObjectiveSchema, 'A page of objectives'), ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const goal = await getGoal(db, actor, organisationId, request.params.goalId);
      rejectInvalid(request);
      return pageJson(await listObjectives(db, actor, organisationId, goal.id, pagingOf(request.query)), objectiveJson);
    },
  );

  app.post(
    '/api/v1/goals/:goalId/objectives',
    {
      attachValidation: true,
      schema: {
        summary: 'Add an objective to a goal',
        tags,
        params: GoalParamsSchema,
        body: ObjectiveInputSchema,
        response: { 201: { ...ObjectiveSchema, headers: ETAG_HEADER }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const goal = await getGoal(db, actor, organisationId, request.params.goalId);
      rejectInvalid(request);
      const body = request.body;
      const objective = await createObjective(db, actor, organisationId, goal.id, {
        title: body.title,
        description: body.description ?? '',
        ownerId: body.ownerId ?? null,
        dueDate: body.dueDate ?? null,
        weight: body.weight ?? 1,
        position: body.position,
      });
      void reply.code(201).header('location', `/api/v1/objectives/${objective.id}`);
      return withEtag(reply, objective, objectiveJson(objective));
    },
  );

  app.get(
    '/api/v1/objectives/:objectiveId',
    {
      attachValidation: true,
      schema: {
        summary: 'Read an objective',
        tags,
        params: ObjectiveParamsSchema,
        response: { 200: { ...ObjectiveSchema, headers: ETAG_HEADER }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const objective = await getObjective(db, actor, organisationOf(actor), request.params.objectiveId);
      return withEtag(reply, objective, objectiveJson(objective));
    },
  );

  app.put(
    '/api/v1/objectives/:objectiveId',
    {
      attachValidation: true,
      schema: {
        summary: 'Change an objective (If-Match required)',
        tags,
        params: ObjectiveParamsSchema,
        headers: IfMatchHeadersSchema,
        body: ObjectiveInputSchema,
        response: { 200: { ...ObjectiveSchema, headers: ETAG_HEADER }, ...CHANGE_ERRORS },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getObjective(db, actor, organisationId, request.params.objectiveId);
      rejectInvalid(request);
      const version = expectedVersion(request.headers['if-match'], current.id);
      const body = request.body;
      const objective = await updateObjective(
        db,
        actor,
        organisationId,
        current.id,
        {
          title: body.title,
          description: body.description ?? current.description,
          ownerId: body.ownerId === undefined ? current.ownerId : body.ownerId,
          dueDate: body.dueDate === undefined ? current.dueDate : body.dueDate,
          weight: body.weight ?? current.weight,
          position: body.position,
        },
        { expectedVersion: version },
      );
      return withEtag(reply, objective, objectiveJson(objective));
    },
  );

  app.delete(
    '/api/v1/objectives/:objectiveId',
    {
      attachValidation: true,
      schema: {
        summary: 'Delete an objective (If-Match required)',
        tags,
        params: ObjectiveParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: DELETED_RESPONSE, ...CHANGE_ERRORS },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getObjective(db, actor, organisationId, request.params.objectiveId);
      rejectInvalid(request);
      await deleteObjective(db, actor, organisationId, current.id, { expectedVersion: expectedVersion(request.headers['if-match'], current.id) });
      return reply.code(204).send(null);
    },
  );
}
