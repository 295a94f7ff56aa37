import { describe, expect, it } from 'vitest';
import type { KpiWithStatus } from './kpis.ts';
import { groupByOwner } from '../../platform/reminders/reminders.ts';
import { byName, kpisDueReminder, periodAsTyped, recordLink, reminderEmail, type ReminderItem } from './reminders.ts';

const OWNER = '6f1c2a52-3d2e-4c1b-9d6f-0a1b2c3d4e5f';
const OTHER = '7a2d3b63-4e3f-4d2c-8e7a-1b2c3d4e5f60';

function kpi(overrides: Partial<KpiWithStatus> = {}): KpiWithStatus {
  return {
    id: 'k1',
    organisationId: 'o1',
    key: 'digital_take_up',
    name: 'Digital take-up',
    definition: '',
    unit: '%',
    polarity: 'higher_is_better',
    frequency: 'monthly',
    baseline: { value: 40, date: '2025-01-01' },
    target: { value: 80, date: '2027-01-01' },
    tolerance: 10,
    ownerId: OWNER,
    ownerName: 'Rowan Hughes',
    category: 'service_kpi',
    formula: null,
    objectiveIds: [],
    isPublic: false,
    version: 1,
    status: 'overdue',
    statusReason: 'Overdue',
    latest: { period: '2026-08-01', value: 60 },
    previous: null,
    planned: 62,
    forecast: null,
    overdue: true,
    expectedPeriod: '2026-10-01',
    ...overrides,
  };
}

function item(overrides: Partial<ReminderItem> = {}): ReminderItem {
  return { kpiId: 'k1', key: 'digital_take_up', name: 'Digital take-up', frequency: 'monthly', ownerId: OWNER, period: '2026-10-01', ...overrides };
}

describe('which KPIs are due a reminder', () => {
  it('an overdue KPI with an owner, about its last expected period', () => {
    expect(kpisDueReminder([kpi()])).toEqual([item()]);
  });

  it('a KPI that never had a value once its first period is overdue', () => {
    const due = kpisDueReminder([kpi({ status: 'no_data', latest: null, planned: null, overdue: true })]);
    expect(due.map((d) => d.period)).toEqual(['2026-10-01']);
  });

  it('none for a KPI without an owner, one that is up to date, or one calculated from a formula', () => {
    expect(
      kpisDueReminder([
        kpi({ ownerId: null, ownerName: null }),
        kpi({ status: 'on_track', overdue: false }),
        kpi({ status: 'no_data', latest: null, overdue: false, expectedPeriod: null }),
        kpi({ formula: '100 * {a} / {b}' }),
      ]),
    ).toEqual([]);
  });
});

describe('grouping reminders', () => {
  it('gives each owner one list, their KPIs by name', () => {
    const groups = groupByOwner([
      item({ kpiId: 'k2', key: 'z_kpi', name: 'Zebra crossings' }),
      item({ kpiId: 'k3', key: 'b_kpi', name: 'Bins', ownerId: OTHER }),
      item({ kpiId: 'k1', key: 'a_kpi', name: 'Accessibility' }),
    ], byName);
    expect([...groups.keys()]).toEqual([OWNER, OTHER]);
    expect(groups.get(OWNER)?.map((i) => i.name)).toEqual(['Accessibility', 'Zebra crossings']);
    expect(groups.get(OTHER)?.map((i) => i.name)).toEqual(['Bins']);
  });
});

describe('the reminder email', () => {
  const base = { organisationName: 'West Marsh County Council', organisationSlug: 'west-marsh', ownerName: 'Rowan Hughes', publicUrl: 'https://waymark.example/' };

  it('names the KPI, the period expected, when it was due and where to record it', () => {
    const email = reminderEmail({ ...base, items: [item()] });
    expect(email.subject).toBe('Value overdue: Digital take-up, October 2026');
    expect(email.text).toContain('Hello Rowan Hughes,');
    expect(email.text).toContain('West Marsh County Council is waiting for a value of a KPI you own:');
    expect(email.text).toContain('* Digital take-up (digital_take_up)');
    expect(email.text).toContain('Value for October 2026, due by 10 November 2026');
    expect(email.text).toContain('Record it (period 2026-10): https://waymark.example/o/west-marsh/kpis/digital_take_up/measurements/new');
  });

  it('lists every KPI of the owner in one email', () => {
    const email = reminderEmail({
      ...base,
      items: [item(), item({ kpiId: 'k2', key: 'cost_per_transaction', name: 'Cost per transaction', frequency: 'quarterly', period: '2026-07-01' })],
    });
    expect(email.subject).toBe('2 KPI values overdue at West Marsh County Council');
    expect(email.text).toContain('waiting for values of 2 KPIs you own');
    expect(email.text).toContain('Value for Q3 2026 (July to September), due by 20 October 2026');
    expect(email.text).toContain('Record it (period 2026-Q3): https://waymark.example/o/west-marsh/kpis/cost_per_transaction/measurements/new');
  });

  it('keeps the subject on one line whatever the KPI is called', () => {
    const email = reminderEmail({ ...base, items: [item({ name: 'Bad\r\nBcc: someone@example.org' })] });
    expect(email.subject).not.toMatch(/[\r\n]/);
  });

  it('refuses to write an email about nothing', () => {
    expect(() => reminderEmail({ ...base, items: [] })).toThrow(RangeError);
  });
});

describe('periods and links', () => {
  it('writes the period the way the record form accepts it', () => {
    expect(periodAsTyped('2026-03-02', 'daily')).toBe('2026-03-02');
    expect(periodAsTyped('2026-03-02', 'weekly')).toBe('2026-03-02');
    expect(periodAsTyped('2026-03-01', 'monthly')).toBe('2026-03');
    expect(periodAsTyped('2026-01-01', 'quarterly')).toBe('2026-Q1');
    expect(periodAsTyped('2026-10-01', 'quarterly')).toBe('2026-Q4');
    expect(periodAsTyped('2026-01-01', 'annual')).toBe('2026');
  });

  it('links to the KPI’s record page under the public address', () => {
    expect(recordLink('http://localhost:3000', 'west-marsh', 'cost_savings')).toBe('http://localhost:3000/o/west-marsh/kpis/cost_savings/measurements/new');
    expect(recordLink('https://w.example/waymark//', 'a-b', 'k')).toBe('https://w.example/waymark/o/a-b/kpis/k/measurements/new');
  });
});
