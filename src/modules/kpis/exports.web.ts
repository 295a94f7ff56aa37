import type { FastifyInstance } from 'fastify';
import { type Cell } from '../../platform/export/spreadsheet.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { requireOrg, webActor } from '../../platform/http/context.ts';
import { sendSheet } from '../../platform/http/downloads.ts';
import { exportFileName, KPI_EXPORT_HEADER, kpiExportRow, MEASUREMENT_EXPORT_HEADER, measurementExportRow } from './kpis.export.ts';
import { exportMeasurements, listKpisWithStatus, todayUtc } from './kpis.service.ts';
import { keyProblem } from './kpis.ts';

async function* mapRows<T>(rows: AsyncIterable<T>, toCells: (row: T) => Cell[]): AsyncGenerator<Cell[]> {
  for await (const row of rows) yield toCells(row);
}

/** Downloads of the organisation's KPIs (with statuses) and of all its measurements, as CSV and XLSX. */
export async function kpiExportsWebRoutes(app: FastifyInstance): Promise<void> {
  const viewer = { schema: { hide: true } };

  for (const format of ['csv', 'xlsx'] as const) {
    app.get(`/o/:org/kpis/export.${format}`, viewer, async (request, reply) => {
      const { organisation } = requireOrg(request);
      const today = todayUtc();
      const kpis = await listKpisWithStatus(app.db, webActor(request), organisation.id, {}, { today });
      return sendSheet(request, reply, format, exportFileName(organisation.slug, 'kpis', today, format), {
        name: 'KPIs',
        header: KPI_EXPORT_HEADER,
        rows: kpis.map(kpiExportRow),
      });
    });

    app.get(`/o/:org/kpis/measurements.${format}`, viewer, async (request, reply) => {
      const { organisation } = requireOrg(request);
      const rows = await exportMeasurements(app.db, webActor(request), organisation.id);
      return sendSheet(request, reply, format, exportFileName(organisation.slug, 'measurements', todayUtc(), format), {
        name: 'Measurements',
        header: MEASUREMENT_EXPORT_HEADER,
        rows: mapRows(rows, measurementExportRow),
      });
    });
  }

  // One KPI's values (linked from its page, which shows only those since the baseline).
  app.get('/o/:org/kpis/:key/measurements.csv', viewer, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const key = (request.params as { key?: string }).key ?? '';
    if (keyProblem(key) !== null) throw new NotFoundError();
    const rows = await exportMeasurements(app.db, webActor(request), organisation.id, { key });
    return sendSheet(request, reply, 'csv', exportFileName(organisation.slug, `${key}-measurements`, todayUtc(), 'csv'), {
      name: 'Measurements',
      header: MEASUREMENT_EXPORT_HEADER,
      rows: mapRows(rows, measurementExportRow),
    });
  });
}
