/**
 * Reporting periods of KPIs: pure calendar arithmetic, no I/O.
 *
 * A period is named by its first day, an ISO calendar date 'YYYY-MM-DD'. Dates here are
 * calendar dates, not instants: every computation works on whole days counted in UTC, so the
 * server's time zone and daylight saving can never move a measurement into another period.
 */

export const FREQUENCIES = ['daily', 'weekly', 'monthly', 'quarterly', 'annual'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** An ISO calendar date, 'YYYY-MM-DD'. */
export type IsoDate = string;

/**
 * Default grace, in days after a period's last day, before its value counts as overdue.
 * Figures rarely exist the moment a period ends, so a period is only "expected" once the
 * usual time to collect its data has passed:
 * - daily 1: yesterday's figure normally comes from an automated feed the next day;
 * - weekly 3: a week ends on Sunday, its figure is due by Wednesday;
 * - monthly 10: month-end figures (finance, service data) take about seven working days;
 * - quarterly 20: quarterly returns need collating and signing off, about three weeks;
 * - annual 45: year-end returns and audited figures take about six weeks.
 */
export const DEFAULT_GRACE_DAYS: Readonly<Record<Frequency, number>> = {
  daily: 1,
  weekly: 3,
  monthly: 10,
  quarterly: 20,
  annual: 45,
};

/** Years accepted from people: a guard against typos like "0226-03", not a technical limit. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface YearMonthDay {
  year: number;
  month: number; // 1–12
  day: number; // 1–31
}

// ---------------------------------------------------------------------------------------------
// Calendar primitives
// ---------------------------------------------------------------------------------------------

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Whether `text` is a real calendar date written 'YYYY-MM-DD'. */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function toYearMonthDay(date: IsoDate): YearMonthDay {
  if (!isIsoDate(date)) throw new RangeError(`"${date}" is not a calendar date (YYYY-MM-DD)`);
  const [year, month, day] = date.split('-').map(Number);
  return { year: year ?? 0, month: month ?? 0, day: day ?? 0 };
}

function fromYearMonthDay({ year, month, day }: YearMonthDay): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days since 1970-01-01. setUTCFullYear, unlike Date.UTC, does not remap years 0–99. */
function toDayNumber(date: IsoDate): number {
  const { year, month, day } = toYearMonthDay(date);
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  return Math.round(instant.getTime() / MS_PER_DAY);
}

function fromDayNumber(dayNumber: number): IsoDate {
  const instant = new Date(dayNumber * MS_PER_DAY);
  return fromYearMonthDay({
    year: instant.getUTCFullYear(),
    month: instant.getUTCMonth() + 1,
    day: instant.getUTCDate(),
  });
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** Monday = 0 … Sunday = 6 (ISO weeks start on Monday). */
function isoWeekdayIndex(date: IsoDate): number {
  const sundayIsZero = new Date(toDayNumber(date) * MS_PER_DAY).getUTCDay();
  return (sundayIsZero + 6) % 7;
}

/** The first day of the month `months` after the month of `date`. */
function firstOfMonthAfter(date: IsoDate, months: number): IsoDate {
  const { year, month } = toYearMonthDay(date);
  const monthIndex = year * 12 + (month - 1) + months;
  return fromYearMonthDay({ year: Math.floor(monthIndex / 12), month: (monthIndex % 12) + 1, day: 1 });
}

const MONTHS_PER_PERIOD = { monthly: 1, quarterly: 3, annual: 12 } as const;

// ---------------------------------------------------------------------------------------------
// Periods
// ---------------------------------------------------------------------------------------------

/** The first day of the period of `frequency` that contains `date`. */
export function periodStart(date: IsoDate, frequency: Frequency): IsoDate {
  const { year, month } = toYearMonthDay(date);
  switch (frequency) {
    case 'daily':
      return date;
    case 'weekly':
      return addDays(date, -isoWeekdayIndex(date));
    case 'monthly':
      return fromYearMonthDay({ year, month, day: 1 });
    case 'quarterly':
      return fromYearMonthDay({ year, month: month - ((month - 1) % 3), day: 1 });
    case 'annual':
      return fromYearMonthDay({ year, month: 1, day: 1 });
  }
}

/** The period `steps` periods after the one containing `date` (negative steps go back). */
function shiftPeriod(date: IsoDate, frequency: Frequency, steps: number): IsoDate {
  const start = periodStart(date, frequency);
  switch (frequency) {
    case 'daily':
      return addDays(start, steps);
    case 'weekly':
      return addDays(start, 7 * steps);
    default:
      return firstOfMonthAfter(start, MONTHS_PER_PERIOD[frequency] * steps);
  }
}

export function nextPeriod(period: IsoDate, frequency: Frequency): IsoDate {
  return shiftPeriod(period, frequency, 1);
}

export function previousPeriod(period: IsoDate, frequency: Frequency): IsoDate {
  return shiftPeriod(period, frequency, -1);
}

/** The last day of the period containing `period`. */
export function periodEnd(period: IsoDate, frequency: Frequency): IsoDate {
  return addDays(nextPeriod(period, frequency), -1);
}

/**
 * Every period from the one containing `start` to the one containing `end`, both included,
 * as first days in order; empty when `end` is before `start`.
 */
export function periodsBetween(start: IsoDate, end: IsoDate, frequency: Frequency): IsoDate[] {
  const last = periodStart(end, frequency);
  const periods: IsoDate[] = [];
  for (let period = periodStart(start, frequency); period <= last; period = nextPeriod(period, frequency)) {
    periods.push(period);
  }
  return periods;
}

/**
 * The date by which a period's value is expected: its last day plus the grace.
 * From the day after, the value is overdue.
 */
export function expectedBy(
  period: IsoDate,
  frequency: Frequency,
  graceDays = DEFAULT_GRACE_DAYS[frequency],
): IsoDate {
  return addDays(periodEnd(period, frequency), graceDays);
}

/**
 * The latest period whose value should exist by `today`: it ended at least `graceDays` full
 * days ago, i.e. its expected-by date is before today.
 */
export function lastExpectedPeriod(
  today: IsoDate,
  frequency: Frequency,
  graceDays = DEFAULT_GRACE_DAYS[frequency],
): IsoDate {
  if (!Number.isInteger(graceDays) || graceDays < 0) {
    throw new RangeError(`Grace must be a whole number of days, 0 or more (got ${graceDays})`);
  }
  const latestAllowedEnd = addDays(today, -graceDays - 1);
  // The period holding the day after the latest allowed end has not ended in time; the one
  // before it is the latest that has.
  return previousPeriod(periodStart(addDays(latestAllowedEnd, 1), frequency), frequency);
}

// ---------------------------------------------------------------------------------------------
// Reading periods from people
// ---------------------------------------------------------------------------------------------

export type PeriodParseResult = { ok: true; period: IsoDate } | { ok: false; message: string };

/** How precise a written period is, finest first. */
type Granularity = 'day' | 'month' | 'quarter' | 'year';

const FINEST_INPUT_FOR: Readonly<Record<Frequency, Granularity>> = {
  daily: 'day',
  weekly: 'day',
  monthly: 'month',
  quarterly: 'quarter',
  annual: 'year',
};
const GRANULARITY_ORDER: readonly Granularity[] = ['day', 'month', 'quarter', 'year'];

const EXAMPLE_INPUT: Readonly<Record<Frequency, string>> = {
  daily: 'a date such as 2026-03-02',
  weekly: 'a date in the week, such as 2026-03-02',
  monthly: 'a month such as 2026-03 (or a date in it)',
  quarterly: 'a quarter such as 2026-Q1 (or a month or date in it)',
  annual: 'a year such as 2026 (or a quarter, month or date in it)',
};

const FORMATS_HINT = 'use YYYY-MM-DD, YYYY-MM, YYYY-Qn (n from 1 to 4) or YYYY';

interface WrittenPeriod {
  granularity: Granularity;
  firstDay: IsoDate;
}

/**
 * Reads a period as people write it — '2026-03-15', '2026-03', '2026-Q1' or '2026' — for a
 * KPI of `frequency`, normalised to the first day of that frequency's period. A period
 * coarser than the frequency ('2026-Q1' for a monthly KPI) is refused: it does not say which
 * month is meant.
 */
export function parsePeriodInput(text: string, frequency: Frequency): PeriodParseResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: `Period is empty: ${FORMATS_HINT}` };
  const written = readWrittenPeriod(trimmed);
  if ('message' in written) return { ok: false, message: written.message };
  if (isCoarser(written.granularity, FINEST_INPUT_FOR[frequency])) {
    return {
      ok: false,
      message: `Period "${trimmed}" is a whole ${written.granularity}, but this KPI is measured ${frequency}: give ${EXAMPLE_INPUT[frequency]}`,
    };
  }
  return { ok: true, period: periodStart(written.firstDay, frequency) };
}

function isCoarser(granularity: Granularity, than: Granularity): boolean {
  return GRANULARITY_ORDER.indexOf(granularity) > GRANULARITY_ORDER.indexOf(than);
}

function readWrittenPeriod(text: string): WrittenPeriod | { message: string } {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (day) return readDay(text, Number(day[1]), Number(day[2]), Number(day[3]));
  const month = /^(\d{4})-(\d{2})$/.exec(text);
  if (month) return readMonth(text, Number(month[1]), Number(month[2]));
  const quarter = /^(\d{4})-[Qq](\d+)$/.exec(text);
  if (quarter) return readQuarter(text, Number(quarter[1]), Number(quarter[2]));
  const year = /^(\d{4})$/.exec(text);
  if (year) return readYear(text, Number(year[1]));
  return { message: `Period "${text}" is not in a format we recognise: ${FORMATS_HINT}` };
}

function yearProblem(text: string, year: number): { message: string } | null {
  if (year >= MIN_YEAR && year <= MAX_YEAR) return null;
  return {
    message: `Period "${text}" has the year ${String(year).padStart(4, '0')}: use a year from ${MIN_YEAR} to ${MAX_YEAR}`,
  };
}

function readDay(
  text: string,
  year: number,
  month: number,
  day: number,
): WrittenPeriod | { message: string } {
  const badYear = yearProblem(text, year);
  if (badYear) return badYear;
  if (month < 1 || month > 12)
    return { message: `Period "${text}" is not a real date: there is no month ${month}` };
  const monthLength = daysInMonth(year, month);
  if (day < 1 || day > monthLength) {
    return {
      message: `Period "${text}" is not a real date: ${MONTH_NAMES[month - 1] ?? ''} ${year} has ${monthLength} days`,
    };
  }
  return { granularity: 'day', firstDay: fromYearMonthDay({ year, month, day }) };
}

function readMonth(text: string, year: number, month: number): WrittenPeriod | { message: string } {
  const badYear = yearProblem(text, year);
  if (badYear) return badYear;
  if (month < 1 || month > 12)
    return { message: `Period "${text}" is not a real month: months run from 01 to 12` };
  return { granularity: 'month', firstDay: fromYearMonthDay({ year, month, day: 1 }) };
}

function readQuarter(text: string, year: number, quarter: number): WrittenPeriod | { message: string } {
  const badYear = yearProblem(text, year);
  if (badYear) return badYear;
  if (quarter < 1 || quarter > 4) return { message: `Period "${text}" is not a real quarter: use Q1 to Q4` };
  return {
    granularity: 'quarter',
    firstDay: fromYearMonthDay({ year, month: (quarter - 1) * 3 + 1, day: 1 }),
  };
}

function readYear(text: string, year: number): WrittenPeriod | { message: string } {
  return (
    yearProblem(text, year) ?? { granularity: 'year', firstDay: fromYearMonthDay({ year, month: 1, day: 1 }) }
  );
}

// ---------------------------------------------------------------------------------------------
// Writing periods for people
// ---------------------------------------------------------------------------------------------

/** '2 March 2026'. */
export function formatDate(date: IsoDate): string {
  const { year, month, day } = toYearMonthDay(date);
  return `${day} ${MONTH_NAMES[month - 1] ?? ''} ${year}`;
}

/**
 * A period as a person says it: '2 March 2026', 'week of 2 March 2026', 'March 2026',
 * 'Q1 2026 (January to March)', '2026'. Any date inside the period gives the same text.
 */
export function formatPeriod(period: IsoDate, frequency: Frequency): string {
  const start = periodStart(period, frequency);
  const { year, month } = toYearMonthDay(start);
  switch (frequency) {
    case 'daily':
      return formatDate(start);
    case 'weekly':
      return `week of ${formatDate(start)}`;
    case 'monthly':
      return `${MONTH_NAMES[month - 1] ?? ''} ${year}`;
    case 'quarterly':
      return `Q${(month + 2) / 3} ${year} (${MONTH_NAMES[month - 1] ?? ''} to ${MONTH_NAMES[month + 1] ?? ''})`;
    case 'annual':
      return String(year);
  }
}
