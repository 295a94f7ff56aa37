import { describe, expect, it } from 'vitest';
import { dateFromParts, dateParts, isRealDate, textProblems } from './validation.ts';

describe('dates', () => {
  it('knows real dates, leap years included', () => {
    expect(isRealDate('2028-02-29')).toBe(true);
    expect(isRealDate('2027-02-29')).toBe(false);
    expect(isRealDate('2026-4-1')).toBe(false);
    expect(isRealDate('0999-01-01')).toBe(false);
  });

  it('reads the three boxes of a GOV.UK date input and writes them back', () => {
    expect(dateFromParts({ day: '1', month: '4', year: '2026' })).toBe('2026-04-01');
    expect(dateFromParts({ day: ' ', month: '', year: '' })).toBe('');
    expect(dateFromParts({ day: 'x', month: '4', year: '2026' })).toBe('2026-4-x');
    expect(isRealDate(dateFromParts({ day: '31', month: '2', year: '2026' }))).toBe(false);
    expect(isRealDate(dateFromParts({ day: '', month: '4', year: '2026' }))).toBe(false);
    expect(isRealDate(dateFromParts({ day: 'a', month: '4', year: '2026' }))).toBe(false);
    expect(dateParts('2026-04-01')).toEqual({ day: '1', month: '4', year: '2026' });
    expect(dateParts(null)).toEqual({ day: '', month: '', year: '' });
  });
});

describe('text', () => {
  it('wants required text and counts characters, not bytes', () => {
    expect(textProblems('  ', 'title', { required: 'Enter a title', max: 10, name: 'Title' })).toEqual([{ field: 'title', message: 'Enter a title' }]);
    expect(textProblems('', 'note', { max: 10, name: 'Note' })).toEqual([]);
    expect(textProblems('é'.repeat(10), 'note', { max: 10, name: 'Note' })).toEqual([]);
    expect(textProblems('x'.repeat(5001), 'vision', { max: 5000, name: 'Vision' })).toEqual([{ field: 'vision', message: 'Vision must be 5,000 characters or fewer' }]);
  });
});
