/**
 * The organisation dashboard's pure parts: KPIs counted by status, what is overdue and whose it
 * is, the biggest movers, and the objectives at risk, from KPIs whose statuses are already
 * computed and the organisation's golden threads. No I/O.
 */
import {
  formatPeriod,
  formatValue,
  KPI_STATUSES,
  type KpiStatus,
  type KpiWithStatus,
  polaritySign,
  type Rollup,
  STATUS_TAG_CLASSES,
  type StatusCounts,
  statusLabel,
} from '../kpis/kpis.service.ts';
import { type DeliverySnapshot, reportPeriodLabel } from '../delivery/delivery.service.ts';
import { LEVEL_LABELS, LEVEL_TAG_CLASSES, type RiskLevel } from '../risk/risk.service.ts';
import { type GoldenThread, objectivesWithStatus, type PlacedObjective } from '../thread/thread.service.ts';

/** What the dashboard reads of a KPI. */
export type DashboardKpi = Pick<
  KpiWithStatus,
  | 'key'
  | 'name'
  | 'unit'
  | 'frequency'
  | 'polarity'
  | 'baseline'
  | 'target'
  | 'status'
  | 'statusReason'
  | 'latest'
  | 'previous'
  | 'overdue'
  | 'expectedPeriod'
  | 'ownerId'
  | 'ownerName'
>;

export const MOVERS_LIMIT = 5;
/** The objectives the dashboard lists: worst first. */
export const OBJECTIVE_WARNING_STATUSES = ['off_track', 'at_risk'] as const satisfies readonly KpiStatus[];

export function countByStatus(kpis: readonly Pick<DashboardKpi, 'status'>[]): StatusCounts {
  const counts = Object.fromEntries(KPI_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const kpi of kpis) counts[kpi.status] += 1;
  return counts;
}

/**
 * KPIs missing the value of their last expected period (whatever their status: a KPI with no
 * data at all is missing it too), grouped by owner: owners by name, KPIs without an owner last;
 * within an owner, the longest overdue first, then by name.
 */
export function overdueKpis<K extends DashboardKpi>(kpis: readonly K[]): K[] {
  return kpis
    .filter((k) => k.overdue)
    .sort(
      (a, b) =>
        Number(a.ownerName === null) - Number(b.ownerName === null) ||
        (a.ownerName ?? '').localeCompare(b.ownerName ?? '') ||
        (a.ownerId ?? '').localeCompare(b.ownerId ?? '') ||
        (a.expectedPeriod ?? '').localeCompare(b.expectedPeriod ?? '') ||
        a.name.localeCompare(b.name),
    );
}

export interface Mover<K extends DashboardKpi = DashboardKpi> {
  kpi: K;
  latest: { period: string; value: number };
  previous: { period: string; value: number };
  /** latest − previous, in the KPI's unit. */
  change: number;
  /**
   * The change as a share of the distance from baseline to target, signed so that positive is
   * better whatever the polarity: +0.1 is a tenth of the way to the target gained.
   */
  progress: number;
}

/** A KPI's move between its last two values, or null when it has not two values or no baseline-to-target distance. */
export function moverOf<K extends DashboardKpi>(kpi: K): Mover<K> | null {
  const { latest, previous } = kpi;
  const distance = Math.abs(kpi.target.value - kpi.baseline.value);
  if (latest === null || previous === null || distance === 0) return null;
  const change = latest.value - previous.value;
  return { kpi, latest, previous, change, progress: (polaritySign(kpi.polarity) * change) / distance };
}

/**
 * The biggest movers: the KPIs whose last two values moved furthest relative to their
 * baseline-to-target distance, towards the target (improving) and away from it (worsening), at
 * most `limit` of each, biggest first (ties by name). KPIs that did not move are in neither.
 */
export function biggestMovers<K extends DashboardKpi>(kpis: readonly K[], limit = MOVERS_LIMIT): { improving: Mover<K>[]; worsening: Mover<K>[] } {
  const movers = kpis.map((k) => moverOf(k)).filter((m) => m !== null);
  const byName = (a: Mover<K>, b: Mover<K>): number => a.kpi.name.localeCompare(b.kpi.name);
  return {
    improving: movers
      .filter((m) => m.progress > 0)
      .sort((a, b) => b.progress - a.progress || byName(a, b))
      .slice(0, limit),
    worsening: movers
      .filter((m) => m.progress < 0)
      .sort((a, b) => a.progress - b.progress || byName(a, b))
      .slice(0, limit),
  };
}

export interface Dashboard<K extends DashboardKpi = DashboardKpi> {
  kpiCount: number;
  counts: StatusCounts;
  overdue: K[];
  movers: { improving: Mover<K>[]; worsening: Mover<K>[] };
  /** Objectives whose roll-up is off track or at risk, off track first. */
  objectivesAtRisk: PlacedObjective[];
  /** Each strategy's overall roll-up. */
  strategies: { id: string; title: string; status: GoldenThread['strategy']['status']; rollup: Rollup }[];
  /** Projects whose status report is late, and milestones overdue. */
  delivery: DeliverySnapshot;
  /** The open risks that most need attention (outside appetite first, then highest current score). */
  topRisks: DashboardRisk[];
}

/** What the dashboard reads of a risk. */
export interface DashboardRisk {
  id: string;
  title: string;
  category: { label: string };
  ownerName: string | null;
  current: { score: number; level: RiskLevel };
  outsideAppetite: boolean;
}

const NO_DELIVERY: DeliverySnapshot = { projects: [], overdueMilestones: [] };

export function buildDashboard<K extends DashboardKpi>(
  kpis: readonly K[],
  threads: readonly GoldenThread[],
  delivery: DeliverySnapshot = NO_DELIVERY,
  topRisks: readonly DashboardRisk[] = [],
): Dashboard<K> {
  return {
    topRisks: [...topRisks],
    delivery: { projects: delivery.projects.filter((p) => p.late !== null), overdueMilestones: delivery.overdueMilestones },
    kpiCount: kpis.length,
    counts: countByStatus(kpis),
    overdue: overdueKpis(kpis),
    movers: biggestMovers(kpis),
    objectivesAtRisk: objectivesWithStatus(threads, OBJECTIVE_WARNING_STATUSES),
    strategies: threads.map((t) => ({ id: t.strategy.id, title: t.strategy.title, status: t.strategy.status, rollup: t.rollup })),
  };
}

// ---------------------------------------------------------------------------------------------
// For the page
// ---------------------------------------------------------------------------------------------

/** Rows of the overdue table shown on the dashboard; the rest are a link away. */
export const OVERDUE_ROWS_SHOWN = 25;

function tag(status: KpiStatus, reason: string) {
  return { text: statusLabel(status), classes: STATUS_TAG_CLASSES[status], reason };
}

function percent(share: number): string {
  const value = Math.abs(share * 100);
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10}%`;
}

function moverView(m: Mover, base: string) {
  const value = (v: number): string => formatValue(v, m.kpi.unit);
  const sign = m.change > 0 ? '+' : m.change < 0 ? '−' : '';
  return {
    name: m.kpi.name,
    href: `${base}/kpis/${m.kpi.key}`,
    from: `${value(m.previous.value)} (${formatPeriod(m.previous.period, m.kpi.frequency)})`,
    to: `${value(m.latest.value)} (${formatPeriod(m.latest.period, m.kpi.frequency)})`,
    change: `${sign}${formatValue(Math.abs(m.change), m.kpi.unit)}`,
    progress: `${percent(m.progress)} of the distance from baseline to target ${m.progress > 0 ? 'gained' : 'lost'}`,
    status: tag(m.kpi.status, m.kpi.statusReason),
  };
}

/** The dashboard as the page shows it: labels, formatted values and links. */
export function dashboardView(dashboard: Dashboard, organisationSlug: string) {
  const base = `/o/${organisationSlug}`;
  return {
    kpiCount: dashboard.kpiCount,
    counts: KPI_STATUSES.map((status) => ({
      status,
      label: statusLabel(status),
      classes: STATUS_TAG_CLASSES[status],
      count: dashboard.counts[status],
      href: `${base}/kpis?status=${status}`,
    })),
    overdueCount: dashboard.overdue.length,
    overdueHref: `${base}/kpis?overdue=yes`,
    overdue: dashboard.overdue.slice(0, OVERDUE_ROWS_SHOWN).map((k) => ({
      name: k.name,
      href: `${base}/kpis/${k.key}`,
      expected: k.expectedPeriod === null ? '' : formatPeriod(k.expectedPeriod, k.frequency),
      latest: k.latest === null ? 'No value yet' : `${formatValue(k.latest.value, k.unit)} (${formatPeriod(k.latest.period, k.frequency)})`,
      owner: k.ownerName ?? 'No owner',
    })),
    improving: dashboard.movers.improving.map((m) => moverView(m, base)),
    worsening: dashboard.movers.worsening.map((m) => moverView(m, base)),
    objectivesAtRisk: dashboard.objectivesAtRisk.map((o) => ({
      title: o.objective.title,
      href: `${base}/strategy/${o.strategy.id}/thread#objective-${o.objective.id}`,
      goal: o.goal.title,
      strategy: o.strategy.title,
      owner: o.objective.ownerName ?? 'No owner',
      status: tag(o.rollup.status, o.rollup.reason),
    })),
    strategies: dashboard.strategies.map((s) => ({
      title: s.title,
      href: `${base}/strategy/${s.id}/thread`,
      draft: s.status === 'draft',
      status: tag(s.rollup.status, s.rollup.reason),
    })),
    lateReports: dashboard.delivery.projects.map((p) => ({
      title: p.title,
      href: `${base}/projects/${p.id}`,
      period: p.late === null ? '' : reportPeriodLabel(p.late.period, p.reportFrequency),
      owner: p.ownerName ?? 'No owner',
    })),
    overdueMilestones: dashboard.delivery.overdueMilestones.slice(0, OVERDUE_ROWS_SHOWN).map((m) => ({
      title: m.title,
      project: m.projectTitle,
      href: `${base}/projects/${m.projectId}#milestones`,
      due: m.dueOn,
    })),
    overdueMilestoneCount: dashboard.delivery.overdueMilestones.length,
    portfolioHref: `${base}/projects`,
    topRisks: dashboard.topRisks.map((r) => ({
      title: r.title,
      href: `${base}/risks/${r.id}`,
      category: r.category.label,
      owner: r.ownerName ?? 'No owner',
      level: { text: `${LEVEL_LABELS[r.current.level]} (${r.current.score})`, classes: LEVEL_TAG_CLASSES[r.current.level] },
      outsideAppetite: r.outsideAppetite,
    })),
    risksHref: `${base}/risks`,
  };
}

export type DashboardView = ReturnType<typeof dashboardView>;
