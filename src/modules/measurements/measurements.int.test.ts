import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeKpi, recordValues } from '../../../test/support/kpi-factories.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import {
  kpiStatusesForObjectives,
  listKpisWithStatus,
  recordMeasurement,
  recordMeasurementsBatch,
} from '../kpis/kpis.service.ts';
import { createGoal, createObjective, createStrategy } from '../strategy/strategy.service.ts';
import { listRecentValues, upsertMeasurements } from './measurements.repository.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

describe('the bulk upsert the import uses', () => {
  it('inserts, updates only what changed, and reports which rows were new, across statements of 1,000 rows', async () => {
    const org = await makeOrganisation(t.db);
    const kpi = await makeKpi(t.db, org, { frequency: 'daily', baseline: { value: 0, date: '2020-01-01' }, target: { value: 1, date: '2030-01-01' } });
    const days = Array.from({ length: 2500 }, (_, i) => new Date(Date.UTC(2021, 0, 1 + i)).toISOString().slice(0, 10));
    const rows = days.map((period, i) => ({ organisationId: org.id, kpiId: kpi.id, period, value: i, note: null, source: 'import' as const, recordedBy: null }));
    const first = await t.db.transaction().execute((trx) => upsertMeasurements(trx, rows));
    expect(first).toHaveLength(2500);
    expect(first.every((r) => r.inserted)).toBe(true);

    const again = await t.db.transaction().execute((trx) => upsertMeasurements(trx, rows));
    expect(again).toEqual([]);

    const changed = rows.map((r, i) => (i % 1000 === 0 ? { ...r, value: -1 } : i === 5 ? { ...r, note: 'Corrected' } : r));
    const third = await t.db.transaction().execute((trx) => upsertMeasurements(trx, changed));
    expect(third.map((r) => r.period).sort()).toEqual([days[0], days[5], days[1000], days[2000]].sort());
    expect(third.every((r) => !r.inserted)).toBe(true);

    const recent = await listRecentValues(t.db, org.id, null, 3);
    expect(recent.map((r) => r.period)).toEqual([days[2499], days[2498], days[2497]]);
  });
});

describe('statuses for lists and the golden thread', () => {
  it('computes every KPI’s status from one query and filters by status', async () => {
    const org = await makeOrganisation(t.db);
    const behind = await makeKpi(t.db, org, { name: 'Behind' });
    await makeKpi(t.db, org, { name: 'Empty' });
    await recordValues(t.db, org, behind.key, [
      ['2025-06', 20],
      ['2025-07', 21],
    ]);
    const today = '2025-08-05';
    const all = await listKpisWithStatus(t.db, cliOperator(), org.id, {}, { today });
    expect(all.map((k) => [k.name, k.status])).toEqual([
      ['Behind', 'off_track'],
      ['Empty', 'no_data'],
    ]);
    expect(all[0]?.statusReason).toBe('Off track: 21% in July 2025 against a planned 58.67%');
    const offTrack = await listKpisWithStatus(t.db, cliOperator(), org.id, { status: 'off_track' }, { today });
    expect(offTrack.map((k) => k.name)).toEqual(['Behind']);
  });

  it('groups KPI statuses by objective, within the organisation only', async () => {
    const org = await makeOrganisation(t.db);
    const owner = await makeUser(t.db, org, 'contributor');
    const strategy = await createStrategy(t.db, cliOperator(), org.id, { title: 'Digital strategy', vision: '', periodStart: '2025-04-01', periodEnd: '2028-03-31' });
    const goal = await createGoal(t.db, cliOperator(), org.id, strategy.id, { title: 'Better services', description: '', tags: [], weight: 1 });
    const objective = await createObjective(t.db, cliOperator(), org.id, goal.id, { title: 'Move services online', description: '', ownerId: null, dueDate: null, weight: 1 });
    const linked = await makeKpi(t.db, org, { name: 'Linked', objectiveIds: [objective.id], ownerId: owner.id });
    await makeKpi(t.db, org, { name: 'Unlinked' });
    const map = await kpiStatusesForObjectives(t.db, cliOperator(), org.id);
    expect([...map.keys()]).toEqual([objective.id]);
    expect(map.get(objective.id)).toEqual([expect.objectContaining({ key: linked.key, name: 'Linked', status: expect.any(String) as string, weight: 1, ownerName: owner.name })]);

    const other = await makeOrganisation(t.db);
    await expect(makeKpi(t.db, other, { objectiveIds: [objective.id] })).rejects.toThrow(/There is a problem/);
  });
});

describe('recording through the service', () => {
  it('lets contributors record but not viewers, and keeps tokens to their own organisation', async () => {
    const org = await makeOrganisation(t.db);
    const kpi = await makeKpi(t.db, org);
    const contributor = await makeUser(t.db, org, 'contributor');
    const viewer = await makeUser(t.db, org, 'viewer');
    const actor = (user: typeof viewer) =>
      ({ kind: 'user', userId: user.id, label: user.email, organisationId: org.id, role: user.role, via: 'web', requestId: null }) as const;
    const result = await recordMeasurement(t.db, actor(contributor), org.id, kpi.key, { period: '2026-02', value: '3', note: null });
    expect(result.outcome).toBe('created');
    expect(result.measurement).toMatchObject({ period: '2026-02-01', value: 3, source: 'manual', recordedBy: contributor.id });
    await expect(recordMeasurement(t.db, actor(viewer), org.id, kpi.key, { period: '2026-03', value: 1 })).rejects.toThrow('permission');
    await expect(recordMeasurementsBatch(t.db, actor(viewer), org.id, [])).rejects.toThrow('permission');
  });

  it('refuses batches over 10,000 rows before reading them', async () => {
    const org = await makeOrganisation(t.db);
    const rows = Array.from({ length: 10_001 }, () => ({ kpi: 'x', period: '2026-01', value: 1 }));
    await expect(recordMeasurementsBatch(t.db, cliOperator(), org.id, rows)).rejects.toThrow('at most 10,000');
  });
});
