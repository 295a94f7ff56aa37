/**
 * Will the KPI meet its target by the target date? A straight-line regression over recent
 * values, projected to the target date with a 95% prediction interval. Pure; no I/O.
 */
import { linearRegression } from 'simple-statistics';
import { daysBetween, periodEnd, type IsoDate } from './periods.ts';
import { polaritySign, type KpiSpec, type Measurement } from './status.ts';

export const DEFAULT_FORECAST_POINTS = 12;
/** Two points always fit a line exactly; a third is the least that says anything about scatter. */
export const MIN_FORECAST_POINTS = 3;

export interface ForecastOptions {
  /** How many of the most recent measurements to fit (default 12, at least 3). */
  points?: number;
  /** The day the forecast is made; defaults to the last day of the latest measured period. */
  today?: IsoDate;
}

export interface Forecast {
  value: number;
  low: number;
  high: number;
  meetsTarget: 'yes' | 'no' | 'uncertain';
}

interface Point {
  x: number;
  y: number;
}

/**
 * The forecast value at the target date, with its 95% prediction interval, or null when fewer
 * than three measurements exist or the target date is already past (there is nothing left to
 * forecast: the status says how it went).
 *
 * Each value is placed at the end of its period (as the status engine compares it), x counted
 * in days since the first point used. The interval is the classic prediction interval for a
 * new observation: ŷ ± t(0.975, n−2) · s · √(1 + 1/n + (x₀ − x̄)² / Sxx), with s the residual
 * standard error.
 */
export function forecast(
  kpi: Pick<KpiSpec, 'polarity' | 'frequency' | 'target'>,
  measurements: readonly Measurement[],
  options: ForecastOptions = {},
): Forecast | null {
  const recent = mostRecent(
    measurements,
    Math.max(MIN_FORECAST_POINTS, options.points ?? DEFAULT_FORECAST_POINTS),
  );
  const latest = recent.at(-1);
  if (!latest || recent.length < MIN_FORECAST_POINTS) return null;
  const today = options.today ?? periodEnd(latest.period, kpi.frequency);
  if (kpi.target.date < today) return null;

  const origin = periodEnd(recent[0]?.period ?? latest.period, kpi.frequency);
  const points = recent.map(({ period, value }) => ({
    x: daysBetween(origin, periodEnd(period, kpi.frequency)),
    y: value,
  }));
  const interval = predictionInterval(points, daysBetween(origin, kpi.target.date));
  if (!interval) return null;
  return { ...interval, meetsTarget: judgeTarget(kpi, interval) };
}

/** The latest `count` measurements with finite values, one per period, oldest first. */
function mostRecent(measurements: readonly Measurement[], count: number): Measurement[] {
  const byPeriod = new Map<IsoDate, number>();
  for (const { period, value } of measurements) {
    if (Number.isFinite(value)) byPeriod.set(period, value);
  }
  return [...byPeriod.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .slice(-count)
    .map(([period, value]) => ({ period, value }));
}

/** Fit y = m·x + b and predict at x0 with a 95% prediction interval. */
export function predictionInterval(
  points: readonly Point[],
  x0: number,
): { value: number; low: number; high: number } | null {
  const n = points.length;
  if (n < MIN_FORECAST_POINTS) return null;
  const { m, b } = linearRegression(points.map(({ x, y }) => [x, y]));
  const meanX = points.reduce((sum, { x }) => sum + x, 0) / n;
  const sxx = points.reduce((sum, { x }) => sum + (x - meanX) ** 2, 0);
  if (sxx === 0) return null; // every point on the same day: no trend to extend
  const residualSquares = points.reduce((sum, { x, y }) => sum + (y - (m * x + b)) ** 2, 0);
  const residualStandardError = Math.sqrt(residualSquares / (n - 2));
  const standardError = residualStandardError * Math.sqrt(1 + 1 / n + (x0 - meanX) ** 2 / sxx);
  const value = m * x0 + b;
  const halfWidth = tQuantile975(n - 2) * standardError;
  const result = { value, low: value - halfWidth, high: value + halfWidth };
  return Object.values(result).every(Number.isFinite) ? result : null;
}

/** 'yes' when the whole interval meets the target, 'no' when none of it does. */
function judgeTarget(
  kpi: Pick<KpiSpec, 'polarity' | 'target'>,
  interval: { low: number; high: number },
): Forecast['meetsTarget'] {
  const sign = polaritySign(kpi.polarity);
  const meets = (value: number) => sign * (value - kpi.target.value) >= 0;
  const [worst, best] = sign > 0 ? [interval.low, interval.high] : [interval.high, interval.low];
  if (meets(worst)) return 'yes';
  return meets(best) ? 'uncertain' : 'no';
}

// ---------------------------------------------------------------------------------------------
// Student's t
// ---------------------------------------------------------------------------------------------

/**
 * The 0.975 quantile of Student's t for 1–30 degrees of freedom (standard tables, 4 decimals).
 * simple-statistics has no t quantile, and a forecast fits at most a few dozen points, so a
 * table is exact where it matters.
 */
const T_975_TABLE = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604,
  2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555,
  2.0518, 2.0484, 2.0452, 2.0423,
] as const;

const Z_975 = 1.959963984540054;

/**
 * t(0.975, df): from the table up to 30, beyond that the Cornish–Fisher expansion around the
 * normal quantile (Abramowitz & Stegun 26.7.5), accurate to about 1e-4 for df > 30.
 */
export function tQuantile975(degreesOfFreedom: number): number {
  if (!Number.isInteger(degreesOfFreedom) || degreesOfFreedom < 1) {
    throw new RangeError(`Degrees of freedom must be a whole number, 1 or more (got ${degreesOfFreedom})`);
  }
  const tabled = T_975_TABLE[degreesOfFreedom - 1];
  if (tabled !== undefined) return tabled;
  const z = Z_975;
  const df = degreesOfFreedom;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}
