import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type StrategyStatus = 'draft' | 'published' | 'archived';

export interface AgendaTagTable {
  id: Generated<string>;
  organisation_id: string;
  key: string;
  label: string;
}

export interface StrategyTable {
  id: Generated<string>;
  organisation_id: string;
  title: string;
  vision: Generated<string>;
  period_start: string;
  period_end: string;
  status: Generated<StrategyStatus>;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface StrategyVersionTable {
  id: Generated<string>;
  organisation_id: string;
  strategy_id: string;
  version: number;
  snapshot: JSONColumnType<Record<string, unknown>, string, never>;
  created_at: ColumnType<Date, never, never>;
}

export interface GoalTable {
  id: Generated<string>;
  organisation_id: string;
  strategy_id: string;
  title: string;
  description: Generated<string>;
  tags: Generated<string[]>;
  position: number;
  /** numeric: read as an exact string. */
  weight: ColumnType<string, string | number | undefined, string | number>;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ObjectiveTable {
  id: Generated<string>;
  organisation_id: string;
  goal_id: string;
  title: string;
  description: Generated<string>;
  owner_id: string | null;
  due_date: string | null;
  position: number;
  weight: ColumnType<string, string | number | undefined, string | number>;
  version: Generated<number>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
