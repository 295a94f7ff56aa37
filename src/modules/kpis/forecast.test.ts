import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forecast, predictionInterval, tQuantile975 } from './forecast.ts';
import { addDays, daysBetween, nextPeriod, periodEnd, type Frequency } from './periods.ts';
import type { KpiSpec, Measurement } from './status.ts';

type ForecastKpi = Pick<KpiSpec, 'polarity' | 'frequency' | 'target'>;

const FIRST = '2025-01-01';
const FIRST_END = periodEnd(FIRST, 'monthly');

/** Monthly values exactly on y = intercept + slope · (days since the end of January 2025). */
function monthlyLine(count: number, intercept: number, slope: number, firstPeriod = FIRST): Measurement[] {
  const measurements: Measurement[] = [];
  for (let period = firstPeriod, i = 0; i < count; period = nextPeriod(period, 'monthly'), i += 1) {
    measurements.push({
      period,
      value: intercept + slope * daysBetween(FIRST_END, periodEnd(period, 'monthly')),
    });
  }
  return measurements;
}

function kpi(
  polarity: KpiSpec['polarity'],
  targetValue: number,
  targetDate = '2026-12-31',
  frequency: Frequency = 'monthly',
): ForecastKpi {
  return { polarity, frequency, target: { value: targetValue, date: targetDate } };
}

describe('forecast on a perfect line', () => {
  const line = monthlyLine(12, 10, 0.1); // +0.1 a day
  const onLineAtTarget = 10 + 0.1 * daysBetween(FIRST_END, '2026-12-31');

  it('predicts the line at the target date with a negligible interval', () => {
    const result = forecast(kpi('higher_is_better', 0), line);
    expect(result?.value).toBeCloseTo(onLineAtTarget, 6);
    expect((result?.high ?? Infinity) - (result?.low ?? 0)).toBeLessThan(1e-6);
  });

  it('says yes when the line passes the target, no when it falls short (higher is better)', () => {
    expect(forecast(kpi('higher_is_better', onLineAtTarget - 1), line)?.meetsTarget).toBe('yes');
    expect(forecast(kpi('higher_is_better', onLineAtTarget + 1), line)?.meetsTarget).toBe('no');
  });

  it('says yes when the line stays below the target, no when it ends above (lower is better)', () => {
    expect(forecast(kpi('lower_is_better', onLineAtTarget + 1), line)?.meetsTarget).toBe('yes');
    expect(forecast(kpi('lower_is_better', onLineAtTarget - 1), line)?.meetsTarget).toBe('no');
  });

  it('accepts measurements in any order', () => {
    const shuffled = [...line].reverse();
    expect(forecast(kpi('higher_is_better', 0), shuffled)?.value).toBeCloseTo(onLineAtTarget, 6);
  });
});

describe('forecast on noisy data', () => {
  // Flat at 50 with a swing of ±10 each month: the trend says ~50, with a wide interval.
  const noisy = monthlyLine(12, 50, 0).map(({ period, value }, index) => ({
    period,
    value: value + (index % 2 === 0 ? 10 : -10),
  }));

  it('is uncertain about a target inside the interval', () => {
    const result = forecast(kpi('higher_is_better', 52), noisy);
    expect(result?.meetsTarget).toBe('uncertain');
    expect(result?.low).toBeLessThan(52);
    expect(result?.high).toBeGreaterThan(52);
    expect((result?.high ?? 0) - (result?.low ?? 0)).toBeGreaterThan(20);
  });

  it('is still sure about a target far outside the interval', () => {
    expect(forecast(kpi('higher_is_better', 200), noisy)?.meetsTarget).toBe('no');
    expect(forecast(kpi('higher_is_better', -100), noisy)?.meetsTarget).toBe('yes');
  });
});

describe('forecast: when there is nothing to say', () => {
  it('needs at least three measurements', () => {
    expect(forecast(kpi('higher_is_better', 0), [])).toBeNull();
    expect(forecast(kpi('higher_is_better', 0), monthlyLine(2, 10, 1))).toBeNull();
    expect(forecast(kpi('higher_is_better', 0), monthlyLine(3, 10, 1))).not.toBeNull();
  });

  it('counts one value per period', () => {
    const repeated = [...monthlyLine(2, 10, 1), { period: FIRST, value: 12 }];
    expect(forecast(kpi('higher_is_better', 0), repeated)).toBeNull();
  });

  it('gives no forecast once the target date has passed', () => {
    const line = monthlyLine(12, 10, 0.1); // last period December 2025
    expect(forecast(kpi('higher_is_better', 0, '2026-01-01'), line, { today: '2026-01-02' })).toBeNull();
    expect(forecast(kpi('higher_is_better', 0, '2026-01-01'), line, { today: '2026-01-01' })).not.toBeNull();
    // Without today, the end of the latest period stands for it.
    expect(forecast(kpi('higher_is_better', 0, '2025-12-30'), line)).toBeNull();
    expect(forecast(kpi('higher_is_better', 0, '2025-12-31'), line)).not.toBeNull();
  });
});

describe('forecast: which points', () => {
  // Ten wild early values, then twelve on a perfect line.
  const wildThenLine = [
    ...monthlyLine(10, 0, 0, '2024-03-01').map(({ period }, index) => ({
      period,
      value: index % 2 === 0 ? 1000 : -1000,
    })),
    ...monthlyLine(12, 10, 0.1),
  ];

  it('fits the twelve most recent by default', () => {
    const result = forecast(kpi('higher_is_better', 0), wildThenLine);
    expect((result?.high ?? Infinity) - (result?.low ?? 0)).toBeLessThan(1e-6);
  });

  it('fits more when asked, and then sees the scatter', () => {
    const result = forecast(kpi('higher_is_better', 0), wildThenLine, { points: 22 });
    expect((result?.high ?? 0) - (result?.low ?? 0)).toBeGreaterThan(100);
  });
});

describe('predictionInterval', () => {
  it('matches a hand calculation', () => {
    // x̄ = 1.5, Sxx = 5, fit y = 1.1 + 1.1x, SSE = 2.7, s = √1.35; at x0 = 5:
    // se = s·√(1 + 1/4 + 3.5²/5) = s·√3.7; t(0.975, 2) = 4.3027.
    const result = predictionInterval(
      [
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 2 },
        { x: 3, y: 5 },
      ],
      5,
    );
    const halfWidth = 4.3027 * Math.sqrt(1.35) * Math.sqrt(3.7);
    expect(result?.value).toBeCloseTo(6.6, 10);
    expect(result?.low).toBeCloseTo(6.6 - halfWidth, 10);
    expect(result?.high).toBeCloseTo(6.6 + halfWidth, 10);
  });

  it('widens the further it reaches beyond the data', () => {
    const points = [0, 1, 2, 3, 4].map((x) => ({ x, y: x + (x % 2 === 0 ? 0.5 : -0.5) }));
    const near = predictionInterval(points, 5);
    const far = predictionInterval(points, 50);
    expect((far?.high ?? 0) - (far?.low ?? 0)).toBeGreaterThan((near?.high ?? 0) - (near?.low ?? 0));
  });
});

describe('tQuantile975', () => {
  it.each<[number, number, number]>([
    [1, 12.7062, 4],
    [2, 4.3027, 4],
    [10, 2.2281, 4],
    [30, 2.0423, 4],
    [31, 2.0395, 3],
    [60, 2.0003, 3],
    [120, 1.9799, 3],
    [1_000_000, 1.96, 3],
  ])('for %s degrees of freedom is %s', (df, expected, digits) => {
    expect(tQuantile975(df)).toBeCloseTo(expected, digits);
  });

  it('falls as the degrees of freedom rise, towards the normal 1.96', () => {
    for (let df = 1; df < 300; df += 1) {
      expect(tQuantile975(df + 1)).toBeLessThan(tQuantile975(df));
      expect(tQuantile975(df)).toBeGreaterThan(1.959);
    }
  });

  it('refuses degrees of freedom below 1', () => {
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });
});

describe('forecast properties', () => {
  const slope = fc.double({ min: -10, max: 10, noNaN: true });
  const intercept = fc.double({ min: -1000, max: 1000, noNaN: true });
  const count = fc.integer({ min: 3, max: 24 });
  const targetDay = fc.integer({ min: 0, max: 1500 }).map((days) => addDays('2027-01-01', days));

  it('on any perfect line, predicts the line and is sure either way of a target 1 away', () => {
    fc.assert(
      fc.property(count, intercept, slope, targetDay, fc.boolean(), (n, b, m, targetDate, above) => {
        const onLine = b + m * daysBetween(FIRST_END, targetDate);
        const target = onLine + (above ? 1 : -1);
        const result = forecast(kpi('higher_is_better', target, targetDate), monthlyLine(n, b, m));
        expect(result?.value).toBeCloseTo(onLine, 4);
        expect(result?.meetsTarget).toBe(above ? 'no' : 'yes');
      }),
    );
  });

  it('keeps the value inside its interval, and mirrors with polarity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 3, maxLength: 15 }),
        fc.double({ min: -1e4, max: 1e4, noNaN: true }),
        (values, target) => {
          const measurements = monthlyLine(values.length, 0, 0).map(({ period }, i) => ({
            period,
            value: values[i] ?? 0,
          }));
          const mirrored = measurements.map(({ period, value }) => ({ period, value: -value }));
          const result = forecast(kpi('higher_is_better', target), measurements);
          const mirror = forecast(kpi('lower_is_better', -target), mirrored);
          if (!result || !mirror) throw new Error('expected a forecast from three or more points');
          expect(result.low).toBeLessThanOrEqual(result.value);
          expect(result.value).toBeLessThanOrEqual(result.high);
          expect(mirror.value).toBeCloseTo(-result.value, 6);
          if (Math.abs(result.low - target) > 1e-6 && Math.abs(result.high - target) > 1e-6) {
            expect(mirror.meetsTarget).toBe(result.meetsTarget);
          }
        },
      ),
    );
  });
});
