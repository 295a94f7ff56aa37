/**
 * Reads a measurement import file (CSV or XLSX) into a stream of well-formed rows and problems,
 * without the database. See import-format.ts for the format and the limits.
 *
 *   for await (const event of readMeasurementRows('data.csv', { kind: 'csv', limits: BATCH_IMPORT_LIMITS })) {
 *     if (event.type === 'rows') stage(event.rows);
 *     else if (event.type === 'problem') report(event);
 *     else summary = event.summary; // always last
 *   }
 *
 * Design:
 * - Streaming end to end: a CSV is never held, only the chunk being parsed (and a partial line);
 *   an XLSX worksheet is read row by row. Memory does not grow with the file.
 * - Rows come in batches (`{ type: 'rows' }`), not one event per row: an async generator costs
 *   about 1 µs per yield, which at a million rows is a large share of the import's time budget.
 * - Every bad row is reported with its line and the reading goes on, so one upload shows every
 *   mistake. Problems beyond `limits.maxProblems` are counted, not yielded. A problem that stops
 *   the reading (bad encoding, missing column, a limit passed, an unsafe workbook) is `fatal` and
 *   always yielded. The import is all-or-nothing, so the caller writes nothing if any problem
 *   was reported; rows are still yielded before that is known so that nothing is buffered here.
 * - The final event is always `{ type: 'end', summary }`. Errors that are not about the file's
 *   content (a missing path, a failing disk) are thrown.
 */
import { Buffer } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, type InfoRecord } from 'csv-parse';
import { parse as parseCsvSync } from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import { decodeToUtf8, LineCounter, TextEncodingError, type TextEncoding } from './encoding.ts';
import {
  BATCH_IMPORT_LIMITS,
  checkRowFields,
  csvColumnLabel,
  formatBytes,
  formatCount,
  quoteForMessage,
  resolveHeader,
  xlsxColumnLabel,
  type ColumnLabel,
  type HeaderLayout,
  type ImportLimits,
  type ImportProblem,
  type MeasurementColumn,
  type MeasurementRow,
  type RowFields,
} from './import-format.ts';

/**
 * A file path, the file's bytes, a one-pass stream of them, or a function opening a new stream
 * each time it is called (a file the caller reads itself, e.g. to show progress).
 */
export type ImportSource = string | Uint8Array | AsyncIterable<Uint8Array> | (() => AsyncIterable<Uint8Array>);

export type ImportFileKind = 'csv' | 'xlsx';

export interface ReadOptions {
  readonly kind: ImportFileKind;
  /** Defaults to BATCH_IMPORT_LIMITS; web uploads pass WEB_IMPORT_LIMITS. */
  readonly limits?: ImportLimits;
  /** Most rows per `rows` event (default 1,000). */
  readonly batchSize?: number;
}

export interface ImportSummary {
  /** Rows yielded: the well-formed ones. */
  readonly rows: number;
  /** Data rows read, well-formed or not; blank rows and the header are not counted. */
  readonly dataRows: number;
  /** Every problem found, including those counted but not yielded. */
  readonly problems: number;
  /** Problems found but not yielded, because `maxProblems` had been reached. */
  readonly hiddenProblems: number;
  /** Reading stopped early because of a fatal problem; the counts cover what was read. */
  readonly fatal: boolean;
  /** The last line (CSV) or sheet row (XLSX) read. */
  readonly lastLine: number;
  /** CSV only: the text encoding found. */
  readonly encoding: TextEncoding | null;
}

export type ImportEvent =
  | { readonly type: 'rows'; readonly rows: readonly MeasurementRow[] }
  | {
      readonly type: 'problem';
      readonly line: number | null;
      readonly message: string;
      readonly fatal: boolean;
    }
  | { readonly type: 'end'; readonly summary: ImportSummary };

/** A problem that ends the reading; thrown inside this module and turned into a fatal event. */
class FatalProblem extends Error {
  override name = 'FatalProblem';
  readonly line: number | null;
  constructor(message: string, line: number | null = null) {
    super(message);
    this.line = line;
  }
}

const CHUNK_BYTES = 256 * 1024;

/**
 * Reads the file and yields `rows` batches and `problem`s in file order, then one `end`.
 * Stop early by breaking out of the loop: the file is closed and temporary files removed.
 */
export async function* readMeasurementRows(
  source: ImportSource,
  options: ReadOptions,
): AsyncGenerator<ImportEvent> {
  const limits = options.limits ?? BATCH_IMPORT_LIMITS;
  const sink = new EventSink(limits, options.batchSize ?? 1_000);
  try {
    if (options.kind === 'csv') {
      yield* readCsv(source, limits, sink);
    } else {
      yield* readXlsx(source, limits, sink);
    }
  } catch (error) {
    if (error instanceof FatalProblem || error instanceof TextEncodingError) {
      sink.fatal(error.message, error.line);
    } else {
      throw error;
    }
  }
  if (!sink.stopped) {
    if (!sink.sawHeader)
      sink.fatal(options.kind === 'xlsx' ? sink.emptyWorkbookMessage : 'The file is empty', null);
    else if (sink.dataRows === 0) sink.fatal('The file has a header row but no data', null);
  }
  yield* sink.drain();
  yield { type: 'end', summary: sink.summary() };
}

/** Collects everything in memory: for tests and small inputs only, never for batch imports. */
export async function collectMeasurementRows(
  source: ImportSource,
  options: ReadOptions,
): Promise<{
  rows: MeasurementRow[];
  problems: (ImportProblem & { fatal: boolean })[];
  summary: ImportSummary;
}> {
  const rows: MeasurementRow[] = [];
  const problems: (ImportProblem & { fatal: boolean })[] = [];
  for await (const event of readMeasurementRows(source, options)) {
    if (event.type === 'rows') rows.push(...event.rows);
    else if (event.type === 'problem')
      problems.push({ line: event.line, message: event.message, fatal: event.fatal });
    else return { rows, problems, summary: event.summary };
  }
  throw new Error('readMeasurementRows ended without a summary');
}

/** Gathers rows into batches and problems up to the cap, in file order, between yields. */
class EventSink {
  private readonly queue: ImportEvent[] = [];
  private batch: MeasurementRow[] = [];
  private readonly limits: ImportLimits;
  private readonly batchSize: number;
  rows = 0;
  dataRows = 0;
  problems = 0;
  shownProblems = 0;
  stopped = false;
  lastLine = 0;
  sawHeader = false;
  encoding: TextEncoding | null = null;
  emptyWorkbookMessage = 'The file is empty';

  constructor(limits: ImportLimits, batchSize: number) {
    this.limits = limits;
    this.batchSize = batchSize;
  }

  row(row: MeasurementRow): void {
    this.rows++;
    this.batch.push(row);
    if (this.batch.length >= this.batchSize) this.closeBatch();
  }

  problem(problem: ImportProblem): void {
    this.problems++;
    if (this.shownProblems >= this.limits.maxProblems) return;
    this.shownProblems++;
    this.closeBatch();
    this.queue.push({ type: 'problem', line: problem.line, message: problem.message, fatal: false });
  }

  /** Reports the problem that stops the reading; later ones are ignored. */
  fatal(message: string, line: number | null): void {
    if (this.stopped) return;
    this.stopped = true;
    this.problems++;
    this.shownProblems++;
    this.closeBatch();
    this.queue.push({ type: 'problem', line, message, fatal: true });
  }

  /** Counts a data row and stops the reading when there are too many. Returns false then. */
  countDataRow(line: number): boolean {
    this.dataRows++;
    if (this.dataRows > this.limits.maxRows) {
      this.dataRows--;
      this.fatal(
        `The file has more than ${formatCount(this.limits.maxRows)} rows of data, the most allowed` +
          ` (line ${line} is row ${formatCount(this.limits.maxRows + 1)}). Split it into smaller files`,
        line,
      );
      return false;
    }
    return true;
  }

  private closeBatch(): void {
    if (this.batch.length === 0) return;
    this.queue.push({ type: 'rows', rows: this.batch });
    this.batch = [];
  }

  /** Everything gathered so far, including a partial batch. */
  *drain(): Generator<ImportEvent> {
    this.closeBatch();
    while (this.queue.length > 0) {
      const event = this.queue.shift();
      if (event) yield event;
    }
  }

  /** Only whole batches and problems: keeps batches full while a chunk boundary passes. */
  *drainFull(): Generator<ImportEvent> {
    while (this.queue.length > 0) {
      const event = this.queue.shift();
      if (event) yield event;
    }
  }

  summary(): ImportSummary {
    return {
      rows: this.rows,
      dataRows: this.dataRows,
      problems: this.problems,
      hiddenProblems: this.problems - this.shownProblems,
      fatal: this.stopped,
      lastLine: this.lastLine,
      encoding: this.encoding,
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Sources

function tooLarge(size: number | null, limits: ImportLimits): FatalProblem {
  return new FatalProblem(
    size === null
      ? `The file is larger than ${formatBytes(limits.maxFileBytes)}, the most allowed`
      : `The file is ${formatBytes(size)}; the most allowed is ${formatBytes(limits.maxFileBytes)}`,
  );
}

/** The source's bytes in chunks, stopping with a fatal problem past `maxFileBytes`. */
async function* sourceChunks(source: ImportSource, limits: ImportLimits): AsyncGenerator<Buffer> {
  let chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  if (typeof source === 'string') {
    // Refuse by size before reading a byte.
    const { size } = await stat(source);
    if (size > limits.maxFileBytes) throw tooLarge(size, limits);
    chunks = createReadStream(source, { highWaterMark: CHUNK_BYTES });
  } else if (source instanceof Uint8Array) {
    if (source.byteLength > limits.maxFileBytes) throw tooLarge(source.byteLength, limits);
    chunks = sliceBytes(source);
  } else if (typeof source === 'function') {
    chunks = source();
  } else {
    chunks = source;
  }
  let total = 0;
  for await (const chunk of chunks) {
    if (typeof chunk === 'string') {
      throw new TypeError('readMeasurementRows needs a byte stream; do not call setEncoding() on it');
    }
    total += chunk.byteLength;
    if (total > limits.maxFileBytes) throw tooLarge(null, limits);
    yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

/** Cuts an in-memory file into chunks (views, not copies) so batches stay bounded. */
function* sliceBytes(bytes: Uint8Array): Generator<Uint8Array> {
  for (let start = 0; start < bytes.byteLength; start += CHUNK_BYTES) {
    yield bytes.subarray(start, start + CHUNK_BYTES);
  }
}

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

function startsWith(head: Uint8Array, magic: Uint8Array): boolean {
  return (
    head.byteLength >= magic.byteLength &&
    Buffer.from(head.buffer, head.byteOffset, magic.byteLength).equals(magic)
  );
}

const OLE_MESSAGE =
  'The file is an old-style Excel workbook (.xls) or a password-protected file. ' +
  'Open it in Excel and save it as "Excel Workbook (.xlsx)" without a password, or as "CSV UTF-8"';

// ---------------------------------------------------------------------------------------------
// CSV

/** Refuses a workbook sent as CSV, which would otherwise be reported as "not UTF-8" text. */
async function* refuseBinary(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let checked = false;
  let head: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    if (checked) {
      yield chunk;
      continue;
    }
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
    if (head.length < OLE_MAGIC.length) continue;
    checked = true;
    checkNotBinary(head);
    yield head;
  }
  if (!checked) {
    checkNotBinary(head);
    if (head.length > 0) yield head;
  }
}

function checkNotBinary(head: Buffer): void {
  if (startsWith(head, ZIP_MAGIC) || startsWith(head, EMPTY_ZIP_MAGIC)) {
    throw new FatalProblem(
      'The file is an Excel workbook or another ZIP file, not CSV. Upload it as an XLSX file, or save it as "CSV UTF-8"',
    );
  }
  if (startsWith(head, OLE_MAGIC)) throw new FatalProblem(OLE_MESSAGE);
}

/**
 * Enforces the line-length cap and refuses NUL characters, on the UTF-8 bytes before the CSV
 * parser sees them: the parser would buffer an endless line whole.
 */
async function* checkLines(chunks: AsyncIterable<Buffer>, limits: ImportLimits): AsyncGenerator<Buffer> {
  const lines = new LineCounter();
  for await (const chunk of chunks) {
    const nul = chunk.indexOf(0);
    if (lines.countBytes(chunk, nul < 0 ? chunk.length : nul, limits.maxLineBytes)) {
      throw new FatalProblem(
        `Line ${lines.line} is longer than ${formatCount(limits.maxLineBytes)} characters, so the file cannot be a ` +
          'measurements file. Check that it has one row per line',
        lines.line,
      );
    }
    if (nul >= 0) {
      throw new FatalProblem(
        `Line ${lines.line} contains a NUL character, so the file is not a text file`,
        lines.line,
      );
    }
    yield chunk;
  }
}

/** Counts line breaks inside a field the way the file shows them, and CRLFs (see below). */
function breaksIn(field: string): { breaks: number; crlfs: number } {
  let breaks = 0;
  let crlfs = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c === 0x0d) {
      breaks++;
      if (field.charCodeAt(i + 1) === 0x0a) {
        crlfs++;
        i++;
      }
    } else if (c === 0x0a) {
      breaks++;
    }
  }
  return { breaks, crlfs };
}

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
/** Bytes of a chunk decoded and split at a time (see readCsv). */
const TEXT_SLICE_BYTES = 32 * 1024;
const TRAILING_LINE_BREAK = /(?:\r\n|\n|\r)$/;

/**
 * Where the CSV record starting at `start` ends: the index just past its line break (LF, CRLF or
 * a lone CR, as csv-parse accepts them), or -1 when `text` ends first (inside a quoted field,
 * or before the line break is known). A quote opens a quoted field only at the start of a field;
 * elsewhere it is text (csv-parse's relax_quotes). Inside a quoted field "" is a quote mark.
 */
export function csvRecordEnd(text: string, start: number): number {
  const n = text.length;
  let fieldStart = true;
  let i = start;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE && fieldStart) {
      let at = i + 1;
      for (;;) {
        const quote = text.indexOf('"', at);
        // Without the character after a quote, "" (a quote mark) and " (the end) look alike.
        if (quote < 0 || quote + 1 >= n) return -1;
        if (text.charCodeAt(quote + 1) !== QUOTE) {
          i = quote + 1;
          break;
        }
        at = quote + 2;
      }
      fieldStart = false;
      continue;
    }
    if (c === LF) return i + 1;
    if (c === CR) {
      if (i + 1 >= n) return -1;
      return text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
    }
    fieldStart = c === COMMA;
    i++;
  }
  return -1;
}

/**
 * The fields of one CSV record (without its line break) in the plain shape nearly every file has:
 * unquoted fields, and quoted ones ("" for a quote mark, line breaks allowed) that end where their
 * field ends. Null for anything else (text after a closing quote, a lone CR, a quote never
 * closed): csv-parse then decides what the record is, or what is wrong with it.
 */
export function splitCsvRecord(text: string): string[] | null {
  const fields: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      let at = i + 1;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote < 0) return null;
        value += text.slice(at, quote);
        if (text.charCodeAt(quote + 1) === QUOTE) {
          value += '"';
          at = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i === n) return fields;
      if (text.charCodeAt(i) !== COMMA) return null;
      i++;
      continue;
    }
    const comma = text.indexOf(',', i);
    const field = text.slice(i, comma < 0 ? n : comma);
    if (field.includes('\r')) return null;
    fields.push(field);
    if (comma < 0) return fields;
    i = comma + 1;
  }
}

/** Line breaks in `text` as LineCounter and the reported line numbers count them: CRLF, LF, lone CR. */
function lineBreaks(text: string): number {
  return breaksIn(text).breaks;
}

/**
 * Reads CSV text record by record. Most lines of a measurements file have no quote marks: those
 * are split on commas here, several times faster than a general CSV parser. A record with quote
 * marks is split by splitCsvRecord when it has the plain RFC 4180 shape; anything else (text after
 * a closing quote, a lone CR, an overlong record, a quote never closed) goes, on its own, through
 * csv-parse, which decides its fields or its error as it would reading the whole file. The import
 * reader's tests hold the two ways to the same rows and line numbers.
 */
async function* readCsv(
  source: ImportSource,
  limits: ImportLimits,
  sink: EventSink,
): AsyncGenerator<ImportEvent> {
  const bytes = checkLines(
    decodeToUtf8(refuseBinary(sourceChunks(source, limits)), {
      onDetected: (encoding) => {
        sink.encoding = encoding;
      },
    }),
    limits,
  );

  let header: HeaderLayout | null = null;
  let lastRecordEnd = 0;

  /** One record whose first line is `line` and last line `endLine`. */
  const onRecord = (record: string[], line: number, endLine: number): void => {
    if (sink.stopped) return;
    lastRecordEnd = endLine;
    sink.lastLine = endLine;

    if (record.every((field) => field.trim() === '')) return; // a blank row: skipped
    if (header === null) {
      const result = resolveHeader(record, line, limits, csvColumnLabel);
      if (!result.ok) {
        const [first, ...rest] = result.problems;
        sink.fatal(first?.message ?? 'The header row cannot be read', line);
        for (const problem of rest) sink.problem(problem);
        return;
      }
      header = result.layout;
      sink.sawHeader = true;
      return;
    }
    if (!sink.countDataRow(line)) return;
    if (record.length !== header.width) {
      sink.problem({
        line,
        message: `Line ${line} has ${plural(record.length, 'field', 'fields')}; expected ${formatCount(header.width)}`,
      });
      return;
    }
    const layout: HeaderLayout = header;
    const found: ImportProblem[] = [];
    for (const index of layout.unnamed) {
      if ((record[index] ?? '').trim() !== '') {
        found.push({
          line,
          message: `Line ${line} has a value in ${csvColumnLabel(index)}, which has no heading`,
        });
      }
    }
    const fields: RowFields = {
      kpi: record[layout.kpi] ?? '',
      period: record[layout.period] ?? '',
      value: record[layout.value] ?? '',
      note: layout.note === null ? '' : (record[layout.note] ?? ''),
    };
    const result = checkRowFields(line, fields, limits, { problems: found });
    if (result.ok) sink.row(result.row);
    else for (const problem of result.problems) sink.problem(problem);
  };

  // csv-parse's errors are about the file; anything else is not, and is thrown as it is.
  // `firstLine` is the line the text given to csv-parse starts at; `crlfs` as below.
  const csvProblem = (error: unknown, firstLine: number, crlfs: number): Error => {
    if (!(error instanceof CsvError)) return error instanceof Error ? error : new Error(String(error));
    const reported = typeof error.lines === 'number' ? firstLine - 1 + error.lines - crlfs : null;
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
      case 'CSV_MAX_RECORD_SIZE':
        return notClosed(lastRecordEnd + 1);
      case 'CSV_INVALID_CLOSING_QUOTE':
      case 'INVALID_OPENING_QUOTE':
        return new FatalProblem(
          `Line ${reported ?? lastRecordEnd + 1} has a quote mark in the wrong place. ` +
            'A field that contains quote marks must be inside quotes, with each quote mark inside doubled ("")',
          reported,
        );
      default:
        return new FatalProblem(`The file cannot be read as CSV (${error.message})`, reported);
    }
  };
  // The parser only knows where it gave up; the open quote is in the record after the last one
  // read (blank lines between them would make this line a little early).
  const notClosed = (start: number): FatalProblem =>
    new FatalProblem(
      `Line ${start} starts a quoted field that is not closed (or is longer than ${formatCount(limits.maxRecordChars)} characters). ` +
        'Each quote mark inside a quoted field must be doubled ("")',
      start,
    );

  const csvOptions = {
    relax_column_count: true, // ragged rows are reported per row by onRecord, not fatal
    relax_quotes: true, // a quote inside an unquoted field (5" screen) is kept as text
    skip_empty_lines: true,
    max_record_size: limits.maxRecordChars,
    info: true,
  } as const;

  /** Records of `text` (starting at line `firstLine`) read by csv-parse. */
  const parseWithCsvParse = (text: string, firstLine: number): void => {
    // csv-parse counts a CRLF inside a quoted field as two lines (it sees CR and LF separately);
    // this is how many such CRLFs have been seen so far, to subtract from its line numbers.
    let crlfs = 0;
    let records: { record: string[]; info: InfoRecord }[];
    try {
      records = parseCsvSync(text, csvOptions) as unknown as { record: string[]; info: InfoRecord }[];
    } catch (error) {
      throw csvProblem(error, firstLine, crlfs);
    }
    for (const { record, info } of records) {
      let breaks = 0;
      for (const field of record) {
        // Only quoted fields can hold line breaks; most fields are skipped by the first test.
        if (field.length > 0 && (field.includes('\n') || field.includes('\r'))) {
          const found = breaksIn(field);
          breaks += found.breaks;
          crlfs += found.crlfs;
        }
      }
      const endLine = firstLine - 1 + info.lines - crlfs;
      onRecord(record, endLine - breaks, endLine); // a record is reported at the line where it starts
    }
  };

  let pending = ''; // text read but not yet taken as records
  let line = 1; // the line `pending` starts at
  const decoder = new StringDecoder('utf8');

  /** Takes every complete record from `pending`; at the end of the file, the rest too. */
  const takeRecords = (atEnd: boolean): void => {
    const text = pending;
    let start = 0;
    // The next quote mark and CR at or after `start` (-1: none), found once, not once per line.
    let quote = -2;
    let cr = -2;
    while (start < text.length && !sink.stopped) {
      const lf = text.indexOf('\n', start);
      if (quote !== -1 && quote < start) quote = text.indexOf('"', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      let plainEnd = -1;
      if (lf >= 0 && lf - start <= limits.maxRecordChars && (quote < 0 || quote > lf) && (cr < 0 || cr >= lf - 1)) {
        plainEnd = cr === lf - 1 ? lf - 1 : lf;
      }
      if (plainEnd >= 0) {
        // The fast path: a line without quote marks or stray CRs is its fields split on commas.
        if (plainEnd > start) onRecord(text.slice(start, plainEnd).split(','), line, line);
        line++;
        start = lf + 1;
        continue;
      }
      let end = csvRecordEnd(text, start);
      if (end < 0) {
        if (!atEnd) break;
        end = text.length;
      }
      const record = text.slice(start, end);
      const breaks = lineBreaks(record);
      const body = record.replace(TRAILING_LINE_BREAK, '');
      // An overlong record is csv-parse's to refuse, with its usual message.
      const fields = record.length > limits.maxRecordChars ? null : splitCsvRecord(body);
      if (fields === null) parseWithCsvParse(record, line);
      else onRecord(fields, line, line + lineBreaks(body));
      line += breaks;
      start = end;
    }
    pending = text.slice(start);
    // A record still open this long can only be a quoted field that is never closed.
    if (!atEnd && !sink.stopped && pending.length > limits.maxRecordChars) throw notClosed(lastRecordEnd + 1);
  };

  for await (const chunk of bytes) {
    // In slices: texts of this size are collected young, where a 256 KiB text would go to V8's
    // large-object space and stay until a full collection, which lets the heap grow by hundreds of MB.
    for (let offset = 0; offset < chunk.length && !sink.stopped; offset += TEXT_SLICE_BYTES) {
      pending += decoder.write(chunk.subarray(offset, offset + TEXT_SLICE_BYTES));
      takeRecords(false);
    }
    yield* sink.drainFull();
    if (sink.stopped) return;
  }
  pending += decoder.end();
  takeRecords(true);
}

// ---------------------------------------------------------------------------------------------
// XLSX: the ZIP container, checked before anything is unpacked

/** Random access to the file: the ZIP index is at its end. */
interface RandomAccess {
  readonly size: number;
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

function memoryAccess(bytes: Uint8Array): RandomAccess {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    size: buffer.length,
    read: (position, length) =>
      Promise.resolve(buffer.subarray(position, Math.min(buffer.length, position + length))),
    close: () => Promise.resolve(),
  };
}

async function fileAccess(path: string): Promise<RandomAccess> {
  const handle: FileHandle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    return {
      size,
      async read(position, length) {
        const wanted = Math.max(0, Math.min(length, size - position));
        const buffer = Buffer.allocUnsafe(wanted);
        let filled = 0;
        while (filled < wanted) {
          const { bytesRead } = await handle.read(buffer, filled, wanted - filled, position + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        return buffer.subarray(0, filled);
      },
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

class UnsafeWorkbook extends FatalProblem {
  constructor(reason: string) {
    super(`The workbook was not opened because ${reason}`);
  }
}

function damaged(detail: string): FatalProblem {
  return new FatalProblem(
    `The workbook is damaged and cannot be read (${detail}). Open it in Excel and save it again, or save it as "CSV UTF-8"`,
  );
}

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

interface ZipIndex {
  readonly entries: ReadonlyMap<string, ZipEntry>;
  /** Where the central directory starts: every entry's data must lie before it. */
  readonly centralDirectoryOffset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_LENGTH = 22;
const MAX_COMMENT = 0xffff;

/**
 * Reads the ZIP's end-of-central-directory record and central directory, and refuses the archive
 * from the sizes it declares, before any entry is inflated: too many entries, too large unpacked,
 * compressed too tightly (a zip bomb), entries overlapping (the overlapped-entries bomb declares
 * more compressed bytes than the file has), encrypted, ZIP64, split or with unknown compression.
 */
async function readZipIndex(file: RandomAccess, limits: ImportLimits['xlsx']): Promise<ZipIndex> {
  const tailLength = Math.min(file.size, EOCD_LENGTH + MAX_COMMENT);
  const tail = await file.read(file.size - tailLength, tailLength);
  let eocd = -1;
  // Search backwards for the record whose comment length reaches exactly the end of the file.
  for (let i = tail.length - EOCD_LENGTH; i >= 0; i--) {
    if (
      tail.readUInt32LE(i) === EOCD_SIGNATURE &&
      i + EOCD_LENGTH + tail.readUInt16LE(i + 20) === tail.length
    ) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw damaged('its ZIP index is missing');
  const eocdOffset = file.size - tailLength + eocd;
  const disk = tail.readUInt16LE(eocd + 4);
  const directoryDisk = tail.readUInt16LE(eocd + 6);
  const entriesOnDisk = tail.readUInt16LE(eocd + 8);
  const entryCount = tail.readUInt16LE(eocd + 10);
  const directorySize = tail.readUInt32LE(eocd + 12);
  const directoryOffset = tail.readUInt32LE(eocd + 16);
  const zip64 =
    (eocd >= 20 && tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR_SIGNATURE) ||
    entryCount === 0xffff ||
    directorySize === 0xffffffff ||
    directoryOffset === 0xffffffff;
  // ZIP64 is only needed past 4 GB or 65,535 entries, both far past the limits.
  if (zip64) throw new UnsafeWorkbook('it is larger than 4 GB unpacked (ZIP64), far beyond the limit');
  if (disk !== 0 || directoryDisk !== 0 || entriesOnDisk !== entryCount)
    throw damaged('it is split across several files');
  if (entryCount > limits.maxEntries) {
    throw new UnsafeWorkbook(
      `it has ${formatCount(entryCount)} parts; a workbook has at most ${formatCount(limits.maxEntries)}`,
    );
  }
  if (directoryOffset + directorySize > eocdOffset) throw damaged('its ZIP index points outside the file');
  if (directorySize > limits.maxMetadataPartBytes)
    throw new UnsafeWorkbook('its ZIP index is unusually large');

  const directory = await file.read(directoryOffset, directorySize);
  const entries = new Map<string, ZipEntry>();
  let totalCompressed = 0;
  let totalUncompressed = 0;
  let at = 0;
  for (let n = 0; n < entryCount; n++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_SIGNATURE)
      throw damaged('its ZIP index is cut short');
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    const compressedSize = directory.readUInt32LE(at + 20);
    const uncompressedSize = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const localHeaderOffset = directory.readUInt32LE(at + 42);
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (at > directory.length) throw damaged('its ZIP index is cut short');
    if ((flags & 0x41) !== 0)
      throw new FatalProblem('The workbook is password-protected. Save it again without a password');
    if (
      compressedSize === 0xffffffff ||
      uncompressedSize === 0xffffffff ||
      localHeaderOffset === 0xffffffff
    ) {
      throw new UnsafeWorkbook('it is larger than 4 GB unpacked (ZIP64), far beyond the limit');
    }
    if (method !== 0 && method !== 8)
      throw damaged(`part ${quoteForMessage(name)} uses an unknown compression method`);
    if (entries.has(name)) throw new UnsafeWorkbook(`it holds two parts named ${quoteForMessage(name)}`);
    if (localHeaderOffset + 30 + compressedSize > directoryOffset)
      throw damaged(`part ${quoteForMessage(name)} points outside the file`);
    entries.set(name, { name, method, compressedSize, uncompressedSize, localHeaderOffset });
    totalCompressed += compressedSize;
    totalUncompressed += uncompressedSize;
  }
  if (totalCompressed > directoryOffset) {
    throw new UnsafeWorkbook('its parts overlap one another, which is how some zip bombs are made');
  }
  if (totalUncompressed > limits.maxUncompressedBytes) {
    throw new UnsafeWorkbook(
      `it unpacks to ${formatBytes(totalUncompressed)}; the most allowed is ${formatBytes(limits.maxUncompressedBytes)}. ` +
        'Save large data sets as "CSV UTF-8" instead',
    );
  }
  const ratio = totalUncompressed / Math.max(1, totalCompressed);
  if (ratio > limits.maxCompressionRatio) {
    throw new UnsafeWorkbook(
      `it is compressed ${formatCount(Math.round(ratio))} to 1, far more than a real workbook (at most ` +
        `${formatCount(limits.maxCompressionRatio)} to 1); that is how zip bombs are made`,
    );
  }
  return { entries, centralDirectoryOffset: directoryOffset };
}

async function* readRange(file: RandomAccess, start: number, length: number): AsyncGenerator<Buffer> {
  let position = start;
  const end = start + length;
  while (position < end) {
    const piece = await file.read(position, Math.min(CHUNK_BYTES, end - position));
    if (piece.length === 0) throw damaged('it is cut short');
    position += piece.length;
    yield piece;
  }
}

/** Streams one entry unpacked. Never produces more than the entry declares (see rebuiltZip). */
async function* unpackEntry(file: RandomAccess, index: ZipIndex, entry: ZipEntry): AsyncGenerator<Buffer> {
  const local = await file.read(entry.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_SIGNATURE)
    throw damaged(`part ${quoteForMessage(entry.name)} is missing`);
  const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (dataStart + entry.compressedSize > index.centralDirectoryOffset)
    throw damaged(`part ${quoteForMessage(entry.name)} points outside the file`);
  const raw = readRange(file, dataStart, entry.compressedSize);
  if (entry.method === 0) {
    yield* raw;
    return;
  }
  const input = Readable.from(raw);
  const inflater: Transform = createInflateRaw();
  input.on('error', (error) => inflater.destroy(error));
  input.pipe(inflater);
  try {
    for await (const piece of inflater) yield piece as Buffer;
  } catch (error) {
    if (error instanceof FatalProblem) throw error;
    throw damaged(`part ${quoteForMessage(entry.name)} cannot be unpacked`);
  } finally {
    input.destroy();
    inflater.destroy();
  }
}

/** Reads a small part whole, bounded by the metadata limit. */
async function readSmallPart(
  file: RandomAccess,
  index: ZipIndex,
  entry: ZipEntry,
  limits: ImportLimits['xlsx'],
): Promise<Buffer> {
  if (entry.uncompressedSize > limits.maxMetadataPartBytes) {
    throw new UnsafeWorkbook(
      `its part ${quoteForMessage(entry.name)} is ${formatBytes(entry.uncompressedSize)}, far larger than normal`,
    );
  }
  const pieces: Buffer[] = [];
  for await (const piece of boundedToDeclared(unpackEntry(file, index, entry), entry)) pieces.push(piece);
  return Buffer.concat(pieces);
}

/**
 * Holds an entry to the size its central directory entry declared: the size checks above are only
 * worth anything if a part cannot unpack to more than it claims.
 */
async function* boundedToDeclared(pieces: AsyncIterable<Buffer>, entry: ZipEntry): AsyncGenerator<Buffer> {
  let produced = 0;
  for await (const piece of pieces) {
    produced += piece.length;
    if (produced > entry.uncompressedSize) {
      throw new UnsafeWorkbook(
        `its part ${quoteForMessage(entry.name)} unpacks to more than it declares, as a zip bomb does`,
      );
    }
    yield piece;
  }
  if (produced !== entry.uncompressedSize)
    throw damaged(`part ${quoteForMessage(entry.name)} is shorter than it declares`);
}

// Small XML readers for the two index parts. They only need attributes of flat elements, and a
// workbook that defeats them is one exceljs could not read either.
function xmlDecode(text: string): string {
  return text.replace(
    /&(amp|lt|gt|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g,
    (whole, name: string, dec?: string, hex?: string) => {
      if (dec !== undefined) return String.fromCodePoint(Number(dec));
      if (hex !== undefined) return String.fromCodePoint(parseInt(hex, 16));
      return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }[name] ?? whole;
    },
  );
}

function elements(xml: string, localName: string): Map<string, string>[] {
  const found: Map<string, string>[] = [];
  const tag = new RegExp(`<(?:[\\w.-]+:)?${localName}\\b([^>]*)>`, 'g');
  for (const match of xml.matchAll(tag)) {
    const attributes = new Map<string, string>();
    for (const attribute of (match[1] ?? '').matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      const [, name = '', double, single] = attribute;
      attributes.set(name, xmlDecode(double ?? single ?? ''));
    }
    found.push(attributes);
  }
  return found;
}

interface WorkbookPlan {
  readonly sheetPath: string;
  readonly sheetName: string;
  readonly sharedStringsPath: string | null;
  readonly stylesPath: string | null;
  readonly date1904: boolean;
}

function resolveTarget(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  return posix.normalize(posix.join('xl', target));
}

/** Finds the first visible worksheet in tab order, and the shared strings and styles parts. */
function planWorkbook(workbookXml: string, relsXml: string): WorkbookPlan {
  const relations = new Map<string, { type: string; target: string }>();
  for (const rel of elements(relsXml, 'Relationship')) {
    const id = rel.get('Id');
    const target = rel.get('Target');
    if (id === undefined || target === undefined || rel.get('TargetMode') === 'External') continue;
    relations.set(id, { type: rel.get('Type') ?? '', target: resolveTarget(target) });
  }
  const byType = (suffix: string): string | null =>
    [...relations.values()].find((rel) => rel.type.endsWith(suffix))?.target ?? null;

  const worksheets = elements(workbookXml, 'sheet').flatMap((sheet) => {
    // The relationship id attribute is r:id, whatever prefix the file binds to that namespace.
    const relId = [...sheet.entries()].find(([name]) => name.endsWith(':id'))?.[1];
    const rel = relId === undefined ? undefined : relations.get(relId);
    if (rel?.type.endsWith('/worksheet') !== true) return []; // chart sheets and dialog sheets
    return [
      {
        path: rel.target,
        name: sheet.get('name') ?? '',
        hidden: (sheet.get('state') ?? 'visible') !== 'visible',
      },
    ];
  });
  const first = worksheets.find((sheet) => !sheet.hidden) ?? worksheets[0];
  if (first === undefined) throw new FatalProblem('The workbook has no worksheet');
  const date1904 = elements(workbookXml, 'workbookPr').some((pr) =>
    ['1', 'true'].includes(pr.get('date1904') ?? ''),
  );
  return {
    sheetPath: first.path,
    sheetName: first.name,
    sharedStringsPath: byType('/sharedStrings'),
    stylesPath: byType('/styles'),
    date1904,
  };
}

/** A ZIP local file header for a stored (uncompressed) entry of known size. */
function storedHeader(name: string, size: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_SIGNATURE, 0);
  header.writeUInt16LE(20, 4); // version needed: 2.0
  header.writeUInt16LE(0x0800, 6); // flags: UTF-8 names; sizes are in this header
  header.writeUInt16LE(0, 8); // method: stored
  header.writeUInt32LE(size, 18);
  header.writeUInt32LE(size, 22);
  header.writeUInt16LE(nameBytes.length, 26);
  return Buffer.concat([header, nameBytes]);
}

interface RebuiltPart {
  readonly name: string;
  readonly size: number;
  readonly content: () => AsyncIterable<Buffer>;
}

/**
 * The ZIP exceljs reads: only the parts it needs, unpacked by us (held to their declared sizes)
 * and stored, under the names exceljs expects, in the order that lets it stream the sheet
 * instead of spooling it to a temporary file. exceljs's unzipper trusts each local header and
 * would inflate whatever it finds; here it finds only bytes we have already counted.
 */
async function* rebuiltZip(parts: readonly RebuiltPart[]): AsyncGenerator<Buffer> {
  for (const part of parts) {
    yield storedHeader(part.name, part.size);
    yield* part.content();
  }
  const end = Buffer.alloc(EOCD_LENGTH);
  end.writeUInt32LE(EOCD_SIGNATURE, 0);
  yield end;
}

// ---------------------------------------------------------------------------------------------
// XLSX: cells and rows

type CellValue = ExcelJS.CellValue;

/** A cell read for our purposes. */
type CellRead =
  | { readonly kind: 'empty' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'date'; readonly value: Date }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'error'; readonly error: string }
  | { readonly kind: 'no-result' };

// The same test exceljs applies to decide that a number format shows a date.
function isDateFormat(format: string | undefined): boolean {
  if (format === undefined || format === '') return false;
  const bare = format.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, '');
  return /[ymdhMsb]+/.test(bare);
}

function excelSerialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

function readCell(value: CellValue, dateFormat: boolean, date1904: boolean): CellRead {
  if (value === null || value === undefined) return { kind: 'empty' };
  if (typeof value === 'string') return value === '' ? { kind: 'empty' } : { kind: 'text', text: value };
  if (typeof value === 'number') {
    // A formula's number result is not converted by exceljs, even in a date-formatted cell.
    if (Number.isNaN(value)) return { kind: 'error', error: '#VALUE!' };
    return dateFormat
      ? { kind: 'date', value: excelSerialToDate(value, date1904) }
      : { kind: 'number', value };
  }
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (value instanceof Date) return { kind: 'date', value };
  if ('error' in value) return { kind: 'error', error: value.error };
  if ('richText' in value) {
    // exceljs leaves a run's text null when the run is empty.
    const runs = value.richText as readonly { text: string | null }[];
    const text = runs.map((run) => run.text ?? '').join('');
    return text === '' ? { kind: 'empty' } : { kind: 'text', text };
  }
  if ('formula' in value || 'sharedFormula' in value) {
    // Formulas are never evaluated: the result Excel saved in the file is the value.
    const { result } = value as { result?: CellValue };
    if (result === undefined) return { kind: 'no-result' };
    return readCell(result, dateFormat, date1904);
  }
  if ('hyperlink' in value) return readCell(value.text, dateFormat, date1904);
  return { kind: 'error', error: 'an unknown kind of cell' };
}

function formatDate(date: Date): string | null {
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  // Dates are read in UTC (exceljs builds them so); a time of day is kept only if there is one.
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('.000Z', 'Z');
}

const NO_RESULT_ADVICE = 'has a formula with no saved result; open the file in Excel, save it, and try again';

/** The text of a kpi, period or note cell, or a problem. */
function cellText(
  read: CellRead,
  line: number,
  column: string,
): { text: string } | { problem: ImportProblem } {
  switch (read.kind) {
    case 'empty':
      return { text: '' };
    case 'text':
      return { text: read.text };
    case 'number':
      return { text: String(read.value) };
    case 'boolean':
      return { text: read.value ? 'TRUE' : 'FALSE' };
    case 'date': {
      const text = formatDate(read.value);
      return text === null
        ? { problem: { line, message: `Line ${line}: the ${column} is not a real date` } }
        : { text };
    }
    case 'error':
      return {
        problem: { line, message: `Line ${line}: the ${column} cell holds the Excel error ${read.error}` },
      };
    case 'no-result':
      return { problem: { line, message: `Line ${line}: the ${column} cell ${NO_RESULT_ADVICE}` } };
  }
}

interface XlsxRow {
  readonly number: number;
  readonly values: CellValue[] | Record<string, CellValue>;
  getCell(index: number): { numFmt?: string };
}

function isXlsxRow(value: unknown): value is XlsxRow {
  return (
    typeof value === 'object' &&
    value !== null &&
    'number' in value &&
    'values' in value &&
    'getCell' in value
  );
}

/** Turns sheet rows into rows and problems; the header is the first non-blank row. */
class SheetRows {
  private header: HeaderLayout | null = null;
  private readonly sink: EventSink;
  private readonly limits: ImportLimits;
  private readonly date1904: boolean;

  constructor(sink: EventSink, limits: ImportLimits, date1904: boolean) {
    this.sink = sink;
    this.limits = limits;
    this.date1904 = date1904;
  }

  /** Returns false once the reading must stop. */
  take(row: XlsxRow): boolean {
    const line = row.number;
    this.sink.lastLine = line;
    // `values` is sparse and 1-based: index 0 is always empty.
    const values = Array.isArray(row.values) ? row.values : [];
    const reads: CellRead[] = [];
    let lastUsed = -1;
    for (let index = 1; index < values.length; index++) {
      const read = readCell(values[index], false, this.date1904);
      reads[index - 1] = read;
      if (read.kind !== 'empty' && !(read.kind === 'text' && read.text.trim() === '')) lastUsed = index - 1;
    }
    if (lastUsed < 0) return true; // a blank row: skipped

    if (this.header === null) {
      const names = Array.from({ length: lastUsed + 1 }, (_, index) => {
        const read = reads[index] ?? { kind: 'empty' };
        const text = cellText(read, line, 'heading');
        return 'text' in text ? text.text : '';
      });
      const result = resolveHeader(names, line, this.limits, xlsxColumnLabel);
      if (!result.ok) {
        const [first, ...rest] = result.problems;
        this.sink.fatal(first?.message ?? 'The header row cannot be read', line);
        for (const problem of rest) this.sink.problem(problem);
        return false;
      }
      this.header = result.layout;
      this.sink.sawHeader = true;
      return true;
    }
    if (!this.sink.countDataRow(line)) return false;
    const layout = this.header;
    const label: ColumnLabel = xlsxColumnLabel;
    const problems: ImportProblem[] = [];
    for (let index = 0; index <= lastUsed; index++) {
      const outside = index >= layout.width || layout.unnamed.includes(index);
      const read = reads[index];
      if (
        outside &&
        read !== undefined &&
        read.kind !== 'empty' &&
        !(read.kind === 'text' && read.text.trim() === '')
      ) {
        problems.push({ line, message: `Line ${line} has a value in ${label(index)}, which has no heading` });
      }
    }
    const judged: MeasurementColumn[] = [];
    const textOf = (index: number | null, column: MeasurementColumn, dateFormatted = false): string => {
      if (index === null) return '';
      let read = reads[index] ?? { kind: 'empty' };
      // A formula's date result comes back as a serial number; the cell's format says it is a date.
      if (dateFormatted && read.kind === 'number' && isDateFormat(row.getCell(index + 1).numFmt)) {
        read = { kind: 'date', value: excelSerialToDate(read.value, this.date1904) };
      }
      const text = cellText(read, line, column);
      if ('problem' in text) {
        problems.push(text.problem);
        judged.push(column);
        return '';
      }
      return text.text;
    };
    const kpi = textOf(layout.kpi, 'kpi');
    const period = textOf(layout.period, 'period', true);
    const note = textOf(layout.note, 'note');
    const valueRead = reads[layout.value] ?? { kind: 'empty' };
    // Text (or nothing) is checked like a CSV field; any other kind of cell is judged here.
    let value = valueRead.kind === 'text' ? valueRead.text : '';
    if (valueRead.kind !== 'text' && valueRead.kind !== 'empty') judged.push('value');
    switch (valueRead.kind) {
      case 'number':
        value = String(valueRead.value); // the shortest text that reads back as the same number
        break;
      case 'date':
        problems.push({ line, message: `Line ${line}: the value is a date, not a number` });
        break;
      case 'boolean':
        problems.push({
          line,
          message: `Line ${line}: value ${valueRead.value ? 'TRUE' : 'FALSE'} is not a number`,
        });
        break;
      case 'error':
        problems.push({
          line,
          message: `Line ${line}: the value cell holds the Excel error ${valueRead.error}`,
        });
        break;
      case 'no-result':
        problems.push({ line, message: `Line ${line}: the value cell ${NO_RESULT_ADVICE}` });
        break;
      case 'text':
      case 'empty':
        break;
    }
    const result = checkRowFields(line, { kpi, period, value, note }, this.limits, { problems, judged });
    if (result.ok) this.sink.row(result.row);
    else for (const problem of result.problems) this.sink.problem(problem);
    return true;
  }
}

/**
 * Lets a wait on exceljs be abandoned when the rebuilt ZIP stream fails. exceljs pipes that stream
 * into its unzipper and never hears of an error on it, so without this a part that failed its
 * checks would leave the import waiting forever.
 */
class Failure {
  private error: Error | null = null;
  private rejectPending: ((cause: Error) => void) | null = null;

  fail(cause: Error): void {
    this.error ??= cause;
    this.rejectPending?.(cause);
  }

  /**
   * Waits for `step` unless the failure comes first. One step at a time, each with its own
   * promise: racing every step against one long-lived promise (Promise.race) would leave a
   * reaction, and the step's result, attached to it for every row batch of the sheet.
   */
  race<T>(step: Promise<T>): Promise<T> {
    if (this.error !== null) {
      step.catch(() => undefined); // moot now
      return Promise.reject(this.error);
    }
    return new Promise<T>((resolve, reject) => {
      this.rejectPending = reject;
      step.then(
        (value) => {
          this.rejectPending = null;
          resolve(value);
        },
        (cause: unknown) => {
          this.rejectPending = null;
          reject(cause instanceof Error ? cause : new Error(String(cause)));
        },
      );
    });
  }
}

async function* withRandomAccess<T>(
  source: ImportSource,
  limits: ImportLimits,
  use: (file: RandomAccess) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  if (typeof source === 'string') {
    const { size } = await stat(source);
    if (size > limits.maxFileBytes) throw tooLarge(size, limits);
    const file = await fileAccess(source);
    try {
      yield* use(file);
    } finally {
      await file.close();
    }
    return;
  }
  if (source instanceof Uint8Array) {
    if (source.byteLength > limits.maxFileBytes) throw tooLarge(source.byteLength, limits);
    yield* use(memoryAccess(source));
    return;
  }
  // A stream: the ZIP index is at the end, so spool it to a private temporary file first
  // (counting against the size limit), rather than into memory.
  const directory = await mkdtemp(join(tmpdir(), 'waymark-import-'));
  try {
    const path = join(directory, 'upload.xlsx');
    const handle = await open(path, 'wx', 0o600);
    try {
      for await (const chunk of sourceChunks(source, limits)) await handle.write(chunk);
    } finally {
      await handle.close();
    }
    yield* withRandomAccess(path, limits, use);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

const EMPTY_SHARED_STRINGS = Buffer.from(
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>',
);

async function* readXlsx(
  source: ImportSource,
  limits: ImportLimits,
  sink: EventSink,
): AsyncGenerator<ImportEvent> {
  yield* withRandomAccess(source, limits, (file) => readWorkbook(file, limits, sink));
}

async function* readWorkbook(
  file: RandomAccess,
  limits: ImportLimits,
  sink: EventSink,
): AsyncGenerator<ImportEvent> {
  const head = await file.read(0, OLE_MAGIC.length);
  if (startsWith(head, OLE_MAGIC)) throw new FatalProblem(OLE_MESSAGE);
  if (!startsWith(head, ZIP_MAGIC) && !startsWith(head, EMPTY_ZIP_MAGIC)) {
    throw new FatalProblem(
      file.size === 0
        ? 'The file is empty'
        : 'The file is not an Excel workbook (.xlsx). Save it as "Excel Workbook (.xlsx)" or as "CSV UTF-8" and try again',
    );
  }
  const xlsx = limits.xlsx;
  const index = await readZipIndex(file, xlsx);
  const entry = (path: string | null): ZipEntry | null =>
    path === null ? null : (index.entries.get(path) ?? null);
  const workbookEntry = entry('xl/workbook.xml');
  const relsEntry = entry('xl/_rels/workbook.xml.rels');
  if (workbookEntry === null || relsEntry === null) {
    throw new FatalProblem(
      'The file is a ZIP archive but not an Excel workbook (.xlsx). Save it as "CSV UTF-8" and try again',
    );
  }
  const workbookXml = await readSmallPart(file, index, workbookEntry, xlsx);
  const relsXml = await readSmallPart(file, index, relsEntry, xlsx);
  const plan = planWorkbook(workbookXml.toString('utf8'), relsXml.toString('utf8'));
  sink.emptyWorkbookMessage = `The file is empty: its first worksheet, ${quoteForMessage(plan.sheetName)}, has no rows`;
  const sheetEntry = entry(plan.sheetPath);
  if (sheetEntry === null) throw damaged(`its worksheet ${quoteForMessage(plan.sheetName)} is missing`);
  const sharedStringsEntry = entry(plan.sharedStringsPath);
  if (sharedStringsEntry !== null && sharedStringsEntry.uncompressedSize > xlsx.maxSharedStringsBytes) {
    throw new UnsafeWorkbook(
      `its text cells take ${formatBytes(sharedStringsEntry.uncompressedSize)} unpacked; the most allowed is ` +
        `${formatBytes(xlsx.maxSharedStringsBytes)}. Save large data sets as "CSV UTF-8" instead`,
    );
  }
  const stylesEntry = entry(plan.stylesPath);
  if (stylesEntry !== null && stylesEntry.uncompressedSize > xlsx.maxMetadataPartBytes) {
    throw new UnsafeWorkbook(
      `its styles part is ${formatBytes(stylesEntry.uncompressedSize)}, far larger than normal`,
    );
  }

  const fromZip = (name: string, zipEntry: ZipEntry): RebuiltPart => ({
    name,
    size: zipEntry.uncompressedSize,
    content: () => boundedToDeclared(unpackEntry(file, index, zipEntry), zipEntry),
  });
  const fromMemory = (name: string, bytes: Buffer): RebuiltPart => ({
    name,
    size: bytes.length,
    content: async function* content() {
      await Promise.resolve();
      yield bytes;
    },
  });
  const parts: RebuiltPart[] = [
    fromMemory('xl/workbook.xml', workbookXml),
    fromMemory('xl/_rels/workbook.xml.rels', relsXml),
    ...(stylesEntry === null ? [] : [fromZip('xl/styles.xml', stylesEntry)]),
    // Always present, so that exceljs reads the sheet as a stream (it spools a sheet that comes
    // before the shared strings to a temporary file).
    sharedStringsEntry === null
      ? fromMemory('xl/sharedStrings.xml', EMPTY_SHARED_STRINGS)
      : fromZip('xl/sharedStrings.xml', sharedStringsEntry),
    fromZip('xl/worksheets/sheet1.xml', sheetEntry),
  ];

  // Loaded on first use: exceljs takes a noticeable time to load, and most imports are CSV.
  const { default: excel } = await import('exceljs');
  const failure = new Failure();
  const zip = Readable.from(rebuiltZip(parts), { objectMode: false });
  zip.on('error', (error) => {
    failure.fail(error);
  });
  const workbook = new excel.stream.xlsx.WorkbookReader(zip, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache', // needed to tell dates from numbers
    entries: 'ignore',
  });
  const rows = new SheetRows(sink, limits, plan.date1904);
  try {
    const sheets = workbook[Symbol.asyncIterator]();
    const sheet = await failure.race(sheets.next()).catch(rethrowAsProblem);
    if (sheet.done === true) throw damaged('its worksheet cannot be read');
    const events = sheet.value.parse() as AsyncIterator<unknown>;
    for (;;) {
      const next = await failure.race(events.next()).catch(rethrowAsProblem);
      if (next.done === true) break;
      for (const event of next.value as readonly { eventType: string; value: unknown }[]) {
        if (event.eventType === 'row' && isXlsxRow(event.value) && !rows.take(event.value)) break;
      }
      yield* sink.drainFull();
      if (sink.stopped) return;
    }
  } finally {
    // exceljs's own iterators may be waiting on this stream; they are dropped, not awaited.
    zip.destroy();
  }
}

/** exceljs's errors (malformed XML and the like) are about the file, so they become a problem. */
function rethrowAsProblem(error: unknown): never {
  if (error instanceof FatalProblem) throw error;
  const detail = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  throw damaged(detail.slice(0, 120));
}
