import type { FieldError } from './errors.ts';

/** Small checks every module's rules share: text lengths and calendar dates as typed. */

/** A required or optional text within `max` characters: its problem, if any, on `field`. */
export function textProblems(value: string, field: string, options: { required?: string; max: number; name: string }): FieldError[] {
  const trimmed = value.trim();
  if (trimmed === '' && options.required !== undefined) return [{ field, message: options.required }];
  if (trimmed.length > options.max) return [{ field, message: `${options.name} must be ${options.max.toLocaleString('en-GB')} characters or fewer` }];
  return [];
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a real calendar date written 'YYYY-MM-DD' between the years 1900 and 2999. */
export function isRealDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A date from the three boxes of a GOV.UK date input as 'YYYY-MM-DD'; '' when all three are
 * empty. What cannot be a date comes back as typed, for the rules to refuse.
 */
export function dateFromParts(parts: { day: string; month: string; year: string }): string {
  const [day, month, year] = [parts.day.trim(), parts.month.trim(), parts.year.trim()];
  if (day === '' && month === '' && year === '') return '';
  if (/^\d{1,2}$/.test(day) && /^\d{1,2}$/.test(month) && /^\d{4}$/.test(year)) {
    return `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  }
  return `${year}-${month}-${day}`;
}

/** The three boxes of a GOV.UK date input from 'YYYY-MM-DD' (or empty boxes). */
export function dateParts(value: string | null | undefined): { day: string; month: string; year: string } {
  const match = ISO_DATE.exec(value ?? '');
  if (match === null) return { day: '', month: '', year: '' };
  return { day: String(Number(match[3])), month: String(Number(match[2])), year: match[1] ?? '' };
}
