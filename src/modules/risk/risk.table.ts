import type { ColumnType, Generated } from 'kysely';

export interface RiskCategoryTable {
  id: Generated<string>;
  organisation_id: string;
  key: string;
  label: string;
  appetite_level: string;
  appetite_max_score: number;
  position: number;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RiskTable {
  id: Generated<string>;
  organisation_id: string;
  title: string;
  cause: Generated<string>;
  event: Generated<string>;
  consequence: Generated<string>;
  category_id: string;
  owner_id: string | null;
  proximity: string;
  status: Generated<string>;
  inherent_likelihood: number;
  inherent_impact: number;
  current_likelihood: number;
  current_impact: number;
  target_likelihood: number;
  target_impact: number;
  response: string;
  review_frequency: Generated<string>;
  last_reviewed_on: string;
  next_review_on: string;
  escalated_to_id: string | null;
  escalated_at: Date | null;
  escalation_note: Generated<string>;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RiskAssessmentTable {
  id: Generated<number>;
  organisation_id: string;
  risk_id: string;
  assessed_on: string;
  inherent_likelihood: number;
  inherent_impact: number;
  current_likelihood: number;
  current_impact: number;
  target_likelihood: number;
  target_impact: number;
  note: Generated<string>;
  assessed_by: string | null;
  recorded_at: ColumnType<Date, Date | undefined, never>;
}

export interface RiskObjectiveTable {
  organisation_id: string;
  risk_id: string;
  objective_id: string;
}

export interface RiskKpiTable {
  organisation_id: string;
  risk_id: string;
  kpi_id: string;
}

export interface RiskProjectTable {
  organisation_id: string;
  risk_id: string;
  project_id: string;
}

export interface RiskActionTable {
  id: Generated<string>;
  organisation_id: string;
  risk_id: string;
  description: string;
  owner_id: string | null;
  due_on: string;
  status: Generated<string>;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ContingencyPlanTable {
  risk_id: string;
  organisation_id: string;
  trigger: string;
  plan: string;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RiskReviewReminderTable {
  organisation_id: string;
  risk_id: string;
  due_on: string;
  sent_at: ColumnType<Date, Date | undefined, never>;
}
