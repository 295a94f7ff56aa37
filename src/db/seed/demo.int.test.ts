import { beforeAll, describe, expect, it } from 'vitest';
import { signIn } from '../../modules/auth/auth.service.ts';
import { listKpisWithStatus, listMeasurements, todayUtc } from '../../modules/kpis/kpis.service.ts';
import { KPI_LIBRARY } from '../../modules/kpis/kpis.library.ts';
import { KPI_STATUSES } from '../../modules/kpis/status.ts';
import { getStrategyTree, listStrategies } from '../../modules/strategy/strategy.service.ts';
import { findOrganisationBySlug, listChildOrganisations } from '../../modules/organisations/organisations.service.ts';
import { listMembers } from '../../modules/users/users.service.ts';
import { cliOperator, systemActor } from '../../platform/access/actor.ts';
import { testDatabase } from '../../../test/support/db.ts';
import { rememberSecret } from '../../../test/support/secrets-ledger.ts';
import type { DatabaseHandle, Db } from '../database.ts';
import { DEMO_CENTRAL_BODY, DEMO_COUNCIL, DEMO_PASSWORD, DEMO_STEPS, DEMO_USERS, demoIsSeeded, seedDemo } from './demo.ts';
import { DEMO_DERIVATIONS, DEMO_GOALS, DEMO_KPIS, demoStrategy } from './demo-strategy.ts';

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

  it('gives the council a published digital strategy with goals, objectives and KPIs showing every status', async () => {
    await rolledBack(database.db, async (trx) => {
      const operator = cliOperator();
      // Seeded for today, as on a first start, and read on the same day.
      const today = todayUtc();
      expect((await seedDemo(trx, systemActor('demo seed'))).status).toBe('seeded');
      const council = await findOrganisationBySlug(trx, DEMO_COUNCIL.slug);
      if (council === undefined) throw new Error('no council');

      const strategies = await listStrategies(trx, operator, council.id);
      expect(strategies.items.map((s) => [s.title, s.status])).toEqual([[demoStrategy(today).title, 'published']]);
      const tree = await getStrategyTree(trx, operator, council.id, strategies.items[0]?.id ?? '');
      expect(tree.goals).toHaveLength(5);
      expect(tree.goals.map((g) => g.tags)).toEqual(DEMO_GOALS.map((g) => g.tags));
      const objectives = tree.goals.flatMap((g) => g.objectives);
      expect(objectives).toHaveLength(15);
      for (const o of objectives) {
        expect(o.ownerName, o.title).not.toBeNull();
        expect(o.dueDate, o.title).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }

      const kpis = await listKpisWithStatus(trx, operator, council.id, {}, { today });
      expect(kpis).toHaveLength(DEMO_KPIS.length);
      expect(kpis.length).toBeGreaterThanOrEqual(45);
      expect(kpis.filter((k) => k.formula !== null).map((k) => k.key).sort()).toEqual(DEMO_DERIVATIONS.map((d) => d.kpi).sort());
      for (const entry of KPI_LIBRARY) expect(kpis.map((k) => k.key)).toContain(entry.key);
      const statuses = new Map(kpis.map((k) => [k.key, k.status]));
      expect(new Set(statuses.values())).toEqual(new Set(KPI_STATUSES));
      for (const k of DEMO_KPIS) if (k.profile !== 'input') expect(statuses.get(k.key), k.key).toBe(k.profile);
      const linked = kpis.filter((k) => k.objectiveIds.length > 0);
      expect(linked.length).toBeGreaterThanOrEqual(45);
      expect(kpis.filter((k) => k.ownerId !== null).length).toBeGreaterThanOrEqual(45);

      // Three years of monthly values; a derived KPI's values come from its formula.
      const values = async (key: string) => (await listMeasurements(trx, operator, council.id, key, { pageSize: 200 })).items;
      const takeUp = await values('digital_take_up');
      expect(takeUp).toHaveLength(36);
      expect(new Set(takeUp.map((m) => m.source))).toEqual(new Set(['formula']));
      expect(await values('pages_passing_accessibility')).toHaveLength(36);
      expect(await values('cost_savings')).toHaveLength(12);
      expect(await values('data_sims_given')).toEqual([]);
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
    const kpis = await database.db.selectFrom('kpi').select('key').where('key', '=', 'pages_passing_accessibility').execute();
    expect(kpis).toEqual([]);
  });
});
