import type { Db } from '../../db/database.ts';
import type { TokenScope } from '../../platform/access/actor.ts';
import type { ApiToken } from './tokens.ts';

const columns = ['id', 'name', 'prefix', 'scopes', 'expires_at', 'revoked_at', 'last_used_at', 'created_at'] as const;

interface Row {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
}

function toToken(row: Row): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes as TokenScope[],
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
  };
}

export async function insertToken(
  db: Db,
  values: { organisationId: string; name: string; tokenHash: string; prefix: string; scopes: TokenScope[]; expiresAt: Date | null; createdBy: string | null },
): Promise<ApiToken> {
  const row = await db
    .insertInto('api_token')
    .values({
      organisation_id: values.organisationId,
      name: values.name,
      token_hash: values.tokenHash,
      prefix: values.prefix,
      scopes: values.scopes,
      expires_at: values.expiresAt,
      revoked_at: null,
      last_used_at: null,
      created_by: values.createdBy,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return toToken(row);
}

export async function listTokens(db: Db, organisationId: string): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_token').select(columns).where('organisation_id', '=', organisationId).orderBy('created_at', 'desc').execute();
  return rows.map(toToken);
}

export async function findToken(db: Db, organisationId: string, id: string): Promise<ApiToken | undefined> {
  const row = await db.selectFrom('api_token').select(columns).where('organisation_id', '=', organisationId).where('id', '=', id).executeTakeFirst();
  return row && toToken(row);
}

export async function revokeToken(db: Db, organisationId: string, id: string, now: Date): Promise<void> {
  await db.updateTable('api_token').set({ revoked_at: now }).where('organisation_id', '=', organisationId).where('id', '=', id).execute();
}

export async function findTokenByHash(db: Db, tokenHash: string) {
  const row = await db
    .selectFrom('api_token')
    .select([...columns, 'organisation_id'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row && { ...toToken(row), organisationId: row.organisation_id };
}

export async function touchToken(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('api_token').set({ last_used_at: now }).where('id', '=', id).execute();
}
