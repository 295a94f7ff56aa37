import type { ColumnType, Generated } from 'kysely';
import type { Role } from '../../platform/access/roles.ts';

export interface AppUserTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string | null;
  totp_secret: string | null;
  totp_last_step: number | null;
  mfa_enabled_at: Date | null;
  active: Generated<boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface MembershipTable {
  user_id: string;
  organisation_id: string;
  role: Role;
  deactivated_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}

export interface UserInvitationTable {
  token_hash: string;
  user_id: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}
