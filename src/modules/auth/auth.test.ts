import { describe, expect, it } from 'vitest';
import {
  formatRecoveryCode,
  MAX_FAILURES_PER_ACCOUNT,
  MAX_FAILURES_PER_IP,
  normaliseRecoveryCode,
  sessionExpiry,
  shouldTouch,
  stageAfterPassword,
  throttleVerdict,
} from './auth.ts';

describe('throttleVerdict', () => {
  it('lets sign-in go ahead below both limits', () => {
    expect(throttleVerdict({ byEmail: 0, byIp: 0 })).toEqual({ throttled: false });
    expect(throttleVerdict({ byEmail: MAX_FAILURES_PER_ACCOUNT - 1, byIp: MAX_FAILURES_PER_IP - 1 })).toEqual({ throttled: false });
  });

  it('throttles the account from the 5th failure, whatever the address', () => {
    expect(MAX_FAILURES_PER_ACCOUNT).toBe(5);
    expect(throttleVerdict({ byEmail: 5, byIp: 0 })).toEqual({ throttled: true, reason: 'account' });
    expect(throttleVerdict({ byEmail: 50, byIp: 1 })).toEqual({ throttled: true, reason: 'account' });
  });

  it('throttles the address from the 30th failure, across accounts', () => {
    expect(MAX_FAILURES_PER_IP).toBe(30);
    expect(throttleVerdict({ byEmail: 0, byIp: 30 })).toEqual({ throttled: true, reason: 'ip' });
    expect(throttleVerdict({ byEmail: 4, byIp: 29 })).toEqual({ throttled: false });
  });

  it('names the account when both limits are reached', () => {
    expect(throttleVerdict({ byEmail: 5, byIp: 30 })).toEqual({ throttled: true, reason: 'account' });
  });
});

describe('sessionExpiry', () => {
  const limits = { idleSeconds: 30 * 60, absoluteSeconds: 12 * 60 * 60 };
  const start = new Date('2026-11-29T09:00:00.000Z');
  const at = (ms: number) => new Date(start.getTime() + ms);

  it('keeps a fresh session', () => {
    expect(sessionExpiry({ createdAt: start, lastSeenAt: start }, start, limits)).toBeNull();
  });

  it('keeps a session idle for exactly the idle limit and ends it one millisecond later', () => {
    const idle = limits.idleSeconds * 1000;
    expect(sessionExpiry({ createdAt: start, lastSeenAt: start }, at(idle), limits)).toBeNull();
    expect(sessionExpiry({ createdAt: start, lastSeenAt: start }, at(idle + 1), limits)).toBe('idle');
  });

  it('ends an active session at the absolute limit, however recent the last request', () => {
    const absolute = limits.absoluteSeconds * 1000;
    expect(sessionExpiry({ createdAt: start, lastSeenAt: at(absolute) }, at(absolute), limits)).toBeNull();
    expect(sessionExpiry({ createdAt: start, lastSeenAt: at(absolute) }, at(absolute + 1), limits)).toBe('absolute');
  });

  it('reports the absolute limit when both are passed', () => {
    expect(sessionExpiry({ createdAt: start, lastSeenAt: start }, at(limits.absoluteSeconds * 1000 + 1), limits)).toBe('absolute');
  });

  it('counts idleness from the last request, not from sign-in', () => {
    const lastSeen = at(2 * 60 * 60 * 1000);
    expect(sessionExpiry({ createdAt: start, lastSeenAt: lastSeen }, new Date(lastSeen.getTime() + 29 * 60 * 1000), limits)).toBeNull();
    expect(sessionExpiry({ createdAt: start, lastSeenAt: lastSeen }, new Date(lastSeen.getTime() + 31 * 60 * 1000), limits)).toBe('idle');
  });

  it('writes last_seen_at at most once a minute', () => {
    expect(shouldTouch(start, at(60_000))).toBe(false);
    expect(shouldTouch(start, at(60_001))).toBe(true);
  });
});

describe('stageAfterPassword', () => {
  it('asks for the code when MFA is set up, whatever the organisation requires', () => {
    expect(stageAfterPassword({ mfaEnabled: true }, false)).toBe('mfa_pending');
    expect(stageAfterPassword({ mfaEnabled: true }, true)).toBe('mfa_pending');
  });

  it('sends someone without MFA to set it up when an organisation of theirs requires it', () => {
    expect(stageAfterPassword({ mfaEnabled: false }, true)).toBe('mfa_setup');
  });

  it('lets someone without MFA straight in when no organisation requires it', () => {
    expect(stageAfterPassword({ mfaEnabled: false }, false)).toBe('active');
  });
});

describe('recovery codes', () => {
  it('ignore case, spaces and hyphens as people type them', () => {
    const stored = normaliseRecoveryCode('abcde-fghjk');
    expect(stored).toBe('abcdefghjk');
    for (const typed of ['ABCDE-FGHJK', ' abcde fghjk ', 'abcdefghjk', 'Abc-De-Fgh Jk', 'abcde\t-fghjk\n']) {
      expect(normaliseRecoveryCode(typed)).toBe(stored);
    }
  });

  it('do not ignore other characters', () => {
    expect(normaliseRecoveryCode('abcde_fghjk')).not.toBe('abcdefghjk');
    expect(normaliseRecoveryCode('abcde.fghjk')).not.toBe('abcdefghjk');
  });

  it('are shown in two groups of five', () => {
    expect(formatRecoveryCode('abcdefghjk')).toBe('abcde-fghjk');
    expect(normaliseRecoveryCode(formatRecoveryCode('abcdefghjk'))).toBe('abcdefghjk');
  });
});
