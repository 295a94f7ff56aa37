import type { Db } from '../../db/database.ts';
import type { Role } from '../../platform/access/roles.ts';
import type { Member, MembershipSummary, User } from './users.ts';

const userColumns = ['app_user.id', 'app_user.email', 'app_user.name', 'app_user.active', 'app_user.mfa_enabled_at'] as const;

function toUser(row: { id: string; email: string; name: string; active: boolean; mfa_enabled_at: Date | null }): User {
  return { id: row.id, email: row.email, name: row.name, active: row.active, mfaEnabled: row.mfa_enabled_at !== null };
}

export async function insertUser(db: Db, values: { email: string; name: string; passwordHash: string | null }): Promise<User> {
  const row = await db
    .insertInto('app_user')
    .values({ email: values.email, name: values.name, password_hash: values.passwordHash })
    .returning(['id', 'email', 'name', 'active', 'mfa_enabled_at'])
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  const row = await db.selectFrom('app_user').select(userColumns).where('email', '=', email).executeTakeFirst();
  return row && toUser(row);
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  const row = await db.selectFrom('app_user').select(userColumns).where('id', '=', id).executeTakeFirst();
  return row && toUser(row);
}

export async function insertMembership(db: Db, values: { userId: string; organisationId: string; role: Role }): Promise<void> {
  await db
    .insertInto('membership')
    .values({ user_id: values.userId, organisation_id: values.organisationId, role: values.role, deactivated_at: null })
    .execute();
}

const memberColumns = [...userColumns, 'membership.role', 'membership.deactivated_at', 'membership.created_at'] as const;

interface MemberRow {
  id: string;
  email: string;
  name: string;
  active: boolean;
  mfa_enabled_at: Date | null;
  role: Role;
  deactivated_at: Date | null;
  created_at: Date;
}

function toMember(row: MemberRow): Member {
  return { ...toUser(row), role: row.role, deactivated: row.deactivated_at !== null, joinedAt: row.created_at };
}

export async function findMember(db: Db, organisationId: string, userId: string): Promise<Member | undefined> {
  const row = await db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select(memberColumns)
    .where('membership.organisation_id', '=', organisationId)
    .where('membership.user_id', '=', userId)
    .executeTakeFirst();
  return row && toMember(row);
}

export async function listMembers(db: Db, organisationId: string): Promise<Member[]> {
  const rows = await db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select(memberColumns)
    .where('membership.organisation_id', '=', organisationId)
    .orderBy('app_user.name')
    .orderBy('app_user.email')
    .execute();
  return rows.map(toMember);
}

export async function updateMembership(
  db: Db,
  organisationId: string,
  userId: string,
  changes: { role?: Role; deactivatedAt?: Date | null },
): Promise<void> {
  await db
    .updateTable('membership')
    .set({
      ...(changes.role === undefined ? {} : { role: changes.role }),
      ...(changes.deactivatedAt === undefined ? {} : { deactivated_at: changes.deactivatedAt }),
    })
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .execute();
}

export async function countActiveAdmins(db: Db, organisationId: string): Promise<number> {
  const row = await db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('membership.organisation_id', '=', organisationId)
    .where('membership.role', '=', 'admin')
    .where('membership.deactivated_at', 'is', null)
    .where('app_user.active', '=', true)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** The organisations a user may act in now: active memberships only, by name. */
export async function listActiveMemberships(db: Db, userId: string): Promise<MembershipSummary[]> {
  const rows = await db
    .selectFrom('membership')
    .innerJoin('organisation', 'organisation.id', 'membership.organisation_id')
    .select(['organisation.id', 'organisation.slug', 'organisation.name', 'organisation.require_mfa', 'membership.role'])
    .where('membership.user_id', '=', userId)
    .where('membership.deactivated_at', 'is', null)
    .orderBy('organisation.name')
    .execute();
  return rows.map((r) => ({ organisationId: r.id, slug: r.slug, name: r.name, role: r.role, requireMfa: r.require_mfa }));
}

export async function insertInvitation(db: Db, values: { tokenHash: string; userId: string; expiresAt: Date }): Promise<void> {
  await db
    .insertInto('user_invitation')
    .values({ token_hash: values.tokenHash, user_id: values.userId, expires_at: values.expiresAt, used_at: null })
    .execute();
}

export async function findInvitation(db: Db, tokenHash: string) {
  return db
    .selectFrom('user_invitation')
    .innerJoin('app_user', 'app_user.id', 'user_invitation.user_id')
    .select(['user_invitation.user_id', 'user_invitation.expires_at', 'user_invitation.used_at', 'app_user.email', 'app_user.name', 'app_user.active'])
    .where('user_invitation.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Marks the invitation used; false when it was already used (a second click, or a race). */
export async function useInvitation(db: Db, tokenHash: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('user_invitation')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countMemberships(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('membership')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function hasPassword(db: Db, userId: string): Promise<boolean> {
  const row = await db.selectFrom('app_user').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return row?.password_hash != null;
}

/** Ends every unused invitation of a user, so only the newest link works. */
export async function expireInvitations(db: Db, userId: string, now: Date): Promise<void> {
  await db.updateTable('user_invitation').set({ expires_at: now }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
}
