/**
 * The CSV reader splits lines without quote marks itself and gives every other record to
 * csv-parse (import-reader.ts readCsv). These tests hold it to what csv-parse reading the whole
 * file gives: the same fields, the same line numbers, whatever the chunk boundaries.
 */
import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type { InfoRecord } from 'csv-parse';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BATCH_IMPORT_LIMITS, checkRowFields, type MeasurementRow } from './import-format.ts';
import { collectMeasurementRows, csvRecordEnd, splitCsvRecord } from './import-reader.ts';

function read(bytes: Buffer, chunkSize = bytes.length) {
  const chunks = Readable.from(
    (function* pieces() {
      for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
    })(),
  );
  return collectMeasurementRows(chunks, { kind: 'csv', limits: BATCH_IMPORT_LIMITS });
}

/**
 * The rows csv-parse alone finds in `text` (header `kpi,period,value,note`), each at the line its
 * record starts on, counting a CRLF as one line break as the reader does.
 */
function expectedRows(text: string): MeasurementRow[] {
  const records = parseCsvSync(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true }) as unknown as {
    record: string[];
    info: InfoRecord;
  }[];
  let crlfs = 0;
  const rows: MeasurementRow[] = [];
  let headerSeen = false;
  for (const { record, info } of records) {
    let breaks = 0;
    for (const field of record) {
      for (let i = 0; i < field.length; i++) {
        if (field[i] === '\r') {
          breaks++;
          if (field[i + 1] === '\n') {
            crlfs++;
            i++;
          }
        } else if (field[i] === '\n') breaks++;
      }
    }
    const line = info.lines - crlfs - breaks;
    if (record.every((f) => f.trim() === '')) continue;
    if (!headerSeen) {
      headerSeen = true;
      continue;
    }
    const result = checkRowFields(line, { kpi: record[0] ?? '', period: record[1] ?? '', value: record[2] ?? '', note: record[3] ?? '' }, BATCH_IMPORT_LIMITS);
    if (result.ok) rows.push(result.row);
  }
  return rows;
}

/** A note as people write them: plain, or quoted with commas, quote marks and line breaks. */
const noteText = fc.stringMatching(/^[a-z ,"\n\r5]{0,12}$/);
const quoted = (text: string): string => `"${text.replaceAll('"', '""')}"`;
const noteField = fc.oneof(
  fc.constant(''),
  fc.stringMatching(/^[a-z ]{1,10}$/), // plain
  noteText.map(quoted), // quoted, anything inside
  fc.stringMatching(/^[a-z]{1,4}5" [a-z]{1,4}$/), // a quote mark inside an unquoted field: text
);
const dataLine = fc.record({ kpi: fc.constantFrom('visits', 'take_up'), month: fc.integer({ min: 1, max: 12 }), value: fc.integer({ min: -500, max: 500 }), note: noteField, blankBefore: fc.boolean() });

describe('the CSV fast path', () => {
  it('splits plain lines, and reads quoted fields with commas, line breaks and doubled quote marks', async () => {
    const text =
      'kpi,period,value,note\n' +
      'visits,2026-01,1,plain note\n' +
      'visits,2026-02,2,"a, b and c"\n' +
      'visits,2026-03,3,"two\nlines"\n' +
      'visits,2026-04,4,"she said ""yes"""\n' +
      'visits,2026-05,5,a 5" screen\n' +
      '\n' +
      'visits,2026-06,6,\n';
    const { rows, problems } = await read(Buffer.from(text));
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.line, r.period, r.value, r.note])).toEqual([
      [2, '2026-01', '1', 'plain note'],
      [3, '2026-02', '2', 'a, b and c'],
      [4, '2026-03', '3', 'two\nlines'],
      [6, '2026-04', '4', 'she said "yes"'],
      [7, '2026-05', '5', 'a 5" screen'],
      [9, '2026-06', '6', null],
    ]);
  });

  it('reads CRLF files, CRLF inside quotes counted as one line break, and a BOM', async () => {
    const text = '\uFEFFkpi,period,value,note\r\nvisits,2026-01,1,"x\r\ny"\r\nvisits,2026-02,2,\r\n\r\nvisits,2026-03,3,z\r\n';
    const { rows, problems } = await read(Buffer.from(text));
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.line, r.value, r.note])).toEqual([
      [2, '1', 'x\r\ny'],
      [4, '2', null],
      [6, '3', 'z'],
    ]);
  });

  it('reads files with a lone CR at the end of each line (old Mac text)', async () => {
    const { rows, problems } = await read(Buffer.from('kpi,period,value\rvisits,2026-01,1\rvisits,2026-02,2\r'));
    expect(problems).toEqual([]);
    expect(rows.map((r) => [r.line, r.value])).toEqual([
      [2, '1'],
      [3, '2'],
    ]);
  });

  it('reports a quoted field that is never closed at the line it starts', async () => {
    const { problems } = await read(Buffer.from('kpi,period,value,note\nvisits,2026-01,1,ok\nvisits,2026-02,2,"open\nmore\n'));
    expect(problems.map((p) => [p.line, p.fatal])).toEqual([[3, true]]);
    expect(problems[0]?.message).toContain('Line 3 starts a quoted field that is not closed');
  });

  it('finds where a record ends, or that it has not ended yet', () => {
    expect(csvRecordEnd('a,b\nc', 0)).toBe(4);
    expect(csvRecordEnd('a,b\r\nc', 0)).toBe(5);
    expect(csvRecordEnd('a,b\rc', 0)).toBe(4);
    expect(csvRecordEnd('a,b\r', 0)).toBe(-1); // CR or CRLF: not known yet
    expect(csvRecordEnd('a,"b\nc",d\ne', 0)).toBe(10);
    expect(csvRecordEnd('a,"b ""x""\n', 0)).toBe(-1); // still inside the quotes
    expect(csvRecordEnd('a,"b"', 0)).toBe(-1); // "" or the end of the field: not known yet
    expect(csvRecordEnd('a,5" x\nb', 0)).toBe(7); // a quote mark inside a field is text
  });

  it('splits records of the plain shape, and leaves every other shape to csv-parse', () => {
    expect(splitCsvRecord('a,b,,c')).toEqual(['a', 'b', '', 'c']);
    expect(splitCsvRecord('a,"b, c","say ""hi""",""')).toEqual(['a', 'b, c', 'say "hi"', '']);
    expect(splitCsvRecord('a,"two\r\nlines",d')).toEqual(['a', 'two\r\nlines', 'd']);
    expect(splitCsvRecord('a,5" screen')).toEqual(['a', '5" screen']);
    expect(splitCsvRecord('a,"b"c')).toBeNull(); // text after the closing quote
    expect(splitCsvRecord('a,"open')).toBeNull(); // never closed
    expect(splitCsvRecord('a,b\rc')).toBeNull(); // a lone CR
  });

  it('agrees with csv-parse reading the whole file, whatever the chunks (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(dataLine, { minLength: 1, maxLength: 25 }), fc.boolean(), fc.integer({ min: 1, max: 64 }), async (lines, crlf, chunkSize) => {
        const eol = crlf ? '\r\n' : '\n';
        const body = lines.map((l) => `${l.blankBefore ? eol : ''}${l.kpi},2026-${String(l.month).padStart(2, '0')},${l.value},${l.note}${eol}`).join('');
        const text = `kpi,period,value,note${eol}${body}`;
        const { rows, problems } = await read(Buffer.from(text), chunkSize);
        const fatal = problems.filter((p) => p.fatal);
        expect(fatal).toEqual([]);
        // Duplicates and the like are the service's business: compare every well-formed row.
        expect(rows).toEqual(expectedRows(text));
      }),
      { numRuns: 300 },
    );
  });
});
