import { generate, generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 TOTP with the common authenticator settings: SHA-1, 6 digits, 30-second steps. */

export const TOTP_ISSUER = 'Waymark';

export function newTotpSecret(): string {
  // 20 bytes (160 bits), the size RFC 4226 recommends for HMAC-SHA1.
  return generateSecret({ length: 20 });
}

export function totpUri(accountEmail: string, secret: string): string {
  return generateURI({ issuer: TOTP_ISSUER, label: accountEmail, secret });
}

/** The secret grouped in fours, easier to type into an app by hand. */
export function formatSecretForHumans(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

export function normaliseCode(input: string): string {
  return input.replace(/[\s-]/g, '');
}

/**
 * Checks a code against the current step and the one before (a code typed just as it
 * changed). Returns the accepted time step, or null. Steps at or before `afterStep` are
 * refused, so a code cannot be used twice.
 */
export async function verifyTotp(
  secret: string,
  code: string,
  afterStep: number | null,
  nowMs: number = Date.now(),
): Promise<number | null> {
  const token = normaliseCode(code);
  if (!/^\d{6}$/.test(token)) return null;
  const result = await verify({
    secret,
    token,
    epoch: Math.floor(nowMs / 1000),
    epochTolerance: [30, 0],
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/** The code an authenticator app would show now (tests and the CLI's own checks use it). */
export function currentTotp(secret: string, nowMs: number = Date.now()): Promise<string> {
  return generate({ secret, epoch: Math.floor(nowMs / 1000) });
}
