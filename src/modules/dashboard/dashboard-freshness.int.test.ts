/**
 * The dashboard reuses an organisation's computed KPI list while the database says nothing
 * changed (kpis.service.ts allKpisWithStatus, migration 0006). Each test reads the dashboard
 * first, so the list is cached, then writes through one path and reads again: the dashboard must
 * show the new state at once.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testDatabase } from '../../../test/support/db.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeKpi } from '../../../test/support/kpi-factories.ts';
import { makeKpiWithStatus, plannedForExpected, STATUS_KPI } from '../../../test/support/status-factories.ts';
import { makeGoal, makeObjective, makeStrategy } from '../../../test/support/strategy-factories.ts';
import type { DatabaseHandle } from '../../db/database.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import {
  deleteKpi,
  deleteMeasurement,
  KPI_CHANGE_NOTES_KEPT_MS,
  type KpiChange,
  listKpisWithStatus,
  pruneKpiChangeNotes,
  recordMeasurement,
  recordMeasurementsBatch,
  updateKpi,
} from '../kpis/kpis.service.ts';
import { importMeasurements } from '../measurements/import.service.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { getDashboard } from './dashboard.service.ts';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await testDatabase();
});
afterAll(async () => {
  await handle.close();
});

const operator = cliOperator();

async function dashboard(org: Organisation) {
  return getDashboard(handle.db, operator, org.id);
}

async function statusOf(org: Organisation, key: string): Promise<string | undefined> {
  return (await listKpisWithStatus(handle.db, operator, org.id)).find((k) => k.key === key)?.status;
}

/** An organisation with one KPI on track, its list already computed (and so cached). */
async function cachedOrganisation() {
  const org = await makeOrganisation(handle.db);
  const kpi = await makeKpiWithStatus(handle.db, org, 'on_track');
  const before = await dashboard(org);
  expect(before.counts.on_track).toBe(1);
  // With nothing changed, a second read reuses the list: the very same KPI objects.
  const [first] = await listKpisWithStatus(handle.db, operator, org.id);
  expect((await listKpisWithStatus(handle.db, operator, org.id))[0]).toBe(first);
  return { org, kpi };
}

const offTrack = (): number => plannedForExpected() - 10;

/** Changes some of a KPI's fields, keeping the rest as they are. */
async function edit(org: Organisation, key: string, change: Partial<KpiChange>): Promise<void> {
  const kpi = (await listKpisWithStatus(handle.db, operator, org.id)).find((k) => k.key === key);
  if (kpi === undefined) throw new Error(`No KPI ${key}`);
  const { name, polarity, frequency, baseline, target, tolerance } = kpi;
  await updateKpi(handle.db, operator, org.id, key, { name, polarity, frequency, baseline, target, tolerance, ...change });
}

describe('the dashboard after each write path', () => {
  it('recording one value', async () => {
    const { org, kpi } = await cachedOrganisation();
    await recordMeasurement(handle.db, operator, org.id, kpi.key, { period: STATUS_KPI.expected(), value: offTrack() });
    const after = await dashboard(org);
    expect(after.counts).toMatchObject({ on_track: 0, off_track: 1 });
  });

  it('recording a batch', async () => {
    const { org, kpi } = await cachedOrganisation();
    await recordMeasurementsBatch(handle.db, operator, org.id, [{ kpi: kpi.key, period: STATUS_KPI.expected(), value: offTrack() }]);
    expect((await dashboard(org)).counts).toMatchObject({ on_track: 0, off_track: 1 });
  });

  it('importing a file', async () => {
    const { org, kpi } = await cachedOrganisation();
    const file = Buffer.from(`kpi,period,value\n${kpi.key},${STATUS_KPI.expected()},${offTrack()}\n`);
    const result = await importMeasurements(handle, operator, org.id, file, { kind: 'csv' });
    expect(result).toMatchObject({ ok: true, updated: 1 });
    expect((await dashboard(org)).counts).toMatchObject({ on_track: 0, off_track: 1 });
  });

  it('a derived KPI recomputed when its input changes', async () => {
    const { org, kpi } = await cachedOrganisation();
    const derived = await makeKpi(handle.db, org, {
      formula: `{${kpi.key}}`,
      baseline: STATUS_KPI.baseline(),
      target: STATUS_KPI.target(),
      tolerance: 10,
    });
    expect(await statusOf(org, derived.key)).toBe('on_track');
    await recordMeasurement(handle.db, operator, org.id, kpi.key, { period: STATUS_KPI.expected(), value: offTrack() });
    expect(await statusOf(org, derived.key)).toBe('off_track');
    expect((await dashboard(org)).counts).toMatchObject({ on_track: 0, off_track: 2 });
  });

  it('editing a KPI: its target, its owner, its objectives', async () => {
    const { org, kpi } = await cachedOrganisation();
    // A far higher target: the same value is now well behind its plan.
    await edit(org, kpi.key, { target: { value: 500, date: STATUS_KPI.target().date } });
    expect(await statusOf(org, kpi.key)).toBe('off_track');

    const owner = await makeUser(handle.db, org, 'contributor');
    await edit(org, kpi.key, { ownerId: owner.id });
    expect((await listKpisWithStatus(handle.db, operator, org.id))[0]?.ownerName).toBe(owner.name);

    const strategy = await makeStrategy(handle.db, org);
    const objective = await makeObjective(handle.db, org, await makeGoal(handle.db, org, strategy));
    expect((await dashboard(org)).objectivesAtRisk).toEqual([]);
    await edit(org, kpi.key, { objectiveIds: [objective.id] });
    expect((await listKpisWithStatus(handle.db, operator, org.id))[0]?.objectiveIds).toEqual([objective.id]);
    expect((await dashboard(org)).objectivesAtRisk.map((o) => o.objective.id)).toEqual([objective.id]);
  });

  it('renaming the owner of a KPI', async () => {
    const { org, kpi } = await cachedOrganisation();
    const owner = await makeUser(handle.db, org, 'contributor');
    await edit(org, kpi.key, { ownerId: owner.id });
    expect((await listKpisWithStatus(handle.db, operator, org.id))[0]?.ownerName).toBe(owner.name);
    await sql`update app_user set name = 'Renamed owner' where id = ${owner.id}`.execute(handle.db);
    expect((await listKpisWithStatus(handle.db, operator, org.id))[0]?.ownerName).toBe('Renamed owner');
  });

  it('deleting a value, and deleting a KPI', async () => {
    const { org, kpi } = await cachedOrganisation();
    await deleteMeasurement(handle.db, operator, org.id, kpi.key, STATUS_KPI.expected());
    expect(await statusOf(org, kpi.key)).toBe('overdue');
    expect((await dashboard(org)).overdue.map((k) => k.key)).toEqual([kpi.key]);
    await deleteKpi(handle.db, operator, org.id, kpi.key);
    expect((await dashboard(org)).kpiCount).toBe(0);
  });

  it('a write by plain SQL, as from another app instance', async () => {
    const { org, kpi } = await cachedOrganisation();
    await sql`update measurement set value = ${offTrack()} where kpi_id = ${kpi.id} and period = ${STATUS_KPI.expected()}`.execute(handle.db);
    expect((await dashboard(org)).counts).toMatchObject({ on_track: 0, off_track: 1 });
    await sql`delete from measurement where kpi_id = ${kpi.id}`.execute(handle.db);
    expect(await statusOf(org, kpi.key)).toBe('no_data');
  });

  it('keeps nothing a transaction read after writing, so a rollback leaves no trace', async () => {
    const { org, kpi } = await cachedOrganisation();
    await handle.db
      .transaction()
      .execute(async (trx) => {
        await sql`update measurement set value = ${offTrack()} where kpi_id = ${kpi.id} and period = ${STATUS_KPI.expected()}`.execute(trx);
        expect((await listKpisWithStatus(trx, operator, org.id))[0]?.status).toBe('off_track');
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await statusOf(org, kpi.key)).toBe('on_track');
  });

  it('computes the statuses again for another day', async () => {
    const { org, kpi } = await cachedOrganisation();
    // Three months on, the latest value is months late.
    const kpis = await listKpisWithStatus(handle.db, operator, org.id, {}, { today: addMonths(STATUS_KPI.today(), 3) });
    expect(kpis.find((k) => k.key === kpi.key)?.status).toBe('overdue');
    expect(await statusOf(org, kpi.key)).toBe('on_track');
  });

  it('leaves other organisations’ lists as they were', async () => {
    const first = await cachedOrganisation();
    const second = await cachedOrganisation();
    const [unchanged] = await listKpisWithStatus(handle.db, operator, second.org.id);
    await recordMeasurement(handle.db, operator, first.org.id, first.kpi.key, { period: STATUS_KPI.expected(), value: offTrack() });
    expect(await statusOf(first.org, first.kpi.key)).toBe('off_track');
    expect((await listKpisWithStatus(handle.db, operator, second.org.id))[0]).toBe(unchanged);
  });
});

function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
}

describe('the notes of changes', () => {
  it('are deleted once older than any kept list can need, and a fresh write is still seen after', async () => {
    const { org, kpi } = await cachedOrganisation();
    const [period, recorded] = [STATUS_KPI.expected(), offTrack()];
    await recordMeasurementsBatch(handle.db, operator, org.id, [{ kpi: kpi.key, period, value: recorded }]);
    const notes = async (): Promise<number> =>
      (await sql<{ n: number }>`select count(*)::int as n from organisation_change where organisation_id = ${org.id}`.execute(handle.db)).rows[0]?.n ?? 0;
    expect(await notes()).toBeGreaterThan(0);
    // Not yet two days old: kept.
    await pruneKpiChangeNotes(handle.db, new Date(Date.now() + 24 * 60 * 60 * 1000));
    expect(await notes()).toBeGreaterThan(0);
    // Two days on (a list kept from then is no longer used): the notes go, and what is shown is still right.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + KPI_CHANGE_NOTES_KEPT_MS + 60_000);
      await pruneKpiChangeNotes(handle.db);
      expect(await notes()).toBe(0);
      const today = new Date().toISOString().slice(0, 10);
      const latest = async () => (await listKpisWithStatus(handle.db, operator, org.id, {}, { today })).find((k) => k.key === kpi.key)?.latest?.value;
      expect(await latest()).toBe(recorded);
      await recordMeasurementsBatch(handle.db, operator, org.id, [{ kpi: kpi.key, period, value: recorded + 11 }]);
      expect(await notes()).toBeGreaterThan(0);
      expect(await latest()).toBe(recorded + 11);
    } finally {
      vi.useRealTimers();
    }
  });
});
