import type { Db } from '../../db/database.ts';
import type { SessionStage } from './auth.table.ts';

export async function insertSession(
  db: Db,
  row: { idHash: string; userId: string; organisationId: string | null; stage: SessionStage; now: Date },
): Promise<void> {
  await db
    .insertInto('session')
    .values({
      id_hash: row.idHash,
      user_id: row.userId,
      organisation_id: row.organisationId,
      stage: row.stage,
      created_at: row.now,
      last_seen_at: row.now,
    })
    .execute();
}

export async function findSession(db: Db, idHash: string) {
  return db
    .selectFrom('session')
    .innerJoin('app_user', 'app_user.id', 'session.user_id')
    .select([
      'session.id_hash',
      'session.user_id',
      'session.organisation_id',
      'session.stage',
      'session.created_at',
      'session.last_seen_at',
      'app_user.email',
      'app_user.name',
      'app_user.active',
      'app_user.mfa_enabled_at',
    ])
    .where('session.id_hash', '=', idHash)
    .executeTakeFirst();
}

export async function touchSession(db: Db, idHash: string, now: Date): Promise<void> {
  await db.updateTable('session').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute();
}

export async function updateSession(
  db: Db,
  idHash: string,
  changes: { stage?: SessionStage; organisationId?: string | null },
): Promise<void> {
  await db
    .updateTable('session')
    .set({
      ...(changes.stage === undefined ? {} : { stage: changes.stage }),
      ...(changes.organisationId === undefined ? {} : { organisation_id: changes.organisationId }),
    })
    .where('id_hash', '=', idHash)
    .execute();
}

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('session').where('id_hash', '=', idHash).execute();
}

export async function deleteSessionsOfUser(db: Db, userId: string, exceptIdHash?: string): Promise<number> {
  let query = db.deleteFrom('session').where('user_id', '=', userId);
  if (exceptIdHash !== undefined) query = query.where('id_hash', '<>', exceptIdHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteSessionsOlderThan(db: Db, cutoff: Date): Promise<void> {
  await db.deleteFrom('session').where('last_seen_at', '<', cutoff).execute();
}

export async function recordSignInFailure(db: Db, email: string, ip: string, now: Date): Promise<void> {
  await db.insertInto('sign_in_failure').values({ email, ip, occurred_at: now }).execute();
}

export async function countRecentFailures(db: Db, since: Date, email: string, ip: string): Promise<{ byEmail: number; byIp: number }> {
  const row = await db
    .selectFrom('sign_in_failure')
    .select((eb) => [
      eb.fn.count<number>(eb.case().when('email', '=', email).then(1).end()).as('by_email'),
      eb.fn.count<number>(eb.case().when('ip', '=', ip).then(1).end()).as('by_ip'),
    ])
    .where('occurred_at', '>=', since)
    .where((eb) => eb.or([eb('email', '=', email), eb('ip', '=', ip)]))
    .executeTakeFirstOrThrow();
  return { byEmail: row.by_email, byIp: row.by_ip };
}

export async function clearFailuresForEmail(db: Db, email: string): Promise<void> {
  await db.deleteFrom('sign_in_failure').where('email', '=', email).execute();
}

export async function findUserCredentials(db: Db, email: string) {
  return db
    .selectFrom('app_user')
    .select(['id', 'email', 'name', 'password_hash', 'active', 'totp_secret', 'totp_last_step', 'mfa_enabled_at'])
    .where('email', '=', email)
    .executeTakeFirst();
}

export async function findUserById(db: Db, userId: string) {
  return db
    .selectFrom('app_user')
    .select(['id', 'email', 'name', 'password_hash', 'active', 'totp_secret', 'totp_last_step', 'mfa_enabled_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
}

/**
 * Records the TOTP time step just accepted, only if it is newer than the last one: the
 * conditional update makes a replayed code fail even when two requests race.
 */
export async function claimTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('app_user')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function setTotp(db: Db, userId: string, secret: string | null, enabledAt: Date | null, step: number | null): Promise<void> {
  await db
    .updateTable('app_user')
    .set({ totp_secret: secret, mfa_enabled_at: enabledAt, totp_last_step: step, updated_at: new Date() })
    .where('id', '=', userId)
    .execute();
}

export async function setPasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('app_user').set({ password_hash: passwordHash, updated_at: new Date() }).where('id', '=', userId).execute();
}

export async function replaceRecoveryCodes(db: Db, userId: string, codeHashes: readonly string[]): Promise<void> {
  await db.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
  if (codeHashes.length > 0) {
    await db
      .insertInto('recovery_code')
      .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null })))
      .execute();
  }
}

/** Marks an unused code as used; false when there is no such unused code. */
export async function useRecoveryCode(db: Db, userId: string, codeHash: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('recovery_code')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countUnusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_code')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.n;
}
