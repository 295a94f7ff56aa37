import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FieldError } from '../../platform/errors.ts';

/**
 * scrypt at the OWASP password storage parameters (N = 2^17, r = 8, p = 1): about 128 MiB
 * and a few hundred milliseconds a hash, which is the point.
 */
export const SCRYPT_PARAMS = Object.freeze({ N: 2 ** 17, r: 8, p: 1, keyLength: 64 });

function scryptAsync(password: string, salt: Buffer, params: { N: number; r: number; p: number; keyLength: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      params.keyLength,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r },
      (error, key) => {
        if (error) reject(error);
        else resolve(key);
      },
    );
  });
}

/** Self-describing hash: `scrypt$N$r$p$salt$key`, so parameters can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** `scrypt$N$r$p$salt$key` with a key of at least 16 bytes: an empty or cut-off key must never match. */
const STORED_HASH = /^scrypt\$(\d{1,10})\$(\d{1,4})\$(\d{1,4})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{22,})$/;

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = STORED_HASH.exec(stored);
  if (match === null) return false;
  const [, n, r, p, salt = '', key = ''] = match;
  const expected = Buffer.from(key, 'base64url');
  try {
    const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      keyLength: expected.length,
    });
    return timingSafeEqual(actual, expected);
  } catch {
    // Parameters scrypt refuses (a damaged row): no password matches it.
    return false;
  }
}

/** A hash for a password no one knows, so a sign-in for an unknown email costs the same time. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(24).toString('base64url'));
  return decoyHash;
}

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

const here = path.dirname(fileURLToPath(import.meta.url));
let denyList: Set<string> | undefined;

/** Passwords seen in breaches and common guesses, compared case-insensitively. */
function commonPasswords(): Set<string> {
  denyList ??= new Set(
    fs
      .readFileSync(path.join(here, 'common-passwords.txt'), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return denyList;
}

function isTrivialPattern(password: string): boolean {
  if (/^(.)\1+$/u.test(password)) return true;
  const codes = Array.from(password, (c) => c.codePointAt(0) ?? 0);
  const steps = new Set(codes.slice(1).map((c, i) => c - (codes[i] ?? 0)));
  return steps.size === 1 && [1, -1].includes([...steps][0] ?? 0);
}

/**
 * NCSC and OWASP ASVS: length over composition rules. At least 12 characters, any characters
 * (spaces and pasting welcome), not a known common password, not built from the person's email.
 */
export function passwordProblems(password: string, context: { email?: string; name?: string } = {}, field = 'password'): FieldError[] {
  if (password.length === 0) return [{ field, message: 'Enter a password' }];
  // Characters as people count them (code points), for both limits: an emoji is one, not two.
  const length = Array.from(password).length;
  if (length < PASSWORD_MIN_LENGTH) {
    return [{ field, message: `Password must be ${PASSWORD_MIN_LENGTH} characters or more` }];
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return [{ field, message: `Password must be ${PASSWORD_MAX_LENGTH} characters or fewer` }];
  }
  const lower = password.toLowerCase();
  const localPart = context.email?.split('@')[0]?.toLowerCase();
  if (commonPasswords().has(lower) || isTrivialPattern(password)) {
    return [{ field, message: 'Password is too common and easy to guess: choose a different one' }];
  }
  if (localPart !== undefined && localPart.length >= 4 && lower.includes(localPart)) {
    return [{ field, message: 'Password must not contain your email address' }];
  }
  return [];
}
