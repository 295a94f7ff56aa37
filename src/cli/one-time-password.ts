import { randomInt } from 'node:crypto';
import { passwordProblems } from '../modules/auth/passwords.ts';

// No 0/o, 1/l/i: easy to read out and type from a terminal.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 4;
const GROUP_LENGTH = 5;

/**
 * A first password for an account created at the terminal: 20 random characters from a
 * 31-letter alphabet (about 99 bits) in groups, like `k7wq2-mhxza-…`. It passes the same rules
 * as a chosen password for this email; the person changes it after signing in.
 */
export function generateOneTimePassword(email: string): string {
  for (;;) {
    const password = Array.from({ length: GROUPS }, () =>
      Array.from({ length: GROUP_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(''),
    ).join('-');
    if (passwordProblems(password, { email }).length === 0) return password;
  }
}
