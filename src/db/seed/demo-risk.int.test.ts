import { beforeAll, describe, expect, it } from 'vitest';
import { findOrganisationBySlug } from '../../modules/organisations/organisations.service.ts';
import {
  listEscalatedRisks,
  listRiskActions,
  listRiskAssessments,
  listRisks,
  listRisksOutsideAppetite,
} from '../../modules/risk/risk.service.ts';
import { systemActor } from '../../platform/access/actor.ts';
import { testDatabase } from '../../../test/support/db.ts';
import type { DatabaseHandle, Db } from '../database.ts';
import { DEMO_CENTRAL_BODY, DEMO_COUNCIL, seedDemo } from './demo.ts';
import { DEMO_ESCALATED_RISK, DEMO_RISKS } from './demo-risk.ts';

/** The demo slugs are fixed and PostgreSQL runs share one database: the seed is rolled back. */
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
  database = await testDatabase();
});

describe('the demo council’s risk register', () => {
  it('has about 30 risks across the categories with history, actions, plans, two outside appetite and one escalated', async () => {
    await rolledBack(database.db, async (trx) => {
      const actor = systemActor('demo seed');
      await seedDemo(trx, actor, { today: '2026-11-30' });
      const council = await findOrganisationBySlug(trx, DEMO_COUNCIL.slug);
      const central = await findOrganisationBySlug(trx, DEMO_CENTRAL_BODY.slug);
      if (council === undefined || central === undefined) throw new Error('no demo organisations');
      const today = { today: '2026-11-30' };

      const risks = await listRisks(trx, actor, council.id, {}, today);
      expect(risks).toHaveLength(DEMO_RISKS.length);
      expect(risks.length).toBeGreaterThanOrEqual(30);
      const categories = new Set(risks.map((r) => r.category.key));
      for (const key of ['cybersecurity', 'data_privacy', 'technology_obsolescence', 'workforce_skills'])
        expect(categories).toContain(key);
      expect(categories.size).toBeGreaterThanOrEqual(15);

      expect(
        (await listRisksOutsideAppetite(trx, actor, council.id, today)).map((r) => r.title).sort(),
      ).toEqual([DEMO_ESCALATED_RISK, 'Ransomware attack on council systems'].sort());
      expect((await listEscalatedRisks(trx, actor, central.id, today)).map((r) => r.title)).toEqual([
        DEMO_ESCALATED_RISK,
      ]);
      expect(risks.filter((r) => r.lacksContingencyPlan)).toHaveLength(2);
      expect(risks.some((r) => r.reviewOverdue)).toBe(true);

      for (const risk of risks.slice(0, 3))
        expect((await listRiskAssessments(trx, actor, council.id, risk.id)).length).toBe(2);
      const actions = await listRiskActions(trx, actor, council.id, today);
      expect(actions.length).toBeGreaterThan(5);
      expect(actions.some((a) => a.overdue)).toBe(true);
    });
  });
});
