import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import type { ImportLimits } from '../../src/modules/measurements/import-format.ts';
import { WEB_IMPORT_LIMITS } from '../../src/modules/measurements/import-format.ts';

/** Measurement rows and audit events of one organisation: what an import may change. */
export async function importFootprint(db: Db, organisationId: string): Promise<{ measurements: number; auditEvents: number }> {
  const { rows } = await sql<{ measurements: number; auditEvents: number }>`
    select (select count(*)::int from measurement where organisation_id = ${organisationId}) as "measurements",
           (select count(*)::int from audit_event where organisation_id = ${organisationId}) as "auditEvents"`.execute(db);
  return rows[0] ?? { measurements: 0, auditEvents: 0 };
}

/** Every stored measurement of an organisation as [key, period, value, note, source], sorted. */
export async function storedMeasurements(
  db: Db,
  organisationId: string,
  options: { includeDerived?: boolean } = {},
): Promise<[string, string, string, string | null, string][]> {
  // Derived values (source 'formula') follow from the imported ones; most tests look only at what was imported.
  const sources = options.includeDerived === true ? ['manual', 'import', 'api', 'feedback', 'formula'] : ['manual', 'import', 'api', 'feedback'];
  const { rows } = await sql<{ key: string; period: string; value: string; note: string | null; source: string }>`
    select k.key, m.period::text as period, m.value::text as value, m.note, m.source
      from measurement m join kpi k on k.id = m.kpi_id
     where m.organisation_id = ${organisationId} and m.source in (${sql.join(sources)})
     order by k.key, m.period`.execute(db);
  return rows.map((r) => [r.key, r.period, r.value, r.note, r.source]);
}

/** An XLSX workbook (one sheet) holding `rows`, the first being the header. */
export async function xlsxOf(rows: readonly (readonly (string | number)[])[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Measurements');
  for (const row of rows) sheet.addRow([...row]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Web limits shrunk so "over the limit" needs only a small file. */
export const SMALL_LIMITS: ImportLimits = Object.freeze({ ...WEB_IMPORT_LIMITS, maxFileBytes: 400, maxRows: 3, maxProblems: 5 });
