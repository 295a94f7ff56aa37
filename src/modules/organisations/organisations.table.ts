import type { ColumnType, Generated } from 'kysely';

export interface OrganisationTable {
  id: Generated<string>;
  slug: string;
  name: string;
  parent_id: string | null;
  require_mfa: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}
