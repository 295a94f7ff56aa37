import type { SessionStage } from './auth.table.ts';

/** Pure rules of sign-in: session lifetimes, throttling and which step comes next. */

export const FAILURE_WINDOW_MS = 15 * 60 * 1000;
/** Failed attempts allowed per account, then per address, within the window. */
export const MAX_FAILURES_PER_ACCOUNT = 5;
export const MAX_FAILURES_PER_IP = 30;

export type ThrottleVerdict = { throttled: false } | { throttled: true; reason: 'account' | 'ip' };

export function throttleVerdict(failures: { byEmail: number; byIp: number }): ThrottleVerdict {
  if (failures.byEmail >= MAX_FAILURES_PER_ACCOUNT) return { throttled: true, reason: 'account' };
  if (failures.byIp >= MAX_FAILURES_PER_IP) return { throttled: true, reason: 'ip' };
  return { throttled: false };
}

export type SessionExpiry = 'idle' | 'absolute' | null;

export function sessionExpiry(
  session: { createdAt: Date; lastSeenAt: Date },
  now: Date,
  limits: { idleSeconds: number; absoluteSeconds: number },
): SessionExpiry {
  if (now.getTime() - session.createdAt.getTime() > limits.absoluteSeconds * 1000) return 'absolute';
  if (now.getTime() - session.lastSeenAt.getTime() > limits.idleSeconds * 1000) return 'idle';
  return null;
}

/** last_seen_at is written at most once a minute, so reading pages does not mean a write each time. */
export function shouldTouch(lastSeenAt: Date, now: Date): boolean {
  return now.getTime() - lastSeenAt.getTime() > 60_000;
}

/**
 * The step after a correct password: the code from the app when MFA is set up; setting it
 * up when any of the person's organisations requires MFA; otherwise straight in.
 */
export function stageAfterPassword(user: { mfaEnabled: boolean }, anyOrganisationRequiresMfa: boolean): SessionStage {
  if (user.mfaEnabled) return 'mfa_pending';
  if (anyOrganisationRequiresMfa) return 'mfa_setup';
  return 'active';
}

export const RECOVERY_CODE_COUNT = 10;

/** Recovery codes as people type them: case, spaces and hyphens do not matter. */
export function normaliseRecoveryCode(input: string): string {
  return input.replace(/[\s-]/g, '').toLowerCase();
}

export function formatRecoveryCode(raw: string): string {
  return `${raw.slice(0, 5)}-${raw.slice(5, 10)}`;
}
