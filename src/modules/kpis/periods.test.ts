import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  DEFAULT_GRACE_DAYS,
  daysBetween,
  expectedBy,
  formatDate,
  formatPeriod,
  FREQUENCIES,
  isIsoDate,
  lastExpectedPeriod,
  nextPeriod,
  parsePeriodInput,
  periodEnd,
  periodsBetween,
  periodStart,
  previousPeriod,
  type Frequency,
} from './periods.ts';

/** Any calendar day from 1900 to 2999, built from a day count so it is always real. */
const anyDate = fc.integer({ min: 0, max: 400_000 }).map((days) => addDays('1900-01-01', days));
const anyFrequency = fc.constantFrom(...FREQUENCIES);

/** Independent of periods.ts: JavaScript's own calendar says which weekday a date is. */
function weekdayName(date: string): string {
  return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' });
}

describe('parsePeriodInput', () => {
  it.each<[string, Frequency, string]>([
    ['2026-03-15', 'daily', '2026-03-15'],
    ['2024-02-29', 'daily', '2024-02-29'],
    ['2026-03-04', 'weekly', '2026-03-02'],
    ['2026-03-08', 'weekly', '2026-03-02'],
    ['2026-01-01', 'weekly', '2025-12-29'],
    ['2026-03-15', 'monthly', '2026-03-01'],
    ['2026-03', 'monthly', '2026-03-01'],
    [' 2026-03 ', 'monthly', '2026-03-01'],
    ['2026-05', 'quarterly', '2026-04-01'],
    ['2026-11-30', 'quarterly', '2026-10-01'],
    ['2026-Q2', 'quarterly', '2026-04-01'],
    ['2026-q4', 'quarterly', '2026-10-01'],
    ['2026-Q3', 'annual', '2026-01-01'],
    ['2026-12-31', 'annual', '2026-01-01'],
    ['2026', 'annual', '2026-01-01'],
  ])('reads "%s" for a %s KPI as %s', (text, frequency, period) => {
    expect(parsePeriodInput(text, frequency)).toEqual({ ok: true, period });
  });

  it.each<[string, Frequency, string]>([
    ['2026-13', 'monthly', 'Period "2026-13" is not a real month'],
    ['2026-00', 'annual', 'Period "2026-00" is not a real month'],
    ['2026-02-30', 'monthly', 'Period "2026-02-30" is not a real date: February 2026 has 28 days'],
    ['2025-02-29', 'daily', 'February 2025 has 28 days'],
    ['2024-02-30', 'daily', 'February 2024 has 29 days'],
    ['1900-02-29', 'daily', 'February 1900 has 28 days'],
    ['2026-04-31', 'monthly', 'April 2026 has 30 days'],
    ['2026-13-01', 'annual', 'there is no month 13'],
    ['2026-Q5', 'quarterly', 'Period "2026-Q5" is not a real quarter: use Q1 to Q4'],
    ['2026-Q0', 'annual', 'is not a real quarter'],
    ['0226-03', 'monthly', 'use a year from 1900 to 2999'],
    ['March 2026', 'monthly', 'is not in a format we recognise: use YYYY-MM-DD, YYYY-MM, YYYY-Qn'],
    ['2026/03', 'monthly', 'is not in a format we recognise'],
    ['2026-3', 'monthly', 'is not in a format we recognise'],
    ['', 'monthly', 'Period is empty'],
  ])('refuses "%s" for a %s KPI, saying "%s"', (text, frequency, message) => {
    const result = parsePeriodInput(text, frequency);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toContain(message);
  });

  it.each<[string, Frequency, string]>([
    [
      '2026-Q1',
      'monthly',
      'Period "2026-Q1" is a whole quarter, but this KPI is measured monthly: give a month',
    ],
    ['2026', 'quarterly', 'is a whole year, but this KPI is measured quarterly'],
    ['2026', 'monthly', 'is a whole year, but this KPI is measured monthly'],
    ['2026-03', 'daily', 'is a whole month, but this KPI is measured daily: give a date'],
    ['2026-03', 'weekly', 'is a whole month, but this KPI is measured weekly: give a date in the week'],
  ])('refuses "%s", coarser than a %s KPI', (text, frequency, message) => {
    const result = parsePeriodInput(text, frequency);
    expect(result.ok ? '' : result.message).toContain(message);
  });

  it('reads any real date as the start of its period, for every frequency', () => {
    fc.assert(
      fc.property(anyDate, anyFrequency, (date, frequency) => {
        expect(parsePeriodInput(date, frequency)).toEqual({ ok: true, period: periodStart(date, frequency) });
      }),
    );
  });
});

describe('periodStart', () => {
  it('is idempotent and never after the date', () => {
    fc.assert(
      fc.property(anyDate, anyFrequency, (date, frequency) => {
        const start = periodStart(date, frequency);
        expect(periodStart(start, frequency)).toBe(start);
        expect(start <= date).toBe(true);
        expect(date <= periodEnd(date, frequency)).toBe(true);
      }),
    );
  });

  it('matches the calendar for months, quarters and years', () => {
    fc.assert(
      fc.property(anyDate, (date) => {
        const month = Number(date.slice(5, 7));
        const quarterMonth = String(month - ((month - 1) % 3)).padStart(2, '0');
        expect(periodStart(date, 'monthly')).toBe(`${date.slice(0, 7)}-01`);
        expect(periodStart(date, 'quarterly')).toBe(`${date.slice(0, 4)}-${quarterMonth}-01`);
        expect(periodStart(date, 'annual')).toBe(`${date.slice(0, 4)}-01-01`);
        expect(periodStart(date, 'daily')).toBe(date);
      }),
    );
  });

  it('starts weeks on the Monday on or before the date', () => {
    fc.assert(
      fc.property(anyDate, (date) => {
        const monday = periodStart(date, 'weekly');
        expect(weekdayName(monday)).toBe('Monday');
        expect(daysBetween(monday, date)).toBeGreaterThanOrEqual(0);
        expect(daysBetween(monday, date)).toBeLessThan(7);
      }),
    );
  });

  it('gives every day of a period the same start', () => {
    fc.assert(
      fc.property(anyDate, anyFrequency, fc.nat(400), (date, frequency, offset) => {
        const start = periodStart(date, frequency);
        const length = daysBetween(start, periodEnd(start, frequency)) + 1;
        expect(periodStart(addDays(start, offset % length), frequency)).toBe(start);
      }),
    );
  });
});

describe('nextPeriod and previousPeriod', () => {
  it('undo each other', () => {
    fc.assert(
      fc.property(anyDate, anyFrequency, (date, frequency) => {
        const period = periodStart(date, frequency);
        expect(nextPeriod(previousPeriod(period, frequency), frequency)).toBe(period);
        expect(previousPeriod(nextPeriod(period, frequency), frequency)).toBe(period);
      }),
    );
  });

  it('leave no gap: the day after a period ends starts the next one', () => {
    fc.assert(
      fc.property(anyDate, anyFrequency, (date, frequency) => {
        expect(addDays(periodEnd(date, frequency), 1)).toBe(nextPeriod(date, frequency));
      }),
    );
  });

  it.each<[string, Frequency, string, string]>([
    ['2024-01-31', 'monthly', '2024-02-01', '2023-12-01'],
    ['2026-11-15', 'quarterly', '2027-01-01', '2026-07-01'],
    ['2026-01-01', 'quarterly', '2026-04-01', '2025-10-01'],
    ['2025-12-31', 'weekly', '2026-01-05', '2025-12-22'],
    ['2024-02-28', 'daily', '2024-02-29', '2024-02-27'],
    ['2026-06-30', 'annual', '2027-01-01', '2025-01-01'],
  ])('move from %s (%s) to %s and back to %s', (date, frequency, next, previous) => {
    expect(nextPeriod(date, frequency)).toBe(next);
    expect(previousPeriod(date, frequency)).toBe(previous);
  });
});

describe('periodEnd', () => {
  it.each<[string, Frequency, string]>([
    ['2024-02-01', 'monthly', '2024-02-29'],
    ['2023-02-10', 'monthly', '2023-02-28'],
    ['2000-02-01', 'monthly', '2000-02-29'],
    ['1900-02-01', 'monthly', '1900-02-28'],
    ['2026-04-01', 'monthly', '2026-04-30'],
    ['2026-12-25', 'monthly', '2026-12-31'],
    ['2024-01-01', 'quarterly', '2024-03-31'],
    ['2024-05-01', 'quarterly', '2024-06-30'],
    ['2024-08-15', 'quarterly', '2024-09-30'],
    ['2024-10-01', 'quarterly', '2024-12-31'],
    ['2024-07-01', 'annual', '2024-12-31'],
    ['2025-12-29', 'weekly', '2026-01-04'],
    ['2024-02-29', 'daily', '2024-02-29'],
  ])('of the %s %s period is %s', (date, frequency, end) => {
    expect(periodEnd(date, frequency)).toBe(end);
  });

  it('makes a leap year 366 days long and other years 365', () => {
    expect(daysBetween('2024-01-01', periodEnd('2024-01-01', 'annual')) + 1).toBe(366);
    expect(daysBetween('2100-01-01', periodEnd('2100-01-01', 'annual')) + 1).toBe(365);
    expect(daysBetween('2026-01-01', periodEnd('2026-01-01', 'annual')) + 1).toBe(365);
  });
});

describe('periodsBetween', () => {
  it('lists every period touched, first days in order', () => {
    expect(periodsBetween('2025-11-15', '2026-02-03', 'monthly')).toEqual([
      '2025-11-01',
      '2025-12-01',
      '2026-01-01',
      '2026-02-01',
    ]);
    expect(periodsBetween('2025-12-31', '2026-07-01', 'quarterly')).toEqual([
      '2025-10-01',
      '2026-01-01',
      '2026-04-01',
      '2026-07-01',
    ]);
    expect(periodsBetween('2026-03-04', '2026-03-04', 'weekly')).toEqual(['2026-03-02']);
  });

  it('is empty when the end comes before the start', () => {
    expect(periodsBetween('2026-03-01', '2026-02-28', 'daily')).toEqual([]);
    expect(periodsBetween('2027-01-01', '2026-01-01', 'annual')).toEqual([]);
  });

  it('chains consecutive periods from the start period to the end period', () => {
    fc.assert(
      fc.property(
        anyDate,
        fc.nat(800),
        fc.constantFrom<Frequency>('weekly', 'monthly', 'quarterly', 'annual'),
        (start, span, frequency) => {
          const end = addDays(start, span);
          const periods = periodsBetween(start, end, frequency);
          expect(periods[0]).toBe(periodStart(start, frequency));
          expect(periods.at(-1)).toBe(periodStart(end, frequency));
          periods.slice(1).forEach((period, index) => {
            expect(period).toBe(nextPeriod(periods[index] ?? '', frequency));
          });
        },
      ),
    );
  });
});

describe('lastExpectedPeriod', () => {
  it('documents the default grace for each frequency', () => {
    expect(DEFAULT_GRACE_DAYS).toEqual({ daily: 1, weekly: 3, monthly: 10, quarterly: 20, annual: 45 });
  });

  it.each<[string, Frequency, number | undefined, string]>([
    ['2026-03-10', 'monthly', undefined, '2026-01-01'],
    ['2026-03-11', 'monthly', undefined, '2026-02-01'],
    ['2026-04-01', 'monthly', 0, '2026-03-01'],
    ['2026-03-31', 'monthly', 0, '2026-02-01'],
    ['2026-03-10', 'daily', undefined, '2026-03-08'],
    ['2026-03-11', 'weekly', undefined, '2026-02-23'],
    ['2026-03-12', 'weekly', undefined, '2026-03-02'],
    ['2026-04-20', 'quarterly', undefined, '2025-10-01'],
    ['2026-04-21', 'quarterly', undefined, '2026-01-01'],
    ['2026-02-14', 'annual', undefined, '2024-01-01'],
    ['2026-02-15', 'annual', undefined, '2025-01-01'],
  ])('on %s for a %s KPI with grace %s is %s', (today, frequency, grace, expected) => {
    expect(lastExpectedPeriod(today, frequency, grace)).toBe(expected);
  });

  it('is the latest period whose expected-by date is before today', () => {
    fc.assert(
      fc.property(anyDate, anyFrequency, fc.integer({ min: 0, max: 90 }), (today, frequency, grace) => {
        const expected = lastExpectedPeriod(today, frequency, grace);
        expect(expected).toBe(periodStart(expected, frequency));
        expect(expectedBy(expected, frequency, grace) < today).toBe(true);
        expect(expectedBy(nextPeriod(expected, frequency), frequency, grace) >= today).toBe(true);
      }),
    );
  });

  it('refuses a negative or fractional grace', () => {
    expect(() => lastExpectedPeriod('2026-03-10', 'monthly', -1)).toThrow(RangeError);
    expect(() => lastExpectedPeriod('2026-03-10', 'monthly', 1.5)).toThrow(RangeError);
  });
});

describe('expectedBy', () => {
  it('adds the grace to the last day of the period', () => {
    expect(expectedBy('2026-02-01', 'monthly')).toBe('2026-03-10');
    expect(expectedBy('2024-02-01', 'monthly')).toBe('2024-03-10');
    expect(expectedBy('2026-03-02', 'weekly')).toBe('2026-03-11');
    expect(expectedBy('2026-02-01', 'monthly', 0)).toBe('2026-02-28');
  });
});

describe('formatPeriod and formatDate', () => {
  it.each<[string, Frequency, string]>([
    ['2026-03-02', 'daily', '2 March 2026'],
    ['2026-03-04', 'weekly', 'week of 2 March 2026'],
    ['2026-03-01', 'monthly', 'March 2026'],
    ['2026-03-31', 'monthly', 'March 2026'],
    ['2026-01-01', 'quarterly', 'Q1 2026 (January to March)'],
    ['2026-11-20', 'quarterly', 'Q4 2026 (October to December)'],
    ['2026-06-30', 'annual', '2026'],
  ])('writes %s (%s) as "%s"', (period, frequency, text) => {
    expect(formatPeriod(period, frequency)).toBe(text);
  });

  it('writes dates without leading zeros', () => {
    expect(formatDate('2024-02-09')).toBe('9 February 2024');
  });

  it('refuses something that is not a date', () => {
    expect(() => formatDate('2026-02-30')).toThrow(RangeError);
    expect(() => periodStart('yesterday', 'daily')).toThrow(RangeError);
  });
});

describe('isIsoDate', () => {
  it('accepts real dates only', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2100-02-29')).toBe(false);
    expect(isIsoDate('2026-3-1')).toBe(false);
    expect(isIsoDate('2026-03-01T00:00')).toBe(false);
  });
});
