import { formatDate } from '../../platform/http/views.ts';
import { CADENCE_LABELS, type Board } from './governance.ts';

/**
 * The board pack: one document for a board's meeting on a date, built once as plain sections of
 * rows so the page, the PDF and the XLSX say exactly the same thing. Pure: the service gathers
 * the inputs (statuses already computed as at the pack's date), this selects, orders and words.
 */

export type PackStatus = 'on_track' | 'at_risk' | 'off_track' | 'no_data' | 'overdue';
export type PackRag = 'green' | 'amber' | 'red';

export interface PackInput {
  board: Board;
  /** 'YYYY-MM-DD': the meeting's date; statuses are as at this day. */
  date: string;
  strategies: { title: string; status: PackStatus; statusLabel: string; reason: string }[];
  kpis: { name: string; status: PackStatus; statusLabel: string; reason: string; overdue: boolean; latest: string; ownerName: string | null }[];
  projects: {
    title: string;
    ownerName: string | null;
    report: { period: string; overall: PackRag; schedule: PackRag; budget: PackRag; scope: PackRag; reason: string; issues: string; nextSteps: string };
  }[];
  decisionsNeeded: { projectTitle: string; period: string; decisionsNeeded: string }[];
  proposedDecisions: { title: string; decidedOn: string }[];
  /** Open risks outside appetite, from the risk module. */
  risks: { title: string; category: string; ownerName: string | null; currentScore: number; appetiteLimit: number; appetiteLevel: string }[];
}

export interface PackSection {
  /** A stable key: the HTML anchor and the XLSX sheet. */
  key: string;
  title: string;
  /** Said when the section has no rows. */
  empty: string;
  header: string[];
  rows: string[][];
}

export interface BoardPack {
  boardName: string;
  title: string;
  /** One line under the title: the board, its chair and cadence. */
  subtitle: string;
  date: string;
  sections: PackSection[];
}

const RAG_LABELS: Readonly<Record<PackRag, string>> = { green: 'Green', amber: 'Amber', red: 'Red' };
const RAG_ORDER: Readonly<Record<PackRag, number>> = { red: 0, amber: 1, green: 2 };
/** KPIs worst first: off track before overdue. */
const KPI_ORDER: Readonly<Record<PackStatus, number>> = { off_track: 0, overdue: 1, at_risk: 2, no_data: 3, on_track: 4 };

function byText(a: string, b: string): number {
  return a.localeCompare(b, 'en-GB');
}

export function boardPack(input: PackInput): BoardPack {
  const { board, date } = input;
  const chair = board.chair === null ? 'no chair' : `chaired by ${board.chair.name}`;

  const kpis = input.kpis
    .filter((k) => k.status === 'off_track' || k.overdue)
    .sort((a, b) => KPI_ORDER[a.status] - KPI_ORDER[b.status] || byText(a.name, b.name));

  // Reports for a month after the meeting do not belong in its pack.
  const projects = input.projects
    .filter((p) => p.report.period <= date && (p.report.overall === 'red' || p.report.overall === 'amber'))
    .sort((a, b) => RAG_ORDER[a.report.overall] - RAG_ORDER[b.report.overall] || byText(a.title, b.title));

  const sections: PackSection[] = [
    {
      key: 'strategy',
      title: 'Strategy status',
      empty: 'There is no strategy yet.',
      header: ['Strategy', 'Status', 'Why'],
      rows: input.strategies.map((s) => [s.title, s.statusLabel, s.reason]),
    },
    {
      key: 'kpis',
      title: 'KPIs off track or overdue',
      empty: 'No KPI is off track or overdue.',
      header: ['KPI', 'Status', 'Latest value', 'Owner', 'Why'],
      rows: kpis.map((k) => [k.name, k.overdue && k.status !== 'overdue' ? `${k.statusLabel}, overdue` : k.statusLabel, k.latest, k.ownerName ?? 'No owner', k.reason]),
    },
    {
      key: 'projects',
      title: 'Red and amber projects',
      empty: 'No project’s latest status report is red or amber.',
      header: ['Project', 'Overall', 'Schedule', 'Budget', 'Scope', 'Report for', 'Owner', 'Why', 'Issues', 'Next steps'],
      rows: projects.map((p) => [
        p.title,
        RAG_LABELS[p.report.overall],
        RAG_LABELS[p.report.schedule],
        RAG_LABELS[p.report.budget],
        RAG_LABELS[p.report.scope],
        formatDate(p.report.period),
        p.ownerName ?? 'No owner',
        p.report.reason,
        p.report.issues,
        p.report.nextSteps,
      ]),
    },
    {
      key: 'decisions',
      title: 'Decisions needed',
      empty: 'No decision is needed: no overseen project asks for one and none is proposed.',
      header: ['From', 'Date', 'Decision needed'],
      rows: [
        ...input.decisionsNeeded
          .filter((d) => d.period <= date)
          .map((d) => [`Project: ${d.projectTitle}`, `Report for ${formatDate(d.period)}`, d.decisionsNeeded]),
        ...input.proposedDecisions.map((d) => ['Proposed to the board', formatDate(d.decidedOn), d.title]),
      ],
    },
    {
      key: 'risks',
      title: 'Risks outside appetite',
      empty: 'No open risk is outside its category’s appetite.',
      header: ['Risk', 'Category', 'Owner', 'Current score', 'Appetite'],
      rows: [...input.risks]
        .sort((a, b) => b.currentScore - a.currentScore || byText(a.title, b.title))
        .map((r) => [r.title, r.category, r.ownerName ?? 'No owner', String(r.currentScore), `${r.appetiteLevel}, up to ${r.appetiteLimit}`]),
    },
  ];

  return {
    boardName: board.name,
    title: `${board.name}: board pack`,
    subtitle: `${formatDate(date)}. ${CADENCE_LABELS[board.cadence]} board, ${chair}.`,
    date,
    sections,
  };
}

/** The download's file name: the board's name made safe, and the date. */
export function packFileName(boardName: string, date: string, extension: 'pdf' | 'xlsx'): string {
  const slug =
    boardName
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'board';
  return `${slug}-pack-${date}.${extension}`;
}
