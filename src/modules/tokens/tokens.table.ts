import type { ColumnType, Generated } from 'kysely';

export interface ApiTokenTable {
  id: Generated<string>;
  organisation_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_by: string | null;
  created_at: ColumnType<Date, never, never>;
}
