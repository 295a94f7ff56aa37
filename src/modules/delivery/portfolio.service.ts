import type { Db } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { kpiStatusesForObjectives } from '../kpis/kpis.service.ts';
import { listStrategyTrees } from '../strategy/strategy.service.ts';
import { formatPeriod } from '../kpis/kpis.service.ts';
import {
  listOverdueMilestones,
  listProjectViews,
  type OverdueMilestone,
  type ProjectView,
  type StatusOptions,
} from './delivery.service.ts';
import { renderTimeline } from './timeline.ts';

export interface LateReportRow {
  project: ProjectView;
  periodLabel: string;
  dueBy: string;
}

export interface PortfolioOverview {
  lateReports: LateReportRow[];
  overdueMilestones: OverdueMilestone[];
  /** Projects linked to no objective: a finding, since everything should trace to the strategy. */
  unaligned: ProjectView[];
  /** Objectives with no project and no KPI: nothing delivers or measures them. */
  unsupported: { id: string; title: string; goalTitle: string }[];
  /** Projects with both planned dates, by start: the timeline and its table alternative. */
  timeline: ProjectView[];
  timelineSvg: string;
}

/**
 * What the portfolio page shows beside its list: late status reports, overdue milestones,
 * unaligned projects, unsupported objectives (of strategies not archived) and the timeline.
 */
export async function portfolioOverview(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: StatusOptions = {},
): Promise<PortfolioOverview> {
  assertAllowed(actor, 'projects.read', organisationId);
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const [projects, overdueMilestones, trees, kpisByObjective] = await Promise.all([
    listProjectViews(db, actor, organisationId, {}, { today }),
    listOverdueMilestones(db, actor, organisationId, { today }),
    listStrategyTrees(db, actor, organisationId),
    kpiStatusesForObjectives(db, actor, organisationId, { today }),
  ]);
  const withProject = new Set(projects.flatMap((p) => p.objectives.map((o) => o.objectiveId)));
  const unsupported = trees.flatMap((tree) =>
    tree.goals.flatMap((goal) =>
      goal.objectives
        .filter((o) => !withProject.has(o.id) && (kpisByObjective.get(o.id)?.length ?? 0) === 0)
        .map((o) => ({ id: o.id, title: o.title, goalTitle: goal.title })),
    ),
  );
  const timeline = projects
    .filter((p) => p.plannedStart !== null && p.plannedEnd !== null)
    .sort(
      (a, b) =>
        (a.plannedStart ?? '').localeCompare(b.plannedStart ?? '') || a.title.localeCompare(b.title, 'en-GB'),
    );
  return {
    lateReports: projects
      .filter((p) => p.late !== null)
      .map((p) => ({
        project: p,
        periodLabel: formatPeriod(p.late?.period ?? today, p.reportFrequency),
        dueBy: p.late?.dueBy ?? today,
      })),
    overdueMilestones,
    unaligned: projects.filter((p) => p.type !== 'programme' && p.objectives.length === 0),
    unsupported,
    timeline,
    timelineSvg: renderTimeline({
      label: `Timeline of ${timeline.length} ${timeline.length === 1 ? 'project' : 'projects'} from planned start to planned end, coloured by RAG, with today marked`,
      rows: timeline.map((p) => ({
        title: p.title,
        start: p.plannedStart ?? today,
        end: p.plannedEnd ?? today,
        rag: p.rag,
      })),
      today,
    }),
  };
}
