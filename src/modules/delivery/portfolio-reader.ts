/**
 * Reads an uploaded project list (CSV) into rows with their line numbers. Text goes through the
 * measurement import's decoder, so UTF-8 (with or without a BOM) and UTF-16 are read and a bad
 * byte is named by its line; anything else is refused, never guessed.
 */
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse/sync';
import { decodeText, SAVE_AS_ADVICE, TextEncodingError } from '../measurements/encoding.ts';
import type { ImportRow } from './portfolio-file.ts';

/** The largest project list accepted: 2,000 rows fit in far less. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;

/** A file that cannot be read at all, with a message for the person who sent it. */
export class UnreadableFileError extends Error {
  override name = 'UnreadableFileError';
}

export async function readCsvRows(bytes: Uint8Array): Promise<ImportRow[]> {
  if (bytes.length > MAX_IMPORT_BYTES)
    throw new UnreadableFileError(
      'The file is larger than 2 MB: a project list needs far less. Check it is the right file',
    );
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
    }) as unknown as { record: string[]; info: { lines: number } }[];
    return records.map((r) => ({ line: r.info.lines, cells: r.record }));
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new UnreadableFileError(
      `${line === undefined ? 'The file' : `Line ${line}`} is not valid CSV. ${SAVE_AS_ADVICE}`,
    );
  }
}
