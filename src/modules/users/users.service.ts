import { type Db, inTransaction } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { isRole, type Role } from '../../platform/access/roles.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import { randomSecret, sha256 } from '../../platform/crypto.ts';
import { ConflictError, type FieldError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { endSessionsOfUser, storePasswordHash } from '../auth/auth.service.ts';
import { hashPassword, passwordProblems } from '../auth/passwords.ts';
import * as repo from './users.repository.ts';
import { emailProblems, type Member, type MembershipSummary, nameProblems, normaliseEmail, type User } from './users.ts';

export type { Member, MembershipSummary, User };

export const INVITATION_DAYS = 7;

export interface NewUserInput {
  email: string;
  name: string;
  role: string;
  /** Omit to invite: the person sets their own password from a one-time link. */
  password?: string | undefined;
}

export interface NewUserResult {
  user: User;
  /** True when the email already had an account, which was given access to this organisation. */
  existingAccount: boolean;
  /** The one-time invitation token when no password was given and the account is new. */
  invitationToken: string | null;
}

function newUserProblems(input: NewUserInput): FieldError[] {
  return [
    ...emailProblems(input.email),
    ...nameProblems(input.name),
    ...(isRole(input.role) ? [] : [{ field: 'role', message: 'Choose a role: viewer, contributor, manager or admin' }]),
    ...(input.password === undefined ? [] : passwordProblems(input.password, { email: input.email })),
  ];
}

/**
 * Gives a person access to an organisation with a role. A new email gets an account (with the
 * given password, or an invitation to set one); an existing account just gains the membership.
 */
export async function addUser(db: Db, actor: Actor, organisationId: string, input: NewUserInput): Promise<NewUserResult> {
  assertAllowed(actor, 'users.manage', organisationId);
  const problems = newUserProblems(input);
  if (problems.length > 0) throw new ValidationError(problems);
  const email = normaliseEmail(input.email);
  const role = input.role as Role;
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    let user = await repo.findUserByEmail(trx, email);
    const existingAccount = user !== undefined;
    if (user !== undefined && (await repo.findMember(trx, organisationId, user.id))) {
      throw new ConflictError(`${email} already has access to this organisation`);
    }
    user ??= await repo.insertUser(trx, { email, name: input.name.trim(), passwordHash });
    await repo.insertMembership(trx, { userId: user.id, organisationId, role });
    let invitationToken: string | null = null;
    if (!existingAccount && passwordHash === null) {
      invitationToken = randomSecret(32);
      await repo.insertInvitation(trx, {
        tokenHash: sha256(invitationToken),
        userId: user.id,
        expiresAt: new Date(Date.now() + INVITATION_DAYS * 24 * 60 * 60 * 1000),
      });
    }
    await recordAudit(trx, actor, {
      organisationId,
      action: 'user.added',
      entityType: 'user',
      entityId: user.id,
      after: { email: user.email, name: user.name, role, invited: invitationToken !== null, existingAccount },
    });
    return { user, existingAccount, invitationToken };
  });
}

export async function listMembers(db: Db, actor: Actor, organisationId: string): Promise<Member[]> {
  assertAllowed(actor, 'users.read', organisationId);
  return repo.listMembers(db, organisationId);
}

export async function getMember(db: Db, actor: Actor, organisationId: string, userId: string): Promise<Member> {
  assertAllowed(actor, 'users.read', organisationId);
  const member = await repo.findMember(db, organisationId, userId);
  if (member === undefined) throw new NotFoundError();
  return member;
}

async function assertAnotherAdminRemains(trx: Db, organisationId: string, member: Member): Promise<void> {
  if (member.role === 'admin' && !member.deactivated && (await repo.countActiveAdmins(trx, organisationId)) <= 1) {
    throw ValidationError.of('role', 'This is the organisation’s only admin. Make someone else an admin first');
  }
}

export async function changeRole(db: Db, actor: Actor, organisationId: string, userId: string, role: string): Promise<void> {
  assertAllowed(actor, 'users.manage', organisationId);
  if (!isRole(role)) throw ValidationError.of('role', 'Choose a role: viewer, contributor, manager or admin');
  await inTransaction(db, async (trx) => {
    const member = await repo.findMember(trx, organisationId, userId);
    if (member === undefined) throw new NotFoundError();
    if (member.role === role) return;
    if (role !== 'admin') await assertAnotherAdminRemains(trx, organisationId, member);
    await repo.updateMembership(trx, organisationId, userId, { role });
    await recordAudit(trx, actor, {
      organisationId,
      action: 'user.role_changed',
      entityType: 'user',
      entityId: userId,
      before: { role: member.role },
      after: { role },
    });
  });
}

/**
 * Removes a person's access to this organisation and ends all their sessions at once, so
 * nothing they had open keeps working. Their account stays (they may belong elsewhere) and
 * an admin can reactivate them.
 */
export async function deactivateMember(db: Db, actor: Actor, organisationId: string, userId: string): Promise<void> {
  assertAllowed(actor, 'users.manage', organisationId);
  await inTransaction(db, async (trx) => {
    const member = await repo.findMember(trx, organisationId, userId);
    if (member === undefined) throw new NotFoundError();
    if (member.deactivated) return;
    await assertAnotherAdminRemains(trx, organisationId, member);
    await repo.updateMembership(trx, organisationId, userId, { deactivatedAt: new Date() });
    const ended = await endSessionsOfUser(trx, userId);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'user.deactivated',
      entityType: 'user',
      entityId: userId,
      before: { active: true },
      after: { active: false, sessionsEnded: ended },
    });
  });
}

export async function reactivateMember(db: Db, actor: Actor, organisationId: string, userId: string): Promise<void> {
  assertAllowed(actor, 'users.manage', organisationId);
  await inTransaction(db, async (trx) => {
    const member = await repo.findMember(trx, organisationId, userId);
    if (member === undefined) throw new NotFoundError();
    if (!member.deactivated) return;
    await repo.updateMembership(trx, organisationId, userId, { deactivatedAt: null });
    await recordAudit(trx, actor, {
      organisationId,
      action: 'user.reactivated',
      entityType: 'user',
      entityId: userId,
      before: { active: false },
      after: { active: true },
    });
  });
}

export function listActiveMemberships(db: Db, userId: string): Promise<MembershipSummary[]> {
  return repo.listActiveMemberships(db, userId);
}

/**
 * A new one-time link for a member who lost or never used theirs, or who forgot their
 * password: earlier links stop working. An admin may only do this for people who have not set
 * a password yet or who belong to no other organisation, so one organisation's admin can never
 * take over an account another organisation relies on. Two-factor authentication stays on.
 */
export async function reissueInvitation(
  db: Db,
  actor: Actor,
  organisationId: string,
  userId: string,
): Promise<{ member: Member; invitationToken: string }> {
  assertAllowed(actor, 'users.manage', organisationId);
  return inTransaction(db, async (trx) => {
    const member = await repo.findMember(trx, organisationId, userId);
    if (member === undefined) throw new NotFoundError();
    if (member.deactivated) throw ValidationError.of('invitation', `Reactivate ${member.name} before sending a new link`);
    if ((await repo.hasPassword(trx, userId)) && (await repo.countMemberships(trx, userId)) > 1) {
      throw ValidationError.of(
        'invitation',
        `${member.name} also belongs to other organisations, so their password can only be reset by the installation’s operator`,
      );
    }
    const now = new Date();
    await repo.expireInvitations(trx, userId, now);
    const invitationToken = randomSecret(32);
    await repo.insertInvitation(trx, {
      tokenHash: sha256(invitationToken),
      userId,
      expiresAt: new Date(now.getTime() + INVITATION_DAYS * 24 * 60 * 60 * 1000),
    });
    await recordAudit(trx, actor, { organisationId, action: 'user.invitation_reissued', entityType: 'user', entityId: userId });
    return { member, invitationToken };
  });
}

export type InvitationState =
  | { status: 'valid'; email: string; name: string }
  | { status: 'expired' | 'used' | 'unknown' };

export async function checkInvitation(db: Db, token: string, now = new Date()): Promise<InvitationState> {
  const invitation = await repo.findInvitation(db, sha256(token));
  if (!invitation?.active) return { status: 'unknown' };
  if (invitation.used_at !== null) return { status: 'used' };
  if (invitation.expires_at.getTime() < now.getTime()) return { status: 'expired' };
  return { status: 'valid', email: invitation.email, name: invitation.name };
}

/** Sets the invited person's first password; the link then stops working. */
export async function acceptInvitation(
  db: Db,
  input: { token: string; password: string; confirmPassword: string; requestId: string | null },
): Promise<{ userId: string; email: string }> {
  const state = await checkInvitation(db, input.token);
  if (state.status !== 'valid') throw new NotFoundError('This invitation link has expired or has already been used');
  const problems = passwordProblems(input.password, { email: state.email });
  if (problems.length === 0 && input.password !== input.confirmPassword) {
    problems.push({ field: 'confirmPassword', message: 'The passwords do not match' });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  const hash = await hashPassword(input.password);
  return inTransaction(db, async (trx) => {
    const tokenHash = sha256(input.token);
    const invitation = await repo.findInvitation(trx, tokenHash);
    if (invitation === undefined || !(await repo.useInvitation(trx, tokenHash, new Date()))) {
      throw new NotFoundError('This invitation link has expired or has already been used');
    }
    await storePasswordHash(trx, invitation.user_id, hash);
    // A reissued link resets a password: whoever had the old one is signed out.
    await endSessionsOfUser(trx, invitation.user_id);
    await recordAudit(
      trx,
      { kind: 'user', userId: invitation.user_id, label: invitation.email, organisationId: null, role: null, via: 'web', requestId: input.requestId },
      { organisationId: null, action: 'user.invitation_accepted', entityType: 'user', entityId: invitation.user_id },
    );
    return { userId: invitation.user_id, email: invitation.email };
  });
}
