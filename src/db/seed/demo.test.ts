import { describe, expect, it } from 'vitest';
import { passwordProblems } from '../../modules/auth/passwords.ts';
import { KPI_LIBRARY } from '../../modules/kpis/kpis.library.ts';
import { checkKpiInput } from '../../modules/kpis/kpis.ts';
import { computeDerivedSeries, parseFormula } from '../../modules/kpis/formula.ts';
import { addDays } from '../../modules/kpis/periods.ts';
import { KPI_STATUSES, kpiStatus } from '../../modules/kpis/status.ts';
import { roleAtLeast } from '../../platform/access/roles.ts';
import { organisationProblems } from '../../modules/organisations/organisations.ts';
import { emailProblems } from '../../modules/users/users.ts';
import { ROLES } from '../../platform/access/roles.ts';
import { DEMO_CENTRAL_BODY, DEMO_COUNCIL, DEMO_PASSWORD, DEMO_STEPS, DEMO_USERS } from './demo.ts';
import {
  DEMO_DERIVATIONS,
  DEMO_GOALS,
  DEMO_KPIS,
  demoKpiDates,
  demoKpiSpec,
  demoMeasurements,
  demoStrategy,
  objectiveDueDate,
  seededRandom,
} from './demo-strategy.ts';

describe('demo data', () => {
  it('has a password every demo person may use', () => {
    for (const user of DEMO_USERS) expect(passwordProblems(DEMO_PASSWORD, { email: user.email, name: user.name })).toEqual([]);
  });

  it('has valid organisations and emails on reserved example domains', () => {
    expect(organisationProblems(DEMO_CENTRAL_BODY)).toEqual([]);
    expect(organisationProblems(DEMO_COUNCIL)).toEqual([]);
    for (const user of DEMO_USERS) {
      expect(emailProblems(user.email)).toEqual([]);
      expect(user.email).toMatch(/\.example$/);
    }
  });

  it('gives the council one person per role, and the central body an admin who can also see the council', () => {
    const councilRoles = DEMO_USERS.flatMap((u) => u.roles.filter((r) => r.organisation === DEMO_COUNCIL.slug).map((r) => r.role));
    expect(new Set(councilRoles)).toEqual(new Set(ROLES));
    const central = DEMO_USERS.filter((u) => u.roles.some((r) => r.organisation === DEMO_CENTRAL_BODY.slug));
    expect(central).toHaveLength(1);
    expect(central[0]?.roles).toEqual([
      { organisation: DEMO_CENTRAL_BODY.slug, role: 'admin' },
      { organisation: DEMO_COUNCIL.slug, role: 'viewer' },
    ]);
  });

  it('creates organisations before the people who belong to them', () => {
    expect(DEMO_STEPS.map((s) => s.name).slice(0, 2)).toEqual(['organisations', 'users']);
  });
});

/** Each KPI's status on `today` from the demo's values, derived KPIs computed by their formulas. */
function statusesOn(today: string): Map<string, string> {
  const values = new Map<string, Map<string, number>>();
  for (const m of demoMeasurements(today)) {
    const series = values.get(m.kpi) ?? new Map<string, number>();
    series.set(m.period, m.value);
    values.set(m.kpi, series);
  }
  for (const k of DEMO_KPIS) {
    if (k.formula === null) continue;
    const parsed = parseFormula(k.formula);
    if (!parsed.ok) throw new Error(parsed.message);
    values.set(k.key, computeDerivedSeries(parsed.ast, values));
  }
  return new Map(
    DEMO_KPIS.map((k) => {
      const series = [...(values.get(k.key) ?? new Map<string, number>())].map(([period, value]) => ({ period, value }));
      return [k.key, kpiStatus(demoKpiSpec(k, today), series, today).status];
    }),
  );
}

describe('the demo strategy', () => {
  const TODAY = '2026-12-05';

  it('is the council’s digital strategy for three financial years, named for them', () => {
    expect(demoStrategy(TODAY)).toMatchObject({ title: 'West Marsh Digital Strategy 2024–2027', periodStart: '2024-04-01', periodEnd: '2027-03-31' });
    expect(demoStrategy('2027-02-10').title).toBe('West Marsh Digital Strategy 2024–2027');
    expect(demoStrategy('2027-04-01').title).toBe('West Marsh Digital Strategy 2025–2028');
    expect(objectiveDueDate(TODAY, 1)).toBe('2025-03-31');
    expect(objectiveDueDate(TODAY, 3)).toBe('2027-03-31');
  });

  it('has 4–6 goals tagged with agenda areas and about 15 objectives, each owned by a council member', () => {
    expect(DEMO_GOALS.length).toBeGreaterThanOrEqual(4);
    expect(DEMO_GOALS.length).toBeLessThanOrEqual(6);
    const objectives = DEMO_GOALS.flatMap((g) => g.objectives);
    expect(objectives).toHaveLength(15);
    for (const goal of DEMO_GOALS) expect(goal.tags.length, goal.title).toBeGreaterThan(0);
    const councilMembers = new Set(DEMO_USERS.filter((u) => u.roles.some((r) => r.organisation === DEMO_COUNCIL.slug)).map((u) => u.email));
    for (const o of objectives) expect(councilMembers.has(o.owner), o.title).toBe(true);
    expect(new Set(objectives.map((o) => o.ref)).size).toBe(objectives.length);
  });

  it('has about 50 valid KPIs, every library entry among them, owned by people who can record values', () => {
    expect(DEMO_KPIS.length).toBeGreaterThanOrEqual(45);
    expect(DEMO_KPIS.length).toBeLessThanOrEqual(55);
    const keys = DEMO_KPIS.map((k) => k.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const entry of KPI_LIBRARY) expect(keys).toContain(entry.key);
    const refs = new Set(DEMO_GOALS.flatMap((g) => g.objectives.map((o) => o.ref)));
    for (const ref of refs) expect(DEMO_KPIS.some((k) => k.objective === ref), ref).toBe(true);
    for (const k of DEMO_KPIS) {
      const { baselineDate, targetDate } = demoKpiDates(k, TODAY);
      const checked = checkKpiInput({ ...k, baseline: { value: k.baseline, date: baselineDate }, target: { value: k.target, date: targetDate } });
      expect(checked.problems, k.key).toEqual([]);
      expect(k.definition.length, k.key).toBeGreaterThan(30);
      if (k.objective !== null) expect(refs.has(k.objective), k.key).toBe(true);
      if (k.owner !== null) {
        const role = DEMO_USERS.find((u) => u.email === k.owner)?.roles.find((r) => r.organisation === DEMO_COUNCIL.slug)?.role;
        expect(role !== undefined && roleAtLeast(role, 'contributor'), k.key).toBe(true);
      }
    }
  });

  it('derives some KPIs by formula from KPIs defined before them', () => {
    const derived = DEMO_KPIS.filter((k) => k.formula !== null);
    expect(derived.map((k) => k.key).sort()).toEqual(DEMO_DERIVATIONS.map((d) => d.kpi).sort());
    expect(DEMO_KPIS.find((k) => k.key === 'digital_take_up')?.formula).toBe('100 * {online_transactions} / {all_transactions}');
    for (const k of derived) {
      const earlier = new Set(DEMO_KPIS.slice(0, DEMO_KPIS.indexOf(k)).map((e) => e.key));
      const parsed = parseFormula(k.formula ?? '', { knownKeys: earlier });
      expect(parsed.ok, k.key).toBe(true);
    }
  });

  it('generates the same values every time for the same day, from a seeded generator', () => {
    expect(demoMeasurements(TODAY)).toEqual(demoMeasurements(TODAY));
    const a = seededRandom(42);
    const b = seededRandom(42);
    const drawn = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(drawn);
    for (const x of drawn) expect(x >= 0 && x < 1).toBe(true);
  });

  it('gives three years of plausible values: percentages within 0–100, nothing negative', () => {
    const rows = demoMeasurements(TODAY);
    const byKey = new Map(DEMO_KPIS.map((k) => [k.key, k]));
    for (const row of rows) {
      expect(row.value, row.kpi).toBeGreaterThanOrEqual(0);
      if (byKey.get(row.kpi)?.unit === '%') expect(row.value, row.kpi).toBeLessThanOrEqual(100);
    }
    const monthly = rows.filter((r) => r.kpi === 'pages_passing_accessibility');
    expect(monthly).toHaveLength(36);
    expect(monthly.at(-1)?.period).toBe('2026-10-01');
    expect(rows.filter((r) => r.kpi === 'cost_savings')).toHaveLength(12);
    expect(rows.filter((r) => r.kpi === 'digital_inclusion')).toHaveLength(3);
  });

  it('shows every status, each KPI the one it is meant to, whatever day it is seeded', () => {
    // Every 37 days over seven years, so the day of the month and of the quarter keeps changing.
    for (let day = '2024-01-03'; day < '2031-01-01'; day = addDays(day, 37)) {
      const statuses = statusesOn(day);
      expect(new Set(statuses.values()), day).toEqual(new Set(KPI_STATUSES));
      for (const k of DEMO_KPIS) if (k.profile !== 'input') expect(statuses.get(k.key), `${k.key} on ${day}`).toBe(k.profile);
    }
  }, 60_000);
});
