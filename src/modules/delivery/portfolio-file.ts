/**
 * The portfolio as a spreadsheet, and a project list read back from one. Pure: the export's
 * header and rows, and the import's column rules, with line-numbered problems. The import reads
 * the columns the export writes (a downloaded portfolio can be edited and imported into another
 * organisation); columns it does not know, such as rag, are ignored.
 */
import type { Cell } from '../../platform/export/spreadsheet.ts';
import type { FieldError } from '../../platform/errors.ts';
import { PHASE_LABELS, PROJECT_TYPE_LABELS, type ProjectInput, projectProblems } from './delivery.ts';

export const PORTFOLIO_EXPORT_HEADER = [
  'title',
  'type',
  'phase',
  'phase_started_on',
  'owner',
  'owner_email',
  'programme',
  'planned_start',
  'planned_end',
  'planned_capital',
  'planned_resource',
  'actual_capital',
  'actual_resource',
  'delivery_approach',
  'report_frequency',
  'rag',
  'report_late',
  'overdue_milestones',
  'objectives',
  'description',
] as const;

export interface PortfolioExportProject {
  title: string;
  type: keyof typeof PROJECT_TYPE_LABELS;
  phase: keyof typeof PHASE_LABELS;
  phaseStartedOn: string | null;
  ownerName: string | null;
  ownerEmail: string | null;
  programmeTitle: string | null;
  plannedStart: string | null;
  plannedEnd: string | null;
  budgetPlanned: { capital: string; resource: string };
  budgetActual: { capital: string; resource: string };
  deliveryApproach: string;
  reportFrequency: string;
  rag: string | null;
  reportLate: boolean;
  overdueMilestones: number;
  objectiveTitles: string[];
  description: string;
}

/** Objective titles in one cell, separated like this (titles themselves rarely hold a semicolon). */
export const OBJECTIVE_SEPARATOR = '; ';

export function portfolioExportRow(p: PortfolioExportProject): Cell[] {
  return [
    p.title,
    p.type,
    p.phase,
    p.phaseStartedOn,
    p.ownerName,
    p.ownerEmail,
    p.programmeTitle,
    p.plannedStart,
    p.plannedEnd,
    Number(p.budgetPlanned.capital),
    Number(p.budgetPlanned.resource),
    Number(p.budgetActual.capital),
    Number(p.budgetActual.resource),
    p.deliveryApproach,
    p.reportFrequency,
    p.rag ?? 'none',
    p.reportLate ? 'yes' : 'no',
    p.overdueMilestones,
    p.objectiveTitles.join(OBJECTIVE_SEPARATOR),
    p.description,
  ];
}

/** The columns an import reads; only title is required. */
export const IMPORT_COLUMNS = [
  'title',
  'type',
  'phase',
  'owner_email',
  'planned_start',
  'planned_end',
  'planned_capital',
  'planned_resource',
  'actual_capital',
  'actual_resource',
  'delivery_approach',
  'report_frequency',
  'objectives',
  'description',
] as const;
type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Rows an import takes at most: a portfolio is hundreds of projects. */
export const MAX_IMPORT_ROWS = 2000;
/** Problems listed at most; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 100;

export interface ImportRow {
  line: number;
  cells: readonly string[];
}

/** A row read from the file, with the names the database checks still to resolve. */
export interface ImportedProject {
  line: number;
  input: ProjectInput;
  ownerEmail: string;
  objectiveTitles: string[];
}

export type ImportParse = { ok: true; projects: ImportedProject[] } | { ok: false; problems: string[] };

const FIELD_COLUMNS: Readonly<Record<string, string>> = {
  title: 'title',
  type: 'type',
  phase: 'phase',
  plannedStart: 'planned_start',
  plannedEnd: 'planned_end',
  budgetPlannedCapital: 'planned_capital',
  budgetPlannedResource: 'planned_resource',
  budgetActualCapital: 'actual_capital',
  budgetActualResource: 'actual_resource',
  deliveryApproach: 'delivery_approach',
  reportFrequency: 'report_frequency',
  description: 'description',
};

/** A row's problem as the person reads it: "Line 4: planned_end: The planned end date …". */
function lineProblem(line: number, problem: FieldError): string {
  const column =
    FIELD_COLUMNS[problem.field] ?? (problem.field.startsWith('weight-') ? 'objectives' : problem.field);
  return `Line ${line}: ${column}: ${problem.message}`;
}

/**
 * Reads the rows of a project list: the first non-empty row names the columns (any order, any
 * case); blank rows are skipped. Every row is checked by the same rules as the form, and every
 * problem is listed with its line, or the projects come back ready for the database checks.
 */
export function parseProjectRows(rows: readonly ImportRow[]): ImportParse {
  const nonEmpty = rows.filter((r) => r.cells.some((c) => c.trim() !== ''));
  const [header, ...body] = nonEmpty;
  if (header === undefined)
    return {
      ok: false,
      problems: ['The file is empty: the first row must name the columns, starting with title'],
    };
  const index = new Map<ImportColumn, number>();
  header.cells.forEach((cell, i) => {
    const name = cell.trim().toLowerCase().replace(/\s+/g, '_') as ImportColumn;
    if ((IMPORT_COLUMNS as readonly string[]).includes(name) && !index.has(name)) index.set(name, i);
  });
  if (!index.has('title'))
    return {
      ok: false,
      problems: [`Line ${header.line}: the first row must name the columns, and one must be title`],
    };
  if (body.length === 0) return { ok: false, problems: ['The file has no projects under its header row'] };
  if (body.length > MAX_IMPORT_ROWS)
    return {
      ok: false,
      problems: [`The file has ${body.length} projects: import at most ${MAX_IMPORT_ROWS} at a time`],
    };
  const cell = (row: ImportRow, column: ImportColumn): string => {
    const i = index.get(column);
    return i === undefined ? '' : (row.cells[i] ?? '').trim();
  };
  const problems: string[] = [];
  const projects: ImportedProject[] = [];
  for (const row of body) {
    const objectiveTitles = cell(row, 'objectives')
      .split(';')
      .map((t) => t.trim())
      .filter((t) => t !== '');
    const input: ProjectInput = {
      title: cell(row, 'title'),
      description: cell(row, 'description'),
      ownerId: null,
      type: cell(row, 'type').toLowerCase() || 'project',
      programmeId: null,
      phase: cell(row, 'phase').toLowerCase() || 'discovery',
      plannedStart: cell(row, 'planned_start'),
      plannedEnd: cell(row, 'planned_end'),
      budgetPlanned: { capital: cell(row, 'planned_capital'), resource: cell(row, 'planned_resource') },
      budgetActual: { capital: cell(row, 'actual_capital'), resource: cell(row, 'actual_resource') },
      deliveryApproach: cell(row, 'delivery_approach'),
      reportFrequency: cell(row, 'report_frequency').toLowerCase() || 'monthly',
      objectives: [],
    };
    const rowProblems = projectProblems(input);
    problems.push(...rowProblems.map((p) => lineProblem(row.line, p)));
    projects.push({
      line: row.line,
      input,
      ownerEmail: cell(row, 'owner_email').toLowerCase(),
      objectiveTitles,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, projects };
}

/** The problems as listed: the first MAX_LISTED_PROBLEMS, then how many more. */
export function listedProblems(problems: readonly string[]): string[] {
  if (problems.length <= MAX_LISTED_PROBLEMS) return [...problems];
  return [
    ...problems.slice(0, MAX_LISTED_PROBLEMS),
    `And ${problems.length - MAX_LISTED_PROBLEMS} more problems`,
  ];
}
