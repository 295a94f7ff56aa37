import { Buffer } from 'node:buffer';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH_IMPORT_LIMITS,
  hiddenProblemsMessage,
  WEB_IMPORT_LIMITS,
  type ImportLimits,
} from './import-format.ts';
import { collectMeasurementRows, readMeasurementRows, type ImportSource } from './import-reader.ts';

const HEADER = 'kpi,period,value,note\n';

function csv(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

function read(source: ImportSource, limits: ImportLimits = WEB_IMPORT_LIMITS) {
  return collectMeasurementRows(source, { kind: 'csv', limits });
}

/** A stream that hands over the bytes `size` at a time, to cross every chunk boundary. */
function trickle(bytes: Buffer, size: number): Readable {
  return Readable.from(
    (function* pieces() {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })(),
  );
}

const messages = (problems: readonly { message: string }[]): string[] => problems.map((p) => p.message);

let directory = '';
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'waymark-reader-test-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('reading a good CSV file', () => {
  const file = csv(
    'KPI , Period,Value,Note\n' +
      'digital_take_up,2026-01,45.5,First month\n' +
      'digital_take_up,2026-Q1,-3,\n' +
      'satisfaction,2026,1e3,"with a comma, and ""quotes"""\n',
  );

  it('yields every row with its line number, trimmed, the note null when empty', async () => {
    const { rows, problems, summary } = await read(file);
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 2, kpi: 'digital_take_up', period: '2026-01', value: '45.5', note: 'First month' },
      { line: 3, kpi: 'digital_take_up', period: '2026-Q1', value: '-3', note: null },
      { line: 4, kpi: 'satisfaction', period: '2026', value: '1e3', note: 'with a comma, and "quotes"' },
    ]);
    expect(summary).toEqual({
      rows: 3,
      dataRows: 3,
      problems: 0,
      hiddenProblems: 0,
      fatal: false,
      lastLine: 4,
      encoding: 'utf-8',
    });
  });

  it('reads the same from a path, from memory and from a stream cut into 1-byte chunks', async () => {
    const path = join(directory, 'good.csv');
    await writeFile(path, file);
    const expected = (await read(file)).rows;
    expect((await read(path)).rows).toEqual(expected);
    expect((await read(trickle(file, 1))).rows).toEqual(expected);
    expect((await read(new Uint8Array(file))).rows).toEqual(expected);
  });

  it('accepts the columns in any order, without a note column', async () => {
    const { rows } = await read(csv('value,kpi,period\n12,a,2026-02\n'));
    expect(rows).toEqual([{ line: 2, kpi: 'a', period: '2026-02', value: '12', note: null }]);
  });

  it('reads CRLF and CR line endings, and a last line without one', async () => {
    for (const eol of ['\r\n', '\r']) {
      const { rows, problems } = await read(
        csv(`kpi,period,value${eol}a,2026,1${eol}b,2026,2${eol}c,2026,3`),
      );
      expect(problems).toEqual([]);
      expect(rows.map((row) => [row.line, row.kpi])).toEqual([
        [2, 'a'],
        [3, 'b'],
        [4, 'c'],
      ]);
    }
  });

  it('skips blank lines and rows of empty cells, keeping the line numbers true', async () => {
    const { rows, summary } = await read(csv('\n\nkpi,period,value\n\na,2026,1\n   \n,,\n\nb,2026,2\n\n'));
    expect(rows.map((row) => [row.line, row.kpi])).toEqual([
      [5, 'a'],
      [9, 'b'],
    ]);
    expect(summary.dataRows).toBe(2);
  });

  it('reports a record by the line it starts on when quoted fields span lines, with LF or CRLF', async () => {
    for (const eol of ['\n', '\r\n']) {
      const text = [
        'kpi,period,value,note',
        'a,2026-01,1,"first line',
        'second line',
        'third, with a comma"',
        'b,2026-02,2,plain',
        `c,2026-03,"3","a note${eol}in two lines"`,
        'd,2026-04,4,x',
        'e,2026-05,oops,y',
      ].join(eol);
      const { rows, problems } = await read(csv(text + eol));
      expect(rows.map((row) => [row.line, row.kpi])).toEqual([
        [2, 'a'],
        [5, 'b'],
        [6, 'c'],
        [8, 'd'],
      ]);
      expect(rows[0]?.note).toBe(`first line${eol}second line${eol}third, with a comma`);
      expect(problems).toEqual([
        {
          line: 9,
          message: 'Line 9: value "oops" is not a number; it must be a number such as 1234.5',
          fatal: false,
        },
      ]);
    }
  });

  it('keeps a quote inside an unquoted field as text', async () => {
    const { rows } = await read(csv('kpi,period,value,note\na,2026,1,a 5" screen\n'));
    expect(rows[0]?.note).toBe('a 5" screen');
  });

  it('reads UTF-8 with a BOM, and UTF-16 LE and BE', async () => {
    const text = 'kpi,period,value,note\r\nsatisfaction,2026-01,81.5,Café £5 “quoted” 🙂\r\n';
    const expected = [
      { line: 2, kpi: 'satisfaction', period: '2026-01', value: '81.5', note: 'Café £5 “quoted” 🙂' },
    ];
    const utf8Bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), csv(text)]);
    const utf16le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const utf16be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
    for (const [bytes, encoding] of [
      [utf8Bom, 'utf-8'],
      [utf16le, 'utf-16le'],
      [utf16be, 'utf-16be'],
    ] as const) {
      for (const chunk of [1, 5, 1_000]) {
        const result = await read(trickle(bytes, chunk));
        expect(result.problems).toEqual([]);
        expect(result.rows).toEqual(expected);
        expect(result.summary.encoding).toBe(encoding);
      }
    }
  });
});

describe('reporting bad rows', () => {
  it('reports every bad row with its line and reason, and still yields the good ones', async () => {
    const { rows, problems, summary } = await read(
      csv(
        HEADER +
          'a,2026-01,1,ok\n' + // 2
          'a,2026-02,2\n' + // 3: ragged, too few
          'a,2026-03,3,x,extra\n' + // 4: ragged, too many
          ',2026-04,4,\n' + // 5: no kpi
          'a,,5,\n' + // 6: no period
          'a,2026-06,,\n' + // 7: no value
          'a,2026-07,"12,5",\n' + // 8: decimal comma
          'a,2026-08,"1,234,567",\n' + // 9: thousands separators
          'a,2026-09,45%,\n' + // 10
          `a,2026-10,10,${'n'.repeat(1_001)}\n` + // 11: note too long
          'b,2026-11,11,fine\n', // 12
      ),
    );
    expect(rows.map((row) => row.line)).toEqual([2, 12]);
    expect(problems).toEqual(
      [
        [3, 'Line 3 has 3 fields; expected 4'],
        [4, 'Line 4 has 5 fields; expected 4'],
        [5, 'Line 5: the kpi is missing'],
        [6, 'Line 6: the period is missing'],
        [7, 'Line 7: the value is missing'],
        [8, 'Line 8: value "12,5" is not a number; use a full stop for decimals'],
        [9, 'Line 9: value "1,234,567" is not a number; remove the thousands separators'],
        [10, 'Line 10: value "45%" is not a number; leave out the % sign'],
        [11, 'Line 11: the note is 1,001 characters long; the most is 1,000'],
      ].map(([line, message]) => ({ line, message, fatal: false })),
    );
    expect(summary).toMatchObject({
      rows: 2,
      dataRows: 11,
      problems: 9,
      hiddenProblems: 0,
      fatal: false,
      lastLine: 12,
    });
  });

  it('reports a value under a column with no heading', async () => {
    const { problems } = await read(csv('kpi,period,value,\na,2026,1,\nb,2026,2,surprise\n'));
    expect(messages(problems)).toEqual(['Line 3 has a value in column 4, which has no heading']);
  });

  it('reports the first problems up to the cap and counts the rest', async () => {
    const limits = { ...WEB_IMPORT_LIMITS, maxProblems: 10 };
    const bad = Array.from({ length: 25 }, (_, i) => `k,2026,bad${i}\n`).join('');
    const { problems, summary } = await read(csv('kpi,period,value\n' + bad), limits);
    expect(problems).toHaveLength(10);
    expect(problems[9]?.line).toBe(11);
    expect(summary).toMatchObject({ problems: 25, hiddenProblems: 15, fatal: false, dataRows: 25 });
    expect(hiddenProblemsMessage(summary.hiddenProblems)).toBe('and 15 more problems');
  });
});

describe('refusing a file', () => {
  const fatalOnly = async (source: ImportSource, limits?: ImportLimits) => {
    const result = await read(source, limits);
    expect(result.summary.fatal).toBe(true);
    const fatal = result.problems.filter((problem) => problem.fatal);
    expect(fatal).toHaveLength(1);
    return { ...result, fatal: fatal[0] };
  };

  it('says an empty file is empty', async () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from([0xef, 0xbb, 0xbf]), csv('\n\n  \n')]) {
      const { fatal } = await fatalOnly(bytes);
      expect(fatal).toEqual({ line: null, message: 'The file is empty', fatal: true });
    }
  });

  it('says a file with only a header has no data', async () => {
    for (const text of ['kpi,period,value\n', 'kpi,period,value', 'kpi,period,value\n\n,,\n']) {
      const { fatal } = await fatalOnly(csv(text));
      expect(fatal?.message).toBe('The file has a header row but no data');
    }
  });

  it('names a missing column, and lists unknown ones', async () => {
    const missing = await fatalOnly(csv('kpi,period,note\na,2026,x\n'));
    expect(missing.problems).toEqual([
      {
        line: 1,
        message: 'The file has no "value" column. Columns must be: kpi, period, value and optionally note',
        fatal: true,
      },
    ]);
    expect(missing.rows).toEqual([]);
    const unknown = await read(csv('kpi,period,value,notes,amount\n'));
    expect(messages(unknown.problems)).toEqual([
      'The file has columns we do not recognise: "notes", "amount". Columns must be: kpi, period, value and optionally note',
    ]);
    const both = await read(csv('kpi,amount\n'));
    expect(messages(both.problems)).toEqual([
      'The file has a column we do not recognise: "amount". Columns must be: kpi, period, value and optionally note',
      'The file has no "period" column. Columns must be: kpi, period, value and optionally note',
      'The file has no "value" column. Columns must be: kpi, period, value and optionally note',
    ]);
    expect(both.problems.map((problem) => problem.fatal)).toEqual([true, false, false]);
  });

  it('refuses Windows-1252 text, naming the line', async () => {
    const file = Buffer.concat([
      csv(HEADER + 'a,2026,1,fine\na,2026,2,it'),
      Buffer.from([0x92]),
      csv('s \xa3'),
      csv('\n'),
    ]);
    const { fatal, rows } = await fatalOnly(file);
    expect(fatal).toEqual({
      line: 3,
      message:
        'The file is not UTF-8 or UTF-16 text (line 3 has characters that are not valid UTF-8). Save it as "CSV UTF-8" and upload it again.',
      fatal: true,
    });
    // Rows before the bad line may have been yielded; the caller imports nothing once a problem is reported.
    expect(rows.length).toBeLessThanOrEqual(1);
  });

  it('refuses a workbook or an old .xls sent as CSV', async () => {
    const zip = await fatalOnly(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]));
    expect(zip.fatal?.message).toMatch(/^The file is an Excel workbook or another ZIP file, not CSV/);
    const xls = await fatalOnly(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]));
    expect(xls.fatal?.message).toMatch(/^The file is an old-style Excel workbook \(\.xls\)/);
  });

  it('refuses a file over the size limit: from a path before reading it, from a stream once past the limit', async () => {
    const limits = { ...WEB_IMPORT_LIMITS, maxFileBytes: 1_000 };
    const big = csv(HEADER + 'a,2026,1,x\n'.repeat(200));
    const path = join(directory, 'big.csv');
    await writeFile(path, big);
    const fromPath = await fatalOnly(path, limits);
    expect(fromPath.fatal?.message).toBe('The file is 2.2 kB; the most allowed is 1 kB');
    expect(fromPath.rows).toEqual([]); // refused before a byte was parsed
    const fromStream = await fatalOnly(trickle(big, 100), limits);
    expect(fromStream.fatal?.message).toBe('The file is larger than 1 kB, the most allowed');
    const fromMemory = await fatalOnly(big, limits);
    expect(fromMemory.fatal?.message).toBe('The file is 2.2 kB; the most allowed is 1 kB');
  });

  it('stops at the row limit, naming the first row too many', async () => {
    const limits = { ...WEB_IMPORT_LIMITS, maxRows: 3 };
    const { fatal, summary, rows } = await fatalOnly(csv(HEADER + 'a,2026,1,\n\n'.repeat(10)), limits);
    expect(fatal).toEqual({
      line: 8,
      message:
        'The file has more than 3 rows of data, the most allowed (line 8 is row 4). Split it into smaller files',
      fatal: true,
    });
    expect(rows).toHaveLength(3);
    expect(summary.dataRows).toBe(3);
  });

  it('stops at a line longer than the cap, and at a NUL character', async () => {
    const limits = { ...WEB_IMPORT_LIMITS, maxLineBytes: 100 };
    const long = await fatalOnly(csv(HEADER + 'a,2026,1,x\n' + 'a,'.repeat(200) + '\n'), limits);
    expect(long.fatal).toMatchObject({
      line: 3,
      message: expect.stringMatching(/^Line 3 is longer than 100 characters/) as unknown,
    });
    const nul = await fatalOnly(csv(HEADER + 'a,2026,1,x\na,2026,\u0000,x\n'));
    expect(nul.fatal).toMatchObject({
      line: 3,
      message: 'Line 3 contains a NUL character, so the file is not a text file',
    });
  });

  it('stops at a quote that is never closed, naming the line it opens on', async () => {
    const { fatal } = await fatalOnly(csv(HEADER + 'a,2026,1,ok\nb,2026,2,"never closed\nc,2026,3,x\n'));
    expect(fatal).toMatchObject({
      line: 3,
      message: expect.stringMatching(/^Line 3 starts a quoted field that is not closed/) as unknown,
    });
    const limits = { ...WEB_IMPORT_LIMITS, maxRecordChars: 50 };
    const runaway = await fatalOnly(
      csv(HEADER + 'a,2026,1,ok\nb,2026,2,"open\n' + 'more text\n'.repeat(20)),
      limits,
    );
    expect(runaway.fatal?.line).toBe(3);
  });

  it('says which separator is wrong in a semicolon-separated file', async () => {
    const { fatal } = await fatalOnly(csv('kpi;period;value\na;2026;1,5\n'));
    expect(fatal?.message).toMatch(
      /^The columns are separated by semicolons; they must be separated by commas/,
    );
  });
});

describe('streaming', () => {
  it('reads a 200,000-row file produced on the fly, in batches, to the last line', async () => {
    const total = 200_000;
    let produced = 0;
    const source = new Readable({
      read() {
        if (produced >= total) {
          this.push(null);
          return;
        }
        let text = produced === 0 ? HEADER : '';
        const end = Math.min(total, produced + 2_000);
        for (; produced < end; produced++)
          text += `kpi_${produced % 50},2026-${(produced % 12) + 1},${produced * 0.5},note ${produced}\n`;
        this.push(text);
      },
    });
    let rows = 0;
    let batches = 0;
    let largestBatch = 0;
    let lastRow = null as { line: number; value: string } | null;
    let summary = null as unknown;
    for await (const event of readMeasurementRows(source, { kind: 'csv', limits: BATCH_IMPORT_LIMITS })) {
      if (event.type === 'rows') {
        rows += event.rows.length;
        batches++;
        largestBatch = Math.max(largestBatch, event.rows.length);
        lastRow = event.rows.at(-1) ?? lastRow;
      } else if (event.type === 'problem') {
        throw new Error(event.message);
      } else {
        summary = event.summary;
      }
    }
    expect(rows).toBe(total);
    expect(lastRow).toMatchObject({ line: total + 1, value: String((total - 1) * 0.5) });
    expect(largestBatch).toBeLessThanOrEqual(1_000);
    expect(batches).toBeGreaterThanOrEqual(total / 1_000);
    expect(summary).toMatchObject({ rows: total, dataRows: total, lastLine: total + 1, fatal: false });
  }, 60_000);

  it('stops reading the source when the caller stops early', async () => {
    // The source never ends: the test finishing at all shows the reader let go of it.
    let pulled = 0;
    const source = new Readable({
      read() {
        pulled++;
        this.push(pulled === 1 ? HEADER : 'a,2026,1,x\n'.repeat(1_000));
      },
    });
    for await (const event of readMeasurementRows(source, { kind: 'csv', batchSize: 100 })) {
      if (event.type === 'rows') break;
    }
    expect(source.destroyed).toBe(true);
    expect(pulled).toBeLessThan(100); // a little read-ahead, not the whole stream
  });
});
