/**
 * The portfolio timeline: one bar per project from its planned start to its planned end,
 * coloured by RAG, with today marked. Pure input → SVG string, no script and no inline styles
 * (the CSP forbids them). Colour is never the only signal: each bar's label names its RAG, and
 * pages show the same data as a table beside it.
 */
import type { Rag } from './delivery.ts';

export interface TimelineRow {
  title: string;
  start: string;
  end: string;
  rag: Rag | null;
}

export interface TimelineInput {
  /** The accessible name: a sentence saying what the chart shows. */
  label: string;
  rows: readonly TimelineRow[];
  today: string;
  width?: number;
}

const RAG_COLOURS: Readonly<Record<Rag | 'none', string>> = {
  green: '#00703c',
  amber: '#f47738',
  red: '#d4351c',
  none: '#505a5f',
};
const RAG_WORDS: Readonly<Record<Rag | 'none', string>> = {
  green: 'green',
  amber: 'amber',
  red: 'red',
  none: 'no report yet',
};
const LABEL_WIDTH = 260;
const ROW_HEIGHT = 28;
const AXIS_HEIGHT = 30;

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function dayNumber(date: string): number {
  return Math.round(
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000,
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The years from the first start to the last end, as January-first ticks. */
function yearTicks(from: number, to: number): { label: string; day: number }[] {
  const first = new Date(from * 86_400_000).getUTCFullYear() + 1;
  const last = new Date(to * 86_400_000).getUTCFullYear();
  const ticks: { label: string; day: number }[] = [];
  for (let year = first; year <= last; year += 1)
    ticks.push({ label: String(year), day: dayNumber(`${year}-01-01`) });
  return ticks;
}

/** The timeline as an SVG image; an empty string when no row has both dates. */
export function renderTimeline(input: TimelineInput): string {
  const rows = input.rows.filter((r) => r.start <= r.end);
  if (rows.length === 0) return '';
  const width = input.width ?? 900;
  const height = AXIS_HEIGHT + rows.length * ROW_HEIGHT + 10;
  const from = Math.min(...rows.map((r) => dayNumber(r.start)), dayNumber(input.today));
  const to = Math.max(...rows.map((r) => dayNumber(r.end)), dayNumber(input.today)) + 1;
  const plotWidth = width - LABEL_WIDTH - 10;
  const x = (day: number): number => LABEL_WIDTH + ((day - from) / (to - from)) * plotWidth;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="timeline-title" class="app-timeline">`,
    `<title id="timeline-title">${escapeXml(input.label)}</title>`,
  );
  for (const tick of yearTicks(from, to)) {
    const tx = x(tick.day).toFixed(1);
    parts.push(
      `<line x1="${tx}" y1="${AXIS_HEIGHT - 6}" x2="${tx}" y2="${height}" stroke="#b1b4b6" stroke-width="1"/>`,
      `<text x="${tx}" y="${AXIS_HEIGHT - 12}" font-size="13" text-anchor="middle" fill="#0b0c0c">${tick.label}</text>`,
    );
  }
  rows.forEach((row, index) => {
    const y = AXIS_HEIGHT + index * ROW_HEIGHT;
    const rag = row.rag ?? 'none';
    const x1 = x(dayNumber(row.start));
    const x2 = Math.max(x(dayNumber(row.end) + 1), x1 + 2);
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 18}" font-size="13" text-anchor="end" fill="#0b0c0c">${escapeXml(truncate(row.title, 34))}</text>`,
      `<rect x="${x1.toFixed(1)}" y="${y + 6}" width="${(x2 - x1).toFixed(1)}" height="${ROW_HEIGHT - 12}" fill="${RAG_COLOURS[rag]}" stroke="#0b0c0c" stroke-width="${row.rag === null ? 1 : 0}">`,
      `<title>${escapeXml(`${row.title}: ${row.start} to ${row.end}, ${RAG_WORDS[rag]}`)}</title></rect>`,
    );
  });
  const todayX = x(dayNumber(input.today)).toFixed(1);
  parts.push(
    `<line x1="${todayX}" y1="${AXIS_HEIGHT - 6}" x2="${todayX}" y2="${height}" stroke="#0b0c0c" stroke-width="2" stroke-dasharray="4 3"/>`,
    `<text x="${todayX}" y="${height - 2}" font-size="12" text-anchor="middle" fill="#0b0c0c">Today</text>`,
    '</svg>',
  );
  return parts.join('');
}
