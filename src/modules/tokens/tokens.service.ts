import { type Db, inTransaction } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import { randomSecret, sha256 } from '../../platform/crypto.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { type ApiToken, parseScopes, TOKEN_PREFIX, tokenProblems, tokenState } from './tokens.ts';
import * as repo from './tokens.repository.ts';

export type { ApiToken };

export interface NewTokenInput {
  name: string;
  /** "read" or "read,write". */
  scope: string;
  expiresInDays?: number | null | undefined;
}

/** Creates a token and returns it once in full; only its hash is stored. */
export async function createToken(
  db: Db,
  actor: Actor,
  organisationId: string,
  input: NewTokenInput,
): Promise<{ token: ApiToken; secret: string }> {
  assertAllowed(actor, 'tokens.manage', organisationId);
  const problems = tokenProblems(input);
  const scopes = parseScopes(input.scope);
  if (problems.length > 0 || scopes === null) throw new ValidationError(problems);
  const secret = `${TOKEN_PREFIX}${randomSecret(32)}`;
  const days = input.expiresInDays ?? null;
  return inTransaction(db, async (trx) => {
    const token = await repo.insertToken(trx, {
      organisationId,
      name: input.name.trim(),
      tokenHash: sha256(secret),
      prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
      scopes,
      expiresAt: days === null ? null : new Date(Date.now() + days * 24 * 60 * 60 * 1000),
      createdBy: actor.kind === 'user' ? actor.userId : null,
    });
    await recordAudit(trx, actor, {
      organisationId,
      action: 'token.created',
      entityType: 'api_token',
      entityId: token.id,
      after: { name: token.name, scopes: token.scopes, expiresAt: token.expiresAt, prefix: token.prefix },
    });
    return { token, secret };
  });
}

export async function listTokens(db: Db, actor: Actor, organisationId: string): Promise<ApiToken[]> {
  assertAllowed(actor, 'tokens.manage', organisationId);
  return repo.listTokens(db, organisationId);
}

export async function getToken(db: Db, actor: Actor, organisationId: string, tokenId: string): Promise<ApiToken> {
  assertAllowed(actor, 'tokens.manage', organisationId);
  const token = await repo.findToken(db, organisationId, tokenId);
  if (token === undefined) throw new NotFoundError();
  return token;
}

export async function revokeToken(db: Db, actor: Actor, organisationId: string, tokenId: string): Promise<void> {
  assertAllowed(actor, 'tokens.manage', organisationId);
  await inTransaction(db, async (trx) => {
    const token = await repo.findToken(trx, organisationId, tokenId);
    if (token === undefined) throw new NotFoundError();
    if (token.revokedAt !== null) return;
    await repo.revokeToken(trx, organisationId, tokenId, new Date());
    await recordAudit(trx, actor, {
      organisationId,
      action: 'token.revoked',
      entityType: 'api_token',
      entityId: tokenId,
      before: { revoked: false },
      after: { revoked: true },
    });
  });
}

/** The actor for a bearer token, or null when it is unknown, revoked or expired. */
export async function authenticateToken(db: Db, secret: string, requestId: string | null): Promise<Extract<Actor, { kind: 'token' }> | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  const token = await repo.findTokenByHash(db, sha256(secret));
  const now = new Date();
  if (token === undefined || tokenState(token, now) !== 'active') return null;
  // Recording use at most once a minute keeps reads from turning into writes.
  if (token.lastUsedAt === null || now.getTime() - token.lastUsedAt.getTime() > 60_000) await repo.touchToken(db, token.id, now);
  return {
    kind: 'token',
    tokenId: token.id,
    tokenName: token.name,
    label: `token:${token.name}`,
    organisationId: token.organisationId,
    scopes: token.scopes,
    via: 'api',
    requestId,
  };
}
