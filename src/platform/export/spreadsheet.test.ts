import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { csvChunks, csvLine, neutraliseCell, writeXlsx } from './spreadsheet.ts';

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

describe('spreadsheet exports', () => {
  it('neutralises text that a spreadsheet would run as a formula', () => {
    for (const dangerous of ['=HYPERLINK("http://x")', '+1+2', '-2+3', '@SUM(A1)', '\tx', '\rx']) {
      expect(neutraliseCell(dangerous)).toBe(`'${dangerous}`);
    }
    expect(neutraliseCell('Digital take-up')).toBe('Digital take-up');
    expect(neutraliseCell(-3)).toBe(-3);
    expect(neutraliseCell(null)).toBeNull();
  });

  it('quotes CSV fields with commas, quotes and line breaks', () => {
    expect(csvLine(['a,b', 'say "hi"', 'two\nlines', 12.5, null])).toBe('"a,b","say ""hi""","two\nlines",12.5,\r\n');
  });

  it('streams CSV with a byte order mark, header first, formulas neutralised', async () => {
    const text = await collect(csvChunks(['kpi', 'value'], [['=cmd', 1], ['ok', 2]]));
    expect(text).toBe("\uFEFFkpi,value\r\n'=cmd,1\r\nok,2\r\n");
  });

  it('writes an XLSX workbook whose cells read back, neutralised', async () => {
    const stream = new PassThrough();
    const parts: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => parts.push(chunk));
    await writeXlsx(stream, [{ name: 'Measurements', header: ['kpi', 'value'], rows: [['@evil', 5], ['fine', -1]] }]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.concat(parts) as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet('Measurements');
    expect(sheet?.getRow(2).values).toEqual([undefined, "'@evil", 5]);
    expect(sheet?.getRow(3).values).toEqual([undefined, 'fine', -1]);
  });
});
