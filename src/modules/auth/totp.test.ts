import { describe, expect, it } from 'vitest';
import { currentTotp, formatSecretForHumans, newTotpSecret, totpUri, verifyTotp } from './totp.ts';

describe('TOTP (RFC 6238)', () => {
  it('accepts the code for the current step and reports that step', async () => {
    const secret = newTotpSecret();
    const now = Date.UTC(2026, 10, 29, 12, 0, 10);
    const code = await currentTotp(secret, now);
    expect(await verifyTotp(secret, code, null, now)).toBe(Math.floor(now / 1000 / 30));
  });

  it('accepts the previous step’s code but not one two steps old', async () => {
    const secret = newTotpSecret();
    const now = Date.UTC(2026, 10, 29, 12, 0, 10);
    expect(await verifyTotp(secret, await currentTotp(secret, now - 30_000), null, now)).not.toBeNull();
    expect(await verifyTotp(secret, await currentTotp(secret, now - 60_000), null, now)).toBeNull();
  });

  it('refuses a code from a step already used (no replay)', async () => {
    const secret = newTotpSecret();
    const now = Date.UTC(2026, 10, 29, 12, 0, 10);
    const code = await currentTotp(secret, now);
    const step = await verifyTotp(secret, code, null, now);
    expect(step).not.toBeNull();
    expect(await verifyTotp(secret, code, step, now)).toBeNull();
  });

  it('refuses codes that are not six digits, and wrong codes', async () => {
    const secret = newTotpSecret();
    const now = Date.UTC(2026, 10, 29, 12, 0, 10);
    const code = await currentTotp(secret, now);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    expect(await verifyTotp(secret, wrong, null, now)).toBeNull();
    expect(await verifyTotp(secret, 'abcdef', null, now)).toBeNull();
    expect(await verifyTotp(secret, '12345', null, now)).toBeNull();
  });

  it('matches the RFC 6238 SHA-1 test vector at T = 59 s', async () => {
    // RFC 6238 appendix B: ASCII secret "12345678901234567890", 8 digits → 94287082; 6 digits → 287082.
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(await currentTotp(secret, 59_000)).toBe('287082');
  });

  it('builds an otpauth URI naming Waymark and the account', () => {
    const uri = totpUri('ada@example.org', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(uri).toMatch(/^otpauth:\/\/totp\/Waymark:ada%40example\.org\?/);
    expect(uri).toContain('secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(formatSecretForHumans('ABCDEFGH')).toBe('ABCD EFGH');
  });
});
