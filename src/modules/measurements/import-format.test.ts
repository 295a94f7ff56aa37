import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BATCH_IMPORT_LIMITS,
  checkRowFields,
  formatBytes,
  hiddenProblemsMessage,
  quoteForMessage,
  resolveHeader,
  valueProblem,
  WEB_IMPORT_LIMITS,
  xlsxColumnLabel,
} from './import-format.ts';

const limits = WEB_IMPORT_LIMITS;

describe('the header row', () => {
  it('accepts the columns in any order, in any case, with spaces around them', () => {
    const result = resolveHeader([' Value', 'NOTE ', 'kpi', 'Period'], 1, limits);
    expect(result).toEqual({
      ok: true,
      layout: { line: 1, width: 4, kpi: 2, period: 3, value: 0, note: 1, unnamed: [] },
    });
  });

  it('makes the note column optional', () => {
    const result = resolveHeader(['kpi', 'period', 'value'], 1, limits);
    expect(result.ok && result.layout.note).toBeNull();
  });

  it('allows columns with empty headings, to be kept empty', () => {
    const result = resolveHeader(['kpi', '', 'period', 'value', ' '], 2, limits);
    expect(result.ok && result.layout.unnamed).toEqual([1, 4]);
  });

  it('names a missing required column in one problem each', () => {
    expect(resolveHeader(['kpi', 'period', 'note'], 1, limits)).toEqual({
      ok: false,
      problems: [
        {
          line: 1,
          message: 'The file has no "value" column. Columns must be: kpi, period, value and optionally note',
        },
      ],
    });
    const both = resolveHeader(['kpi', 'note'], 1, limits);
    expect(!both.ok && both.problems.map((p) => p.message)).toEqual([
      'The file has no "period" column. Columns must be: kpi, period, value and optionally note',
      'The file has no "value" column. Columns must be: kpi, period, value and optionally note',
    ]);
  });

  it('refuses unknown columns rather than ignoring data the user meant to import', () => {
    const result = resolveHeader(['kpi', 'period', 'value', 'Notes', 'target'], 1, limits);
    expect(!result.ok && result.problems).toEqual([
      {
        line: 1,
        message:
          'The file has columns we do not recognise: "Notes", "target". Columns must be: kpi, period, value and optionally note',
      },
    ]);
  });

  it('refuses a column that appears twice', () => {
    const result = resolveHeader(['kpi', 'period', 'value', 'KPI'], 1, limits);
    expect(!result.ok && result.problems[0]?.message).toBe(
      'The column "kpi" appears more than once in the header row (column 4)',
    );
  });

  it('says the first row must be the headings when none is recognised (a file without a header)', () => {
    const result = resolveHeader(['digital_take_up', '2026-01', '45'], 1, limits);
    expect(!result.ok && result.problems[0]?.message).toBe(
      'The first row must be the column headings kpi, period, value and optionally note; it has "digital_take_up", "2026-01", "45"',
    );
  });

  it('recognises semicolon- and tab-separated files and says how to fix them', () => {
    const semicolons = resolveHeader(['kpi;period;value'], 1, limits);
    expect(!semicolons.ok && semicolons.problems[0]?.message).toMatch(
      /^The columns are separated by semicolons; they must be separated by commas/,
    );
    const tabs = resolveHeader(['KPI\tperiod\tvalue'], 1, limits);
    expect(!tabs.ok && tabs.problems[0]?.message).toMatch(/^The columns are separated by tabs/);
  });

  it('refuses more columns than the limit without listing them all', () => {
    const names = Array.from({ length: 51 }, (_, i) => `c${i}`);
    const result = resolveHeader(names, 1, limits);
    expect(!result.ok && result.problems[0]?.message).toMatch(
      /^The header row has 51 columns; the most allowed is 50/,
    );
  });

  it('ignores a stray byte order mark on the first heading', () => {
    expect(resolveHeader(['\uFEFFkpi', 'period', 'value'], 1, limits).ok).toBe(true);
  });
});

describe('the value column', () => {
  it.each(['1234.5', '-3', '+7', '0', '.5', '5.', '1e3', '-2.5E-4', '00012'])('accepts %s', (text) => {
    expect(valueProblem(text)).toBeNull();
  });

  it.each([
    ['12,5', 'use a full stop for decimals'],
    ['1,234,567', 'remove the thousands separators'],
    ['1,234.50', 'remove the thousands separators'],
    ['1 234 567', 'remove the thousands separators'],
    ['1,234', 'remove any thousands separators, and use a full stop for decimals'],
    ['1.234,5', 'use a full stop for decimals, and remove the thousands separators'],
    ['45%', 'leave out the % sign'],
    ['£12.50', 'leave out the currency sign'],
    ['abc', 'it must be a number such as 1234.5'],
    ['NaN', 'it must be a number such as 1234.5'],
    ['Infinity', 'it must be a number such as 1234.5'],
    ['0x10', 'it must be a number such as 1234.5'],
    ['1e999', 'too large'],
  ])('refuses %s: %s', (text, reason) => {
    expect(valueProblem(text)).toBe(reason);
  });

  it('accepts the text of every finite double, and reads it back as the same number', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const text = String(n);
        expect(valueProblem(text)).toBeNull();
        expect(Number(text) === n).toBe(true); // -0 reads back as 0, which is fine
      }),
    );
  });
});

describe('a row', () => {
  const fields = { kpi: ' satisfaction ', period: '2026-03 ', value: ' 81.5 ', note: '  ' };

  it('is trimmed, keeps the value as written and an empty note as null', () => {
    expect(checkRowFields(7, fields, limits)).toEqual({
      ok: true,
      row: { line: 7, kpi: 'satisfaction', period: '2026-03', value: '81.5', note: null },
    });
  });

  it('reports every problem in the row, each with the line', () => {
    const result = checkRowFields(
      9,
      { kpi: '', period: ' ', value: '12,5', note: 'x'.repeat(1_001) },
      limits,
    );
    expect(!result.ok && result.problems).toEqual([
      { line: 9, message: 'Line 9: the kpi is missing' },
      { line: 9, message: 'Line 9: the period is missing' },
      { line: 9, message: 'Line 9: value "12,5" is not a number; use a full stop for decimals' },
      { line: 9, message: 'Line 9: the note is 1,001 characters long; the most is 1,000' },
    ]);
  });

  it('says when the value is missing', () => {
    const result = checkRowFields(3, { ...fields, value: '' }, limits);
    expect(!result.ok && result.problems[0]?.message).toBe('Line 3: the value is missing');
  });

  it('counts note length in characters, so emoji and accents are not penalised', () => {
    const note = '🙂'.repeat(1_000); // 2,000 UTF-16 units, 1,000 characters
    expect(checkRowFields(2, { ...fields, note }, limits).ok).toBe(true);
    expect(checkRowFields(2, { ...fields, note: note + 'é' }, limits).ok).toBe(false);
  });

  it('shortens a long bad value quoted in a message', () => {
    const result = checkRowFields(4, { ...fields, value: 'x'.repeat(500) }, limits);
    expect(!result.ok && result.problems[0]?.message).toBe(
      `Line 4: value "${'x'.repeat(40)}…" is not a number; it must be a number such as 1234.5`,
    );
  });

  it('adds problems a reader found in the cells, without checking those cells again', () => {
    const found = [
      { line: 5, message: 'Line 5: the value cell holds the Excel error #N/A' },
      { line: 5, message: 'Line 5: the period cell holds the Excel error #REF!' },
    ];
    const result = checkRowFields(5, { ...fields, period: '', value: '' }, limits, {
      problems: found,
      judged: ['value', 'period'],
    });
    expect(!result.ok && result.problems).toEqual(found);
  });
});

describe('limits and messages', () => {
  it('gives web uploads lower limits than the CLI and API batch path', () => {
    expect(WEB_IMPORT_LIMITS.maxFileBytes).toBe(20_000_000);
    expect(WEB_IMPORT_LIMITS.maxRows).toBe(100_000);
    expect(BATCH_IMPORT_LIMITS.maxFileBytes).toBe(2_000_000_000);
    expect(BATCH_IMPORT_LIMITS.maxRows).toBe(10_000_000);
    expect(BATCH_IMPORT_LIMITS.maxRows).toBeGreaterThanOrEqual(1_000_000); // the benchmark size
    expect(Object.isFrozen(WEB_IMPORT_LIMITS) && Object.isFrozen(WEB_IMPORT_LIMITS.xlsx)).toBe(true);
  });

  it('names spreadsheet columns with letters', () => {
    expect([0, 25, 26, 27, 701, 702, 16_383].map(xlsxColumnLabel)).toEqual([
      'column A',
      'column Z',
      'column AA',
      'column AB',
      'column ZZ',
      'column AAA',
      'column XFD',
    ]);
  });

  it('formats sizes and the hidden-problem line', () => {
    expect(formatBytes(20_000_000)).toBe('20 MB');
    expect(formatBytes(2_000_000_000)).toBe('2 GB');
    expect(formatBytes(25_340_000)).toBe('25.3 MB');
    expect(formatBytes(512)).toBe('512 bytes');
    expect(hiddenProblemsMessage(0)).toBeNull();
    expect(hiddenProblemsMessage(1)).toBe('and 1 more problem');
    expect(hiddenProblemsMessage(12_345)).toBe('and 12,345 more problems');
    expect(quoteForMessage('a"b')).toBe('"a\\"b"');
  });
});
