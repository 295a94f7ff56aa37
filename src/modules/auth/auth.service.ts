import { randomInt } from 'node:crypto';
import { type Db, inTransaction } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import { randomSecret, sha256 } from '../../platform/crypto.ts';
import { TooManyRequestsError, UnauthenticatedError, ValidationError } from '../../platform/errors.ts';
import * as users from '../users/users.service.ts';
import type { MembershipSummary } from '../users/users.ts';
import {
  FAILURE_WINDOW_MS,
  formatRecoveryCode,
  normaliseRecoveryCode,
  RECOVERY_CODE_COUNT,
  type SessionExpiry,
  sessionExpiry,
  shouldTouch,
  stageAfterPassword,
  throttleVerdict,
} from './auth.ts';
import type { SessionStage } from './auth.table.ts';
import * as repo from './auth.repository.ts';
import { decoyPasswordHash, hashPassword, passwordProblems, verifyPassword } from './passwords.ts';
import { newTotpSecret, verifyTotp } from './totp.ts';

export interface SessionLimits {
  idleSeconds: number;
  absoluteSeconds: number;
}

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  mfaEnabled: boolean;
}

export interface CurrentSession {
  idHash: string;
  stage: SessionStage;
  user: SignedInUser;
  memberships: MembershipSummary[];
  /** The organisation last chosen, if the person still belongs to it. */
  organisationId: string | null;
}

export type SessionLookup = { status: 'ok'; session: CurrentSession } | { status: 'expired' | 'missing' };

function userActor(user: { id: string; email: string }, requestId: string | null): Actor {
  return { kind: 'user', userId: user.id, label: user.email, organisationId: null, role: null, via: 'web', requestId };
}

/** Starts a session with a fresh random id (≥ 128 bits); returns the id for the cookie. */
async function startSession(db: Db, userId: string, stage: SessionStage, organisationId: string | null): Promise<string> {
  const id = randomSecret(32);
  await repo.insertSession(db, { idHash: sha256(id), userId, organisationId, stage, now: new Date() });
  return id;
}

export async function resolveSession(db: Db, sessionId: string, limits: SessionLimits, now = new Date()): Promise<SessionLookup> {
  const idHash = sha256(sessionId);
  const row = await repo.findSession(db, idHash);
  if (row === undefined) return { status: 'missing' };
  const expiry: SessionExpiry = sessionExpiry({ createdAt: row.created_at, lastSeenAt: row.last_seen_at }, now, limits);
  if (expiry !== null || !row.active) {
    await repo.deleteSession(db, idHash);
    return { status: 'expired' };
  }
  if (shouldTouch(row.last_seen_at, now)) await repo.touchSession(db, idHash, now);
  const memberships = await users.listActiveMemberships(db, row.user_id);
  const organisationId = memberships.some((m) => m.organisationId === row.organisation_id) ? row.organisation_id : null;
  return {
    status: 'ok',
    session: {
      idHash,
      stage: row.stage,
      user: { id: row.user_id, email: row.email, name: row.name, mfaEnabled: row.mfa_enabled_at !== null },
      memberships,
      organisationId,
    },
  };
}

export interface SignInResult {
  sessionId: string;
  stage: SessionStage;
}

async function assertNotThrottled(db: Db, email: string, ip: string): Promise<void> {
  const failures = await repo.countRecentFailures(db, new Date(Date.now() - FAILURE_WINDOW_MS), email, ip);
  const verdict = throttleVerdict(failures);
  if (verdict.throttled) {
    throw new TooManyRequestsError(
      verdict.reason === 'account'
        ? 'There have been too many failed sign-in attempts for this account. Wait 15 minutes, then try again.'
        : 'There have been too many failed sign-in attempts from your network. Wait 15 minutes, then try again.',
      FAILURE_WINDOW_MS / 1000,
    );
  }
}

const BAD_CREDENTIALS = 'Enter a correct email address and password';

/**
 * Checks email and password. Failures are counted per account and per address and throttled;
 * an unknown email costs the same time as a wrong password, so neither reveals which
 * accounts exist.
 */
export async function signIn(
  db: Db,
  input: { email: string; password: string; ip: string; requestId: string | null },
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const problems = [
    ...(email === '' ? [{ field: 'email', message: 'Enter your email address' }] : []),
    ...(input.password === '' ? [{ field: 'password', message: 'Enter your password' }] : []),
  ];
  if (problems.length > 0) throw new ValidationError(problems);
  await assertNotThrottled(db, email, input.ip);
  const user = await repo.findUserCredentials(db, email);
  const passwordOk = await verifyPassword(input.password, user?.password_hash ?? (await decoyPasswordHash()));
  if (user === undefined || !passwordOk || !user.active || user.password_hash === null) {
    await repo.recordSignInFailure(db, email, input.ip, new Date());
    throw ValidationError.of('email', BAD_CREDENTIALS);
  }
  const memberships = await users.listActiveMemberships(db, user.id);
  const stage = stageAfterPassword({ mfaEnabled: user.mfa_enabled_at !== null }, memberships.some((m) => m.requireMfa));
  return inTransaction(db, async (trx) => {
    await repo.clearFailuresForEmail(trx, email);
    const sessionId = await startSession(trx, user.id, stage, memberships[0]?.organisationId ?? null);
    if (stage === 'active') {
      await recordAudit(trx, userActor(user, input.requestId), {
        organisationId: null,
        action: 'user.signed_in',
        entityType: 'user',
        entityId: user.id,
      });
    }
    return { sessionId, stage };
  });
}

/**
 * The second step: a code from the authenticator app, or a one-time recovery code. Success
 * replaces the session with a new one (new id), so the half-signed-in id is worthless.
 */
export async function completeMfa(
  db: Db,
  session: CurrentSession,
  input: { code: string; ip: string; requestId: string | null },
): Promise<string> {
  if (session.stage !== 'mfa_pending') throw new UnauthenticatedError();
  const code = input.code.trim();
  if (code === '') throw ValidationError.of('code', 'Enter the 6-digit code from your authenticator app');
  const email = session.user.email;
  await assertNotThrottled(db, email, input.ip);
  const user = await repo.findUserById(db, session.user.id);
  if (user?.totp_secret == null) throw new UnauthenticatedError();
  const step = await verifyTotp(user.totp_secret, code, user.totp_last_step);
  let accepted = step !== null && (await repo.claimTotpStep(db, user.id, step));
  let usedRecoveryCode = false;
  if (!accepted && step === null && !/^\d{6}$/.test(code.replace(/\s/g, ''))) {
    accepted = await repo.useRecoveryCode(db, user.id, sha256(normaliseRecoveryCode(code)), new Date());
    usedRecoveryCode = accepted;
  }
  if (!accepted) {
    await repo.recordSignInFailure(db, email, input.ip, new Date());
    throw ValidationError.of('code', 'The code is not right or has already been used. Enter the current code from your app');
  }
  return inTransaction(db, async (trx) => {
    await repo.deleteSession(trx, session.idHash);
    await repo.clearFailuresForEmail(trx, email);
    const sessionId = await startSession(trx, user.id, 'active', session.organisationId);
    await recordAudit(trx, userActor(user, input.requestId), {
      organisationId: null,
      action: usedRecoveryCode ? 'user.signed_in_with_recovery_code' : 'user.signed_in',
      entityType: 'user',
      entityId: user.id,
    });
    return sessionId;
  });
}

export async function signOut(db: Db, session: CurrentSession): Promise<void> {
  await repo.deleteSession(db, session.idHash);
}

export async function switchOrganisation(db: Db, session: CurrentSession, organisationId: string): Promise<void> {
  if (!session.memberships.some((m) => m.organisationId === organisationId)) return;
  await repo.updateSession(db, session.idHash, { organisationId });
}

/** Ends every session of a user (deactivation, password change elsewhere). */
export function endSessionsOfUser(db: Db, userId: string, exceptSessionIdHash?: string): Promise<number> {
  return repo.deleteSessionsOfUser(db, userId, exceptSessionIdHash);
}

/** Stores an already validated and hashed password (used when an invitation is accepted). */
export function storePasswordHash(db: Db, userId: string, passwordHash: string): Promise<void> {
  return repo.setPasswordHash(db, userId, passwordHash);
}

/**
 * A fresh secret for the person to scan. Nothing is stored until they prove their app works
 * with a code (confirmMfaSetup), so opening the set-up page changes nothing.
 */
export function newMfaSecret(): string {
  return newTotpSecret();
}

function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: RECOVERY_CODE_COUNT }, () =>
    Array.from({ length: 10 }, () => alphabet[randomInt(alphabet.length)]).join(''),
  );
}

/**
 * Confirms the app works by checking one code, turns MFA on and returns ten one-time recovery
 * codes (shown once; only their hashes are kept). A session in the set-up stage becomes a full
 * session with a new id.
 */
export async function confirmMfaSetup(
  db: Db,
  session: CurrentSession,
  input: { secret: string; code: string; requestId: string | null },
): Promise<{ recoveryCodes: string[]; sessionId: string | null }> {
  const user = await repo.findUserById(db, session.user.id);
  if (user === undefined) throw new UnauthenticatedError();
  if (user.mfa_enabled_at !== null) throw ValidationError.of('code', 'Two-factor authentication is already set up');
  if (!/^[A-Z2-7]{32}$/.test(input.secret)) throw ValidationError.of('code', 'Start setting up your authenticator app again');
  if (input.code.trim() === '') throw ValidationError.of('code', 'Enter the 6-digit code from your authenticator app');
  const step = await verifyTotp(input.secret, input.code, null);
  if (step === null) throw ValidationError.of('code', 'The code is not right. Enter the current 6-digit code from your app');
  const codes = newRecoveryCodes();
  return inTransaction(db, async (trx) => {
    await repo.setTotp(trx, user.id, input.secret, new Date(), step);
    await repo.replaceRecoveryCodes(trx, user.id, codes.map((c) => sha256(c)));
    let sessionId: string | null = null;
    if (session.stage === 'mfa_setup') {
      await repo.deleteSession(trx, session.idHash);
      sessionId = await startSession(trx, user.id, 'active', session.organisationId);
    }
    await recordAudit(trx, userActor(user, input.requestId), {
      organisationId: null,
      action: 'user.mfa_enabled',
      entityType: 'user',
      entityId: user.id,
    });
    return { recoveryCodes: codes.map(formatRecoveryCode), sessionId };
  });
}

/** New recovery codes replace the old ones (after the person has used some, or lost them). */
export async function regenerateRecoveryCodes(db: Db, session: CurrentSession, requestId: string | null): Promise<string[]> {
  if (!session.user.mfaEnabled) throw ValidationError.of('code', 'Set up two-factor authentication first');
  const codes = newRecoveryCodes();
  await inTransaction(db, async (trx) => {
    await repo.replaceRecoveryCodes(trx, session.user.id, codes.map((c) => sha256(c)));
    await recordAudit(trx, userActor(session.user, requestId), {
      organisationId: null,
      action: 'user.recovery_codes_regenerated',
      entityType: 'user',
      entityId: session.user.id,
    });
  });
  return codes.map(formatRecoveryCode);
}

export function countUnusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  return repo.countUnusedRecoveryCodes(db, userId);
}

/** Changes the signed-in person's password after checking the current one; other sessions end. */
export async function changePassword(
  db: Db,
  session: CurrentSession,
  input: { currentPassword: string; newPassword: string; requestId: string | null },
): Promise<void> {
  const user = await repo.findUserById(db, session.user.id);
  if (user === undefined) throw new UnauthenticatedError();
  const ok = user.password_hash !== null && (await verifyPassword(input.currentPassword, user.password_hash));
  const problems = [
    ...(ok ? [] : [{ field: 'currentPassword', message: 'Enter your current password correctly' }]),
    ...passwordProblems(input.newPassword, { email: user.email }, 'newPassword'),
  ];
  if (problems.length > 0) throw new ValidationError(problems);
  const hash = await hashPassword(input.newPassword);
  await inTransaction(db, async (trx) => {
    await repo.setPasswordHash(trx, user.id, hash);
    await repo.deleteSessionsOfUser(trx, user.id, session.idHash);
    await recordAudit(trx, userActor(user, input.requestId), {
      organisationId: null,
      action: 'user.password_changed',
      entityType: 'user',
      entityId: user.id,
    });
  });
}
