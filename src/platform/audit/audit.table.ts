import type { ColumnType, Generated, JSONColumnType } from 'kysely';

export type AuditVia = 'web' | 'api' | 'cli' | 'system';

export interface AuditChainTable {
  chain_key: string;
  last_seq: number;
  last_hash: string;
}

export interface AuditEventTable {
  id: Generated<number>;
  chain_key: string;
  seq: number;
  organisation_id: string | null;
  actor_user_id: string | null;
  actor_token_id: string | null;
  actor_label: string;
  via: AuditVia;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: JSONColumnType<Record<string, unknown> | null, string | null, never>;
  after: JSONColumnType<Record<string, unknown> | null, string | null, never>;
  request_id: string | null;
  occurred_at: ColumnType<Date, Date, never>;
  prev_hash: string;
  hash: string;
}
