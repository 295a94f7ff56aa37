import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { AppError, UnauthenticatedError } from '../../platform/errors.ts';
import { ProblemSchema } from '../../platform/http/problem.schema.ts';
import { BATCH_IMPORT_LIMITS, COLUMNS_DESCRIPTION, formatBytes, formatCount } from './import-format.ts';
import { type ImportFileKind, importMeasurements } from './import.service.ts';

export const CSV_TYPE = 'text/csv';
export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const ImportedSchema = Type.Object(
  {
    rows: Type.Integer({ description: 'Rows in the file' }),
    inserted: Type.Integer({ description: 'Measurements that did not exist before' }),
    updated: Type.Integer({ description: 'Measurements whose value or note changed (the previous value is kept in the audit trail)' }),
    unchanged: Type.Integer({ description: 'Rows whose value and note were already stored' }),
  },
  { description: 'Every row was imported' },
);

const ImportProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: '"import_rejected" when the file has problems' }),
    errors: Type.Array(
      Type.Object({
        line: Type.Union([Type.Integer(), Type.Null()], { description: 'Line (CSV) or sheet row (XLSX); null for the file as a whole' }),
        message: Type.String(),
      }),
      { description: `Every problem found, in line order, up to ${formatCount(BATCH_IMPORT_LIMITS.maxProblems)}` },
    ),
    moreProblems: Type.Integer({ description: 'Problems found but not listed' }),
  },
  { description: 'The file has problems: nothing was imported' },
);

/**
 * `POST /api/v1/measurements/import`: the file is the request body, streamed (never buffered
 * whole), with the batch limits rather than the 1 MB JSON limit.
 */
export async function importApiRoutes(app: FastifyInstance): Promise<void> {
  // Scoped to this plugin: the body reaches the handler as the raw stream. The reader enforces
  // the size limit as it reads (Fastify's bodyLimit applies only to bodies it reads itself).
  app.addContentTypeParser([CSV_TYPE, XLSX_TYPE], { bodyLimit: BATCH_IMPORT_LIMITS.maxFileBytes }, (_request, payload, done) => {
    done(null, payload);
  });

  app.post(
    '/api/v1/measurements/import',
    {
      config: { scope: 'write' },
      // The body is a byte stream, not JSON: nothing to validate here; the import checks every row.
      validatorCompiler: () => () => true,
      schema: {
        summary: 'Import measurements from a CSV or XLSX file (all rows or none)',
        description: [
          `Send the file itself as the body, with Content-Type \`${CSV_TYPE}\` or \`${XLSX_TYPE}\`.`,
          `Columns: ${COLUMNS_DESCRIPTION}, with a header row. \`period\` is YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY, read as`,
          'the first day of the period for the KPI’s frequency; `value` is a plain number such as 1234.5.',
          'CSV text is UTF-8 (with or without BOM) or UTF-16. XLSX: the first visible sheet; formulas are not evaluated.',
          `Limits: ${formatBytes(BATCH_IMPORT_LIMITS.maxFileBytes)}, ${formatCount(BATCH_IMPORT_LIMITS.maxRows)} rows.`,
          'The import is all-or-nothing: any problem → 400 listing every problem with its line, and nothing is written.',
          'Rows upsert by KPI and period; importing the same file again changes nothing.',
        ].join(' '),
        tags: ['measurements'],
        consumes: [CSV_TYPE, XLSX_TYPE],
        body: Type.String({ format: 'binary', description: 'The CSV or XLSX file' }),
        response: { 200: ImportedSchema, 400: ImportProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 415: ProblemSchema },
      },
    },
    async (request, reply) => {
      const actor = request.tokenActor;
      if (actor === null) throw new UnauthenticatedError('Send an API token in the Authorization header');
      const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      if (type !== CSV_TYPE && type !== XLSX_TYPE) {
        throw new AppError(415, 'unsupported_media_type', 'Unsupported content type', `Send the file as the body with Content-Type ${CSV_TYPE} or ${XLSX_TYPE}`);
      }
      const kind: ImportFileKind = type === XLSX_TYPE ? 'xlsx' : 'csv';
      const body = request.body as Readable;
      const result = await importMeasurements(app.database, actor, actor.organisationId, body, {
        kind,
        limits: BATCH_IMPORT_LIMITS,
        fileName: `API upload (${kind.toUpperCase()})`,
      });
      if (!body.readableEnded) body.resume(); // a refused file: drain the rest of the upload
      if (result.ok) return { rows: result.rows, inserted: result.inserted, updated: result.updated, unchanged: result.unchanged };
      const shown = result.problems.length;
      return reply
        .code(400)
        .type('application/problem+json')
        .send({
          type: 'https://waymark.dev/problems/import_rejected',
          title: 'The file has problems',
          status: 400,
          detail: `Nothing was imported: the file has ${formatCount(result.totalProblems)} ${result.totalProblems === 1 ? 'problem' : 'problems'}${shown < result.totalProblems ? ` (the first ${formatCount(shown)} are listed)` : ''}`,
          code: 'import_rejected',
          errors: result.problems.map((p) => ({ line: p.line, message: p.message })),
          moreProblems: result.totalProblems - shown,
        });
    },
  );
}
