/**
 * Reads an uploaded register (CSV or XLSX, at most MAX_IMPORT_BYTES) into text rows with their
 * line numbers. CSV text goes through the measurement import's decoder, so UTF-8 (with or
 * without a BOM) and UTF-16 are read and a bad byte is named by its line. XLSX: the first
 * worksheet, cells as displayed text; formula cells give their cached result, never evaluated.
 */
import { Buffer } from 'node:buffer';
import { Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { decodeText, SAVE_AS_ADVICE, TextEncodingError } from '../measurements/encoding.ts';
import { MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, type TableRow } from './risk-import.ts';

export type RegisterFileKind = 'csv' | 'xlsx';

/** A file that cannot be read at all, with a message for the person who sent it. */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
}

/** The most a workbook's parts may unpack to: a small register never comes near it. */
const MAX_UNPACKED_BYTES = 40 * 1024 * 1024;

/**
 * The total size a ZIP archive's entries really unpack to, or null when it is not a readable
 * archive or unpacks to more than `limit`. Each entry is inflated with `limit` as its most
 * output, so a tiny file that would unpack to gigabytes is refused before exceljs sees it.
 */
export function unpackedBytesWithin(bytes: Buffer, limit: number): number | null {
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > bytes.length) return null;
  const entries = bytes.readUInt16LE(end + 10);
  let offset = bytes.readUInt32LE(end + 16);
  let total = 0;
  for (let i = 0; i < entries; i += 1) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== 0x02014b50) return null;
    const method = bytes.readUInt16LE(offset + 10);
    const compressed = bytes.readUInt32LE(offset + 20);
    const local = bytes.readUInt32LE(offset + 42);
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== 0x04034b50) return null;
    const dataStart = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(dataStart, dataStart + compressed);
    try {
      const size =
        method === 0
          ? data.length
          : method === 8
            ? inflateRawSync(data, { maxOutputLength: limit - total + 1 }).length
            : null;
      if (size === null) return null;
      total += size;
    } catch {
      return null;
    }
    if (total > limit) return null;
    offset +=
      46 +
      bytes.readUInt16LE(offset + 28) +
      bytes.readUInt16LE(offset + 30) +
      bytes.readUInt16LE(offset + 32);
  }
  return total;
}

async function readCsv(bytes: Buffer): Promise<TableRow[]> {
  let text = '';
  try {
    for await (const chunk of decodeText(Readable.from([bytes]))) text += chunk;
  } catch (error) {
    if (error instanceof TextEncodingError) throw new UnreadableFileError(error.message);
    throw error;
  }
  try {
    const records = parseCsv(text, {
      relax_column_count: true,
      skip_empty_lines: false,
      info: true,
      bom: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map((r) => ({ line: r.info.lines, cells: r.record }));
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new UnreadableFileError(
      `${line === undefined ? 'The file' : `Line ${line}`} is not valid CSV (${(error as Error).message.split(':')[0] ?? 'unreadable'}). ${SAVE_AS_ADVICE}`,
    );
  }
}

function cellText(cell: ExcelJS.Cell): string {
  const value = cell.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object' && 'result' in value) {
    const result = value.result;
    if (result === undefined || typeof result === 'object') return '';
    return String(result);
  }
  if (typeof value === 'object' && 'richText' in value) return value.richText.map((r) => r.text).join('');
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') return cell.text;
  return String(value);
}

async function readXlsx(bytes: Buffer): Promise<TableRow[]> {
  if (unpackedBytesWithin(bytes, MAX_UNPACKED_BYTES) === null) {
    throw new UnreadableFileError(
      'The file is not a readable XLSX workbook, or is too large once unpacked: save the register from your spreadsheet as “Excel Workbook (.xlsx)” and upload it again',
    );
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new UnreadableFileError(
      'The file is not a readable XLSX workbook: save it from your spreadsheet as “Excel Workbook (.xlsx)” and upload it again',
    );
  }
  const sheet = workbook.worksheets[0];
  if (sheet === undefined) return [];
  const rows: TableRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    if (rows.length > MAX_IMPORT_ROWS + 1) return;
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      cells[column - 1] = cellText(cell);
    });
    rows.push({ line: rowNumber, cells: Array.from(cells, (c: string | undefined) => c ?? '') });
  });
  return rows;
}

/** The file's rows, header first. Throws UnreadableFileError when it cannot be read as a table. */
export async function readRegisterFile(bytes: Buffer, kind: RegisterFileKind): Promise<TableRow[]> {
  if (bytes.length > MAX_IMPORT_BYTES)
    throw new UnreadableFileError(`The file must be smaller than ${MAX_IMPORT_BYTES / 1024 / 1024} MB`);
  return kind === 'csv' ? readCsv(bytes) : readXlsx(bytes);
}
