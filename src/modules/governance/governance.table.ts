import type { ColumnType, Generated } from 'kysely';

export type BoardCadence = 'weekly' | 'fortnightly' | 'monthly' | 'quarterly' | 'as_needed';
export type OverseenItemType = 'project' | 'objective';
export type LinkedItemType = 'project' | 'objective' | 'kpi';
export type DecisionStatus = 'proposed' | 'made' | 'superseded';
export type RaciRole = 'responsible' | 'accountable' | 'consulted' | 'informed';
export type AssessmentPhase = 'alpha' | 'beta' | 'live';
export type AssessmentOutcome = 'met' | 'not_met';

export interface BoardTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  terms_of_reference: Generated<string>;
  chair_id: string | null;
  cadence: BoardCadence;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface BoardMemberTable {
  organisation_id: string;
  board_id: string;
  user_id: string;
}

export interface BoardOversightTable {
  organisation_id: string;
  board_id: string;
  item_type: OverseenItemType;
  item_id: string;
}

export interface DecisionTable {
  id: Generated<string>;
  organisation_id: string;
  board_id: string;
  /** 'YYYY-MM-DD': when it was made, or for a proposed decision, when it is due to be taken. */
  decided_on: string;
  title: string;
  decision: Generated<string>;
  rationale: Generated<string>;
  options_considered: Generated<string>;
  status: DecisionStatus;
  superseded_by_id: string | null;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface DecisionLinkTable {
  organisation_id: string;
  decision_id: string;
  item_type: LinkedItemType;
  item_id: string;
}

export interface RaciAssignmentTable {
  organisation_id: string;
  item_type: LinkedItemType;
  item_id: string;
  user_id: string;
  role: RaciRole;
}

export interface ServiceAssessmentTable {
  id: Generated<string>;
  organisation_id: string;
  /** The project assessed, or null when the service is named in `service_name`. */
  project_id: string | null;
  service_name: string | null;
  phase: AssessmentPhase;
  assessed_on: string;
  outcome: AssessmentOutcome;
  summary: Generated<string>;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ServiceAssessmentPointTable {
  organisation_id: string;
  assessment_id: string;
  /** 1 to 14: the Service Standard point. */
  point: number;
  met: boolean;
  evidence: Generated<string>;
  actions: Generated<string>;
}
