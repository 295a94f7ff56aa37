import type { FastifyInstance } from 'fastify';
import type { FieldError } from '../../platform/errors.ts';
import { redirectWithFlash, requireOrg, webActor } from '../../platform/http/context.ts';
import { sendSheet } from '../../platform/http/downloads.ts';
import { spreadsheetKindOf, uploadOf, uploadReader } from '../../platform/http/uploads.ts';
import { EXPORT_HEADER, exportRow, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS } from './risk-import.ts';
import { importRisks, listRisks, todayUtc } from './risk.service.ts';

const UPLOAD_PAGE = 'risk/views/import.njk';
const PAGE_TITLE = 'Import a risk register';

/** Importing a register from a file, and downloading it as CSV or XLSX. */
export async function riskImportWebRoutes(app: FastifyInstance): Promise<void> {
  const viewer = { schema: { hide: true } };
  const contributor = { config: { role: 'contributor' as const }, schema: { hide: true } };
  const upload = { config: { role: 'contributor' as const, multipart: true }, schema: { hide: true } };
  const limits = {
    maxFileSize: `${MAX_IMPORT_BYTES / 1024 / 1024} MB`,
    maxRows: MAX_IMPORT_ROWS.toLocaleString('en-GB'),
  };

  app.get('/o/:org/risks/import', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    return reply.page(UPLOAD_PAGE, { pageTitle: PAGE_TITLE, organisation, ...limits });
  });

  app.post('/o/:org/risks/import', { ...upload, preValidation: uploadReader('contributor', MAX_IMPORT_BYTES) }, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const file = uploadOf(request);
    const data = { pageTitle: PAGE_TITLE, organisation, ...limits };
    const refuse = (message: string) =>
      reply.page(UPLOAD_PAGE, { ...data, errors: [{ field: 'file', message }], fileError: message }, 400);
    if (file === undefined || (file.fileName === '' && file.bytes.length === 0))
      return refuse('Select a CSV or XLSX file');
    if (file.tooLarge) return refuse(`The selected file must be smaller than ${limits.maxFileSize}`);
    const kind = spreadsheetKindOf(file.fileName, file.bytes);
    if (kind === null) return refuse('The selected file must be a CSV or XLSX file');
    const result = await importRisks(app.db, webActor(request), organisation.id, file.bytes, kind);
    if (!result.ok) {
      const errors: FieldError[] = result.problems.map((p) => ({ field: 'file', message: p.message }));
      const hidden = result.totalProblems - result.problems.length;
      if (hidden > 0)
        errors.push({
          field: 'file',
          message: `and ${hidden} more ${hidden === 1 ? 'problem' : 'problems'}`,
        });
      const fileError = `${file.fileName} has ${result.totalProblems} ${result.totalProblems === 1 ? 'problem' : 'problems'}: nothing was imported. Fix ${result.totalProblems === 1 ? 'it' : 'them'} and upload the file again`;
      return reply.page(UPLOAD_PAGE, { ...data, errors, fileError }, 400);
    }
    return redirectWithFlash(
      reply,
      `/o/${organisation.slug}/risks`,
      `${result.created} ${result.created === 1 ? 'risk' : 'risks'} imported from ${file.fileName}`,
    );
  });

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/o/:org/risks/export.${format}`, viewer, async (request, reply) => {
      const { organisation } = requireOrg(request);
      const today = todayUtc();
      const risks = await listRisks(app.db, webActor(request), organisation.id, {}, { today });
      return sendSheet(request, reply, format, `${organisation.slug}-risks-${today}.${format}`, {
        name: 'Risks',
        header: EXPORT_HEADER,
        rows: risks.map(exportRow),
      });
    });
  }
}
