import type { Db } from '../../db/database.ts';
import { GENESIS_HASH, type StoredEvent } from './audit.ts';
import type { AuditVia } from './audit.table.ts';

/**
 * Locks the head of a chain for the rest of the transaction, creating it on first use, so
 * concurrent writers append one after another.
 */
export async function lockChainHead(trx: Db, chainKey: string): Promise<{ lastSeq: number; lastHash: string }> {
  await trx
    .insertInto('audit_chain')
    .values({ chain_key: chainKey, last_seq: 0, last_hash: GENESIS_HASH })
    .onConflict((oc) => oc.column('chain_key').doNothing())
    .execute();
  const head = await trx
    .selectFrom('audit_chain')
    .select(['last_seq', 'last_hash'])
    .where('chain_key', '=', chainKey)
    .forUpdate()
    .executeTakeFirstOrThrow();
  return { lastSeq: head.last_seq, lastHash: head.last_hash };
}

export async function appendEvent(trx: Db, event: Omit<StoredEvent, 'id'>): Promise<number> {
  const row = await trx
    .insertInto('audit_event')
    .values({
      chain_key: event.chainKey,
      seq: event.seq,
      organisation_id: event.organisationId,
      actor_user_id: event.actorUserId,
      actor_token_id: event.actorTokenId,
      actor_label: event.actorLabel,
      via: event.via as AuditVia,
      action: event.action,
      entity_type: event.entityType,
      entity_id: event.entityId,
      before: event.before === null ? null : JSON.stringify(event.before),
      after: event.after === null ? null : JSON.stringify(event.after),
      request_id: event.requestId,
      occurred_at: event.occurredAt,
      prev_hash: event.prevHash,
      hash: event.hash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .updateTable('audit_chain')
    .set({ last_seq: event.seq, last_hash: event.hash })
    .where('chain_key', '=', event.chainKey)
    .execute();
  return row.id;
}

export async function listChainHeads(db: Db): Promise<Map<string, { lastSeq: number; lastHash: string }>> {
  const rows = await db.selectFrom('audit_chain').selectAll().execute();
  return new Map(rows.map((r) => [r.chain_key, { lastSeq: r.last_seq, lastHash: r.last_hash }]));
}

export async function listChainKeysWithEvents(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('audit_event').select('chain_key').distinct().execute();
  return rows.map((r) => r.chain_key);
}

const eventColumns = [
  'id',
  'chain_key',
  'seq',
  'organisation_id',
  'actor_user_id',
  'actor_token_id',
  'actor_label',
  'via',
  'action',
  'entity_type',
  'entity_id',
  'before',
  'after',
  'request_id',
  'occurred_at',
  'prev_hash',
  'hash',
] as const;

interface EventRow {
  id: number;
  chain_key: string;
  seq: number;
  organisation_id: string | null;
  actor_user_id: string | null;
  actor_token_id: string | null;
  actor_label: string;
  via: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  request_id: string | null;
  occurred_at: Date;
  prev_hash: string;
  hash: string;
}

function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: row.id,
    chainKey: row.chain_key,
    seq: row.seq,
    organisationId: row.organisation_id,
    actorUserId: row.actor_user_id,
    actorTokenId: row.actor_token_id,
    actorLabel: row.actor_label,
    via: row.via,
    action: row.action,
    entityType: row.entity_type,
    entityId: row.entity_id,
    before: row.before,
    after: row.after,
    requestId: row.request_id,
    occurredAt: row.occurred_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** Reads one chain in seq order, a page at a time, so verifying never holds the whole trail. */
export async function* streamChain(db: Db, chainKey: string, pageSize = 1000): AsyncGenerator<StoredEvent> {
  let afterSeq = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_event')
      .select(eventColumns)
      .where('chain_key', '=', chainKey)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(pageSize)
      .execute();
    for (const row of rows) yield toStoredEvent(row);
    const last = rows.at(-1);
    if (last === undefined || rows.length < pageSize) return;
    afterSeq = last.seq;
  }
}

export interface AuditFilter {
  action?: string | undefined;
  entityType?: string | undefined;
  actor?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

export async function findEvents(
  db: Db,
  organisationId: string,
  filter: AuditFilter,
  page: { limit: number; offset: number },
): Promise<{ events: StoredEvent[]; total: number }> {
  let query = db.selectFrom('audit_event').where('organisation_id', '=', organisationId);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.entityType) query = query.where('entity_type', '=', filter.entityType);
  if (filter.actor) query = query.where('actor_label', 'ilike', `%${filter.actor.replace(/[\\%_]/g, '\\$&')}%`);
  if (filter.from) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to) query = query.where('occurred_at', '<', filter.to);
  const [rows, count] = await Promise.all([
    query.select(eventColumns).orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { events: rows.map(toStoredEvent), total: count.n };
}

export async function distinctActions(db: Db, organisationId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('audit_event')
    .select('action')
    .distinct()
    .where('organisation_id', '=', organisationId)
    .orderBy('action')
    .execute();
  return rows.map((r) => r.action);
}
