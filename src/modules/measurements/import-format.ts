/**
 * The measurement import file format, its limits, and the pure checks on a header and a row.
 *
 * The format (the same for CSV and XLSX):
 * - The first non-blank row is the header. Its names are trimmed and compared case-insensitively,
 *   in any order: `kpi` (the KPI key), `period`, `value`, and optionally `note`.
 * - A column with an empty heading is allowed (spreadsheets often export trailing empty columns)
 *   but every cell under it must be empty.
 * - Any other heading is refused, with every unrecognised name listed. Guessing would be worse:
 *   a column called "notes" or "target" silently ignored is data the user thinks was imported.
 * - Blank rows (every cell empty or spaces) are skipped anywhere in the file, silently: they
 *   carry no data and spreadsheets produce them freely.
 * - `value` is a plain decimal number with a full stop for decimals: `1234.5`, `-3`, `+7`, `.5`,
 *   `1e3`. Thousands separators, decimal commas, `%` and currency signs are refused with advice,
 *   never guessed: "1,234" is 1234 in London and 1.234 in Paris.
 * - `note` is optional free text of at most `maxNoteChars` characters; an empty note is `null`.
 * - CSV: comma-separated, fields quoted with `"` (a quote inside doubled as `""`), a quoted field
 *   may span lines; line endings LF, CRLF or CR. Text is UTF-8 (with or without BOM) or UTF-16.
 * - XLSX: the first visible worksheet in tab order; every other sheet is ignored. Formulas are never
 *   evaluated: the result Excel saved with the file is used. "Line" means the sheet's row number.
 *
 * Not checked here, because they need the database or memory proportional to the file: whether
 * the KPI key exists, whether the period is valid for the KPI's frequency (periods.ts), and
 * duplicate (kpi, period) rows within one file — the service layer checks those.
 */

/** The columns the format knows, in the order the documentation lists them. */
export const MEASUREMENT_COLUMNS = ['kpi', 'period', 'value', 'note'] as const;
export type MeasurementColumn = (typeof MEASUREMENT_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly MeasurementColumn[] = ['kpi', 'period', 'value'];

/** How messages describe the expected header. */
export const COLUMNS_DESCRIPTION = 'kpi, period, value and optionally note';

/**
 * Every limit is enforced while reading, before anything is held in memory beyond one row (CSV)
 * or the workbook's shared strings (XLSX), so a file over a limit costs no more than the bytes
 * read until the limit was seen.
 */
export interface ImportLimits {
  /** Bytes of the file as uploaded (compressed size for XLSX). */
  readonly maxFileBytes: number;
  /** Data rows, blank rows not counted. */
  readonly maxRows: number;
  /** Problems reported one by one; the rest are counted ("and 1,234 more problems"). */
  readonly maxProblems: number;
  /** Characters (Unicode code points) in a note. */
  readonly maxNoteChars: number;
  /**
   * Bytes (as UTF-8) in one physical CSV line. A valid row is far shorter (a full-length note is at
   * most 4,000 bytes); the cap stops a file with no line breaks, or a line of a million commas,
   * from being buffered whole.
   */
  readonly maxLineBytes: number;
  /**
   * Characters in one CSV record, which may span lines inside quotes. Bounds the damage of an
   * unclosed quote, which would otherwise swallow the rest of the file into one field.
   */
  readonly maxRecordChars: number;
  /** Columns in the header row (named or not). */
  readonly maxColumns: number;
  readonly xlsx: XlsxLimits;
}

export interface XlsxLimits {
  /** Sum of the uncompressed sizes the ZIP central directory declares for all its entries. */
  readonly maxUncompressedBytes: number;
  /**
   * Uncompressed ÷ compressed over the whole archive. Real workbooks measure 5–30; a zip bomb is in
   * the thousands. Checked with the declared sizes, and each part we read is held to its declared
   * size while it is inflated, so lying in the central directory does not help.
   */
  readonly maxCompressionRatio: number;
  /** Entries in the ZIP (a workbook has 10–50; thousands means something else). */
  readonly maxEntries: number;
  /**
   * Uncompressed bytes of the shared strings part. exceljs keeps every shared string in memory
   * while reading, so this (not the sheet size) is what bounds memory for text-heavy workbooks.
   */
  readonly maxSharedStringsBytes: number;
  /** Uncompressed bytes of each small part read whole: workbook.xml, its relationships, styles.xml. */
  readonly maxMetadataPartBytes: number;
}

const MB = 1_000_000;

/**
 * Web uploads: the upload is buffered by the web server and a person waits for the answer, so a
 * file must be quick to check. 100,000 rows is more than 50 KPIs × 5 years of daily values.
 */
export const WEB_IMPORT_LIMITS: ImportLimits = Object.freeze({
  maxFileBytes: 20 * MB,
  maxRows: 100_000,
  maxProblems: 1_000,
  maxNoteChars: 1_000,
  maxLineBytes: 16_384,
  maxRecordChars: 65_536,
  maxColumns: 50,
  xlsx: Object.freeze({
    maxUncompressedBytes: 200 * MB,
    maxCompressionRatio: 100,
    maxEntries: 1_000,
    maxSharedStringsBytes: 50 * MB,
    maxMetadataPartBytes: 16 * MB,
  }),
});

/**
 * The CLI and the API batch path: the file is streamed, never held, so the limits only stop
 * runaway input. An XLSX sheet holds at most 1,048,576 rows anyway; larger loads are CSV.
 */
export const BATCH_IMPORT_LIMITS: ImportLimits = Object.freeze({
  maxFileBytes: 2_000 * MB,
  maxRows: 10_000_000,
  maxProblems: 1_000,
  maxNoteChars: 1_000,
  maxLineBytes: 16_384,
  maxRecordChars: 65_536,
  maxColumns: 50,
  xlsx: Object.freeze({
    maxUncompressedBytes: 1_000 * MB,
    maxCompressionRatio: 100,
    maxEntries: 1_000,
    // Shared strings are held in memory (see XlsxLimits); 100 MB of XML is about 1 M unique notes.
    maxSharedStringsBytes: 100 * MB,
    maxMetadataPartBytes: 16 * MB,
  }),
});

/** One row of the file that has the right shape. `value` is decimal text, see `checkValue`. */
export interface MeasurementRow {
  /** CSV: the physical line the record starts on (1 = header). XLSX: the sheet row number. */
  readonly line: number;
  readonly kpi: string;
  readonly period: string;
  /**
   * The number exactly as written (trimmed), e.g. "1234.50" or "1e3"; for an XLSX number cell the
   * shortest text that reads back as the same double. Kept as text so a numeric column or COPY
   * receives the user's decimal digits, not a binary approximation; `Number(value)` is finite.
   */
  readonly value: string;
  readonly note: string | null;
}

/** Something wrong with the file; `line` is null when it is about the file as a whole. */
export interface ImportProblem {
  readonly line: number | null;
  readonly message: string;
}

/** Where each known column sits in a row (0-based), from the header. */
export interface HeaderLayout {
  readonly line: number;
  /** Number of columns in the header, named or not. */
  readonly width: number;
  readonly kpi: number;
  readonly period: number;
  readonly value: number;
  readonly note: number | null;
  /** Columns with an empty heading: their cells must stay empty. */
  readonly unnamed: readonly number[];
}

/** How a message names a column: "column 3" in a CSV, "column C" in a workbook. */
export type ColumnLabel = (index: number) => string;

export const csvColumnLabel: ColumnLabel = (index) => `column ${index + 1}`;

export const xlsxColumnLabel: ColumnLabel = (index) => {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return `column ${letters}`;
};

const numberFormat = new Intl.NumberFormat('en-GB');

/** 1234567 → "1,234,567", for messages. */
export function formatCount(n: number): string {
  return numberFormat.format(n);
}

/** 20_000_000 → "20 MB": decimal megabytes, as file managers show them. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1_000_000_000 && bytes % 1_000_000_000 === 0)
    return `${formatCount(bytes / 1_000_000_000)} GB`;
  if (bytes >= MB) return `${formatCount(Math.round((bytes / MB) * 10) / 10)} MB`;
  if (bytes >= 1_000) return `${formatCount(Math.round(bytes / 100) / 10)} kB`;
  return `${formatCount(bytes)} bytes`;
}

/** Quotes text from the file for a message, shortened so one bad cell cannot flood a page. */
export function quoteForMessage(text: string, max = 40): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(shown);
}

function listNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).map((name) => quoteForMessage(name, 30));
  const rest = names.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${formatCount(rest)} more` : shown.join(', ');
}

export type HeaderResult =
  | { readonly ok: true; readonly layout: HeaderLayout }
  | { readonly ok: false; readonly problems: readonly ImportProblem[] };

/**
 * Reads the header row. Problems here are fatal: without the columns no row can be read.
 * `names` are the raw header cells.
 */
export function resolveHeader(
  names: readonly string[],
  line: number,
  limits: Pick<ImportLimits, 'maxColumns'>,
  label: ColumnLabel = csvColumnLabel,
): HeaderResult {
  const problem = (message: string): HeaderResult => ({ ok: false, problems: [{ line, message }] });
  if (names.length > limits.maxColumns) {
    return problem(
      `The header row has ${formatCount(names.length)} columns; the most allowed is ${formatCount(limits.maxColumns)}. ` +
        `Columns must be: ${COLUMNS_DESCRIPTION}`,
    );
  }
  // A stray BOM can survive when a file was saved with one and then concatenated; it is invisible.
  const normalised = names.map((name) =>
    name
      .replace(/^\uFEFF/, '')
      .trim()
      .toLowerCase(),
  );

  // One cell holding all the names means the wrong separator: say so rather than "unknown column".
  if (normalised.length === 1) {
    const only = normalised[0] ?? '';
    for (const [separator, description] of [
      [';', 'semicolons'],
      ['\t', 'tabs'],
    ] as const) {
      if (only.includes(separator) && only.split(separator).some((name) => name.trim() === 'kpi')) {
        return problem(
          `The columns are separated by ${description}; they must be separated by commas. ` +
            'In Excel, save the file as "CSV UTF-8 (Comma delimited)"',
        );
      }
    }
  }

  const positions = new Map<MeasurementColumn, number>();
  const unknown: string[] = [];
  const unnamed: number[] = [];
  const problems: ImportProblem[] = [];
  normalised.forEach((name, index) => {
    if (name === '') {
      unnamed.push(index);
    } else if ((MEASUREMENT_COLUMNS as readonly string[]).includes(name)) {
      const column = name as MeasurementColumn;
      if (positions.has(column)) {
        problems.push({
          line,
          message: `The column "${column}" appears more than once in the header row (${label(index)})`,
        });
      } else {
        positions.set(column, index);
      }
    } else {
      unknown.push(names[index]?.trim() ?? name);
    }
  });

  if (positions.size === 0) {
    // Nothing recognised: most likely the file has no header row and starts with data.
    const seen = names.filter((name) => name.trim() !== '');
    return problem(
      `The first row must be the column headings ${COLUMNS_DESCRIPTION}` +
        (seen.length > 0 ? `; it has ${listNames(seen)}` : ''),
    );
  }
  if (unknown.length > 0) {
    problems.push({
      line,
      message:
        `The file has ${unknown.length === 1 ? 'a column' : 'columns'} we do not recognise: ${listNames(unknown)}. ` +
        `Columns must be: ${COLUMNS_DESCRIPTION}`,
    });
  }
  for (const column of REQUIRED_COLUMNS) {
    if (!positions.has(column)) {
      problems.push({
        line,
        message: `The file has no "${column}" column. Columns must be: ${COLUMNS_DESCRIPTION}`,
      });
    }
  }
  const kpi = positions.get('kpi');
  const period = positions.get('period');
  const value = positions.get('value');
  if (problems.length > 0 || kpi === undefined || period === undefined || value === undefined) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    layout: { line, width: names.length, kpi, period, value, note: positions.get('note') ?? null, unnamed },
  };
}

// A plain decimal number, optionally signed, optionally with an exponent. No separators, no spaces.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// 1,234 / 1,234,567.5 / 1 234 567 — digit groups of three after the first.
const GROUPED = /^[+-]?\d{1,3}(?:([, \u00A0\u202F])\d{3})(?:\1\d{3})*(?:\.\d+)?$/;
const CURRENCY = /[£$€¥]/;

/**
 * Checks value text. Returns null when it is a plain decimal number with a finite value, or the
 * reason it is not, written to follow `value "…" is not a number`.
 */
export function valueProblem(text: string): string | null {
  if (DECIMAL.test(text)) {
    return Number.isFinite(Number(text)) ? null : 'too large';
  }
  if (text.endsWith('%')) return 'leave out the % sign';
  if (CURRENCY.test(text)) return 'leave out the currency sign';
  const grouped = GROUPED.exec(text);
  if (grouped) {
    const separator = grouped[1];
    // "1,234" could be 1234 or 1.234: say both things rather than guess.
    if (separator === ',' && !text.includes('.') && text.split(',').length === 2) {
      return 'remove any thousands separators, and use a full stop for decimals';
    }
    return 'remove the thousands separators';
  }
  if (/^[+-]?\d*,\d+$/.test(text)) return 'use a full stop for decimals';
  // 1.234,5 — continental style.
  if (/^[+-]?\d{1,3}(?:\.\d{3})+,\d+$/.test(text)) {
    return 'use a full stop for decimals, and remove the thousands separators';
  }
  return 'it must be a number such as 1234.5';
}

/** The fields of one row as text, however the file stored them. */
export interface RowFields {
  readonly kpi: string;
  readonly period: string;
  readonly value: string;
  readonly note: string;
}

export type RowResult =
  | { readonly ok: true; readonly row: MeasurementRow }
  | { readonly ok: false; readonly problems: readonly ImportProblem[] };

/** Counts Unicode code points, only when the UTF-16 length could exceed the limit. */
function exceedsChars(text: string, max: number): number | null {
  if (text.length <= max) return null;
  const count = Array.from(text).length;
  return count > max ? count : null;
}

export interface CellFindings {
  /**
   * Problems a reader found in the cells themselves (an Excel error value, a date where a number
   * belongs), so that a row reports all its problems together.
   */
  readonly problems?: readonly ImportProblem[];
  /**
   * Fields whose cell the reader has already judged (a number cell for the value, or a cell behind
   * one of `problems`): their text is not checked again, so one bad cell is one problem.
   */
  readonly judged?: readonly MeasurementColumn[];
}

/** Checks one row's fields (untrimmed) and returns the row or every problem found in it. */
export function checkRowFields(
  line: number,
  fields: RowFields,
  limits: Pick<ImportLimits, 'maxNoteChars'>,
  findings: CellFindings = {},
): RowResult {
  const problems: ImportProblem[] = [...(findings.problems ?? [])];
  const kpi = fields.kpi.trim();
  const period = fields.period.trim();
  const value = fields.value.trim();
  const note = fields.note.trim();
  const judged = findings.judged ?? [];
  if (kpi === '' && !judged.includes('kpi'))
    problems.push({ line, message: `Line ${line}: the kpi is missing` });
  if (period === '' && !judged.includes('period'))
    problems.push({ line, message: `Line ${line}: the period is missing` });
  if (!judged.includes('value')) {
    if (value === '') {
      problems.push({ line, message: `Line ${line}: the value is missing` });
    } else {
      const reason = valueProblem(value);
      if (reason !== null) {
        problems.push({
          line,
          message: `Line ${line}: value ${quoteForMessage(value)} is not a number; ${reason}`,
        });
      }
    }
  }
  const noteLength = judged.includes('note') ? null : exceedsChars(note, limits.maxNoteChars);
  if (noteLength !== null) {
    problems.push({
      line,
      message: `Line ${line}: the note is ${formatCount(noteLength)} characters long; the most is ${formatCount(limits.maxNoteChars)}`,
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, row: { line, kpi, period, value, note: note === '' ? null : note } };
}

/** "and 1,234 more problems", for the line under a capped list; null when nothing was held back. */
export function hiddenProblemsMessage(hidden: number): string | null {
  if (hidden <= 0) return null;
  return `and ${formatCount(hidden)} more ${hidden === 1 ? 'problem' : 'problems'}`;
}
