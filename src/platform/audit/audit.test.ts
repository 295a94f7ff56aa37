import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  type ChainedFields,
  describeProblem,
  findFirstProblem,
  GENESIS_HASH,
  hashEvent,
  type StoredEvent,
} from './audit.ts';
import { paginationItems, parseAuditFilters, parseDay } from './audit.web.ts';

describe('canonicalJson', () => {
  it('does not depend on key order, at any depth', () => {
    const a = { b: 1, a: { y: [1, { q: true, p: null }], x: 'x' } };
    const b = { a: { x: 'x', y: [1, { p: null, q: true }] }, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"x":"x","y":[1,{"p":null,"q":true}]},"b":1}');
  });

  it('keeps array order, which is meaningful', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('leaves out undefined properties, as JSON storage does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('tells apart values that only look alike', () => {
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
    expect(canonicalJson({ 'a,b': 1 })).not.toBe(canonicalJson({ a: 1, b: 1 }));
  });
});

function fields(overrides: Partial<ChainedFields> = {}): ChainedFields {
  return {
    chainKey: 'org-1',
    seq: 1,
    organisationId: 'org-1',
    actorUserId: 'user-1',
    actorTokenId: null,
    actorLabel: 'admin@example.org',
    via: 'web',
    action: 'user.added',
    entityType: 'user',
    entityId: 'user-2',
    before: null,
    after: { role: 'viewer', nested: { a: 1 } },
    requestId: 'req-1',
    occurredAt: new Date('2026-11-30T10:00:00.000Z'),
    prevHash: GENESIS_HASH,
    ...overrides,
  };
}

describe('hashEvent', () => {
  it('is a SHA-256 hex digest that does not depend on the key order of before/after', () => {
    const hash = hashEvent(fields());
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent(fields({ after: { nested: { a: 1 }, role: 'viewer' } }))).toBe(hash);
  });

  it('treats dates in the payload as their stored (ISO string) form', () => {
    const when = new Date('2026-01-02T03:04:05.000Z');
    expect(hashEvent(fields({ after: { at: when } }))).toBe(hashEvent(fields({ after: { at: when.toISOString() } })));
  });

  const changes: [keyof ChainedFields, unknown][] = [
    ['chainKey', 'org-2'],
    ['seq', 2],
    ['organisationId', null],
    ['actorUserId', 'user-9'],
    ['actorTokenId', 'token-1'],
    ['actorLabel', 'someone@example.org'],
    ['via', 'api'],
    ['action', 'user.removed'],
    ['entityType', 'api_token'],
    ['entityId', null],
    ['before', { role: 'admin' }],
    ['after', { role: 'admin', nested: { a: 1 } }],
    ['after', { role: 'viewer', nested: { a: 2 } }],
    ['requestId', 'req-2'],
    ['occurredAt', new Date('2026-11-30T10:00:00.001Z')],
    ['prevHash', 'a'.repeat(64)],
  ];
  it.each(changes)('changes when %s changes', (name, value) => {
    expect(hashEvent(fields({ [name]: value }))).not.toBe(hashEvent(fields()));
  });
});

/** A valid chain of `n` events, each linked to the one before. */
function chain(n: number): StoredEvent[] {
  const events: StoredEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const f = fields({ seq, prevHash, after: { seq } });
    const event = { ...f, id: 100 + seq, hash: hashEvent(f) };
    events.push(event);
    prevHash = event.hash;
  }
  return events;
}

function headOf(events: StoredEvent[]): { lastSeq: number; lastHash: string } {
  const last = events.at(-1);
  return { lastSeq: last?.seq ?? 0, lastHash: last?.hash ?? GENESIS_HASH };
}

async function* iterate(events: StoredEvent[]): AsyncGenerator<StoredEvent> {
  for (const event of events) {
    await Promise.resolve();
    yield event;
  }
}

function problemIn(events: StoredEvent[], head: { lastSeq: number; lastHash: string } | 'none' = headOf(events)) {
  return findFirstProblem('org-1', iterate(events), head === 'none' ? undefined : head);
}

function nth(events: StoredEvent[], index: number): StoredEvent {
  const event = events[index];
  if (event === undefined) throw new Error(`no event at ${index}`);
  return event;
}

function described(problem: Awaited<ReturnType<typeof findFirstProblem>>): string {
  if (problem === null) throw new Error('expected a problem');
  return describeProblem(problem);
}

describe('findFirstProblem', () => {
  it('finds nothing wrong with an intact chain', async () => {
    expect(await problemIn(chain(5))).toBeNull();
    expect(await problemIn(chain(1))).toBeNull();
  });

  it('finds nothing wrong with a chain that has no events and a head at the start', async () => {
    expect(await problemIn([], { lastSeq: 0, lastHash: GENESIS_HASH })).toBeNull();
  });

  it('finds an edited event', async () => {
    const events = chain(4);
    const edited = { ...nth(events, 2), actorLabel: 'intruder@example.org' };
    events[2] = edited;
    const problem = await problemIn(events);
    expect(problem).toEqual({ kind: 'changed', event: edited });
    expect(described(problem)).toBe('audit event 103 (chain org-1, #3) was edited: its contents no longer match its hash');
  });

  it('finds an edited event even when its hash was recomputed, because the next one no longer links to it', async () => {
    const events = chain(4);
    const rewritten = fields({ seq: 2, prevHash: nth(events, 0).hash, after: { seq: 'rewritten' } });
    events[1] = { ...rewritten, id: 102, hash: hashEvent(rewritten) };
    const problem = await problemIn(events);
    expect(problem).toMatchObject({ kind: 'broken_link', event: { id: 103 } });
    expect(described(problem)).toBe('audit event 103 (chain org-1, #3) does not link to the event before it');
  });

  it('finds an event deleted from the middle', async () => {
    const events = chain(4);
    const problem = await problemIn([nth(events, 0), nth(events, 2), nth(events, 3)]);
    expect(problem).toMatchObject({ kind: 'missing', expectedSeq: 2, before: { id: 101 }, after: { id: 103 } });
    expect(described(problem)).toBe('audit event #2 of chain org-1 is missing (deleted after event 101)');
  });

  it('finds the first event deleted', async () => {
    const events = chain(3);
    const problem = await problemIn(events.slice(1));
    expect(problem).toMatchObject({ kind: 'missing', expectedSeq: 1, before: null });
    expect(described(problem)).toBe('audit event #1 of chain org-1 is missing (deleted at the start of the chain)');
  });

  it('finds the newest events deleted, from the chain head', async () => {
    const events = chain(5);
    const problem = await problemIn(events.slice(0, 3), headOf(events));
    expect(problem).toEqual({ kind: 'head_mismatch', chainKey: 'org-1', headSeq: 5, lastSeq: 3 });
    expect(described(problem)).toMatch(/^chain org-1 ends at #3 but its head records #5/);
  });

  it('finds a head whose hash does not match the last event', async () => {
    const events = chain(3);
    expect(await problemIn(events, { lastSeq: 3, lastHash: 'b'.repeat(64) })).toMatchObject({ kind: 'head_mismatch' });
  });

  it('finds events with no head at all', async () => {
    expect(await problemIn(chain(2), 'none')).toEqual({ kind: 'head_mismatch', chainKey: 'org-1', headSeq: 0, lastSeq: 2 });
  });

  it('finds every event deleted while the head remains', async () => {
    expect(await problemIn([], headOf(chain(2)))).toMatchObject({ kind: 'head_mismatch', headSeq: 2, lastSeq: 0 });
  });

  it('reports only the first of several problems', async () => {
    const events = chain(5);
    events[1] = { ...nth(events, 1), action: 'edited' };
    events[3] = { ...nth(events, 3), action: 'edited too' };
    expect(await problemIn(events)).toMatchObject({ kind: 'changed', event: { id: 102 } });
  });
});

describe('audit trail filters', () => {
  it('reads real YYYY-MM-DD dates as UTC midnight and nothing else', () => {
    expect(parseDay('2026-11-30')?.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(parseDay('2028-02-29')?.toISOString()).toBe('2028-02-29T00:00:00.000Z');
    for (const bad of ['2026-02-29', '2026-13-01', '2026-00-10', '2026-1-5', '30/11/2026', 'today', '', '2026-11-30T00:00']) {
      expect(parseDay(bad), bad).toBeNull();
    }
  });

  const from = (query: Record<string, string>) => parseAuditFilters((name) => query[name] ?? '');

  it('makes the to date inclusive and keeps every value typed', () => {
    const filters = from({ action: 'user.added', actor: 'ann', from: '2026-11-01', to: '2026-11-30', page: '3' });
    expect(filters.from?.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(filters.toExclusive?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(filters.page).toBe(3);
    expect(filters.errors).toEqual([]);
    expect(filters.values).toEqual({ action: 'user.added', actor: 'ann', from: '2026-11-01', to: '2026-11-30' });
  });

  it('reports a date that cannot be used, and leaves it out of the search', () => {
    const filters = from({ from: '2026-02-30', to: '2026-03-01' });
    expect(filters.errors.map((e) => e.field)).toEqual(['from']);
    expect(filters.from).toBeUndefined();
    expect(filters.toExclusive?.toISOString()).toBe('2026-03-02T00:00:00.000Z');
  });

  it('reports a to date before the from date', () => {
    const filters = from({ from: '2026-12-01', to: '2026-11-01' });
    expect(filters.errors).toEqual([{ field: 'to', message: 'The to date must be the same as or after the from date' }]);
    expect(filters.from).toBeUndefined();
    expect(filters.toExclusive).toBeUndefined();
  });

  it('goes to the first page for a page number that is not one', () => {
    for (const page of ['', '0', '-1', '1.5', 'two', '99999999999']) expect(from({ page }).page, page).toBe(1);
  });
});

describe('paginationItems', () => {
  const href = (n: number): string => `?page=${n}`;
  const shape = (current: number, count: number) =>
    paginationItems(current, count, href).map((item) => ('ellipsis' in item ? '…' : item.current ? `[${item.number}]` : String(item.number)));

  it('shows every page when there are few', () => {
    expect(shape(2, 3)).toEqual(['1', '[2]', '3']);
  });

  it('shows the first, the last and the neighbours of the current page, with gaps', () => {
    expect(shape(1, 10)).toEqual(['[1]', '2', '…', '10']);
    expect(shape(5, 10)).toEqual(['1', '…', '4', '[5]', '6', '…', '10']);
    expect(shape(10, 10)).toEqual(['1', '…', '9', '[10]']);
  });

  it('links each page', () => {
    expect(paginationItems(1, 2, href)).toEqual([
      { number: 1, href: '?page=1', current: true },
      { number: 2, href: '?page=2', current: false },
    ]);
  });
});
