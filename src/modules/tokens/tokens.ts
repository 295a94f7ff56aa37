import { TOKEN_SCOPES, type TokenScope } from '../../platform/access/actor.ts';
import type { FieldError } from '../../platform/errors.ts';

export interface ApiToken {
  id: string;
  name: string;
  prefix: string;
  scopes: TokenScope[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
}

/** Tokens look like `wmk_<43 url-safe characters>`: 256 random bits, recognisable in a leak scan. */
export const TOKEN_PREFIX = 'wmk_';
export const MAX_EXPIRY_DAYS = 730;

/** "read" or "read,write" (in any order, spaces allowed); write always implies read. */
export function parseScopes(input: string): TokenScope[] | null {
  const parts = input
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0 || !parts.every((p): p is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(p))) return null;
  if (!parts.includes('read')) return null;
  return TOKEN_SCOPES.filter((s) => parts.includes(s));
}

export function tokenProblems(input: { name: string; scope: string; expiresInDays?: number | null | undefined }): FieldError[] {
  const problems: FieldError[] = [];
  const name = input.name.trim();
  if (name === '') problems.push({ field: 'name', message: 'Enter a name that says what the token is for' });
  else if (name.length > 100) problems.push({ field: 'name', message: 'Name must be 100 characters or fewer' });
  if (parseScopes(input.scope) === null) problems.push({ field: 'scope', message: 'Choose the token’s access: read, or read and write' });
  const days = input.expiresInDays;
  if (days !== undefined && days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_EXPIRY_DAYS)) {
    problems.push({ field: 'expiresInDays', message: `Expiry must be a whole number of days from 1 to ${MAX_EXPIRY_DAYS}` });
  }
  return problems;
}

export type TokenState = 'active' | 'revoked' | 'expired';

export function tokenState(token: { revokedAt: Date | null; expiresAt: Date | null }, now: Date): TokenState {
  if (token.revokedAt !== null) return 'revoked';
  if (token.expiresAt !== null && token.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}
