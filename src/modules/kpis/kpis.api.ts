import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../../platform/errors.ts';
import {
  API_ERRORS,
  CHANGE_ERRORS,
  DELETED_RESPONSE,
  ETAG_HEADER,
  expectedVersion,
  IfMatchHeadersSchema,
  organisationOf,
  PageQuerySchema,
  pageJson,
  pagingOf,
  rejectInvalid,
  withEtag,
} from '../../platform/http/api.ts';
import { apiActor } from '../../platform/http/context.ts';
import { ProblemSchema } from '../../platform/http/problem.schema.ts';
import {
  BatchInputSchema,
  BatchResultSchema,
  KpiInputSchema,
  type KpiJson,
  KpiPageSchema,
  KpiParamsSchema,
  KpiSchema,
  KpiUpdateSchema,
  MeasurementInputSchema,
  type MeasurementJson,
  MeasurementPageSchema,
  MeasurementParamsSchema,
  MeasurementSchema,
} from './kpis.schemas.ts';
import {
  createKpi,
  deleteKpi,
  deleteMeasurement,
  getKpi,
  getMeasurement,
  type KpiWithStatus,
  listKpis,
  listMeasurements,
  type MeasurementRecord,
  recordMeasurement,
  recordMeasurementsBatch,
  updateKpi,
} from './kpis.service.ts';
import { KPI_FIELDS } from './kpis.ts';

export function kpiJson(k: KpiWithStatus): KpiJson {
  return {
    key: k.key,
    name: k.name,
    definition: k.definition,
    unit: k.unit,
    polarity: k.polarity,
    frequency: k.frequency,
    baseline: k.baseline,
    target: k.target,
    tolerance: k.tolerance,
    ownerId: k.ownerId,
    category: k.category,
    formula: k.formula,
    objectiveIds: k.objectiveIds,
    isPublic: k.isPublic,
    status: k.status,
    statusReason: k.statusReason,
    latest: k.latest,
    planned: k.planned,
    forecast: k.forecast,
  };
}

export function measurementJson(m: MeasurementRecord): MeasurementJson {
  return { period: m.period, value: m.value, note: m.note, source: m.source };
}

/** Service field names → JSON pointers into the KPI body. */
const POINTERS: Readonly<Record<string, string>> = {
  [KPI_FIELDS.baselineValue]: '/baseline/value',
  [KPI_FIELDS.baselineDate]: '/baseline/date',
  [KPI_FIELDS.targetValue]: '/target/value',
  [KPI_FIELDS.targetDate]: '/target/date',
};

async function withPointers<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ValidationError && !error.errors.every((e) => e.field.startsWith('/'))) {
      throw new ValidationError(
        error.errors.map((e) => ({ field: e.field.startsWith('/') ? e.field : (POINTERS[e.field] ?? `/${e.field}`), message: e.message })),
        error.message,
      );
    }
    throw error;
  }
}

const errors = API_ERRORS;
const changeErrors = { ...CHANGE_ERRORS, 409: ProblemSchema };

/** Batches carry up to 10,000 measurements, more than the default body limit allows. */
export const BATCH_BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/** KPIs and their measurements under /api/v1 (bearer tokens; read scope to read, write to change). */
export async function kpisApiRoutes(instance: FastifyInstance): Promise<void> {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const db = app.db;
  const tags = ['kpis'];

  app.get(
    '/api/v1/kpis',
    { schema: { summary: 'List KPIs with their statuses', tags, querystring: PageQuerySchema, response: { 200: KpiPageSchema, ...errors } } },
    async (request) => {
      const actor = apiActor(request);
      return pageJson(await listKpis(db, actor, organisationOf(actor), pagingOf(request.query)), kpiJson);
    },
  );

  app.post(
    '/api/v1/kpis',
    {
      attachValidation: true,
      schema: {
        summary: 'Create a KPI',
        description: 'With a `formula` the KPI is derived: its values are computed from the KPIs it uses, per period.',
        tags,
        body: KpiInputSchema,
        response: { 201: { ...KpiSchema, headers: ETAG_HEADER }, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const organisationId = organisationOf(actor);
      const created = await withPointers(() => createKpi(db, actor, organisationId, request.body));
      const kpi = await getKpi(db, actor, organisationId, created.key);
      void reply.code(201).header('location', `/api/v1/kpis/${kpi.key}`);
      return withEtag(reply, kpi, kpiJson(kpi));
    },
  );

  app.get(
    '/api/v1/kpis/:key',
    {
      attachValidation: true,
      schema: { summary: 'Read a KPI with its status, latest value, plan and forecast', tags, params: KpiParamsSchema, response: { 200: { ...KpiSchema, headers: ETAG_HEADER }, ...errors } },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      const kpi = await getKpi(db, actor, organisationOf(actor), request.params.key);
      return withEtag(reply, kpi, kpiJson(kpi));
    },
  );

  app.put(
    '/api/v1/kpis/:key',
    {
      attachValidation: true,
      schema: {
        summary: 'Change a KPI (If-Match required)',
        description: 'The key cannot change. A changed formula recomputes the KPI’s values and those of KPIs that use it.',
        tags,
        params: KpiParamsSchema,
        headers: IfMatchHeadersSchema,
        body: KpiUpdateSchema,
        response: { 200: { ...KpiSchema, headers: ETAG_HEADER }, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getKpi(db, actor, organisationId, request.params.key);
      const version = expectedVersion(request.headers['if-match'], current.id);
      rejectInvalid(request);
      await withPointers(() => updateKpi(db, actor, organisationId, current.key, request.body, { expectedVersion: version }));
      const kpi = await getKpi(db, actor, organisationId, current.key);
      return withEtag(reply, kpi, kpiJson(kpi));
    },
  );

  app.delete(
    '/api/v1/kpis/:key',
    {
      attachValidation: true,
      schema: {
        summary: 'Delete a KPI and its measurements (If-Match required)',
        description: 'Refused with 409 while other KPIs’ formulas use it.',
        tags,
        params: KpiParamsSchema,
        headers: IfMatchHeadersSchema,
        response: { 204: DELETED_RESPONSE, ...changeErrors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      const current = await getKpi(db, actor, organisationId, request.params.key);
      const version = expectedVersion(request.headers['if-match'], current.id);
      rejectInvalid(request);
      await deleteKpi(db, actor, organisationId, current.key, { expectedVersion: version });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/v1/kpis/:key/measurements',
    {
      attachValidation: true,
      schema: {
        summary: 'List a KPI’s measurements',
        description: 'A page at a time, oldest period first. Derived KPIs list their computed values, with source formula.',
        tags,
        params: KpiParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: MeasurementPageSchema, ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      return pageJson(await listMeasurements(db, actor, organisationOf(actor), request.params.key, pagingOf(request.query)), measurementJson);
    },
  );

  app.get(
    '/api/v1/kpis/:key/measurements/:period',
    {
      attachValidation: true,
      schema: { summary: 'Read a KPI’s value for one period', tags, params: MeasurementParamsSchema, response: { 200: MeasurementSchema, ...errors } },
    },
    async (request) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      return measurementJson(await withPointers(() => getMeasurement(db, actor, organisationOf(actor), request.params.key, request.params.period)));
    },
  );

  app.delete(
    '/api/v1/kpis/:key/measurements/:period',
    {
      attachValidation: true,
      schema: {
        summary: 'Delete a KPI’s value for one period',
        description: 'For a value recorded by mistake: the derived KPIs that read it lose their value for that period too; the audit trail keeps the deleted value. To correct a value, record the period again instead.',
        tags,
        params: MeasurementParamsSchema,
        response: { 204: DELETED_RESPONSE, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      await withPointers(() => deleteMeasurement(db, actor, organisationOf(actor), request.params.key, request.params.period));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/v1/kpis/:key/measurements',
    {
      attachValidation: true,
      schema: {
        summary: 'Record a KPI’s value for a period',
        description: '201 when the period had no value; 200 when it replaced one or was already recorded exactly so. Derived KPIs cannot be recorded.',
        tags,
        params: KpiParamsSchema,
        body: MeasurementInputSchema,
        response: { 200: MeasurementSchema, 201: MeasurementSchema, ...errors },
      },
    },
    async (request, reply) => {
      const actor = apiActor(request);
      const organisationId = organisationOf(actor);
      // Who may, and whether the KPI exists for them, before what was sent.
      const kpi = await getKpi(db, actor, organisationId, request.params.key);
      rejectInvalid(request);
      const body = request.body;
      const result = await withPointers(() =>
        recordMeasurement(db, actor, organisationId, kpi.key, { period: body.period, value: body.value, note: body.note ?? null }, 'api'),
      );
      return reply.code(result.outcome === 'created' ? 201 : 200).send(measurementJson(result.measurement));
    },
  );

  app.post(
    '/api/v1/measurements/batch',
    {
      attachValidation: true,
      bodyLimit: BATCH_BODY_LIMIT_BYTES,
      schema: {
        summary: 'Record many measurements at once (all or nothing)',
        description:
          'Up to 10,000 measurements of any of the organisation’s KPIs. When any is bad nothing is recorded and the 400 problem lists each one in `errors`, with `field` a JSON pointer such as /measurements/3/period. Sending the same values again changes nothing.',
        tags,
        body: BatchInputSchema,
        response: { 200: BatchResultSchema, ...errors },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      rejectInvalid(request);
      return recordMeasurementsBatch(db, actor, organisationOf(actor), request.body.measurements, 'api');
    },
  );
}
