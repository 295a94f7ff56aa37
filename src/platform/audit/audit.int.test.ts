import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import type { TestClient } from '../../../test/support/client.ts';
import { testDatabaseKind } from '../../../test/support/db.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { signIn } from '../../../test/support/login.ts';
import type { Db } from '../../db/database.ts';
import type { Organisation } from '../../modules/organisations/organisations.service.ts';
import { addUser } from '../../modules/users/users.service.ts';
import { cliOperator } from '../access/actor.ts';
import { recordAudit, verifyAuditTrail } from './audit.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

async function countEvents(db: Db, org: Organisation): Promise<number> {
  const row = await db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', org.id)
    .executeTakeFirstOrThrow();
  return row.n;
}

async function chainEvents(db: Db, org: Organisation) {
  return db.selectFrom('audit_event').select(['id', 'seq']).where('chain_key', '=', org.id).orderBy('seq').execute();
}

/** The rows of the events table, each as its cells' text. */
function eventRows(html: string): string[][] {
  const body = /<tbody class="govuk-table__body">([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return body
    .split('<tr class="govuk-table__row">')
    .slice(1)
    .map((row) =>
      [...row.matchAll(/<td class="govuk-table__cell">([\s\S]*?)<\/td>/g)].map((m) =>
        (m[1] ?? '')
          .replace(/<details[\s\S]*<\/details>/, 'details')
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      ),
    );
}

const ACTION = 3;
const WHO = 1;

async function adminOfNewOrg(): Promise<{ org: Organisation; client: TestClient; email: string }> {
  const org = await makeOrganisation(t.db);
  const admin = await makeUser(t.db, org, 'admin');
  return { org, client: await signIn(t.app, admin), email: admin.email };
}

/** Writes `count` events straight into an organisation's chain, as the CLI would. */
async function writeEvents(org: Organisation, count: number, action = 'test.bulk'): Promise<void> {
  await t.db.transaction().execute(async (trx) => {
    for (let i = 0; i < count; i++) {
      await recordAudit(trx, cliOperator(), { organisationId: org.id, action, entityType: 'test', entityId: null, after: { i } });
    }
  });
}

class Rollback extends Error {}

/**
 * Runs `fn` in a transaction that is always rolled back, with the append-only trigger off inside
 * it: tampering happens where nothing else can ever see it (other test files share the
 * PostgreSQL database, and a full `audit verify` there must keep passing).
 */
async function tamperedView<T>(fn: (trx: Db) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await expect(
    t.db.transaction().execute(async (trx) => {
      await sql`alter table audit_event disable trigger audit_event_no_change`.execute(trx);
      result = await fn(trx);
      await sql`alter table audit_event enable trigger audit_event_no_change`.execute(trx);
      throw new Rollback();
    }),
  ).rejects.toBeInstanceOf(Rollback);
  return result as T;
}

describe('the audit trail page', () => {
  it('lists the events of this organisation’s admin work, newest first, with who, how and what changed', async () => {
    const { org, client, email } = await adminOfNewOrg();
    const added = await client.postForm(`/o/${org.slug}/users`, { email: `audited-${org.slug}@example.org`, name: 'Audited Person', role: 'viewer' });
    expect(added.statusCode).toBe(200);
    expect((await client.postForm(`/o/${org.slug}/tokens`, { name: 'Audited token', scope: 'read' })).statusCode).toBe(200);
    const other = await makeOrganisation(t.db);
    await writeEvents(other, 1, 'elsewhere.happened');

    const page = await client.get(`/o/${org.slug}/audit`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1 class="govuk-heading-l">Audit trail</h1>');
    const rows = eventRows(page.body);
    expect(rows.map((r) => r[ACTION])).toEqual(['token.created', 'user.added', 'user.added', 'organisation.created']);
    expect(rows[0]).toEqual([expect.stringMatching(/ UTC$/), email, 'web', 'token.created', expect.stringMatching(/^api_token /), 'details']);
    expect(rows[1]?.[WHO]).toBe(email);
    expect(rows.at(-1)?.[2]).toBe('cli');
    // The details show the after state as JSON.
    expect(page.body).toContain('&quot;name&quot;: &quot;Audited Person&quot;');
    expect(page.body).not.toContain('elsewhere.happened');
    expect(page.body).toContain('Showing 1 to 4 of 4 events');
  });

  it('filters by action and by who, and offers only this organisation’s actions', async () => {
    const { org, client, email } = await adminOfNewOrg();
    await client.postForm(`/o/${org.slug}/tokens`, { name: 'One', scope: 'read' });
    await client.postForm(`/o/${org.slug}/tokens`, { name: 'Two', scope: 'read' });
    await writeEvents(org, 2, 'test.imported');

    const byAction = await client.get(`/o/${org.slug}/audit?action=token.created`);
    expect(byAction.statusCode).toBe(200);
    expect(eventRows(byAction.body).map((r) => r[ACTION])).toEqual(['token.created', 'token.created']);
    expect(byAction.body).toContain('<option value="token.created" selected>');
    expect(byAction.body).toContain('<option value="test.imported">');
    expect(byAction.body).toContain('matching the filters');

    const byActor = await client.get(`/o/${org.slug}/audit?actor=${encodeURIComponent(email.slice(0, 12).toUpperCase())}`);
    const actorRows = eventRows(byActor.body);
    expect(actorRows.map((r) => r[WHO])).toEqual([email, email]);

    const cli = await client.get(`/o/${org.slug}/audit?actor=cli%3A&action=test.imported`);
    expect(eventRows(cli.body).map((r) => r[ACTION])).toEqual(['test.imported', 'test.imported']);

    const nothing = await client.get(`/o/${org.slug}/audit?actor=nobody-like-this`);
    expect(eventRows(nothing.body)).toEqual([]);
    expect(nothing.body).toContain('No events match the filters.');

    // A wildcard typed as the name matches only itself.
    const wildcard = await client.get(`/o/${org.slug}/audit?actor=%25`);
    expect(eventRows(wildcard.body)).toEqual([]);
  });

  it('filters by date, whole days in UTC, and shows an error for a date that is not real', async () => {
    const { org, client } = await adminOfNewOrg();
    await writeEvents(org, 3);
    const today = new Date().toISOString().slice(0, 10);

    const todayOnly = await client.get(`/o/${org.slug}/audit?from=${today}&to=${today}&action=test.bulk`);
    expect(todayOnly.statusCode).toBe(200);
    expect(eventRows(todayOnly.body)).toHaveLength(3);
    const future = await client.get(`/o/${org.slug}/audit?from=2999-01-01`);
    expect(eventRows(future.body)).toEqual([]);
    const past = await client.get(`/o/${org.slug}/audit?to=2000-01-01`);
    expect(eventRows(past.body)).toEqual([]);

    const bad = await client.get(`/o/${org.slug}/audit?from=2026-02-30&to=tomorrow&action=test.bulk`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('<title>Error: Audit trail');
    expect(bad.body).toContain('There is a problem');
    expect(bad.body).toContain('href="#from"');
    expect(bad.body).toContain('href="#to"');
    expect(bad.body).toContain('The from date must be a real date in the form YYYY-MM-DD');
    // What was typed is kept; the dates that cannot be used are left out, the rest still applies.
    expect(bad.body).toContain('value="2026-02-30"');
    expect(eventRows(bad.body).map((r) => r[ACTION])).toEqual(['test.bulk', 'test.bulk', 'test.bulk']);

    const backwards = await client.get(`/o/${org.slug}/audit?from=2026-12-01&to=2026-11-01`);
    expect(backwards.statusCode).toBe(400);
    expect(backwards.body).toContain('The to date must be the same as or after the from date');
  });

  it('shows 50 events a page with GOV.UK pagination that keeps the filters', async () => {
    const { org, client } = await adminOfNewOrg();
    await writeEvents(org, 120);

    const first = await client.get(`/o/${org.slug}/audit?action=test.bulk`);
    const firstRows = eventRows(first.body);
    expect(firstRows).toHaveLength(50);
    expect(first.body).toContain('Showing 1 to 50 of 120 events');
    expect(first.body).toContain('class="govuk-pagination"');
    expect(first.body).toContain(`href="/o/${org.slug}/audit?action=test.bulk&amp;page=2" rel="next"`);
    expect(first.body).toContain(`href="/o/${org.slug}/audit?action=test.bulk&amp;page=3" aria-label="Page 3"`);
    expect(first.body).not.toContain('rel="prev"');

    const third = await client.get(`/o/${org.slug}/audit?action=test.bulk&page=3`);
    expect(eventRows(third.body)).toHaveLength(20);
    expect(third.body).toContain('Showing 101 to 120 of 120 events');
    expect(third.body).toContain('aria-current="page"');
    expect(third.body).toContain('rel="prev"');
    expect(third.body).not.toContain('rel="next"');

    // Newest first across pages: page 1 ends where page 2 begins.
    const bodies = await Promise.all([1, 2, 3].map((n) => client.get(`/o/${org.slug}/audit?action=test.bulk&page=${n}`)));
    const afters = bodies.flatMap((b) => [...b.body.matchAll(/&quot;i&quot;: (\d+)/g)].map((m) => Number(m[1])));
    expect(afters).toEqual(Array.from({ length: 120 }, (_, k) => 119 - k));

    const junk = await client.get(`/o/${org.slug}/audit?page=banana`);
    expect(junk.statusCode).toBe(200);
    expect(junk.body).toContain('Showing 1 to 50 of');
  });

  it('is for admins only', async () => {
    const org = await makeOrganisation(t.db);
    for (const role of ['viewer', 'contributor', 'manager'] as const) {
      const client = await signIn(t.app, await makeUser(t.db, org, role));
      expect((await client.get(`/o/${org.slug}/audit`)).statusCode, role).toBe(403);
    }
    const outsider = await adminOfNewOrg();
    expect((await outsider.client.get(`/o/${org.slug}/audit`)).statusCode).toBe(404);
  });
});

describe('recording audit events', () => {
  it('commits the event with the change it records', async () => {
    const org = await makeOrganisation(t.db);
    const before = await countEvents(t.db, org);
    const email = `committed-${org.slug}@example.org`;
    await t.db.transaction().execute(async (trx) => {
      await addUser(trx, cliOperator(), org.id, { email, name: 'Committed', role: 'viewer' });
      // Inside the transaction both are visible…
      expect(await countEvents(trx, org)).toBe(before + 1);
    });
    // …and after it, both are there.
    expect(await countEvents(t.db, org)).toBe(before + 1);
    expect(await t.db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirst()).toBeDefined();
  });

  it('leaves no event behind when the change is rolled back', async () => {
    const org = await makeOrganisation(t.db);
    const before = await countEvents(t.db, org);
    const email = `rolled-back-${org.slug}@example.org`;
    await expect(
      t.db.transaction().execute(async (trx) => {
        await addUser(trx, cliOperator(), org.id, { email, name: 'Rolled Back', role: 'viewer' });
        await recordAudit(trx, cliOperator(), { organisationId: org.id, action: 'test.extra', entityType: 'test' });
        expect(await countEvents(trx, org)).toBe(before + 2);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await countEvents(t.db, org)).toBe(before);
    expect(await t.db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined();
    // The chain carries on from where it was: the next event links to the last committed one.
    await writeEvents(org, 1);
    expect((await verifyAuditTrail(t.db, undefined, { chainKey: org.id })).ok).toBe(true);
    expect((await chainEvents(t.db, org)).map((e) => e.seq)).toEqual([1, 2]);
  });

  it('refuses to change or delete an event (the table is append-only)', async () => {
    const org = await makeOrganisation(t.db);
    const [event] = await chainEvents(t.db, org);
    if (event === undefined) throw new Error('no event');
    await expect(t.db.updateTable('audit_event').set({ action: 'edited' }).where('id', '=', event.id).execute()).rejects.toThrow(/append-only/);
    await expect(t.db.deleteFrom('audit_event').where('id', '=', event.id).execute()).rejects.toThrow(/append-only/);
    expect(await countEvents(t.db, org)).toBe(1);
  });
});

describe('verifying the audit trail', () => {
  async function orgWithEvents(count: number): Promise<{ org: Organisation; events: { id: number; seq: number }[] }> {
    const org = await makeOrganisation(t.db);
    await writeEvents(org, count - 1);
    const events = await chainEvents(t.db, org);
    expect(events).toHaveLength(count);
    return { org, events };
  }

  it('reports an untouched chain as ok', async () => {
    const { org } = await orgWithEvents(4);
    expect(await verifyAuditTrail(t.db, undefined, { chainKey: org.id })).toEqual({ ok: true, chains: 1, events: 4, problem: null });
  });

  it.runIf(testDatabaseKind() === 'embedded')('reports the whole trail as ok when nothing was touched', async () => {
    await orgWithEvents(3);
    const result = await verifyAuditTrail(t.db);
    expect(result.ok).toBe(true);
    expect(result.chains).toBeGreaterThanOrEqual(2);
  });

  it('detects an edited event and names it', async () => {
    const { org, events } = await orgWithEvents(4);
    const target = events[1];
    if (target === undefined) throw new Error('no event');
    const result = await tamperedView(async (trx) => {
      await trx.updateTable('audit_event').set({ actor_label: 'someone-else@example.org' }).where('id', '=', target.id).execute();
      return verifyAuditTrail(trx, undefined, { chainKey: org.id });
    });
    expect(result.ok).toBe(false);
    expect(result.problem).toBe(`audit event ${target.id} (chain ${org.id}, #2) was edited: its contents no longer match its hash`);
    // Rolled back: the real trail is untouched.
    expect((await verifyAuditTrail(t.db, undefined, { chainKey: org.id })).ok).toBe(true);
  });

  it('detects an edited JSON payload', async () => {
    const { org, events } = await orgWithEvents(3);
    const target = events[2];
    if (target === undefined) throw new Error('no event');
    const result = await tamperedView(async (trx) => {
      await sql`update audit_event set after = '{"i": 999}'::jsonb where id = ${target.id}`.execute(trx);
      return verifyAuditTrail(trx, undefined, { chainKey: org.id });
    });
    expect(result.problem).toMatch(new RegExp(`^audit event ${target.id} .*#3\\) was edited`));
  });

  it('detects a deleted event in the middle of the chain', async () => {
    const { org, events } = await orgWithEvents(4);
    const [first, second] = events;
    if (first === undefined || second === undefined) throw new Error('no event');
    const result = await tamperedView(async (trx) => {
      await trx.deleteFrom('audit_event').where('id', '=', second.id).execute();
      return verifyAuditTrail(trx, undefined, { chainKey: org.id });
    });
    expect(result.ok).toBe(false);
    expect(result.problem).toBe(`audit event #2 of chain ${org.id} is missing (deleted after event ${first.id})`);
  });

  it('detects the newest event deleted', async () => {
    const { org, events } = await orgWithEvents(3);
    const last = events.at(-1);
    if (last === undefined) throw new Error('no event');
    const result = await tamperedView(async (trx) => {
      await trx.deleteFrom('audit_event').where('id', '=', last.id).execute();
      return verifyAuditTrail(trx, undefined, { chainKey: org.id });
    });
    expect(result.problem).toBe(`chain ${org.id} ends at #2 but its head records #3: the newest events were deleted or the head was altered`);
  });

  it('detects a replaced stored hash', async () => {
    const { org, events } = await orgWithEvents(3);
    const [, second, third] = events;
    if (second === undefined || third === undefined) throw new Error('no event');
    const result = await tamperedView(async (trx) => {
      await trx.updateTable('audit_event').set({ hash: 'f'.repeat(64) }).where('id', '=', second.id).execute();
      return verifyAuditTrail(trx, undefined, { chainKey: org.id });
    });
    // Changing the stored hash breaks the event itself first.
    expect(result.problem).toMatch(new RegExp(`^audit event ${second.id} .*was edited`));
  });
});
