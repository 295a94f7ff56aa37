/**
 * The rule "a measurement names a KPI of its own organisation" (migration 0007): checked once per
 * statement by triggers instead of a per-row foreign key, with the key's outcomes — refused writes
 * change nothing, deleting a KPI or an organisation deletes its measurements, and on PostgreSQL
 * a KPI deleted while another transaction writes its measurements leaves none behind.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, testDatabaseKind, testPostgresUrl } from '../../test/support/db.ts';
import { makeOrganisation } from '../../test/support/factories.ts';
import { makeKpi } from '../../test/support/kpi-factories.ts';
import type { DatabaseHandle } from './database.ts';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await testDatabase();
});
afterAll(async () => {
  await handle.close();
});

async function twoKpisInTwoOrganisations(): Promise<{ orgA: string; kpiA: string; orgB: string; kpiB: string }> {
  const a = await makeOrganisation(handle.db);
  const b = await makeOrganisation(handle.db);
  return { orgA: a.id, kpiA: (await makeKpi(handle.db, a)).id, orgB: b.id, kpiB: (await makeKpi(handle.db, b)).id };
}

async function measurementsOf(kpiId: string): Promise<number> {
  const { rows } = await sql<{ count: number }>`select count(*)::int as count from measurement where kpi_id = ${kpiId}`.execute(handle.db);
  return rows[0]?.count ?? 0;
}

function insertValues(pairs: readonly (readonly [organisationId: string, kpiId: string, period: string])[]) {
  const values = sql.join(pairs.map(([organisationId, kpiId, period]) => sql`(${organisationId}::uuid, ${kpiId}::uuid, ${period}::date, 1, 'manual')`));
  return sql`insert into measurement (organisation_id, kpi_id, period, value, source) values ${values}`;
}

async function errorOf(promise: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error('expected the statement to be refused');
}

describe(`the measurement → KPI rule (${testDatabaseKind()})`, () => {
  it('refuses a statement naming another organisation’s KPI or no KPI at all, writing none of its rows', async () => {
    const { orgA, kpiA, orgB, kpiB } = await twoKpisInTwoOrganisations();
    const crossed = await errorOf(insertValues([[orgA, kpiA, '2026-01-01'], [orgA, kpiB, '2026-01-01']]).execute(handle.db));
    expect(crossed.code).toBe('23503');
    expect(crossed.message).toBe(`measurement names KPI ${kpiB}, which is not a KPI of organisation ${orgA}`);
    const unknown = await errorOf(insertValues([[orgB, '00000000-0000-4000-8000-000000000000', '2026-01-01']]).execute(handle.db));
    expect(unknown.code).toBe('23503');
    expect(await measurementsOf(kpiA)).toBe(0);
    expect(await measurementsOf(kpiB)).toBe(0);

    await insertValues([[orgA, kpiA, '2026-01-01'], [orgB, kpiB, '2026-01-01']]).execute(handle.db);
    expect([await measurementsOf(kpiA), await measurementsOf(kpiB)]).toEqual([1, 1]);
  });

  it('refuses moving a measurement to another organisation’s KPI', async () => {
    const { orgA, kpiA, kpiB } = await twoKpisInTwoOrganisations();
    await insertValues([[orgA, kpiA, '2026-01-01']]).execute(handle.db);
    const moved = await errorOf(sql`update measurement set kpi_id = ${kpiB} where kpi_id = ${kpiA}`.execute(handle.db));
    expect(moved.code).toBe('23503');
    expect(await measurementsOf(kpiA)).toBe(1);
  });

  it('deletes the measurements of a deleted KPI, and of every KPI of a deleted organisation', async () => {
    const { orgA, kpiA, orgB, kpiB } = await twoKpisInTwoOrganisations();
    const org = await makeOrganisation(handle.db);
    const kept = await makeKpi(handle.db, org);
    const other = await makeKpi(handle.db, org);
    await insertValues([
      [org.id, kept.id, '2026-01-01'],
      [org.id, other.id, '2026-01-01'],
      [org.id, other.id, '2026-02-01'],
      [orgA, kpiA, '2026-01-01'],
      [orgB, kpiB, '2026-01-01'],
    ]).execute(handle.db);

    await sql`delete from kpi where id = ${other.id}`.execute(handle.db);
    expect([await measurementsOf(other.id), await measurementsOf(kept.id)]).toEqual([0, 1]);
    await sql`delete from organisation where id = ${orgA}`.execute(handle.db);
    expect([await measurementsOf(kpiA), await measurementsOf(kpiB)]).toEqual([0, 1]);
  });

  it('refuses changing a KPI’s id or organisation', async () => {
    const { kpiA, orgB } = await twoKpisInTwoOrganisations();
    const moved = await errorOf(sql`update kpi set organisation_id = ${orgB} where id = ${kpiA}`.execute(handle.db));
    expect(moved.code).toBe('23000');
    expect(moved.message).toBe('a KPI\'s id and organisation cannot change');
  });

  describe.skipIf(testDatabaseKind() !== 'postgres')('with two transactions at once', () => {
    let writer: pg.Client;
    let deleter: pg.Client;
    beforeAll(async () => {
      writer = new pg.Client({ connectionString: testPostgresUrl() });
      deleter = new pg.Client({ connectionString: testPostgresUrl() });
      await Promise.all([writer.connect(), deleter.connect()]);
    });
    afterAll(async () => {
      await Promise.all([writer.end(), deleter.end()]);
    });

    async function insertWith(client: pg.Client, organisationId: string, kpiId: string): Promise<void> {
      await client.query(`insert into measurement (organisation_id, kpi_id, period, value, source) values ($1, $2, '2026-01-01', 1, 'manual')`, [
        organisationId,
        kpiId,
      ]);
    }

    it('a KPI deleted while a writer holds its measurements waits, then takes them with it', async () => {
      const { orgA, kpiA } = await twoKpisInTwoOrganisations();
      await writer.query('begin');
      await insertWith(writer, orgA, kpiA);
      let deleted = false;
      const deleting = deleter.query('delete from kpi where id = $1', [kpiA]).then(() => (deleted = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(deleted).toBe(false); // waiting for the writer's KEY SHARE lock
      await writer.query('commit');
      await deleting;
      expect(await measurementsOf(kpiA)).toBe(0);
    });

    it('a writer naming a KPI being deleted waits, then is refused when the delete commits', async () => {
      const { orgA, kpiA } = await twoKpisInTwoOrganisations();
      await deleter.query('begin');
      await deleter.query('delete from kpi where id = $1', [kpiA]);
      const writing = errorOf(insertWith(writer, orgA, kpiA));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await deleter.query('commit');
      expect((await writing).code).toBe('23503');
      expect(await measurementsOf(kpiA)).toBe(0);
    });

    it('refuses deleting KPIs in a REPEATABLE READ transaction', async () => {
      const { kpiA } = await twoKpisInTwoOrganisations();
      await deleter.query('begin isolation level repeatable read');
      const refused = await errorOf(deleter.query('delete from kpi where id = $1', [kpiA]));
      await deleter.query('rollback');
      expect(refused.code).toBe('55000');
    });
  });
});
