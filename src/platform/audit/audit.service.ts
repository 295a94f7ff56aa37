import type { Db } from '../../db/database.ts';
import type { Actor } from '../access/actor.ts';
import { assertAllowed } from '../access/policy.ts';
import { asStoredJson, chainKeyFor, describeProblem, findFirstProblem, hashEvent, type StoredEvent } from './audit.ts';
import * as repo from './audit.repository.ts';

export interface AuditEntry {
  organisationId: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  before?: unknown;
  after?: unknown;
}

function actorColumns(actor: Actor): { userId: string | null; tokenId: string | null } {
  if (actor.kind === 'user') return { userId: actor.userId, tokenId: null };
  if (actor.kind === 'token') return { userId: null, tokenId: actor.tokenId };
  return { userId: null, tokenId: null };
}

/**
 * Appends an audit event. Call it with the transaction that makes the change, so the event
 * and the change commit or roll back together.
 */
export async function recordAudit(trx: Db, actor: Actor, entry: AuditEntry): Promise<void> {
  const chainKey = chainKeyFor(entry.organisationId);
  const head = await repo.lockChainHead(trx, chainKey);
  const ids = actorColumns(actor);
  const fields = {
    chainKey,
    seq: head.lastSeq + 1,
    organisationId: entry.organisationId,
    actorUserId: ids.userId,
    actorTokenId: ids.tokenId,
    actorLabel: actor.label,
    via: actor.via,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    before: asStoredJson(entry.before),
    after: asStoredJson(entry.after),
    requestId: actor.requestId,
    occurredAt: new Date(),
    prevHash: head.lastHash,
  };
  await repo.appendEvent(trx, { ...fields, hash: hashEvent(fields) });
}

export interface AuditVerification {
  ok: boolean;
  chains: number;
  events: number;
  problem: string | null;
}

/**
 * Walks every chain (or only `options.chainKey`'s); stops at the first problem and names it.
 * Reads one snapshot (repeatable read), so events appended while it runs are not mistaken
 * for a head that no longer matches its chain.
 */
export async function verifyAuditTrail(
  db: Db,
  onProgress?: (events: number) => void,
  options: { chainKey?: string | undefined } = {},
): Promise<AuditVerification> {
  if (!db.isTransaction) {
    return db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute((trx) => verifyAuditTrail(trx, onProgress, options));
  }
  const only = options.chainKey;
  const heads = await repo.listChainHeads(db);
  const keys = new Set([...heads.keys(), ...(await repo.listChainKeysWithEvents(db))].filter((key) => only === undefined || key === only));
  let events = 0;
  for (const chainKey of [...keys].sort()) {
    const counted = (async function* () {
      for await (const event of repo.streamChain(db, chainKey)) {
        events++;
        if (events % 1000 === 0) onProgress?.(events);
        yield event;
      }
    })();
    const problem = await findFirstProblem(chainKey, counted, heads.get(chainKey));
    if (problem !== null) return { ok: false, chains: keys.size, events, problem: describeProblem(problem) };
  }
  return { ok: true, chains: keys.size, events, problem: null };
}

export const AUDIT_PAGE_SIZE = 50;

export interface AuditQuery extends repo.AuditFilter {
  page: number;
}

export async function listAuditEvents(
  db: Db,
  actor: Actor,
  organisationId: string,
  query: AuditQuery,
): Promise<{ events: StoredEvent[]; total: number; pageCount: number; actions: string[] }> {
  assertAllowed(actor, 'audit.read', organisationId);
  const offset = (Math.max(1, query.page) - 1) * AUDIT_PAGE_SIZE;
  const [{ events, total }, actions] = await Promise.all([
    repo.findEvents(db, organisationId, query, { limit: AUDIT_PAGE_SIZE, offset }),
    repo.distinctActions(db, organisationId),
  ]);
  return { events, total, pageCount: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)), actions };
}
