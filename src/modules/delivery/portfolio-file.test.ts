import { describe, expect, it } from 'vitest';
import {
  listedProblems,
  MAX_IMPORT_ROWS,
  MAX_LISTED_PROBLEMS,
  parseProjectRows,
  portfolioExportRow,
  PORTFOLIO_EXPORT_HEADER,
} from './portfolio-file.ts';

const rows = (...lines: string[][]) => lines.map((cells, i) => ({ line: i + 1, cells }));

describe('reading a project list', () => {
  it('reads columns in any order and case, skips blank rows and fills defaults', () => {
    const parsed = parseProjectRows(
      rows(
        ['', ''],
        ['Phase', ' TITLE ', 'objectives', 'rag'],
        ['Beta', 'Bins online', 'Pay online; Faster answers ;', 'red'],
        ['', ''],
        ['', 'Pilot thing'],
      ),
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(
      parsed.projects.map((p) => [
        p.line,
        p.input.title,
        p.input.phase,
        p.input.type,
        p.input.reportFrequency,
        p.objectiveTitles,
      ]),
    ).toEqual([
      [3, 'Bins online', 'beta', 'project', 'monthly', ['Pay online', 'Faster answers']],
      [5, 'Pilot thing', 'discovery', 'project', 'monthly', []],
    ]);
  });

  it('names the line and the column of every problem', () => {
    const parsed = parseProjectRows(
      rows(
        ['title', 'planned_start', 'planned_end'],
        ['', '2026-02-30', ''],
        ['Ok', '2026-04-01', '2026-01-01'],
      ),
    );
    expect(parsed).toEqual({
      ok: false,
      problems: [
        'Line 2: title: Enter a title for the project',
        'Line 2: planned_start: Enter a real date for the planned start date',
        'Line 3: planned_end: The planned end date must be on or after the planned start date',
      ],
    });
  });

  it('refuses a file without a title column, without projects, or with too many', () => {
    expect(parseProjectRows([])).toEqual({
      ok: false,
      problems: ['The file is empty: the first row must name the columns, starting with title'],
    });
    expect(parseProjectRows(rows(['name']))).toEqual({
      ok: false,
      problems: ['Line 1: the first row must name the columns, and one must be title'],
    });
    expect(parseProjectRows(rows(['title']))).toEqual({
      ok: false,
      problems: ['The file has no projects under its header row'],
    });
    const many = rows(['title'], ...Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => [`P${i}`]));
    expect(parseProjectRows(many).ok).toBe(false);
  });

  it('lists the first problems and counts the rest', () => {
    const problems = Array.from({ length: MAX_LISTED_PROBLEMS + 5 }, (_, i) => `Line ${i}`);
    expect(listedProblems(problems).at(-1)).toBe('And 5 more problems');
  });
});

describe('the portfolio export', () => {
  it('has one cell per header column', () => {
    const row = portfolioExportRow({
      title: 'Bins',
      type: 'project',
      phase: 'live',
      phaseStartedOn: '2026-01-01',
      ownerName: null,
      ownerEmail: null,
      programmeTitle: null,
      plannedStart: null,
      plannedEnd: null,
      budgetPlanned: { capital: '10.50', resource: '0.00' },
      budgetActual: { capital: '0.00', resource: '0.00' },
      deliveryApproach: '',
      reportFrequency: 'monthly',
      rag: null,
      reportLate: true,
      overdueMilestones: 2,
      objectiveTitles: ['A', 'B'],
      description: '',
    });
    expect(row).toHaveLength(PORTFOLIO_EXPORT_HEADER.length);
    expect(row.slice(9, 10)).toEqual([10.5]);
    expect(row.slice(15, 19)).toEqual(['none', 'yes', 2, 'A; B']);
  });
});
