import { scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblems, SCRYPT_PARAMS, verifyPassword } from './passwords.ts';

// Hashing costs ~128 MiB and a few hundred ms each, on purpose: keep the number of hashes small.
const timeout = 20_000;

describe('password hashing (scrypt at OWASP parameters)', () => {
  it('uses N = 2^17, r = 8, p = 1 and a 64-byte key', () => {
    expect(SCRYPT_PARAMS).toEqual({ N: 131072, r: 8, p: 1, keyLength: 64 });
  });

  it(
    'stores a self-describing hash with its own random salt, and verifies only the right password',
    async () => {
      const password = 'violet tram at dawn 9';
      const [first, second] = await Promise.all([hashPassword(password), hashPassword(password)]);
      // 16-byte salt → 22 base64url characters; 64-byte key → 86.
      expect(first).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
      expect(second).not.toBe(first);
      expect(first).not.toContain(password);
      expect(await verifyPassword(password, first)).toBe(true);
      expect(await verifyPassword(password, second)).toBe(true);
      expect(await verifyPassword('violet tram at dawn 8', first)).toBe(false);
      expect(await verifyPassword('Violet tram at dawn 9', first)).toBe(false);
      expect(await verifyPassword('', first)).toBe(false);
    },
    timeout,
  );

  it(
    'verifies hashes made with other parameters, so the cost can be raised later',
    async () => {
      const salt = Buffer.from('0123456789abcdef');
      const key = scryptSync('older hash 2019', salt, 64, { N: 2 ** 14, r: 8, p: 1 });
      const stored = ['scrypt', 16384, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
      expect(await verifyPassword('older hash 2019', stored)).toBe(true);
      expect(await verifyPassword('older hash 2020', stored)).toBe(false);
    },
    timeout,
  );

  it('treats the password the same however its Unicode is composed (NFKC)', async () => {
    const composed = 'café crème brûlée';
    const decomposed = composed.normalize('NFD');
    expect(decomposed).not.toBe(composed);
    expect(await verifyPassword(decomposed, await hashPassword(composed))).toBe(true);
  }, timeout);

  it('never matches a damaged or foreign stored value, and never throws on one', async () => {
    const salt = 'AAAAAAAAAAAAAAAAAAAAAA';
    for (const stored of [
      '',
      'plain-text-password',
      `scrypt$16384$8$1$${salt}$`, // empty key: comparing two empty keys must not mean "match"
      `scrypt$16384$8$1$${salt}$AAAA`, // cut-off key
      `scrypt$1$8$1$${salt}$${'A'.repeat(86)}`, // N scrypt refuses
      `scrypt$abc$8$1$${salt}$${'A'.repeat(86)}`,
      `argon2id$v=19$m=19456,t=2,p=1$${salt}$${'A'.repeat(43)}`,
    ]) {
      await expect(verifyPassword('anything at all', stored), stored).resolves.toBe(false);
    }
  });
});

describe('password rules (NCSC, OWASP ASVS: length over composition)', () => {
  it('refuses 11 characters and accepts 12', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(passwordProblems('violet tram')).toEqual([{ field: 'password', message: 'Password must be 12 characters or more' }]);
    expect(passwordProblems('violet tram9')).toEqual([]);
  });

  it('asks for a password when none is given, on the field named', () => {
    expect(passwordProblems('', {}, 'newPassword')).toEqual([{ field: 'newPassword', message: 'Enter a password' }]);
  });

  it('needs no particular mix of character types', () => {
    expect(passwordProblems('lowercaseonlybutlong')).toEqual([]);
  });

  it('refuses common passwords, whatever their case', () => {
    for (const common of ['passwordpassword', 'PasswordPassword', 'PASSWORDPASSWORD', 'iloveyou1234', 'ILoveYou1234']) {
      expect(passwordProblems(common), common).toEqual([
        { field: 'password', message: 'Password is too common and easy to guess: choose a different one' },
      ]);
    }
  });

  it('refuses repeated and sequential characters', () => {
    for (const trivial of ['aaaaaaaaaaaaaaa', '            ', 'abcdefghijklmnop', 'ponmlkjihgfedcba', '🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂']) {
      expect(passwordProblems(trivial), trivial).toEqual([
        { field: 'password', message: 'Password is too common and easy to guess: choose a different one' },
      ]);
    }
    expect(passwordProblems('qrstuvwxyz{|}')).toHaveLength(1);
    expect(passwordProblems('9876543210/.-')).toHaveLength(1);
  });

  it('refuses a password containing the local part of the person’s email, whatever its case', () => {
    expect(passwordProblems('my name is Ada.Lovelace!', { email: 'ada.lovelace@example.org' })).toEqual([
      { field: 'password', message: 'Password must not contain your email address' },
    ]);
    expect(passwordProblems('my name is ada.lovelace!', { email: 'someone.else@example.org' })).toEqual([]);
  });

  it('welcomes spaces, punctuation and any script', () => {
    for (const good of ['violet tram on a wet tuesday', 'тихий дом у реки', '静かな家と川の流れと青い空', 'naïve café — ☕ at 9', '  leading and trailing  ']) {
      expect(passwordProblems(good), good).toEqual([]);
    }
  });

  it('accepts up to 256 characters and refuses more, counting an emoji as one character', () => {
    expect(PASSWORD_MAX_LENGTH).toBe(256);
    const phrase = 'correct horse battery staple ';
    const longest = phrase.repeat(10).slice(0, 256);
    expect(passwordProblems(longest)).toEqual([]);
    expect(passwordProblems(`${longest}x`)).toEqual([{ field: 'password', message: 'Password must be 256 characters or fewer' }]);
    const emoji = '🙂😀🚲🌳'.repeat(50); // 200 characters, 400 UTF-16 code units
    expect(Array.from(emoji)).toHaveLength(200);
    expect(passwordProblems(emoji)).toEqual([]);
    expect(passwordProblems('🙂😀🚲'.repeat(86))).toHaveLength(1); // 258 characters
  });
});
