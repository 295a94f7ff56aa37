import { createHash } from 'node:crypto';

/** Pure rules of the tamper-evident audit chain. */

export const GENESIS_HASH = '0'.repeat(64);
export const PLATFORM_CHAIN = 'platform';

export interface ChainedFields {
  chainKey: string;
  seq: number;
  organisationId: string | null;
  actorUserId: string | null;
  actorTokenId: string | null;
  actorLabel: string;
  via: string;
  action: string;
  entityType: string;
  entityId: string | null;
  before: unknown;
  after: unknown;
  requestId: string | null;
  occurredAt: Date;
  prevHash: string;
}

/**
 * JSON with object keys sorted at every depth. PostgreSQL's jsonb reorders keys, so the hash
 * must not depend on key order.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** What a value looks like after a round trip through jsonb (Dates become strings). */
export function asStoredJson(value: unknown): unknown {
  return value === undefined || value === null ? null : JSON.parse(JSON.stringify(value));
}

export function hashEvent(fields: ChainedFields): string {
  const payload = canonicalJson({
    chainKey: fields.chainKey,
    seq: fields.seq,
    organisationId: fields.organisationId,
    actorUserId: fields.actorUserId,
    actorTokenId: fields.actorTokenId,
    actorLabel: fields.actorLabel,
    via: fields.via,
    action: fields.action,
    entityType: fields.entityType,
    entityId: fields.entityId,
    before: asStoredJson(fields.before),
    after: asStoredJson(fields.after),
    requestId: fields.requestId,
    occurredAt: fields.occurredAt.toISOString(),
    prevHash: fields.prevHash,
  });
  return createHash('sha256').update(payload).digest('hex');
}

export function chainKeyFor(organisationId: string | null): string {
  return organisationId ?? PLATFORM_CHAIN;
}

export interface StoredEvent extends ChainedFields {
  id: number;
  hash: string;
}

export type ChainProblem =
  | { kind: 'changed'; event: StoredEvent }
  | { kind: 'broken_link'; event: StoredEvent }
  | { kind: 'missing'; expectedSeq: number; before: StoredEvent | null; after: StoredEvent | null }
  | { kind: 'head_mismatch'; chainKey: string; headSeq: number; lastSeq: number };

/**
 * Walks one chain in seq order and returns the first problem, or null. Takes an async
 * iterable so a long trail is checked without holding it in memory.
 */
export async function findFirstProblem(
  chainKey: string,
  events: AsyncIterable<StoredEvent>,
  head: { lastSeq: number; lastHash: string } | undefined,
): Promise<ChainProblem | null> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let previous: StoredEvent | null = null;
  for await (const event of events) {
    if (event.seq !== expectedSeq) return { kind: 'missing', expectedSeq, before: previous, after: event };
    if (event.prevHash !== prevHash) return { kind: 'broken_link', event };
    if (hashEvent(event) !== event.hash) return { kind: 'changed', event };
    prevHash = event.hash;
    previous = event;
    expectedSeq++;
  }
  const lastSeq = expectedSeq - 1;
  if (head?.lastSeq !== lastSeq || head.lastHash !== prevHash) {
    return { kind: 'head_mismatch', chainKey, headSeq: head?.lastSeq ?? 0, lastSeq };
  }
  return null;
}

export function describeProblem(problem: ChainProblem): string {
  switch (problem.kind) {
    case 'changed':
      return `audit event ${problem.event.id} (chain ${problem.event.chainKey}, #${problem.event.seq}) was edited: its contents no longer match its hash`;
    case 'broken_link':
      return `audit event ${problem.event.id} (chain ${problem.event.chainKey}, #${problem.event.seq}) does not link to the event before it`;
    case 'missing': {
      const where = problem.before ? `after event ${problem.before.id}` : 'at the start of the chain';
      const chain = problem.after?.chainKey ?? problem.before?.chainKey ?? '?';
      return `audit event #${problem.expectedSeq} of chain ${chain} is missing (deleted ${where})`;
    }
    case 'head_mismatch':
      return `chain ${problem.chainKey} ends at #${problem.lastSeq} but its head records #${problem.headSeq}: the newest events were deleted or the head was altered`;
  }
}
