import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';

/**
 * Spreadsheet exports that are safe to open. A cell starting with = + - @, a tab or a carriage
 * return is read as a formula by Excel and LibreOffice ("CSV injection"), so such text gets a
 * leading apostrophe, which spreadsheet programs show as plain text. Numbers stay numbers.
 */

export type Cell = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseCell(value: Cell): Cell {
  if (typeof value === 'string' && FORMULA_START.test(value)) return `'${value}`;
  return value;
}

function csvField(value: Cell): string {
  const safe = neutraliseCell(value);
  if (safe === null || safe === undefined) return '';
  const text = safe instanceof Date ? safe.toISOString() : String(safe);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (RFC 4180 quoting, CRLF line ending). */
export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

/**
 * Streams rows as CSV, with a UTF-8 byte order mark so Excel opens accents and "£" correctly.
 */
export async function* csvChunks(header: readonly string[], rows: AsyncIterable<readonly Cell[]> | Iterable<readonly Cell[]>): AsyncGenerator<string> {
  yield `\uFEFF${csvLine(header)}`;
  let buffer = '';
  for await (const row of rows) {
    buffer += csvLine(row);
    if (buffer.length > 64 * 1024) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}

export interface SheetSpec {
  name: string;
  header: readonly string[];
  rows: AsyncIterable<readonly Cell[]> | Iterable<readonly Cell[]>;
}

/** Writes an XLSX workbook to a stream, row by row (exceljs's streaming writer), one sheet per spec. */
export async function writeXlsx(output: Writable, sheets: readonly SheetSpec[]): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  for (const spec of sheets) {
    const sheet = workbook.addWorksheet(spec.name.slice(0, 31));
    const header = sheet.addRow([...spec.header]);
    header.font = { bold: true };
    header.commit();
    for await (const row of spec.rows) sheet.addRow(row.map(neutraliseCell)).commit();
    sheet.commit();
  }
  await workbook.commit();
}
