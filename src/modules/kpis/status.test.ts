import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, FREQUENCIES, periodEnd, periodStart } from './periods.ts';
import {
  formatValue,
  kpiStatus,
  plannedValue,
  previousMeasurement,
  type KpiSpec,
  type KpiStatus,
  type Measurement,
} from './status.ts';

/**
 * Baseline 50% on 31 March 2025, target 90% on 31 March 2027: exactly half way (70%) on
 * 31 March 2026, the end of the March 2026 period. Tolerance 10% of the 40-point distance = 4.
 */
const rising: KpiSpec = {
  polarity: 'higher_is_better',
  frequency: 'monthly',
  baseline: { value: 50, date: '2025-03-31' },
  target: { value: 90, date: '2027-03-31' },
  tolerance: 10,
  unit: '%',
};
/** The mirror image: lower is better, from 90 down to 50, planned 70 at the end of March 2026. */
const falling: KpiSpec = {
  ...rising,
  polarity: 'lower_is_better',
  baseline: { value: 90, date: '2025-03-31' },
  target: { value: 50, date: '2027-03-31' },
};
const AFTER_MARCH = '2026-04-05'; // March 2026 is recorded, February is the last expected period

function statusOf(kpi: KpiSpec, value: number, period = '2026-03-01', today = AFTER_MARCH): KpiStatus {
  return kpiStatus(kpi, [{ period, value }], today).status;
}

describe('plannedValue', () => {
  it('draws a straight line from baseline to target', () => {
    expect(plannedValue(rising, '2026-03-31')).toBe(70);
    expect(plannedValue(rising, '2025-09-29')).toBeCloseTo(50 + (40 * 182) / 730, 10);
  });

  it('holds the baseline before its date and the target after its date', () => {
    expect(plannedValue(rising, '2024-01-01')).toBe(50);
    expect(plannedValue(rising, '2025-03-31')).toBe(50);
    expect(plannedValue(rising, '2027-03-31')).toBe(90);
    expect(plannedValue(rising, '2030-01-01')).toBe(90);
  });

  it('does not divide by zero when target and baseline share a date', () => {
    const sameDay = { baseline: { value: 1, date: '2026-01-01' }, target: { value: 2, date: '2026-01-01' } };
    expect(plannedValue(sameDay, '2025-12-31')).toBe(1);
    expect(plannedValue(sameDay, '2026-01-01')).toBe(2);
  });
});

describe('kpiStatus: comparing with the plan', () => {
  it('explains an off-track value in words', () => {
    expect(kpiStatus(rising, [{ period: '2026-03-01', value: 62 }], AFTER_MARCH)).toEqual({
      status: 'off_track',
      reason: 'Off track: 62% in March 2026 against a planned 70%',
      latest: { period: '2026-03-01', value: 62 },
      planned: 70,
    });
  });

  it.each<[number, KpiStatus]>([
    [75, 'on_track'],
    [70, 'on_track'],
    [69.99, 'at_risk'],
    [66, 'at_risk'],
    [65.99, 'off_track'],
    [40, 'off_track'],
  ])('rates %s against a planned 70 (higher is better, tolerance 4) as %s', (value, status) => {
    expect(statusOf(rising, value)).toBe(status);
  });

  it.each<[number, KpiStatus]>([
    [60, 'on_track'],
    [70, 'on_track'],
    [74, 'at_risk'],
    [74.01, 'off_track'],
  ])('rates %s against a planned 70 (lower is better, tolerance 4) as %s', (value, status) => {
    expect(statusOf(falling, value)).toBe(status);
  });

  it('compares with the plan at the end of the period, not its start', () => {
    // On 1 March 2026 the plan is about 68.4; by 31 March it is 70.
    expect(plannedValue(rising, '2026-03-01')).toBeLessThan(69);
    expect(kpiStatus(rising, [{ period: '2026-03-01', value: 69 }], AFTER_MARCH)).toMatchObject({
      status: 'at_risk',
      planned: 70,
    });
  });

  it('says when a value is behind but within tolerance', () => {
    expect(kpiStatus(rising, [{ period: '2026-03-01', value: 67.5 }], AFTER_MARCH).reason).toBe(
      'At risk: 67.5% in March 2026 against a planned 70%, behind but within tolerance',
    );
    expect(kpiStatus(rising, [{ period: '2026-03-01', value: 71 }], AFTER_MARCH).reason).toBe(
      'On track: 71% in March 2026 against a planned 70%',
    );
  });

  it('has no amber band with no tolerance', () => {
    expect(statusOf({ ...rising, tolerance: 0 }, 69.99)).toBe('off_track');
    expect(statusOf({ ...rising, tolerance: -5 }, 69.99)).toBe('off_track');
  });

  it('uses the latest period whatever the order of the measurements, and ignores non-numbers', () => {
    const measurements: Measurement[] = [
      { period: '2026-03-01', value: 62 },
      { period: '2026-04-01', value: Number.NaN },
      { period: '2026-01-01', value: 90 },
    ];
    expect(kpiStatus(rising, measurements, AFTER_MARCH)).toMatchObject({
      status: 'off_track',
      latest: { period: '2026-03-01', value: 62 },
    });
  });

  it('compares directly with the target when the target equals the baseline', () => {
    const hold: KpiSpec = {
      ...rising,
      baseline: { value: 95, date: '2025-03-31' },
      target: { value: 95, date: '2027-03-31' },
      tolerance: 50,
    };
    expect(statusOf(hold, 95)).toBe('on_track');
    expect(statusOf(hold, 96)).toBe('on_track');
    expect(kpiStatus(hold, [{ period: '2026-03-01', value: 94.5 }], AFTER_MARCH)).toMatchObject({
      status: 'off_track',
      reason: 'Off track: 94.5% in March 2026 against a target of 95%',
    });
    expect(statusOf({ ...hold, polarity: 'lower_is_better' }, 94.5)).toBe('on_track');
    expect(statusOf({ ...hold, polarity: 'lower_is_better' }, 95.5)).toBe('off_track');
  });
});

describe('previousMeasurement', () => {
  it('is the latest value of a period before the given one, skipping values that are not numbers', () => {
    const values: Measurement[] = [
      { period: '2026-01-01', value: 1 },
      { period: '2026-03-01', value: 3 },
      { period: '2026-02-01', value: Number.NaN },
      { period: '2025-12-01', value: 0 },
    ];
    expect(previousMeasurement(values, '2026-03-01')).toEqual({ period: '2026-01-01', value: 1 });
    expect(previousMeasurement(values, '2025-12-01')).toBeNull();
  });
});

describe('kpiStatus: no data and overdue', () => {
  it('has no data without measurements', () => {
    const future: KpiSpec = { ...rising, baseline: { value: 50, date: '2026-03-31' } };
    expect(kpiStatus(future, [], AFTER_MARCH)).toEqual({
      status: 'no_data',
      reason: 'No data yet',
      latest: null,
      planned: null,
    });
  });

  it('says which value was expected when a KPI has no data at all', () => {
    expect(kpiStatus(rising, [], '2026-03-11')).toMatchObject({
      status: 'no_data',
      reason: 'No data yet (a value for February 2026 was expected by 10 March 2026)',
    });
  });

  it('is overdue the day after the last expected value was due, and says so', () => {
    const january = [{ period: '2026-01-01', value: 70 }];
    expect(kpiStatus(rising, january, '2026-03-10').status).toBe('on_track');
    const overdue = kpiStatus(rising, january, '2026-03-11');
    expect(overdue.status).toBe('overdue');
    expect(overdue.reason).toBe(
      'Overdue: no value for February 2026 (expected by 10 March 2026); the latest is 70% in January 2026',
    );
    expect(overdue.latest).toEqual({ period: '2026-01-01', value: 70 });
    expect(overdue.planned).toBe(plannedValue(rising, '2026-01-31'));
  });

  it('is not overdue when a later period has a value', () => {
    expect(kpiStatus(rising, [{ period: '2026-03-01', value: 70 }], '2026-03-11').status).toBe('on_track');
  });

  it('expects no value for periods starting before the baseline date', () => {
    const january = [{ period: '2026-01-01', value: 70 }];
    const baselineLateFebruary = { ...rising, baseline: { value: 50, date: '2026-02-28' } };
    const baselineEndJanuary = { ...rising, baseline: { value: 50, date: '2026-01-31' } };
    expect(kpiStatus(baselineLateFebruary, january, '2026-03-11').status).not.toBe('overdue');
    expect(kpiStatus(baselineEndJanuary, january, '2026-03-11').status).toBe('overdue');
    // A baseline dated on the period's first day stands for that period.
    const baselineFirstFebruary = { ...rising, baseline: { value: 50, date: '2026-02-01' } };
    expect(kpiStatus(baselineFirstFebruary, january, '2026-03-11').status).not.toBe('overdue');
  });

  it('takes a grace other than the default', () => {
    const january = [{ period: '2026-01-01', value: 70 }];
    expect(kpiStatus(rising, january, '2026-03-05').status).toBe('on_track');
    expect(kpiStatus(rising, january, '2026-03-05', 0).status).toBe('overdue');
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

const anyDay = fc.integer({ min: 0, max: 15_000 }).map((days) => addDays('2000-01-01', days));
const anyValue = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const anyKpi: fc.Arbitrary<KpiSpec> = fc
  .record({
    polarity: fc.constantFrom('higher_is_better' as const, 'lower_is_better' as const),
    frequency: fc.constantFrom(...FREQUENCIES),
    baselineValue: anyValue,
    targetValue: anyValue,
    dates: fc.tuple(anyDay, anyDay).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
    tolerance: fc.double({ min: 0, max: 100, noNaN: true }),
    unit: fc.constantFrom('%', '£', 'days', ''),
  })
  .map(({ polarity, frequency, baselineValue, targetValue, dates, tolerance, unit }) => ({
    polarity,
    frequency,
    baseline: { value: baselineValue, date: dates[0] ?? '' },
    target: { value: targetValue, date: dates[1] ?? '' },
    tolerance,
    unit,
  }));
const anyMeasurements = fc.array(fc.record({ period: anyDay, value: anyValue }), {
  minLength: 1,
  maxLength: 6,
});

function normalised(kpi: KpiSpec, measurements: readonly Measurement[]): Measurement[] {
  return measurements.map(({ period, value }) => ({ period: periodStart(period, kpi.frequency), value }));
}

/** off track < at risk < on track; overdue and no data are not ranked. */
const RANK: Partial<Record<KpiStatus, number>> = { off_track: 0, at_risk: 1, on_track: 2 };

describe('kpiStatus properties', () => {
  it('rates a value exactly on the trajectory as on track', () => {
    fc.assert(
      fc.property(anyKpi, anyDay, (kpi, day) => {
        const period = periodStart(day, kpi.frequency);
        const end = periodEnd(period, kpi.frequency);
        const onPlan = plannedValue(kpi, end);
        expect(kpiStatus(kpi, [{ period, value: onPlan }], addDays(end, 1), 0).status).toBe('on_track');
      }),
    );
  });

  it('mirrors: negating baseline, target and values and swapping polarity gives the same status', () => {
    fc.assert(
      fc.property(anyKpi, anyMeasurements, anyDay, (kpi, rawMeasurements, today) => {
        const measurements = normalised(kpi, rawMeasurements);
        const mirrored: KpiSpec = {
          ...kpi,
          polarity: kpi.polarity === 'higher_is_better' ? 'lower_is_better' : 'higher_is_better',
          baseline: { ...kpi.baseline, value: -kpi.baseline.value },
          target: { ...kpi.target, value: -kpi.target.value },
        };
        const mirroredMeasurements = measurements.map(({ period, value }) => ({ period, value: -value }));
        expect(kpiStatus(mirrored, mirroredMeasurements, today).status).toBe(
          kpiStatus(kpi, measurements, today).status,
        );
      }),
    );
  });

  it('never gives a worse status to a better value', () => {
    fc.assert(
      fc.property(anyKpi, anyDay, anyValue, anyValue, (kpi, day, a, b) => {
        const period = periodStart(day, kpi.frequency);
        const today = addDays(periodEnd(period, kpi.frequency), 1);
        const [worse, better] = (kpi.polarity === 'higher_is_better') === a <= b ? [a, b] : [b, a];
        const worseRank = RANK[kpiStatus(kpi, [{ period, value: worse }], today, 0).status];
        const betterRank = RANK[kpiStatus(kpi, [{ period, value: better }], today, 0).status];
        expect(worseRank).toBeDefined();
        expect(betterRank).toBeGreaterThanOrEqual(worseRank ?? 0);
      }),
    );
  });

  it('never gives a worse status with a wider tolerance', () => {
    fc.assert(
      fc.property(
        anyKpi,
        anyMeasurements,
        anyDay,
        fc.double({ min: 0, max: 100, noNaN: true }),
        (kpi, raw, today, extra) => {
          const measurements = normalised(kpi, raw);
          const narrow = kpiStatus(kpi, measurements, today).status;
          const wide = kpiStatus({ ...kpi, tolerance: kpi.tolerance + extra }, measurements, today).status;
          if (narrow === 'overdue' || narrow === 'no_data') expect(wide).toBe(narrow);
          else expect(RANK[wide]).toBeGreaterThanOrEqual(RANK[narrow] ?? 0);
        },
      ),
    );
  });

  it('plans values between baseline and target, moving towards the target over time', () => {
    fc.assert(
      fc.property(anyKpi, anyDay, anyDay, (kpi, a, b) => {
        const [earlier, later] = a <= b ? [a, b] : [b, a];
        const low = Math.min(kpi.baseline.value, kpi.target.value);
        const high = Math.max(kpi.baseline.value, kpi.target.value);
        const first = plannedValue(kpi, earlier);
        const second = plannedValue(kpi, later);
        expect(first).toBeGreaterThanOrEqual(low);
        expect(first).toBeLessThanOrEqual(high);
        const towardsTarget = Math.sign(kpi.target.value - kpi.baseline.value);
        expect(towardsTarget * (second - first)).toBeGreaterThanOrEqual(0);
      }),
    );
  });
});

describe('formatValue', () => {
  it.each<[number, string, string]>([
    [62, '%', '62%'],
    [62.456, '%', '62.46%'],
    [0.004, '%', '0%'],
    [-0.004, '%', '0%'],
    [1234567.891, '', '1,234,567.89'],
    [1500, 'transactions', '1,500 transactions'],
    [3.25, 'days', '3.25 days'],
    [1234.5, 'GBP', '£1,234.50'],
    [1234, '£', '£1,234'],
    [4.999, '£', '£5'],
    [-5, '£', '-£5'],
    [-0.001, 'GBP', '£0'],
    [Number.NaN, '%', 'no value'],
  ])('writes %s with unit "%s" as "%s"', (value, unit, text) => {
    expect(formatValue(value, unit)).toBe(text);
  });
});
