import type { ColumnType, Generated } from 'kysely';

export type SessionStage = 'mfa_pending' | 'mfa_setup' | 'active';

export interface SessionTable {
  id_hash: string;
  user_id: string;
  organisation_id: string | null;
  stage: SessionStage;
  created_at: ColumnType<Date, Date | undefined, never>;
  last_seen_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RecoveryCodeTable {
  id: Generated<string>;
  user_id: string;
  code_hash: string;
  used_at: Date | null;
}

export interface SignInFailureTable {
  id: Generated<number>;
  email: string;
  ip: string;
  occurred_at: ColumnType<Date, Date | undefined, never>;
}
