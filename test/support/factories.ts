import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/database.ts';
import * as authRepo from '../../src/modules/auth/auth.repository.ts';
import { storePasswordHash } from '../../src/modules/auth/auth.service.ts';
import { hashPassword } from '../../src/modules/auth/passwords.ts';
import { newTotpSecret } from '../../src/modules/auth/totp.ts';
import { createOrganisation, type Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { createToken } from '../../src/modules/tokens/tokens.service.ts';
import { addUser, type User } from '../../src/modules/users/users.service.ts';
import { cliOperator } from '../../src/platform/access/actor.ts';
import type { Role } from '../../src/platform/access/roles.ts';
import { rememberSecret } from './secrets-ledger.ts';

/** Unique per call, so tests sharing a database never collide. */
export function uniqueSlug(prefix = 'org'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export async function makeOrganisation(db: Db, options: { name?: string; parent?: Organisation } = {}): Promise<Organisation> {
  const slug = uniqueSlug();
  return createOrganisation(db, cliOperator(), {
    slug,
    name: options.name ?? `Test council ${slug}`,
    parentSlug: options.parent?.slug,
  });
}

/** Hashing at full cost takes a few hundred ms, so every factory user shares one password. */
export const TEST_PASSWORD = `test-${randomBytes(12).toString('base64url')}-horse`;
rememberSecret(TEST_PASSWORD);
let testPasswordHash: Promise<string> | undefined;

export interface TestUser extends User {
  password: string;
  totpSecret: string | null;
  organisation: Organisation;
  role: Role;
}

export async function makeUser(
  db: Db,
  organisation: Organisation,
  role: Role,
  options: { mfa?: boolean; email?: string } = {},
): Promise<TestUser> {
  const email = options.email ?? `${role}-${randomBytes(5).toString('hex')}@example.org`;
  const { user } = await addUser(db, cliOperator(), organisation.id, { email, name: `Test ${role}`, role });
  testPasswordHash ??= hashPassword(TEST_PASSWORD);
  await storePasswordHash(db, user.id, await testPasswordHash);
  let totpSecret: string | null = null;
  if (options.mfa === true) {
    totpSecret = newTotpSecret();
    rememberSecret(totpSecret);
    await authRepo.setTotp(db, user.id, totpSecret, new Date(), null);
  }
  return { ...user, mfaEnabled: totpSecret !== null, password: TEST_PASSWORD, totpSecret, organisation, role };
}

export async function makeToken(db: Db, organisation: Organisation, scope: 'read' | 'read,write' = 'read'): Promise<string> {
  const { secret } = await createToken(db, cliOperator(), organisation.id, { name: `test ${scope}`, scope });
  rememberSecret(secret);
  return secret;
}
