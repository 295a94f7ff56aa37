import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAtLeast } from '../../platform/access/roles.ts';
import { renderLineChart } from '../../platform/charts/line-chart.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { redirectWithFlash, requireOrg, webActor } from '../../platform/http/context.ts';
import { field, formFields, withFormErrors } from '../../platform/http/forms.ts';
import type { PageData } from '../../platform/http/render.ts';
import { cellDescription, renderHeatMap } from './heat-map.ts';
import {
  addRiskAction,
  addRiskCategory,
  deescalateRisk,
  deleteRisk,
  deleteRiskAction,
  escalateRisk,
  getContingencyPlan,
  getRisk,
  getRiskAction,
  getRiskCategory,
  heatMapOf,
  listEscalatedRisks,
  listRiskActions,
  listRiskAssessments,
  listRiskCategories,
  listRisks,
  type Risk,
  type RiskAction,
  type RiskDetail,
  type RiskFilters,
  riskFormOptions,
  type RiskInput,
  reassessRisk,
  saveContingencyPlan,
  setRiskAppetite,
  updateRisk,
  updateRiskAction,
  createRisk,
} from './risk.service.ts';
import {
  ACTION_STATUS_LABELS,
  ACTION_STATUSES,
  APPETITE_DESCRIPTIONS,
  APPETITE_LABELS,
  APPETITE_LEVELS,
  ASSESSMENT_KINDS,
  ASSESSMENT_LABELS,
  type AssessmentKind,
  assessmentField,
  isUuid,
  LEVEL_BANDS,
  LEVEL_LABELS,
  LEVEL_TAG_CLASSES,
  PROXIMITIES,
  PROXIMITY_LABELS,
  REVIEW_FREQUENCIES,
  REVIEW_FREQUENCY_LABELS,
  RESPONSE_HINTS,
  RESPONSE_LABELS,
  RESPONSES,
  RISK_LEVELS,
  SCALE,
  SCALE_WORDS,
  type ScoredAssessment,
} from './risk.ts';

const DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
function formatDate(iso: string): string {
  return DATE.format(new Date(`${iso}T00:00:00Z`));
}

function riskIdParam(request: FastifyRequest): string {
  const id = (request.params as { riskId?: string }).riskId ?? '';
  if (!isUuid(id)) throw new NotFoundError();
  return id;
}

function levelTag(a: ScoredAssessment) {
  return { text: `${LEVEL_LABELS[a.level]} (${a.score})`, classes: LEVEL_TAG_CLASSES[a.level] };
}

function assessmentText(a: ScoredAssessment): string {
  return `Likelihood ${a.likelihood} (${SCALE_WORDS[a.likelihood]}) × impact ${a.impact} (${SCALE_WORDS[a.impact]}) = ${a.score}, ${LEVEL_LABELS[a.level].toLowerCase()}`;
}

function registerRow(risk: Risk, base: string) {
  return {
    id: risk.id,
    href: `${base}/${risk.id}`,
    title: risk.title,
    source: risk.readOnly ? risk.organisationName : null,
    category: risk.category.label,
    owner: risk.ownerName ?? 'No owner',
    inherent: levelTag(risk.inherent),
    current: levelTag(risk.current),
    target: levelTag(risk.target),
    response: RESPONSE_LABELS[risk.response],
    status: risk.status,
    outsideAppetite: risk.outsideAppetite,
    appetiteMax: risk.appetite.maxScore,
    lacksContingencyPlan: risk.lacksContingencyPlan,
    reviewOverdue: risk.reviewOverdue,
    nextReview: formatDate(risk.nextReviewOn),
    escalated: risk.escalatedToId !== null,
  };
}

/** The register's filters from the query string; anything unknown is ignored. */
function registerFilters(query: Record<string, unknown>): {
  filters: RiskFilters;
  values: Record<string, string>;
} {
  const text = (name: string): string => (typeof query[name] === 'string' ? query[name] : '');
  const filters: RiskFilters = {};
  const values: Record<string, string> = {};
  if (/^[a-z][a-z0-9_]*$/.test(text('category'))) filters.category = values.category = text('category');
  const level = RISK_LEVELS.find((l) => l === text('level'));
  if (level !== undefined) filters.level = values.level = level;
  if (isUuid(text('owner'))) filters.ownerId = values.owner = text('owner');
  if (text('appetite') === 'outside' || text('appetite') === 'within')
    filters.appetite = values.appetite = text('appetite') as 'outside' | 'within';
  const response = RESPONSES.find((r) => r === text('response'));
  if (response !== undefined) filters.response = values.response = response;
  const status = text('status');
  if (status === 'open' || status === 'closed') filters.status = values.status = status;
  else if (status !== 'all') filters.status = 'open';
  values.statusChoice = status === 'all' || status === 'closed' ? status : 'open';
  if (text('plan') === 'missing') {
    filters.lacksContingencyPlan = true;
    values.plan = 'missing';
  }
  if (text('review') === 'overdue') {
    filters.reviewOverdue = true;
    values.review = 'overdue';
  }
  const cell = /^(inherent|current)-([1-5])-([1-5])$/.exec(text('cell'));
  if (cell !== null) {
    filters.cell = {
      kind: cell[1] as 'inherent' | 'current',
      likelihood: Number(cell[2]),
      impact: Number(cell[3]),
    };
    values.cell = text('cell');
  }
  return { filters, values };
}

interface RiskFormValues {
  title: string;
  cause: string;
  event: string;
  consequence: string;
  category: string;
  ownerId: string;
  proximity: string;
  status: string;
  inherentLikelihood: string;
  inherentImpact: string;
  currentLikelihood: string;
  currentImpact: string;
  targetLikelihood: string;
  targetImpact: string;
  response: string;
  reviewFrequency: string;
  objectiveIds: string[];
  kpiIds: string[];
  projectIds: string[];
  note: string;
  version: string;
}

const EMPTY_FORM: RiskFormValues = {
  title: '',
  cause: '',
  event: '',
  consequence: '',
  category: '',
  ownerId: '',
  proximity: '',
  status: 'open',
  inherentLikelihood: '',
  inherentImpact: '',
  currentLikelihood: '',
  currentImpact: '',
  targetLikelihood: '',
  targetImpact: '',
  response: '',
  reviewFrequency: 'quarterly',
  objectiveIds: [],
  kpiIds: [],
  projectIds: [],
  note: '',
  version: '',
};

function formValuesOf(risk: RiskDetail): RiskFormValues {
  return {
    title: risk.title,
    cause: risk.cause,
    event: risk.event,
    consequence: risk.consequence,
    category: risk.category.key,
    ownerId: risk.ownerId ?? '',
    proximity: risk.proximity,
    status: risk.status,
    inherentLikelihood: String(risk.inherent.likelihood),
    inherentImpact: String(risk.inherent.impact),
    currentLikelihood: String(risk.current.likelihood),
    currentImpact: String(risk.current.impact),
    targetLikelihood: String(risk.target.likelihood),
    targetImpact: String(risk.target.impact),
    response: risk.response,
    reviewFrequency: risk.reviewFrequency,
    objectiveIds: risk.objectiveIds,
    kpiIds: risk.kpiIds,
    projectIds: risk.projectIds,
    note: '',
    version: String(risk.version),
  };
}

function listField(request: FastifyRequest, name: string): string[] {
  const raw = (request.body as Record<string, unknown> | null)?.[name];
  return [raw ?? []].flat().filter((v): v is string => typeof v === 'string' && v !== '');
}

function formValuesFromRequest(request: FastifyRequest): RiskFormValues {
  const fields = formFields(request);
  const values = { ...EMPTY_FORM };
  for (const key of Object.keys(EMPTY_FORM) as (keyof RiskFormValues)[]) {
    if (key === 'objectiveIds' || key === 'kpiIds' || key === 'projectIds')
      values[key] = listField(request, key);
    else values[key] = field(fields, key);
  }
  return values;
}

function inputOf(values: RiskFormValues): RiskInput {
  return {
    title: values.title,
    cause: values.cause,
    event: values.event,
    consequence: values.consequence,
    category: values.category,
    ownerId: values.ownerId,
    proximity: values.proximity,
    status: values.status,
    inherent: { likelihood: values.inherentLikelihood, impact: values.inherentImpact },
    current: { likelihood: values.currentLikelihood, impact: values.currentImpact },
    target: { likelihood: values.targetLikelihood, impact: values.targetImpact },
    response: values.response,
    reviewFrequency: values.reviewFrequency,
    objectiveIds: values.objectiveIds,
    kpiIds: values.kpiIds,
    projectIds: values.projectIds,
  };
}

function scaleItems(selected: string) {
  return [
    { value: '', text: 'Choose', selected: selected === '' },
    ...SCALE.map((n) => ({
      value: String(n),
      text: `${n} – ${SCALE_WORDS[n]}`,
      selected: selected === String(n),
    })),
  ];
}

function assessmentFields(values: RiskFormValues) {
  return ASSESSMENT_KINDS.map((kind: AssessmentKind) => ({
    kind,
    legend: ASSESSMENT_LABELS[kind],
    likelihood: {
      id: assessmentField(kind, 'likelihood'),
      items: scaleItems(values[assessmentField(kind, 'likelihood') as keyof RiskFormValues] as string),
    },
    impact: {
      id: assessmentField(kind, 'impact'),
      items: scaleItems(values[assessmentField(kind, 'impact') as keyof RiskFormValues] as string),
    },
  }));
}

/** The score history: current and inherent scores at each assessment, as a line chart. */
function historyChart(
  title: string,
  history: readonly {
    assessedOn: string;
    current: ScoredAssessment;
    inherent: ScoredAssessment;
    target: ScoredAssessment;
  }[],
): string {
  const first = history[0];
  const last = history.at(-1);
  const label =
    first === undefined || last === undefined
      ? `Score history of ${title}: no assessments yet.`
      : `Score history of ${title}: ${history.length} ${history.length === 1 ? 'assessment' : 'assessments'} from ${formatDate(first.assessedOn)} to ${formatDate(last.assessedOn)}; current score from ${first.current.score} to ${last.current.score}.`;
  return renderLineChart({
    label,
    width: 640,
    height: 280,
    series: [
      {
        name: 'Current score',
        points: history.map((h) => ({ date: h.assessedOn, value: h.current.score })),
        colour: '#1d70b8',
      },
      {
        name: 'Inherent score',
        points: history.map((h) => ({ date: h.assessedOn, value: h.inherent.score })),
        colour: '#505a5f',
        line: 'dashed',
      },
      {
        name: 'Target score',
        points: history.map((h) => ({ date: h.assessedOn, value: h.target.score })),
        colour: '#00703c',
        line: 'dotted',
      },
    ],
    formatValue: (v) => String(Math.round(v)),
  });
}

/** Risk pages: the register, the risk, its forms, actions, contingency plan, escalation, appetite and heat maps. */
export async function riskWebRoutes(app: FastifyInstance): Promise<void> {
  const viewer = { schema: { hide: true } };
  const contributor = { config: { role: 'contributor' as const }, schema: { hide: true } };
  const manager = { config: { role: 'manager' as const }, schema: { hide: true } };
  const formPage = 'risk/views/form.njk';
  const reassessPage = 'risk/views/reassess.njk';
  const actionPage = 'risk/views/action-form.njk';
  const planPage = 'risk/views/contingency.njk';
  const escalatePage = 'risk/views/escalate.njk';
  const appetitePage = 'risk/views/appetite-form.njk';
  const deletePage = 'risk/views/delete.njk';

  const baseOf = (request: FastifyRequest): string => `/o/${requireOrg(request).organisation.slug}/risks`;

  async function formData(
    request: FastifyRequest,
    values: RiskFormValues,
    editing: RiskDetail | null,
  ): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const options = await riskFormOptions(app.db, webActor(request), organisation.id);
    const checkboxes = (list: { id: string; title: string }[], chosen: string[]) =>
      list.map((o) => ({ value: o.id, text: o.title, checked: chosen.includes(o.id) }));
    return {
      pageTitle: editing === null ? 'Add a risk' : `Change ${editing.title}`,
      organisation,
      editing,
      values,
      categories: [
        { value: '', text: 'Choose a category', selected: values.category === '' },
        ...options.categories.map((c) => ({
          value: c.key,
          text: c.label,
          selected: values.category === c.key,
        })),
      ],
      owners: [
        { value: '', text: 'No owner yet', selected: values.ownerId === '' },
        ...options.owners.map((o) => ({
          value: o.id,
          text: `${o.name} (${o.email})`,
          selected: values.ownerId === o.id,
        })),
      ],
      proximities: PROXIMITIES.map((p) => ({
        value: p,
        text: PROXIMITY_LABELS[p],
        checked: values.proximity === p,
      })),
      responses: RESPONSES.map((r) => ({
        value: r,
        text: RESPONSE_LABELS[r],
        hint: { text: RESPONSE_HINTS[r] },
        checked: values.response === r,
      })),
      frequencies: REVIEW_FREQUENCIES.map((f) => ({
        value: f,
        text: REVIEW_FREQUENCY_LABELS[f],
        checked: values.reviewFrequency === f,
      })),
      statuses: [
        { value: 'open', text: 'Open', checked: values.status !== 'closed' },
        { value: 'closed', text: 'Closed', checked: values.status === 'closed' },
      ],
      assessments: assessmentFields(values),
      objectives: checkboxes(options.objectives, values.objectiveIds),
      kpis: checkboxes(options.kpis, values.kpiIds),
      projects: checkboxes(options.projects, values.projectIds),
    };
  }

  app.get('/o/:org/risks', viewer, async (request, reply) => {
    const org = requireOrg(request);
    const actor = webActor(request);
    const base = baseOf(request);
    const { filters, values } = registerFilters(request.query as Record<string, unknown>);
    const [risks, all, escalated, categories, options] = await Promise.all([
      listRisks(app.db, actor, org.organisation.id, filters),
      listRisks(app.db, actor, org.organisation.id, { status: 'open' }),
      listEscalatedRisks(app.db, actor, org.organisation.id),
      listRiskCategories(app.db, actor, org.organisation.id),
      riskFormOptions(app.db, actor, org.organisation.id),
    ]);
    const filtered = Object.keys(values).some((k) => k !== 'statusChoice') || values.statusChoice !== 'open';
    const choose = (
      list: readonly { value: string; text: string }[],
      selected: string | undefined,
      any: string,
    ) => [
      { value: '', text: any, selected: selected === undefined },
      ...list.map((i) => ({ ...i, selected: i.value === selected })),
    ];
    return reply.page('risk/views/register.njk', {
      pageTitle: 'Risk register',
      organisation: org.organisation,
      rows: risks.map((r) => registerRow(r, base)),
      escalatedRows: escalated.map((r) => registerRow(r, base)),
      filtered,
      cellDescription:
        filters.cell === undefined
          ? null
          : `${filters.cell.kind} ${cellDescription(filters.cell.likelihood, filters.cell.impact, risks.length).replace(/^L/, 'l')}`,
      counts: {
        outside: all.filter((r) => r.outsideAppetite).length,
        lacking: all.filter((r) => r.lacksContingencyPlan).length,
        overdue: all.filter((r) => r.reviewOverdue).length,
      },
      filterFields: {
        category: choose(
          categories.map((c) => ({ value: c.key, text: c.label })),
          values.category,
          'Any category',
        ),
        level: choose(
          RISK_LEVELS.map((l) => ({ value: l, text: LEVEL_LABELS[l] })),
          values.level,
          'Any level',
        ),
        owner: choose(
          options.owners.map((o) => ({ value: o.id, text: o.name })),
          values.owner,
          'Anyone',
        ),
        appetite: choose(
          [
            { value: 'outside', text: 'Outside appetite' },
            { value: 'within', text: 'Within appetite' },
          ],
          values.appetite,
          'Inside or outside',
        ),
        response: choose(
          RESPONSES.map((r) => ({ value: r, text: RESPONSE_LABELS[r] })),
          values.response,
          'Any response',
        ),
        status: [
          { value: 'open', text: 'Open', selected: values.statusChoice === 'open' },
          { value: 'closed', text: 'Closed', selected: values.statusChoice === 'closed' },
          { value: 'all', text: 'Open or closed', selected: values.statusChoice === 'all' },
        ],
      },
      canManage: roleAtLeast(org.role, 'contributor'),
    });
  });

  app.get('/o/:org/risks/heat-map', viewer, async (request, reply) => {
    const org = requireOrg(request);
    const base = baseOf(request);
    const risks = await listRisks(app.db, webActor(request), org.organisation.id, { status: 'open' });
    const maps = (['inherent', 'current'] as const).map((kind) => {
      const map = heatMapOf(risks, kind);
      const link = (likelihood: number, impact: number): string =>
        `${base}?cell=${kind}-${likelihood}-${impact}`;
      const title =
        kind === 'inherent' ? 'Inherent risk (before controls)' : 'Current risk (with today’s controls)';
      return {
        kind,
        title,
        svg: renderHeatMap(map, { id: `heat-map-${kind}`, title, link }),
        rows: [5, 4, 3, 2, 1].map((likelihood) => ({
          likelihood,
          words: SCALE_WORDS[likelihood as 1],
          cells: [1, 2, 3, 4, 5].map((impact) => ({
            count: map.counts[likelihood - 1]?.[impact - 1] ?? 0,
            href: link(likelihood, impact),
            impact,
          })),
        })),
      };
    });
    return reply.page('risk/views/heat-map.njk', {
      pageTitle: 'Risk heat maps',
      organisation: org.organisation,
      maps,
      total: risks.length,
      bands: LEVEL_BANDS.map((b) => ({ text: LEVEL_LABELS[b.level], range: `${b.min} to ${b.max}` })),
    });
  });

  app.get('/o/:org/risks/actions', viewer, async (request, reply) => {
    const org = requireOrg(request);
    const actions = await listRiskActions(app.db, webActor(request), org.organisation.id);
    const open = actions.filter((a) => a.status !== 'done');
    return reply.page('risk/views/actions.njk', {
      pageTitle: 'Risk actions',
      organisation: org.organisation,
      overdue: open
        .filter((a) => a.overdue)
        .map((a) => ({ ...a, due: formatDate(a.dueOn), statusText: ACTION_STATUS_LABELS[a.status] })),
      upcoming: open
        .filter((a) => !a.overdue)
        .map((a) => ({ ...a, due: formatDate(a.dueOn), statusText: ACTION_STATUS_LABELS[a.status] })),
    });
  });

  app.get('/o/:org/risks/appetite', viewer, async (request, reply) => {
    const org = requireOrg(request);
    const categories = await listRiskCategories(app.db, webActor(request), org.organisation.id);
    return reply.page('risk/views/appetite.njk', {
      pageTitle: 'Risk appetite',
      organisation: org.organisation,
      categories: categories.map((c) => ({ ...c, levelText: APPETITE_LABELS[c.appetite.level] })),
      levels: APPETITE_LEVELS.map((l) => ({
        text: APPETITE_LABELS[l],
        description: APPETITE_DESCRIPTIONS[l],
      })),
      canManage: roleAtLeast(org.role, 'manager'),
    });
  });

  function appetiteData(
    request: FastifyRequest,
    category: { key: string; label: string },
    values: { label: string; level: string; maxScore: string },
  ): PageData {
    return {
      pageTitle: `Appetite for ${category.label} risks`,
      organisation: requireOrg(request).organisation,
      category,
      values,
      levels: APPETITE_LEVELS.map((l) => ({
        value: l,
        text: APPETITE_LABELS[l],
        hint: { text: APPETITE_DESCRIPTIONS[l] },
        checked: values.level === l,
      })),
    };
  }

  const categoryPage = 'risk/views/category-form.njk';
  const categoryData = (request: FastifyRequest, values: Record<string, string>): PageData => ({
    pageTitle: 'Add a risk category',
    organisation: requireOrg(request).organisation,
    values,
    levels: APPETITE_LEVELS.map((l) => ({
      value: l,
      text: APPETITE_LABELS[l],
      hint: { text: APPETITE_DESCRIPTIONS[l] },
      checked: values.level === l,
    })),
  });

  app.get('/o/:org/risks/appetite/new', manager, async (request, reply) => {
    return reply.page(categoryPage, categoryData(request, { key: '', label: '', level: '', maxScore: '' }));
  });

  app.post('/o/:org/risks/appetite', manager, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const fields = formFields(request);
    const values = {
      key: field(fields, 'key'),
      label: field(fields, 'label'),
      level: field(fields, 'level'),
      maxScore: field(fields, 'maxScore'),
    };
    return withFormErrors(reply, categoryPage, categoryData(request, values), async () => {
      const created = await addRiskCategory(app.db, webActor(request), organisation.id, values);
      return redirectWithFlash(
        reply,
        `/o/${organisation.slug}/risks/appetite`,
        `The category ${created.label} has been added`,
      );
    });
  });

  app.get('/o/:org/risks/appetite/:category', manager, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const category = await getRiskCategory(
      app.db,
      webActor(request),
      organisation.id,
      (request.params as { category: string }).category,
    );
    return reply.page(
      appetitePage,
      appetiteData(request, category, {
        label: category.label,
        level: category.appetite.level,
        maxScore: String(category.appetite.maxScore),
      }),
    );
  });

  app.post('/o/:org/risks/appetite/:category', manager, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const category = await getRiskCategory(
      app.db,
      actor,
      organisation.id,
      (request.params as { category: string }).category,
    );
    const fields = formFields(request);
    const values = {
      label: field(fields, 'label'),
      level: field(fields, 'level'),
      maxScore: field(fields, 'maxScore'),
    };
    return withFormErrors(reply, appetitePage, appetiteData(request, category, values), async () => {
      const saved = await setRiskAppetite(app.db, actor, organisation.id, category.key, values);
      return redirectWithFlash(
        reply,
        `/o/${organisation.slug}/risks/appetite`,
        `Appetite for ${saved.label} risks set to ${APPETITE_LABELS[saved.appetite.level].toLowerCase()}, up to a score of ${saved.appetite.maxScore}`,
      );
    });
  });

  app.get('/o/:org/risks/new', contributor, async (request, reply) => {
    return reply.page(formPage, await formData(request, { ...EMPTY_FORM }, null));
  });

  app.post('/o/:org/risks', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const values = formValuesFromRequest(request);
    return withFormErrors(reply, formPage, await formData(request, values, null), async () => {
      const risk = await createRisk(app.db, webActor(request), organisation.id, inputOf(values));
      return redirectWithFlash(
        reply,
        `/o/${organisation.slug}/risks/${risk.id}`,
        `${risk.title} has been added to the register`,
      );
    });
  });

  app.get('/o/:org/risks/:riskId', viewer, async (request, reply) => {
    const org = requireOrg(request);
    const actor = webActor(request);
    const base = baseOf(request);
    const risk = await getRisk(app.db, actor, org.organisation.id, riskIdParam(request));
    const history = await listRiskAssessments(app.db, actor, org.organisation.id, risk.id);
    const own = !risk.readOnly;
    const [actions, plan, options] = own
      ? await Promise.all([
          listRiskActions(app.db, actor, org.organisation.id, { riskId: risk.id }),
          getContingencyPlan(app.db, actor, org.organisation.id, risk.id),
          riskFormOptions(app.db, actor, org.organisation.id),
        ])
      : [[], null, null];
    const titles = (list: { id: string; title: string }[] | undefined, ids: string[]) =>
      (list ?? []).filter((o) => ids.includes(o.id)).map((o) => o.title);
    return reply.page('risk/views/risk.njk', {
      pageTitle: risk.title,
      organisation: org.organisation,
      base,
      risk,
      tags: {
        inherent: levelTag(risk.inherent),
        current: levelTag(risk.current),
        target: levelTag(risk.target),
      },
      assessmentTexts: {
        inherent: assessmentText(risk.inherent),
        current: assessmentText(risk.current),
        target: assessmentText(risk.target),
      },
      details: {
        proximity: PROXIMITY_LABELS[risk.proximity],
        response: `${RESPONSE_LABELS[risk.response]}: ${RESPONSE_HINTS[risk.response].toLowerCase()}`,
        reviewFrequency: REVIEW_FREQUENCY_LABELS[risk.reviewFrequency],
        lastReviewed: formatDate(risk.lastReviewedOn),
        nextReview: formatDate(risk.nextReviewOn),
        appetite: `${APPETITE_LABELS[risk.appetite.level]}: a current score up to ${risk.appetite.maxScore}`,
      },
      links: {
        objectives: titles(options?.objectives, risk.objectiveIds),
        kpis: titles(options?.kpis, risk.kpiIds),
        projects: titles(options?.projects, risk.projectIds),
      },
      actions: actions.map((a) => ({
        ...a,
        due: formatDate(a.dueOn),
        statusText: ACTION_STATUS_LABELS[a.status],
      })),
      plan,
      chart: historyChart(risk.title, history),
      history: [...history].reverse().map((h) => ({
        date: formatDate(h.assessedOn),
        inherent: `${h.inherent.likelihood} × ${h.inherent.impact} = ${h.inherent.score}`,
        current: `${h.current.likelihood} × ${h.current.impact} = ${h.current.score}`,
        target: `${h.target.likelihood} × ${h.target.impact} = ${h.target.score}`,
        note: h.note,
        by: h.assessedByName ?? '',
      })),
      canManage: own && roleAtLeast(org.role, 'contributor'),
      canDelete: own && roleAtLeast(org.role, 'manager'),
      canEscalate: own && org.organisation.parentId !== null && risk.status === 'open',
    });
  });

  app.get('/o/:org/risks/:riskId/edit', contributor, async (request, reply) => {
    const risk = await ownRisk(request);
    return reply.page(formPage, await formData(request, formValuesOf(risk), risk));
  });

  /** A risk of this organisation (an escalated one is read-only here: not found for changes). */
  async function ownRisk(request: FastifyRequest): Promise<RiskDetail> {
    const { organisation } = requireOrg(request);
    const risk = await getRisk(app.db, webActor(request), organisation.id, riskIdParam(request));
    if (risk.readOnly) throw new NotFoundError();
    return risk;
  }

  app.post('/o/:org/risks/:riskId/edit', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const risk = await ownRisk(request);
    const values = formValuesFromRequest(request);
    const version = Number(values.version);
    return withFormErrors(reply, formPage, await formData(request, values, risk), async () => {
      const updated = await updateRisk(app.db, actor, organisation.id, risk.id, inputOf(values), {
        expectedVersion: Number.isInteger(version) && version > 0 ? version : undefined,
        note: values.note,
      }).catch((error: unknown) => {
        if (error instanceof Error && 'code' in error && error.code === 'precondition_failed') {
          throw ValidationError.of(
            'title',
            'Someone else changed this risk while you were editing it. Open it again to see their changes, then make yours',
          );
        }
        throw error;
      });
      return redirectWithFlash(
        reply,
        `/o/${organisation.slug}/risks/${updated.id}`,
        `${updated.title} has been changed`,
      );
    });
  });

  function reassessData(request: FastifyRequest, risk: RiskDetail, values: RiskFormValues): PageData {
    return {
      pageTitle: `Review ${risk.title}`,
      organisation: requireOrg(request).organisation,
      risk,
      values,
      assessments: assessmentFields(values),
    };
  }

  app.get('/o/:org/risks/:riskId/reassess', contributor, async (request, reply) => {
    const risk = await ownRisk(request);
    return reply.page(reassessPage, reassessData(request, risk, formValuesOf(risk)));
  });

  app.post('/o/:org/risks/:riskId/reassess', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const risk = await ownRisk(request);
    const values = formValuesFromRequest(request);
    return withFormErrors(reply, reassessPage, reassessData(request, risk, values), async () => {
      const input = inputOf(values);
      const updated = await reassessRisk(app.db, webActor(request), organisation.id, risk.id, {
        inherent: input.inherent,
        current: input.current,
        target: input.target,
        note: values.note,
      });
      return redirectWithFlash(
        reply,
        `/o/${organisation.slug}/risks/${updated.id}`,
        `Review recorded: current score ${updated.current.score}; next review by ${formatDate(updated.nextReviewOn)}`,
      );
    });
  });

  function planData(
    request: FastifyRequest,
    risk: RiskDetail,
    values: { trigger: string; plan: string },
  ): PageData {
    return {
      pageTitle: `Contingency plan for ${risk.title}`,
      organisation: requireOrg(request).organisation,
      risk,
      values,
      errorField: 'trigger',
    };
  }

  app.get('/o/:org/risks/:riskId/contingency', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const risk = await ownRisk(request);
    const plan = await getContingencyPlan(app.db, webActor(request), organisation.id, risk.id);
    return reply.page(planPage, planData(request, risk, plan ?? { trigger: '', plan: '' }));
  });

  app.post('/o/:org/risks/:riskId/contingency', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const risk = await ownRisk(request);
    const fields = formFields(request);
    const values = { trigger: field(fields, 'trigger'), plan: field(fields, 'plan') };
    return withFormErrors(reply, planPage, planData(request, risk, values), async () => {
      await saveContingencyPlan(app.db, webActor(request), organisation.id, risk.id, values);
      return redirectWithFlash(
        reply,
        `/o/${organisation.slug}/risks/${risk.id}`,
        `The contingency plan for ${risk.title} has been saved`,
      );
    });
  });

  async function actionData(
    request: FastifyRequest,
    risk: RiskDetail,
    values: Record<string, string>,
    editing: { id: string } | null,
  ): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const options = await riskFormOptions(app.db, webActor(request), organisation.id);
    return {
      pageTitle: editing === null ? `Add an action to ${risk.title}` : `Change an action of ${risk.title}`,
      organisation,
      risk,
      editing,
      values,
      owners: [
        { value: '', text: 'No owner yet', selected: values.ownerId === '' },
        ...options.owners.map((o) => ({
          value: o.id,
          text: `${o.name} (${o.email})`,
          selected: values.ownerId === o.id,
        })),
      ],
      statuses: ACTION_STATUSES.map((s) => ({
        value: s,
        text: ACTION_STATUS_LABELS[s],
        checked: values.status === s,
      })),
      errorField: 'description',
    };
  }

  const actionValues = (request: FastifyRequest) => {
    const fields = formFields(request);
    return {
      description: field(fields, 'description'),
      ownerId: field(fields, 'ownerId'),
      dueOn: field(fields, 'dueOn'),
      status: field(fields, 'status'),
      version: field(fields, 'version'),
    };
  };

  app.get('/o/:org/risks/:riskId/actions/new', contributor, async (request, reply) => {
    const risk = await ownRisk(request);
    return reply.page(
      actionPage,
      await actionData(
        request,
        risk,
        { description: '', ownerId: risk.ownerId ?? '', dueOn: '', status: 'planned', version: '' },
        null,
      ),
    );
  });

  app.post('/o/:org/risks/:riskId/actions', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const risk = await ownRisk(request);
    const values = actionValues(request);
    return withFormErrors(reply, actionPage, await actionData(request, risk, values, null), async () => {
      await addRiskAction(app.db, webActor(request), organisation.id, risk.id, values);
      return redirectWithFlash(
        reply,
        `/o/${organisation.slug}/risks/${risk.id}`,
        'The action has been added',
      );
    });
  });

  const actionIdParam = (request: FastifyRequest): string => {
    const id = (request.params as { actionId?: string }).actionId ?? '';
    if (!isUuid(id)) throw new NotFoundError();
    return id;
  };

  app.get('/o/:org/risks/:riskId/actions/:actionId/edit', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const risk = await ownRisk(request);
    const action = await getRiskAction(
      app.db,
      webActor(request),
      organisation.id,
      risk.id,
      actionIdParam(request),
    );
    const values = {
      description: action.description,
      ownerId: action.ownerId ?? '',
      dueOn: action.dueOn,
      status: action.status,
      version: String(action.version),
    };
    return reply.page(actionPage, await actionData(request, risk, values, action));
  });

  app.post('/o/:org/risks/:riskId/actions/:actionId/edit', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const risk = await ownRisk(request);
    const action = await getRiskAction(app.db, actor, organisation.id, risk.id, actionIdParam(request));
    const values = actionValues(request);
    const version = Number(values.version);
    return withFormErrors(reply, actionPage, await actionData(request, risk, values, action), async () => {
      await updateRiskAction(app.db, actor, organisation.id, risk.id, action.id, values, {
        expectedVersion: Number.isInteger(version) && version > 0 ? version : undefined,
      }).catch((error: unknown) => {
        if (error instanceof Error && 'code' in error && error.code === 'precondition_failed') {
          throw ValidationError.of(
            'description',
            'Someone else changed this action while you were editing it. Open it again to see their changes',
          );
        }
        throw error;
      });
      return redirectWithFlash(
        reply,
        `/o/${organisation.slug}/risks/${risk.id}`,
        'The action has been changed',
      );
    });
  });

  /**
   * A yes/no question before deleting: "no" goes back, no answer is an error on the page, and a
   * version that is no longer current (someone changed the item meanwhile) deletes nothing.
   */
  async function confirmDelete(
    request: FastifyRequest,
    reply: FastifyReply,
    data: PageData & { back: string; itemName: string },
    remove: (expectedVersion: number | undefined) => Promise<FastifyReply>,
  ): Promise<FastifyReply> {
    const fields = formFields(request);
    const answer = field(fields, 'confirm');
    const version = Number(field(fields, 'version'));
    return withFormErrors(reply, deletePage, data, async () => {
      if (answer === 'no') return reply.redirect(data.back, 303);
      if (answer !== 'yes')
        throw ValidationError.of('confirm', `Select yes if you want to delete ${data.itemName}`);
      return remove(Number.isInteger(version) && version > 0 ? version : undefined).catch(
        (error: unknown) => {
          if (error instanceof Error && 'code' in error && error.code === 'precondition_failed') {
            throw ValidationError.of(
              'confirm',
              `Someone else changed ${data.itemName} since you opened this page. Go back to see their changes, then decide`,
            );
          }
          throw error;
        },
      );
    });
  }

  function riskDeleteData(request: FastifyRequest, risk: RiskDetail) {
    const here = `${baseOf(request)}/${risk.id}`;
    return {
      pageTitle: `Delete ${risk.title}`,
      organisation: requireOrg(request).organisation,
      risk,
      itemName: 'this risk',
      consequence: `“${risk.title}” will be deleted with its score history, mitigating actions, contingency plan and links${risk.escalatedToId === null ? '' : ', and it will leave the parent organisation’s register'}.`,
      version: String(risk.version),
      back: here,
      action: `${here}/delete`,
    };
  }

  app.get('/o/:org/risks/:riskId/delete', manager, async (request, reply) => {
    return reply.page(deletePage, riskDeleteData(request, await ownRisk(request)));
  });

  app.post('/o/:org/risks/:riskId/delete', manager, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const risk = await ownRisk(request);
    return confirmDelete(request, reply, riskDeleteData(request, risk), async (expectedVersion) => {
      await deleteRisk(app.db, webActor(request), organisation.id, risk.id, { expectedVersion });
      return redirectWithFlash(reply, baseOf(request), `${risk.title} has been deleted`);
    });
  });

  function actionDeleteData(request: FastifyRequest, risk: RiskDetail, action: RiskAction) {
    const here = `${baseOf(request)}/${risk.id}`;
    return {
      pageTitle: `Delete the action ${action.description}`,
      organisation: requireOrg(request).organisation,
      risk,
      itemName: 'this action',
      consequence: `The action “${action.description}” will be removed from ${risk.title}.`,
      version: String(action.version),
      back: here,
      action: `${here}/actions/${action.id}/delete`,
    };
  }

  app.get('/o/:org/risks/:riskId/actions/:actionId/delete', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const risk = await ownRisk(request);
    const action = await getRiskAction(
      app.db,
      webActor(request),
      organisation.id,
      risk.id,
      actionIdParam(request),
    );
    return reply.page(deletePage, actionDeleteData(request, risk, action));
  });

  app.post('/o/:org/risks/:riskId/actions/:actionId/delete', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const risk = await ownRisk(request);
    const action = await getRiskAction(app.db, actor, organisation.id, risk.id, actionIdParam(request));
    return confirmDelete(request, reply, actionDeleteData(request, risk, action), async (expectedVersion) => {
      await deleteRiskAction(app.db, actor, organisation.id, risk.id, action.id, { expectedVersion });
      return redirectWithFlash(reply, `${baseOf(request)}/${risk.id}`, 'The action has been deleted');
    });
  });

  app.get('/o/:org/risks/:riskId/escalate', contributor, async (request, reply) => {
    const risk = await ownRisk(request);
    return reply.page(escalatePage, {
      pageTitle: `Escalate ${risk.title}`,
      organisation: requireOrg(request).organisation,
      risk,
      values: { note: '' },
      errorField: 'note',
    });
  });

  app.post('/o/:org/risks/:riskId/escalate', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const risk = await ownRisk(request);
    const note = field(formFields(request), 'note');
    return withFormErrors(
      reply,
      escalatePage,
      { pageTitle: `Escalate ${risk.title}`, organisation, risk, values: { note }, errorField: 'note' },
      async () => {
        const updated = await escalateRisk(app.db, webActor(request), organisation.id, risk.id, { note });
        return redirectWithFlash(
          reply,
          `/o/${organisation.slug}/risks/${updated.id}`,
          `${updated.title} has been escalated to the parent organisation`,
        );
      },
    );
  });

  app.post('/o/:org/risks/:riskId/deescalate', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const risk = await ownRisk(request);
    const updated = await deescalateRisk(app.db, webActor(request), organisation.id, risk.id).catch(
      (error: unknown) => {
        if (error instanceof ValidationError) return null;
        throw error;
      },
    );
    return redirectWithFlash(
      reply,
      `/o/${organisation.slug}/risks/${risk.id}`,
      updated === null ? `${risk.title} is not escalated` : `${risk.title} is no longer escalated`,
    );
  });
}
