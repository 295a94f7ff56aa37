import type { ColumnType, Generated } from 'kysely';

/** benefits: the sum of the realised cash savings of the project benefits that feed the KPI (delivery module). */
export type MeasurementSource = 'manual' | 'import' | 'api' | 'feedback' | 'formula' | 'benefits';

export interface MeasurementTable {
  id: Generated<number>;
  organisation_id: string;
  kpi_id: string;
  period: string;
  value: ColumnType<string, string | number, string | number>;
  note: string | null;
  source: MeasurementSource;
  recorded_by: string | null;
  recorded_at: ColumnType<Date, Date | undefined, Date>;
}
