import { beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../../test/support/db.ts';
import { listBenefits } from '../../modules/delivery/benefits.service.ts';
import { deliverySnapshot, listStatusReports } from '../../modules/delivery/delivery.service.ts';
import { PHASES } from '../../modules/delivery/delivery.ts';
import { portfolioOverview } from '../../modules/delivery/portfolio.service.ts';
import { findOrganisationBySlug } from '../../modules/organisations/organisations.service.ts';
import { listGoldenThreads } from '../../modules/thread/thread.service.ts';
import { systemActor } from '../../platform/access/actor.ts';
import type { DatabaseHandle, Db } from '../database.ts';
import { DEMO_PROJECTS } from './demo-delivery.ts';
import { DEMO_COUNCIL, seedDemo } from './demo.ts';

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

describe('the demo council’s portfolio', () => {
  it('has about 25 projects in every phase, two programmes, a year of reports, milestones and benefits', async () => {
    await rolledBack(database.db, async (trx) => {
      const actor = systemActor('demo seed');
      const today = '2026-11-30';
      await seedDemo(trx, actor, { today });
      const council = await findOrganisationBySlug(trx, DEMO_COUNCIL.slug);
      if (council === undefined) throw new Error('no council');

      const { projects, overdueMilestones } = await deliverySnapshot(trx, actor, council.id, { today });
      expect(projects).toHaveLength(DEMO_PROJECTS.length);
      expect(projects.length).toBeGreaterThanOrEqual(24);
      expect(new Set(projects.map((p) => p.phase))).toEqual(new Set(PHASES));
      const programmes = projects.filter((p) => p.type === 'programme');
      expect(programmes).toHaveLength(2);
      for (const programme of programmes)
        expect(projects.filter((p) => p.programmeId === programme.id).length).toBeGreaterThanOrEqual(4);
      expect(new Set(projects.map((p) => p.rag))).toEqual(new Set(['green', 'amber', 'red']));
      expect(
        projects
          .filter((p) => p.late !== null)
          .map((p) => p.title)
          .sort(),
      ).toEqual(['Automating supplier invoices', 'West Marsh ID: one account for residents']);
      expect(overdueMilestones.length).toBeGreaterThan(0);

      const longest = projects.find((p) => p.title === 'Missed bins and bulky waste online');
      const reports = await listStatusReports(trx, actor, council.id, longest?.id ?? '');
      expect(reports).toHaveLength(12);
      expect(reports[0]?.period).toBe('2026-10-01');

      const overview = await portfolioOverview(trx, actor, council.id, { today });
      expect(overview.unaligned.map((p) => p.title)).toEqual(['Intranet replacement']);
      expect(overview.timeline).toHaveLength(projects.length);

      let benefits = 0;
      for (const p of projects) benefits += (await listBenefits(trx, actor, council.id, p.id)).length;
      expect(benefits).toBeGreaterThanOrEqual(8);

      // Every objective of the strategy has a project under it on the golden thread but one.
      const [thread] = await listGoldenThreads(trx, actor, council.id, { today });
      const objectives = thread?.goals.flatMap((g) => g.objectives) ?? [];
      expect(
        objectives.filter((o) => o.items.some((i) => i.kind === 'project')).length,
      ).toBeGreaterThanOrEqual(14);
    });
  });
});
