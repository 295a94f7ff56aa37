import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireOrg, webActor } from '../../platform/http/context.ts';
import { formatPeriod, formatValue, type KpiStatus, ROLLUP_RULE, type Rollup, STATUS_TAG_CLASSES, statusLabel, todayUtc } from '../kpis/kpis.service.ts';
import { PHASE_LABELS, RAG_LABELS } from '../delivery/delivery.service.ts';
import { riskListItem, risksForObjectives } from '../risk/risk.service.ts';
import { getGoldenThread, type ThreadKpi, type ThreadProject } from './thread.service.ts';

/** A status as the govuk-tag macro takes it, with its reason. */
export function statusTag(status: KpiStatus, reason: string): { text: string; classes: string; reason: string } {
  return { text: statusLabel(status), classes: STATUS_TAG_CLASSES[status], reason };
}

function rollupView(rollup: Rollup) {
  return statusTag(rollup.status, rollup.reason);
}

function itemView(item: ThreadKpi, organisationSlug: string) {
  return {
    kind: item.kind,
    name: item.name,
    href: `/o/${organisationSlug}/kpis/${item.key}`,
    latest: item.latest === null ? 'No data' : `${formatValue(item.latest.value, item.unit)} (${formatPeriod(item.latest.period, item.frequency)})`,
    planned: item.planned === null ? '' : formatValue(item.planned, item.unit),
    owner: item.ownerName ?? 'No owner',
    weight: item.weight,
    status: statusTag(item.status, item.statusReason),
  };
}

function projectView(item: ThreadProject, organisationSlug: string) {
  return {
    name: item.name,
    href: `/o/${organisationSlug}/projects/${item.id}`,
    phase: PHASE_LABELS[item.phase],
    rag: item.rag === null ? 'No report yet' : RAG_LABELS[item.rag],
    owner: item.ownerName ?? 'No owner',
    weight: item.weight,
    status: statusTag(item.status, item.statusReason),
  };
}


function strategyIdParam(request: FastifyRequest): string {
  return (request.params as { strategyId?: string }).strategyId ?? '';
}

/** The golden thread page of a strategy: everyone in the organisation reads it. */
export async function threadWebRoutes(app: FastifyInstance): Promise<void> {
  app.get('/o/:org/strategy/:strategyId/thread', { schema: { hide: true } }, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const thread = await getGoldenThread(app.db, webActor(request), organisation.id, strategyIdParam(request), { today: todayUtc() });
    const risks = await risksForObjectives(app.db, webActor(request), organisation.id);
    return reply.page('thread/views/thread.njk', {
      pageTitle: `Golden thread: ${thread.strategy.title}`,
      organisation,
      strategy: thread.strategy,
      status: rollupView(thread.rollup),
      rule: ROLLUP_RULE,
      goals: thread.goals.map((g) => ({
        id: g.goal.id,
        title: g.goal.title,
        weight: g.goal.weight,
        status: rollupView(g.rollup),
        objectives: g.objectives.map((o) => ({
          id: o.objective.id,
          title: o.objective.title,
          owner: o.objective.ownerName,
          weight: o.objective.weight,
          status: rollupView(o.rollup),
          items: o.items.flatMap((item) => (item.kind === 'kpi' ? [itemView(item, organisation.slug)] : [])),
          projects: o.items.flatMap((item) => (item.kind === 'project' ? [projectView(item, organisation.slug)] : [])),
          risks: (risks.get(o.objective.id) ?? []).map((r) => riskListItem(r, organisation.slug)),
        })),
      })),
    });
  });
}
