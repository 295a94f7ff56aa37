import { beforeAll, describe, expect, it } from 'vitest';
import { getAssessmentHistory, getBoardAgenda, listAssessments, listBoards, listDecisions } from '../../modules/governance/governance.service.ts';
import { findOrganisationBySlug } from '../../modules/organisations/organisations.service.ts';
import { systemActor } from '../../platform/access/actor.ts';
import { testDatabase } from '../../../test/support/db.ts';
import type { DatabaseHandle, Db } from '../database.ts';
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

describe('the demo council’s governance', () => {
  it('has two boards with members and decisions, RACI on items, and assessments across phases', async () => {
    await rolledBack(database.db, async (trx) => {
      const actor = systemActor('demo seed');
      await seedDemo(trx, actor, { today: '2026-11-30' });
      const council = await findOrganisationBySlug(trx, DEMO_COUNCIL.slug);
      if (council === undefined) throw new Error('no council');

      const boards = await listBoards(trx, actor, council.id);
      expect(boards.items.map((b) => b.name)).toEqual(['Digital Transformation Board', 'Technology Design Authority']);
      for (const board of boards.items) {
        expect(board.chair).not.toBeNull();
        expect(board.members.length).toBeGreaterThan(1);
        expect(board.oversees.filter((i) => i.type === 'project').length).toBeGreaterThan(3);
        expect(board.oversees.filter((i) => i.type === 'objective').length).toBeGreaterThan(1);
      }

      const decisions = (await listDecisions(trx, actor, council.id)).items;
      expect(new Set(decisions.map((d) => d.status))).toEqual(new Set(['made', 'superseded', 'proposed']));
      const superseded = decisions.find((d) => d.status === 'superseded');
      expect(superseded?.supersededBy?.title).toBe('Move the revenues and benefits system to the cloud');
      const [first] = boards.items;
      if (first === undefined) throw new Error('no board');
      expect((await getBoardAgenda(trx, actor, council.id, first.id)).proposed.map((d) => d.title)).toEqual(['Approve the public beta of online council tax']);

      const raci = await trx.selectFrom('raci_assignment').select(['item_type', 'item_id', 'role']).where('organisation_id', '=', council.id).execute();
      const items = new Set(raci.map((r) => `${r.item_type}:${r.item_id}`));
      expect(items.size).toBeGreaterThanOrEqual(4);
      for (const item of items) expect(raci.filter((r) => `${r.item_type}:${r.item_id}` === item && r.role === 'accountable')).toHaveLength(1);

      const assessments = (await listAssessments(trx, actor, council.id)).items;
      expect(new Set(assessments.map((a) => a.phase))).toEqual(new Set(['alpha', 'beta', 'live']));
      const beta = assessments.find((a) => a.phase === 'beta');
      if (beta === undefined) throw new Error('no beta assessment');
      expect(beta.project?.title).toBe('Council tax online account');
      expect((await getAssessmentHistory(trx, actor, council.id, beta)).map((a) => `${a.phase}:${a.outcome}`)).toEqual(['alpha:not_met', 'alpha:met', 'beta:met']);
      // The agenda brings in the decisions needed from the overseen projects' latest reports.
      const agendas = await Promise.all(boards.items.map((b) => getBoardAgenda(trx, actor, council.id, b.id)));
      expect(agendas.every((a) => a.proposed.length === 1)).toBe(true);
    });
  });
});
