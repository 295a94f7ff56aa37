/**
 * The risk register's spreadsheet format, shared by import and export, and the pure checks of an
 * imported table. Reading the file (encodings, CSV, XLSX) is risk-import-reader.ts.
 *
 * Columns (header row first; names in any case, spaces or underscores): title, category, owner,
 * cause, event, consequence, proximity, inherent likelihood, inherent impact, current likelihood,
 * current impact, target likelihood, target impact, response, review frequency, status.
 * Required: title, category, the six likelihood and impact columns, response. Likelihood and
 * impact are 1–5 or the words very low, low, medium, high, very high. Category is a category key
 * of the organisation (or its name); owner is a member's email address (or their name).
 */
import { checkRiskInput, PROXIMITIES, REVIEW_FREQUENCIES, type RiskInput } from './risk.ts';

export const IMPORT_COLUMNS = [
  'title',
  'category',
  'owner',
  'cause',
  'event',
  'consequence',
  'proximity',
  'inherent_likelihood',
  'inherent_impact',
  'current_likelihood',
  'current_impact',
  'target_likelihood',
  'target_impact',
  'response',
  'review_frequency',
  'status',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

export const REQUIRED_IMPORT_COLUMNS: readonly ImportColumn[] = [
  'title',
  'category',
  'inherent_likelihood',
  'inherent_impact',
  'current_likelihood',
  'current_impact',
  'target_likelihood',
  'target_impact',
  'response',
];

/** Web uploads of a register: small files only. */
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 2_000;
/** Problems listed at most; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 50;

/** One line of the file as text cells, with its line (CSV) or row (XLSX) number. */
export interface TableRow {
  line: number;
  cells: string[];
}

export interface ImportProblem {
  line: number | null;
  message: string;
}

export interface ImportContext {
  /** Category keys and names (lower case) → key. */
  categories: ReadonlyMap<string, string>;
  /** Owners' emails and names (lower case) → user id; a name two members share is left out. */
  owners: ReadonlyMap<string, string>;
  /** Titles already in the register, lower case. */
  existingTitles: ReadonlySet<string>;
}

export function normaliseHeader(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_');
}

/** A form field's column in the file. */
const COLUMN_OF: Readonly<Record<string, ImportColumn>> = {
  title: 'title',
  category: 'category',
  ownerId: 'owner',
  cause: 'cause',
  event: 'event',
  consequence: 'consequence',
  proximity: 'proximity',
  status: 'status',
  response: 'response',
  reviewFrequency: 'review_frequency',
  inherentLikelihood: 'inherent_likelihood',
  inherentImpact: 'inherent_impact',
  currentLikelihood: 'current_likelihood',
  currentImpact: 'current_impact',
  targetLikelihood: 'target_likelihood',
  targetImpact: 'target_impact',
};

const ALLOWED: Partial<Record<ImportColumn, string>> = {
  proximity: PROXIMITIES.join(', '),
  review_frequency: REVIEW_FREQUENCIES.join(', '),
  response: 'tolerate, treat, transfer or terminate',
  status: 'open or closed',
};

/** A field's problem as said about the file: the column, what it holds, what it may hold. */
function importMessage(field: string, message: string, cell: (name: ImportColumn) => string): string {
  const column = COLUMN_OF[field];
  if (column === undefined) return message;
  const name = column.replace(/_/g, ' ');
  const raw = cell(column);
  const found = raw === '' ? 'it is empty' : `not “${raw}”`;
  if (/_(likelihood|impact)$/.test(column))
    return `${name} must be 1 to 5 or very low, low, medium, high, very high, ${found}`;
  const allowed = ALLOWED[column];
  if (allowed !== undefined) return `${name} must be ${allowed}, ${found}`;
  return `${name}: ${message.charAt(0).toLowerCase()}${message.slice(1)}`;
}

/**
 * Checks the whole table: the header, then every row. Each row becomes a risk to create, or one
 * or more line-numbered problems. Titles must be new: not in the register, not twice in the file.
 */
export function checkImportTable(
  table: readonly TableRow[],
  context: ImportContext,
): { risks: RiskInput[]; problems: ImportProblem[] } {
  const [header, ...rows] = table;
  if (header === undefined) return { risks: [], problems: [{ line: null, message: 'The file is empty' }] };
  const index = new Map<string, number>();
  header.cells.forEach((cell, i) => {
    const name = normaliseHeader(cell);
    if ((IMPORT_COLUMNS as readonly string[]).includes(name) && !index.has(name)) index.set(name, i);
  });
  const missing = REQUIRED_IMPORT_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) {
    return {
      risks: [],
      problems: [
        {
          line: header.line,
          message: `The header row is missing the ${missing.length === 1 ? 'column' : 'columns'} ${missing.map((c) => c.replace(/_/g, ' ')).join(', ')}`,
        },
      ],
    };
  }
  const dataRows = rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
  if (dataRows.length === 0)
    return { risks: [], problems: [{ line: null, message: 'The file has a header row but no risks' }] };
  if (dataRows.length > MAX_IMPORT_ROWS)
    return {
      risks: [],
      problems: [
        {
          line: null,
          message: `The file has ${dataRows.length} risks: import at most ${MAX_IMPORT_ROWS} at a time`,
        },
      ],
    };

  const risks: RiskInput[] = [];
  const problems: ImportProblem[] = [];
  const seen = new Map<string, number>();
  for (const row of dataRows) {
    const cell = (name: ImportColumn): string => {
      const i = index.get(name);
      return i === undefined ? '' : (row.cells[i] ?? '').trim();
    };
    const rowProblems: string[] = [];
    const categoryText = cell('category');
    const category = context.categories.get(categoryText.toLowerCase());
    if (categoryText !== '' && category === undefined)
      rowProblems.push(`category “${categoryText}” is not one of the organisation’s categories`);
    const ownerText = cell('owner');
    const ownerId = ownerText === '' ? null : context.owners.get(ownerText.toLowerCase());
    if (ownerId === undefined)
      rowProblems.push(`owner “${ownerText}” is not a member of the organisation (give their email address)`);
    const proximityText = cell('proximity').toLowerCase().replace(/\s+/g, '_');
    const reviewText = cell('review_frequency')
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    const input: RiskInput = {
      title: cell('title'),
      cause: cell('cause'),
      event: cell('event'),
      consequence: cell('consequence'),
      category: category ?? (categoryText === '' ? '' : 'unknown'),
      ownerId: ownerId ?? null,
      proximity: proximityText === '' ? 'within_a_year' : proximityText,
      status: cell('status').toLowerCase(),
      inherent: { likelihood: cell('inherent_likelihood'), impact: cell('inherent_impact') },
      current: { likelihood: cell('current_likelihood'), impact: cell('current_impact') },
      target: { likelihood: cell('target_likelihood'), impact: cell('target_impact') },
      response: cell('response').toLowerCase(),
      reviewFrequency: reviewText === '' ? undefined : reviewText,
    };
    const { problems: fieldProblems } = checkRiskInput(input);
    for (const p of fieldProblems) {
      if (p.field === 'category' && categoryText !== '') continue;
      rowProblems.push(importMessage(p.field, p.message, cell));
    }
    const title = input.title.trim().toLowerCase();
    if (title !== '') {
      if (context.existingTitles.has(title))
        rowProblems.push(`a risk called “${input.title.trim()}” is already in the register`);
      const earlier = seen.get(title);
      if (earlier !== undefined)
        rowProblems.push(`the title “${input.title.trim()}” is also on line ${earlier}`);
      else seen.set(title, row.line);
    }
    for (const message of rowProblems)
      problems.push({ line: row.line, message: `Line ${row.line}: ${message}` });
    if (rowProblems.length === 0) risks.push(input);
  }
  return { risks: problems.length > 0 ? [] : risks, problems };
}

/** The export's columns: the import's, so an exported register reads back in, then what is worked out. */
export const EXPORT_HEADER: readonly string[] = [
  ...IMPORT_COLUMNS,
  'inherent_score',
  'current_score',
  'current_level',
  'target_score',
  'outside_appetite',
  'contingency_plan',
  'next_review',
  'escalated',
];

export interface ExportableRisk {
  title: string;
  category: { key: string };
  ownerEmail: string | null;
  cause: string;
  event: string;
  consequence: string;
  proximity: string;
  inherent: { likelihood: number; impact: number; score: number };
  current: { likelihood: number; impact: number; score: number; level: string };
  target: { likelihood: number; impact: number; score: number };
  response: string;
  reviewFrequency: string;
  status: string;
  outsideAppetite: boolean;
  needsContingencyPlan: boolean;
  hasContingencyPlan: boolean;
  nextReviewOn: string;
  escalatedToId: string | null;
}

export function exportRow(r: ExportableRisk): (string | number)[] {
  return [
    r.title,
    r.category.key,
    r.ownerEmail ?? '',
    r.cause,
    r.event,
    r.consequence,
    r.proximity,
    r.inherent.likelihood,
    r.inherent.impact,
    r.current.likelihood,
    r.current.impact,
    r.target.likelihood,
    r.target.impact,
    r.response,
    r.reviewFrequency,
    r.status,
    r.inherent.score,
    r.current.score,
    r.current.level,
    r.target.score,
    r.outsideAppetite ? 'yes' : 'no',
    r.hasContingencyPlan ? 'yes' : r.needsContingencyPlan ? 'missing' : 'not needed',
    r.nextReviewOn,
    r.escalatedToId === null ? 'no' : 'yes',
  ];
}
