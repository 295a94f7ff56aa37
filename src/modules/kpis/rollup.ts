/**
 * Roll-up of statuses from children (KPIs, projects, objectives) to their parent (objective,
 * goal, strategy). One rule everywhere, documented in ROLLUP_RULE for the docs page.
 */
import { KPI_STATUSES, type KpiStatus } from './status.ts';

export interface RollupChild {
  status: KpiStatus;
  /** How much this child counts towards the parent; 0 or more, default 1. */
  weight?: number;
}

export type StatusCounts = Record<KpiStatus, number>;

export interface Rollup {
  status: KpiStatus;
  /** Weighted score from 0 (all off track) to 1 (all on track); null when nothing is scored. */
  score: number | null;
  counts: StatusCounts;
  reason: string;
}

export interface RollupOptions {
  /** What the children are, for the reason: default { singular: 'KPI', plural: 'KPIs' }. */
  noun?: { singular: string; plural: string };
}

/** Points each scored status earns. no_data and overdue earn none: they are not scored. */
export const STATUS_SCORES = { on_track: 1, at_risk: 0.5, off_track: 0 } as const;

/** The parent is on track from 0.8 and at risk from 0.5; below that it is off track. */
export const ROLLUP_THRESHOLDS = { onTrack: 0.8, atRisk: 0.5 } as const;

/** Weighted sums of fractions like 0.8 are not exact in floating point; this absorbs that. */
const SCORE_EPSILON = 1e-9;

export const ROLLUP_RULE = [
  'Each item on track scores 1, at risk 0.5, off track 0, times its weight (1 unless set).',
  "The parent's score is the weighted average over the items that have a current status.",
  'A score of 0.8 or more is on track, 0.5 or more at risk, anything lower off track.',
  'Items with no data yet are left out of the score, but counted and listed.',
  'Items that are overdue are also left out of the score, and while any item is overdue the parent is at best at risk: a green built on stale figures cannot be trusted.',
  'When no item has a current status, the parent is overdue if any item is overdue, otherwise it has no data.',
  "A project linked to an objective counts as an item with its link's weight: its latest status report's RAG green, amber or red counts as on track, at risk or off track; a project whose report is late counts as overdue, and one that has not reported yet as no data.",
].join(' ');

type ScoredStatus = keyof typeof STATUS_SCORES;

function isScored(status: KpiStatus): status is ScoredStatus {
  return status in STATUS_SCORES;
}

/** The parent's status, score and reason from its children, by ROLLUP_RULE. */
export function rollUp(children: readonly RollupChild[], options: RollupOptions = {}): Rollup {
  const noun = options.noun ?? { singular: 'KPI', plural: 'KPIs' };
  const counts = countStatuses(children);
  const score = weightedScore(children);
  const status = parentStatus(score, counts);
  return { status, score, counts, reason: rollupReason(status, score, counts, children.length, noun) };
}

function countStatuses(children: readonly RollupChild[]): StatusCounts {
  const counts = Object.fromEntries(KPI_STATUSES.map((status) => [status, 0])) as StatusCounts;
  for (const child of children) counts[child.status] += 1;
  return counts;
}

function weightOf(child: RollupChild): number {
  const weight = child.weight ?? 1;
  if (!Number.isFinite(weight) || weight < 0) {
    throw new RangeError(`A roll-up weight must be a finite number, 0 or more (got ${weight})`);
  }
  return weight;
}

function weightedScore(children: readonly RollupChild[]): number | null {
  let points = 0;
  let totalWeight = 0;
  for (const child of children) {
    const weight = weightOf(child);
    if (!isScored(child.status)) continue;
    points += STATUS_SCORES[child.status] * weight;
    totalWeight += weight;
  }
  return totalWeight > 0 ? points / totalWeight : null;
}

function parentStatus(score: number | null, counts: StatusCounts): KpiStatus {
  if (score === null) return counts.overdue > 0 ? 'overdue' : 'no_data';
  const byScore = statusForScore(score);
  return byScore === 'on_track' && counts.overdue > 0 ? 'at_risk' : byScore;
}

export function statusForScore(score: number): ScoredStatus {
  if (score + SCORE_EPSILON >= ROLLUP_THRESHOLDS.onTrack) return 'on_track';
  if (score + SCORE_EPSILON >= ROLLUP_THRESHOLDS.atRisk) return 'at_risk';
  return 'off_track';
}

function rollupReason(
  status: KpiStatus,
  score: number | null,
  counts: StatusCounts,
  total: number,
  noun: { singular: string; plural: string },
): string {
  if (total === 0) return `No ${noun.plural} linked yet`;
  const parts = [`${counts.on_track} of ${total} ${total === 1 ? noun.singular : noun.plural} on track`];
  if (counts.at_risk > 0) parts.push(`${counts.at_risk} at risk`);
  if (counts.off_track > 0) parts.push(`${counts.off_track} off track`);
  if (counts.overdue > 0) parts.push(`${counts.overdue} overdue`);
  if (counts.no_data > 0) parts.push(`${counts.no_data} with no data yet`);
  const heldBack = score !== null && status === 'at_risk' && statusForScore(score) === 'on_track';
  if (heldBack) parts.push('at risk until the overdue values are recorded');
  return parts.join('; ');
}
