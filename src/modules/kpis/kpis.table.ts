import type { ColumnType, Generated } from 'kysely';
import type { Frequency } from './periods.ts';

export type Polarity = 'higher_is_better' | 'lower_is_better';

/** numeric columns are read as exact strings and written as numbers or strings. */
type Numeric = ColumnType<string, string | number, string | number>;

export interface KpiTable {
  id: Generated<string>;
  organisation_id: string;
  key: string;
  name: string;
  definition: Generated<string>;
  unit: Generated<string>;
  polarity: Polarity;
  frequency: Frequency;
  baseline_value: Numeric;
  baseline_date: string;
  target_value: Numeric;
  target_date: string;
  tolerance: ColumnType<string, string | number | undefined, string | number>;
  owner_id: string | null;
  category: Generated<string>;
  formula: string | null;
  is_public: Generated<boolean>;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface KpiObjectiveTable {
  organisation_id: string;
  kpi_id: string;
  objective_id: string;
  weight: ColumnType<string, string | number | undefined, string | number>;
}

export interface KpiInputTable {
  organisation_id: string;
  kpi_id: string;
  input_kpi_id: string;
}

export interface KpiReminderTable {
  organisation_id: string;
  kpi_id: string;
  period: string;
  sent_at: ColumnType<Date, Date | undefined, never>;
}

/** Written only by the database's triggers (migration 0006): which transaction changed which organisation's KPI data. */
export interface OrganisationChangeTable {
  organisation_id: string;
  txid: ColumnType<string, never, never>;
  noted_at: ColumnType<Date, never, never>;
}
