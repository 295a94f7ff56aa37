import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ValidationError } from '../../platform/errors.ts';
import { redirectWithFlash, requireOrg, webActor } from '../../platform/http/context.ts';
import { sendSheet } from '../../platform/http/downloads.ts';
import { uploadOf, uploadReader } from '../../platform/http/uploads.ts';
import { withFormErrors } from '../../platform/http/forms.ts';
import { importProjects, listProjectViews, projectFormOptions } from './delivery.service.ts';
import { IMPORT_COLUMNS, MAX_IMPORT_ROWS, PORTFOLIO_EXPORT_HEADER, portfolioExportRow } from './portfolio-file.ts';
import { MAX_IMPORT_BYTES } from './portfolio-reader.ts';
import { filtersOf } from './delivery.web.ts';

const IMPORT_PAGE = 'delivery/views/import.njk';

/** Downloads of the portfolio (with the page's filters) as CSV and XLSX, and importing a project list. */
export async function portfolioWebRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;
  const viewer = { schema: { hide: true } };
  const upload = { config: { role: 'manager' as const, multipart: true }, schema: { hide: true } };

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/o/:org/projects/export.${format}`, viewer, async (request, reply) => {
      const { organisation } = requireOrg(request);
      const actor = webActor(request);
      const today = new Date().toISOString().slice(0, 10);
      const [projects, options] = await Promise.all([
        listProjectViews(db, actor, organisation.id, filtersOf(request), { today }),
        projectFormOptions(db, actor, organisation.id),
      ]);
      const emails = new Map(options.owners.map((o) => [o.id, o.email]));
      const programmes = new Map(options.programmes.map((p) => [p.id, p.title]));
      const objectives = new Map(options.objectives.map((o) => [o.id, o.title]));
      return sendSheet(request, reply, format, `${organisation.slug}-portfolio-${today}.${format}`, {
        name: 'Portfolio',
        header: PORTFOLIO_EXPORT_HEADER,
        rows: projects.map((p) =>
          portfolioExportRow({
            ...p,
            ownerEmail: p.ownerId === null ? null : (emails.get(p.ownerId) ?? null),
            programmeTitle: p.programmeId === null ? null : (programmes.get(p.programmeId) ?? null),
            rag: p.rag,
            reportLate: p.late !== null,
            objectiveTitles: p.objectives.flatMap((o) => {
              const title = objectives.get(o.objectiveId);
              return title === undefined ? [] : [title];
            }),
          }),
        ),
      });
    });
  }

  const pageData = (request: FastifyRequest) => ({
    pageTitle: 'Import projects from a CSV file',
    organisation: requireOrg(request).organisation,
    columns: IMPORT_COLUMNS,
    maxRows: MAX_IMPORT_ROWS.toLocaleString('en-GB'),
  });

  app.get(
    '/o/:org/projects/import',
    { config: { role: 'manager' as const }, schema: { hide: true } },
    async (request, reply) => reply.page(IMPORT_PAGE, pageData(request)),
  );

  app.post('/o/:org/projects/import', { ...upload, preValidation: uploadReader('manager', MAX_IMPORT_BYTES) }, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const file = uploadOf(request);
    return withFormErrors(reply, IMPORT_PAGE, pageData(request), async () => {
      if (file === undefined || (file.fileName === '' && file.bytes.length === 0))
        throw ValidationError.of('file', 'Select a CSV file');
      if (file.tooLarge) throw ValidationError.of('file', 'The selected file must be smaller than 2 MB');
      if (!file.fileName.toLowerCase().endsWith('.csv'))
        throw ValidationError.of('file', 'The selected file must be a CSV file');
      const ids = await importProjects(db, webActor(request), organisation.id, file.bytes);
      return redirectWithFlash(
        reply,
        `/o/${organisation.slug}/projects`,
        `${ids.length} ${ids.length === 1 ? 'project' : 'projects'} imported`,
      );
    });
  });
}
