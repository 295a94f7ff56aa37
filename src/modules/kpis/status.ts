/**
 * The KPI status engine: pure rules that turn a KPI's definition and measurements into an
 * honest status with a reason in words. No I/O; `today` is always passed in.
 */
import {
  DEFAULT_GRACE_DAYS,
  daysBetween,
  expectedBy,
  formatDate,
  formatPeriod,
  lastExpectedPeriod,
  periodEnd,
  type Frequency,
  type IsoDate,
} from './periods.ts';

export const POLARITIES = ['higher_is_better', 'lower_is_better'] as const;
export type Polarity = (typeof POLARITIES)[number];

export const KPI_STATUSES = ['on_track', 'at_risk', 'off_track', 'no_data', 'overdue'] as const;
export type KpiStatus = (typeof KPI_STATUSES)[number];

/** What the status engine needs to know about a KPI. */
export interface KpiSpec {
  polarity: Polarity;
  frequency: Frequency;
  baseline: { value: number; date: IsoDate };
  target: { value: number; date: IsoDate };
  /** Percentage points of the baseline-to-target distance within which a shortfall is at risk. */
  tolerance: number;
  unit: string;
}

export interface Measurement {
  /** First day of the period, as normalised by periods.ts. */
  period: IsoDate;
  value: number;
}

export interface KpiStatusResult {
  status: KpiStatus;
  reason: string;
  latest: Measurement | null;
  /** The planned value the latest was compared with (at the end of its period). */
  planned: number | null;
}

const STATUS_LABELS: Readonly<Record<KpiStatus, string>> = {
  on_track: 'On track',
  at_risk: 'At risk',
  off_track: 'Off track',
  no_data: 'No data',
  overdue: 'Overdue',
};

export function statusLabel(status: KpiStatus): string {
  return STATUS_LABELS[status];
}

/** The govuk-tag colour of each status, the same on every page. */
export const STATUS_TAG_CLASSES: Readonly<Record<KpiStatus, string>> = {
  on_track: 'govuk-tag--green',
  at_risk: 'govuk-tag--yellow',
  off_track: 'govuk-tag--red',
  no_data: 'govuk-tag--grey',
  overdue: 'govuk-tag--orange',
};

/** +1 when a larger value is better, −1 when a smaller one is: turns "better" into "larger". */
export function polaritySign(polarity: Polarity): 1 | -1 {
  return polarity === 'higher_is_better' ? 1 : -1;
}

// ---------------------------------------------------------------------------------------------
// Trajectory
// ---------------------------------------------------------------------------------------------

/**
 * The planned value on `date`: a straight line from the baseline (on its date) to the target
 * (on its date), held at the baseline before and at the target after. A target dated on or
 * before its baseline (which validation should refuse) is treated as a step, never a division
 * by zero.
 */
export function plannedValue(kpi: Pick<KpiSpec, 'baseline' | 'target'>, date: IsoDate): number {
  const { baseline, target } = kpi;
  if (date >= target.date) return target.value;
  if (date <= baseline.date) return baseline.value;
  const elapsed = daysBetween(baseline.date, date) / daysBetween(baseline.date, target.date);
  return baseline.value + (target.value - baseline.value) * elapsed;
}

// ---------------------------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------------------------

/**
 * The status of a KPI on `today`, in this order:
 * 1. no (finite) measurements → `no_data`;
 * 2. the last expected period (periods.ts `lastExpectedPeriod`, with the grace) starts after
 *    the baseline date and neither it nor any later period has a value → `overdue`. A later
 *    value counts because overdue is about stale data: a newer figure supersedes the missing
 *    one. Periods up to the baseline are covered by the baseline itself;
 * 3. otherwise the latest value is compared with the planned value at the END of its period:
 *    a period's value describes where the KPI stands once the period is over, so the plan for
 *    that moment is the fair yardstick (comparing with the start would flatter every value).
 *    The gap, signed so that positive means ahead, decides:
 *    - gap ≥ 0 → `on_track`;
 *    - behind by no more than `tolerance`% of |target − baseline| → `at_risk`;
 *    - further behind → `off_track`.
 *    When target equals baseline there is no distance to take a share of, so there is no amber
 *    band: at or better than the target is on track, anything worse is off track.
 */
export function kpiStatus(
  kpi: KpiSpec,
  measurements: readonly Measurement[],
  today: IsoDate,
  graceDays: number = DEFAULT_GRACE_DAYS[kpi.frequency],
): KpiStatusResult {
  const latest = latestMeasurement(measurements);
  if (!latest) return noDataResult(kpi, today, graceDays);
  const planned = plannedValue(kpi, periodEnd(latest.period, kpi.frequency));
  const missing = missingExpectedPeriod(kpi, latest, today, graceDays);
  if (missing) {
    return { status: 'overdue', reason: overdueReason(kpi, missing, latest, graceDays), latest, planned };
  }
  const status = compareWithPlan(kpi, latest.value, planned);
  return { status, reason: comparisonReason(kpi, status, latest, planned), latest, planned };
}

/** The measurement of the latest period; for a repeated period the later entry wins. */
export function latestMeasurement(measurements: readonly Measurement[]): Measurement | null {
  let latest: Measurement | null = null;
  for (const measurement of measurements) {
    if (!Number.isFinite(measurement.value)) continue;
    if (!latest || measurement.period >= latest.period) latest = measurement;
  }
  return latest ? { period: latest.period, value: latest.value } : null;
}

/** The measurement of the latest period before `period` (for the change since the one before), or null. */
export function previousMeasurement(measurements: readonly Measurement[], period: IsoDate): Measurement | null {
  let previous: Measurement | null = null;
  for (const measurement of measurements) {
    if (!Number.isFinite(measurement.value) || measurement.period >= period) continue;
    if (!previous || measurement.period >= previous.period) previous = measurement;
  }
  return previous ? { period: previous.period, value: previous.value } : null;
}

/** The last expected period when it should have a value: it starts after the baseline date. */
function expectedPeriodAfterBaseline(kpi: KpiSpec, today: IsoDate, graceDays: number): IsoDate | null {
  const expected = lastExpectedPeriod(today, kpi.frequency, graceDays);
  return expected > kpi.baseline.date ? expected : null;
}

function missingExpectedPeriod(
  kpi: KpiSpec,
  latest: Measurement,
  today: IsoDate,
  graceDays: number,
): IsoDate | null {
  const expected = expectedPeriodAfterBaseline(kpi, today, graceDays);
  return expected !== null && latest.period < expected ? expected : null;
}

/** Which of on track / at risk / off track a value is, against the planned value. */
export function compareWithPlan(
  kpi: Pick<KpiSpec, 'polarity' | 'baseline' | 'target' | 'tolerance'>,
  value: number,
  planned: number,
): 'on_track' | 'at_risk' | 'off_track' {
  const sign = polaritySign(kpi.polarity);
  const distance = Math.abs(kpi.target.value - kpi.baseline.value);
  if (distance === 0) return sign * (value - kpi.target.value) >= 0 ? 'on_track' : 'off_track';
  const gap = sign * (value - planned);
  if (gap >= 0) return 'on_track';
  return -gap <= toleranceBand(kpi, distance) ? 'at_risk' : 'off_track';
}

/** The shortfall, in the KPI's unit, still counted as at risk; a negative tolerance is none. */
function toleranceBand(kpi: Pick<KpiSpec, 'tolerance'>, distance: number): number {
  return (Math.max(0, kpi.tolerance) / 100) * distance;
}

// ---------------------------------------------------------------------------------------------
// Reasons
// ---------------------------------------------------------------------------------------------

function noDataResult(kpi: KpiSpec, today: IsoDate, graceDays: number): KpiStatusResult {
  const expected = expectedPeriodAfterBaseline(kpi, today, graceDays);
  const reason = expected
    ? `No data yet (a value for ${formatPeriod(expected, kpi.frequency)} was expected by ${formatDate(expectedBy(expected, kpi.frequency, graceDays))})`
    : 'No data yet';
  return { status: 'no_data', reason, latest: null, planned: null };
}

function overdueReason(kpi: KpiSpec, missing: IsoDate, latest: Measurement, graceDays: number): string {
  const due = formatDate(expectedBy(missing, kpi.frequency, graceDays));
  return (
    `Overdue: no value for ${formatPeriod(missing, kpi.frequency)} (expected by ${due}); ` +
    `the latest is ${formatValue(latest.value, kpi.unit)} in ${formatPeriod(latest.period, kpi.frequency)}`
  );
}

function comparisonReason(kpi: KpiSpec, status: KpiStatus, latest: Measurement, planned: number): string {
  const actual = `${formatValue(latest.value, kpi.unit)} in ${formatPeriod(latest.period, kpi.frequency)}`;
  if (kpi.target.value === kpi.baseline.value) {
    return `${statusLabel(status)}: ${actual} against a target of ${formatValue(kpi.target.value, kpi.unit)}`;
  }
  const comparison = `${statusLabel(status)}: ${actual} against a planned ${formatValue(planned, kpi.unit)}`;
  return status === 'at_risk' ? `${comparison}, behind but within tolerance` : comparison;
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = {
  '£': '£',
  GBP: '£',
  '€': '€',
  EUR: '€',
  $: '$',
  USD: '$',
};

/**
 * A value with its unit, for people: '62%', '£1,234.50', '-£5', '12.35 days', '1,500'.
 * At most two decimals; money shows pence only when there are some.
 */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'no value';
  const trimmedUnit = unit.trim();
  const currency = CURRENCY_SYMBOLS[trimmedUnit.toUpperCase()] ?? CURRENCY_SYMBOLS[trimmedUnit];
  if (currency) return formatMoney(value, currency);
  const number = formatNumber(value, 0);
  if (trimmedUnit === '') return number;
  if (trimmedUnit === '%') return `${number}%`;
  return `${number} ${trimmedUnit}`;
}

// Built once: constructing an Intl.NumberFormat costs far more than formatting with one, and a
// dashboard formats thousands of values.
const NUMBER_FORMATS = [0, 2].map(
  (minimumFractionDigits) =>
    new Intl.NumberFormat('en-GB', {
      minimumFractionDigits,
      maximumFractionDigits: 2,
      signDisplay: 'negative', // no "-0" for values that round to zero
    }),
);

function formatNumber(value: number, minimumFractionDigits: 0 | 2): string {
  return (NUMBER_FORMATS[minimumFractionDigits === 0 ? 0 : 1] ?? new Intl.NumberFormat('en-GB')).format(value);
}

function formatMoney(value: number, symbol: string): string {
  const rounded = Math.round(Math.abs(value) * 100) / 100;
  const amount = formatNumber(rounded, Number.isInteger(rounded) ? 0 : 2);
  return value < 0 && rounded !== 0 ? `-${symbol}${amount}` : `${symbol}${amount}`;
}
