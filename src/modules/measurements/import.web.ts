import type { FastifyInstance } from 'fastify';
import type { FieldError } from '../../platform/errors.ts';
import { requireOrg, webActor } from '../../platform/http/context.ts';
import { spreadsheetKindOf, uploadOf, uploadReader } from '../../platform/http/uploads.ts';
import { formatBytes, formatCount, WEB_IMPORT_LIMITS } from './import-format.ts';
import { importMeasurements, moreProblemsText } from './import.service.ts';

const UPLOAD_PAGE = 'measurements/views/import.njk';
const DONE_PAGE = 'measurements/views/import-done.njk';
const PAGE_TITLE = 'Import measurements from a file';

function limitsForView() {
  return {
    maxFileSize: formatBytes(WEB_IMPORT_LIMITS.maxFileBytes),
    maxRows: formatCount(WEB_IMPORT_LIMITS.maxRows),
    maxNoteChars: formatCount(WEB_IMPORT_LIMITS.maxNoteChars),
    maxProblems: formatCount(WEB_IMPORT_LIMITS.maxProblems),
  };
}

/** The upload page and its result: one file in, every problem listed, or a summary of what changed. */
export async function importWebRoutes(app: FastifyInstance): Promise<void> {
  const contributor = { config: { role: 'contributor' as const }, schema: { hide: true } };
  const upload = { config: { role: 'contributor' as const, multipart: true }, schema: { hide: true } };

  app.get('/o/:org/kpis/import', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    return reply.page(UPLOAD_PAGE, { pageTitle: PAGE_TITLE, organisation, limits: limitsForView() });
  });

  app.post('/o/:org/kpis/import', { ...upload, preValidation: uploadReader('contributor', WEB_IMPORT_LIMITS.maxFileBytes) }, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const upload = uploadOf(request);
    const data = { pageTitle: PAGE_TITLE, organisation, limits: limitsForView() };
    const refuse = (errors: FieldError[], fileName: string | null = null) =>
      reply.page(UPLOAD_PAGE, { ...data, errors, fileName, fileError: errors.length === 1 ? errors[0]?.message : null }, 400);

    if (upload === undefined || (upload.fileName === '' && upload.bytes.length === 0)) {
      return refuse([{ field: 'file', message: 'Select a CSV or XLSX file' }]);
    }
    if (upload.tooLarge) {
      return refuse([{ field: 'file', message: `The selected file must be smaller than ${formatBytes(WEB_IMPORT_LIMITS.maxFileBytes)}` }], upload.fileName);
    }
    const kind = spreadsheetKindOf(upload.fileName, upload.bytes);
    if (kind === null) return refuse([{ field: 'file', message: 'The selected file must be a CSV or XLSX file' }], upload.fileName);

    const result = await importMeasurements(app.database, webActor(request), organisation.id, upload.bytes, {
      kind,
      limits: WEB_IMPORT_LIMITS,
      fileName: upload.fileName,
    });
    if (!result.ok) {
      const errors: FieldError[] = result.problems.map((p) => ({
        field: 'file',
        message: p.line === null || /^Line \d+/.test(p.message) ? p.message : `Line ${p.line}: ${p.message}`,
      }));
      const more = moreProblemsText(result);
      if (more !== null) errors.push({ field: 'file', message: more });
      return reply.page(
        UPLOAD_PAGE,
        {
          ...data,
          errors,
          fileName: upload.fileName,
          fileError: `${upload.fileName} has ${formatCount(result.totalProblems)} ${result.totalProblems === 1 ? 'problem' : 'problems'}: nothing was imported. Fix ${result.totalProblems === 1 ? 'it' : 'them'} and upload the file again`,
        },
        400,
      );
    }
    return reply.page(DONE_PAGE, {
      pageTitle: 'Measurements imported',
      organisation,
      fileName: upload.fileName,
      result: {
        rows: formatCount(result.rows),
        inserted: formatCount(result.inserted),
        updated: formatCount(result.updated),
        unchanged: formatCount(result.unchanged),
        nothingChanged: result.inserted + result.updated === 0,
      },
    });
  });
}
