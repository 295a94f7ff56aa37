import { beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../modules/auth/auth.service.ts';
import { findOrganisationBySlug, listChildOrganisations } from '../../modules/organisations/organisations.service.ts';
import { listMembers } from '../../modules/users/users.service.ts';
import { cliOperator, systemActor } from '../../platform/access/actor.ts';
import { testDatabase } from '../../../test/support/db.ts';
import { rememberSecret } from '../../../test/support/secrets-ledger.ts';
import type { DatabaseHandle, Db } from '../database.ts';
import { DEMO_CENTRAL_BODY, DEMO_COUNCIL, DEMO_PASSWORD, DEMO_STEPS, DEMO_USERS, demoIsSeeded, seedDemo } from './demo.ts';

/**
 * The demo slugs are fixed, and PostgreSQL runs share one database: each test leaves nothing
 * behind (the first rolls its transaction back, the second fails on purpose).
 */
class RollBack extends Error {}

async function rolledBack(db: Db, fn: (trx: Db) => Promise<void>): Promise<void> {
  await expect(
    db.transaction().execute(async (trx) => {
      await fn(trx);
      throw new RollBack();
    }),
  ).rejects.toBeInstanceOf(RollBack);
}

let database: DatabaseHandle;
beforeAll(async () => {
  rememberSecret(DEMO_PASSWORD);
  database = await testDatabase();
});

describe('the demo seed', () => {
  it('builds the central body, the council under it and one person per role, who can sign in', async () => {
    await rolledBack(database.db, async (trx) => {
      const outcome = await seedDemo(trx, systemActor('demo seed'));
      expect(outcome.status).toBe('seeded');
      const central = await findOrganisationBySlug(trx, DEMO_CENTRAL_BODY.slug);
      const council = await findOrganisationBySlug(trx, DEMO_COUNCIL.slug);
      expect(central?.name).toBe(DEMO_CENTRAL_BODY.name);
      expect(council?.parentId).toBe(central?.id);
      if (central === undefined || council === undefined) return;
      expect((await listChildOrganisations(trx, cliOperator(), central.id)).map((o) => o.slug)).toEqual([DEMO_COUNCIL.slug]);
      const members = await listMembers(trx, cliOperator(), council.id);
      expect(members.map((m) => [m.email, m.role]).sort()).toEqual(
        DEMO_USERS.flatMap((u) => u.roles.filter((r) => r.organisation === DEMO_COUNCIL.slug).map((r) => [u.email, r.role])).sort(),
      );
      expect((await listMembers(trx, cliOperator(), central.id)).map((m) => [m.email, m.role])).toEqual([
        ['admin@digital-communities.example', 'admin'],
      ]);
      const session = await signIn(trx, { email: 'manager@west-marsh.example', password: DEMO_PASSWORD, ip: '198.51.100.20', requestId: null });
      expect(session.stage).toBe('active');
      expect(await seedDemo(trx, systemActor('demo seed'))).toEqual({ status: 'already_seeded' });
    });
    expect(await demoIsSeeded(database.db)).toBe(false);
  });

  it('leaves nothing behind when a step fails midway', async () => {
    const failing = { name: 'broken', run: () => Promise.reject(new Error('step failed')) };
    await expect(seedDemo(database.db, systemActor('demo seed'), { steps: [...DEMO_STEPS, failing] })).rejects.toThrow('step failed');
    expect(await findOrganisationBySlug(database.db, DEMO_CENTRAL_BODY.slug)).toBeUndefined();
    expect(await findOrganisationBySlug(database.db, DEMO_COUNCIL.slug)).toBeUndefined();
    const users = await database.db.selectFrom('app_user').select('email').where('email', 'in', DEMO_USERS.map((u) => u.email)).execute();
    expect(users).toEqual([]);
  });
});
