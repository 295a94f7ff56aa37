import type { ColumnType, Generated } from 'kysely';

export type ProjectType = 'project' | 'programme' | 'service_change' | 'pilot';
export type Phase = 'discovery' | 'alpha' | 'beta' | 'live' | 'retirement';
export type ReportFrequency = 'monthly' | 'quarterly';
export type Rag = 'green' | 'amber' | 'red';
export type BenefitType = 'cash_saving' | 'non_cash_saving' | 'quality' | 'other';

/** numeric columns are read as exact strings and written as numbers or strings. */
type Numeric = ColumnType<string, string | number | undefined, string | number>;
type NullableNumeric = ColumnType<string | null, string | number | null | undefined, string | number | null>;

export interface ProjectTable {
  id: Generated<string>;
  organisation_id: string;
  title: string;
  description: Generated<string>;
  owner_id: string | null;
  type: ProjectType;
  programme_id: string | null;
  phase: Phase;
  planned_start: string | null;
  planned_end: string | null;
  budget_planned_capital: Numeric;
  budget_planned_resource: Numeric;
  budget_actual_capital: Numeric;
  budget_actual_resource: Numeric;
  delivery_approach: Generated<string>;
  report_frequency: Generated<ReportFrequency>;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ProjectPhaseTable {
  organisation_id: string;
  project_id: string;
  phase: Phase;
  started_on: string;
}

export interface ProjectObjectiveTable {
  organisation_id: string;
  project_id: string;
  objective_id: string;
  weight: Numeric;
}

export interface MilestoneTable {
  id: Generated<string>;
  organisation_id: string;
  project_id: string;
  title: string;
  due_on: string;
  completed_on: string | null;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface StatusReportTable {
  id: Generated<string>;
  organisation_id: string;
  project_id: string;
  period: string;
  overall: Rag;
  schedule: Rag;
  budget: Rag;
  scope: Rag;
  reason: Generated<string>;
  achievements: Generated<string>;
  next_steps: Generated<string>;
  issues: Generated<string>;
  decisions_needed: Generated<string>;
  submitted_by: string | null;
  submitted_at: ColumnType<Date, Date | undefined, Date>;
  version: Generated<number>;
}

export interface BenefitTable {
  id: Generated<string>;
  organisation_id: string;
  project_id: string;
  type: BenefitType;
  description: string;
  planned_value: NullableNumeric;
  planned_on: string | null;
  realised_value: NullableNumeric;
  realised_on: string | null;
  kpi_id: string | null;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface StatusReportReminderTable {
  organisation_id: string;
  project_id: string;
  period: string;
  sent_at: ColumnType<Date, Date | undefined, never>;
}
