import type { FastifyInstance, FastifyRequest } from 'fastify';
import { renderLineChart } from '../../platform/charts/line-chart.ts';
import { roleAtLeast } from '../../platform/access/roles.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { redirectWithFlash, requireOrg, webActor } from '../../platform/http/context.ts';
import { field, formFields, withFormErrors } from '../../platform/http/forms.ts';
import type { PageData } from '../../platform/http/render.ts';
import { findLibraryEntry, KPI_LIBRARY, type LibraryEntry } from './kpis.library.ts';
import {
  createKpi,
  deleteKpi,
  deleteMeasurement,
  getKpi,
  getKpiWithMeasurements,
  getMeasurement,
  kpiFormOptions,
  type KpiWithStatus,
  listKpisWithStatus,
  type MeasurementRecord,
  recordMeasurement,
  updateKpi,
} from './kpis.service.ts';
import { CATEGORY_LABELS, FREQUENCY_LABELS, KPI_CATEGORIES, type Kpi, type KpiInput, keyProblem, POLARITY_LABELS } from './kpis.ts';
import { FREQUENCIES, type Frequency, formatDate, formatPeriod, periodEnd, periodStart } from './periods.ts';
import { formatValue, KPI_STATUSES, POLARITIES, type KpiStatus, STATUS_TAG_CLASSES, statusLabel } from './status.ts';

const SOURCE_LABELS: Readonly<Record<string, string>> = {
  manual: 'Entered on a form',
  import: 'Imported from a file',
  api: 'Sent through the API',
  feedback: 'From citizen feedback',
  formula: 'Calculated by the formula',
  benefits: 'Summed from projects’ realised benefits',
};

const PERIOD_HINTS: Readonly<Record<Frequency, string>> = {
  daily: 'The day the value is for, for example 2026-03-02',
  weekly: 'Any day in the week, for example 2026-03-02',
  monthly: 'The month, for example 2026-03',
  quarterly: 'The quarter, for example 2026-Q1',
  annual: 'The year, for example 2026',
};

/** The KPI key in the URL; anything that cannot be a key is simply not found. */
function keyParam(request: FastifyRequest): string {
  const key = (request.params as { key?: string }).key ?? '';
  if (keyProblem(key) !== null) throw new NotFoundError();
  return key;
}

function statusView(kpi: KpiWithStatus) {
  return { text: statusLabel(kpi.status), classes: STATUS_TAG_CLASSES[kpi.status], reason: kpi.statusReason };
}

function forecastSentence(kpi: KpiWithStatus, today: string): string {
  const target = `${formatValue(kpi.target.value, kpi.unit)} by ${formatDate(kpi.target.date)}`;
  if (kpi.target.date < today) return `The target date (${formatDate(kpi.target.date)}) has passed, so there is no forecast: the status says how it went.`;
  const f = kpi.forecast;
  if (f === null) return `There are not enough values to forecast yet: a forecast needs at least 3.`;
  const range = `forecast ${formatValue(f.value, kpi.unit)}, with a 95% range from ${formatValue(f.low, kpi.unit)} to ${formatValue(f.high, kpi.unit)}`;
  switch (f.meetsTarget) {
    case 'yes':
      return `On current trends it will meet its target of ${target} (${range}).`;
    case 'no':
      return `On current trends it will miss its target of ${target} (${range}).`;
    case 'uncertain':
      return `It is uncertain whether it will meet its target of ${target} (${range}).`;
  }
}

/**
 * Rendered charts by everything they show (the label sums up the data; the input holds it all):
 * drawing one costs tens of milliseconds, far more than the rest of the page, and a KPI's chart
 * only changes when its values, definition or forecast do. Bounded by size; cleared when full.
 */
const chartCache = new Map<string, string>();
const CHART_CACHE_LIMIT_CHARS = 32 * 1024 * 1024;
let chartCacheChars = 0;

function cachedChart(input: Parameters<typeof renderLineChart>[0], unit: string): string {
  // formatValue is a function (JSON leaves it out); the unit says what it does.
  const key = `${unit}|${JSON.stringify(input)}`;
  const cached = chartCache.get(key);
  if (cached !== undefined) return cached;
  const svg = renderLineChart(input);
  if (chartCacheChars + svg.length + key.length > CHART_CACHE_LIMIT_CHARS) {
    chartCache.clear();
    chartCacheChars = 0;
  }
  chartCache.set(key, svg);
  chartCacheChars += svg.length + key.length;
  return svg;
}

/** The line chart of actuals, the plan from baseline to target, the target and the forecast band. */
function kpiChart(kpi: KpiWithStatus, measurements: readonly MeasurementRecord[]): string {
  const format = (value: number): string => formatValue(value, kpi.unit);
  const latest = measurements.at(-1);
  const parts = [`Line chart of ${kpi.name}.`];
  if (latest === undefined) parts.push('No values recorded yet.');
  else {
    const first = measurements[0] ?? latest;
    parts.push(
      `${measurements.length} ${measurements.length === 1 ? 'value' : 'values'} from ${formatPeriod(first.period, kpi.frequency)} to ${formatPeriod(latest.period, kpi.frequency)}, ` +
        `from ${format(first.value)} to ${format(latest.value)}.`,
    );
  }
  parts.push(`Plan: from ${format(kpi.baseline.value)} on ${formatDate(kpi.baseline.date)} to the target of ${format(kpi.target.value)} by ${formatDate(kpi.target.date)}.`);
  const f = kpi.forecast;
  let band: Parameters<typeof renderLineChart>[0]['band'];
  const series: Parameters<typeof renderLineChart>[0]['series'][number][] = [
    { name: 'Actual', points: measurements.map((m) => ({ date: m.period, value: m.value })), colour: '#1d70b8' },
    {
      name: 'Plan',
      line: 'dashed',
      colour: '#505a5f',
      points: [
        { date: kpi.baseline.date, value: kpi.baseline.value },
        { date: kpi.target.date, value: kpi.target.value },
      ],
    },
  ];
  if (f !== null && latest !== undefined) {
    const from = periodEnd(latest.period, kpi.frequency);
    band = {
      name: 'Forecast range (95%)',
      low: [
        { date: from, value: latest.value },
        { date: kpi.target.date, value: f.low },
      ],
      high: [
        { date: from, value: latest.value },
        { date: kpi.target.date, value: f.high },
      ],
      colour: '#1d70b8',
    };
    series.push({
      name: 'Forecast',
      line: 'dotted',
      colour: '#1d70b8',
      points: [
        { date: from, value: latest.value },
        { date: kpi.target.date, value: f.value },
      ],
    });
    parts.push(`Forecast for the target date: ${format(f.value)} (95% range ${format(f.low)} to ${format(f.high)}).`);
  }
  return cachedChart(
    {
      label: parts.join(' '),
      series,
      markers: [{ name: 'Target', point: { date: kpi.target.date, value: kpi.target.value }, colour: '#0b0c0c' }],
      ...(band === undefined ? {} : { band }),
      formatValue: format,
    },
    kpi.unit,
  );
}

function listRow(kpi: KpiWithStatus) {
  return {
    key: kpi.key,
    name: kpi.name,
    latest: kpi.latest === null ? 'No data' : `${formatValue(kpi.latest.value, kpi.unit)} (${formatPeriod(kpi.latest.period, kpi.frequency)})`,
    status: statusView(kpi),
    owner: kpi.ownerName ?? 'No owner',
    overdue: kpi.overdue,
    expected: kpi.expectedPeriod === null ? '' : formatPeriod(kpi.expectedPeriod, kpi.frequency),
  };
}

/**
 * The list's filter from the query string: `?status=on_track|at_risk|off_track|no_data|overdue`
 * (by status) or `?overdue=yes` (missing the last expected value, whatever the status).
 * Anything else shows every KPI.
 */
function listFilter(request: FastifyRequest): { filters: { status?: KpiStatus; overdue?: boolean }; description: string | null } {
  const query = request.query as { status?: unknown; overdue?: unknown };
  const status = KPI_STATUSES.find((s) => s === query.status);
  if (status !== undefined) return { filters: { status }, description: `with the status ${statusLabel(status).toLowerCase()}` };
  if (query.overdue === 'yes') return { filters: { overdue: true }, description: 'missing their last expected value' };
  return { filters: {}, description: null };
}

/** Form values as typed, for showing the form again. */
interface KpiFormValues {
  key: string;
  name: string;
  definition: string;
  unit: string;
  polarity: string;
  frequency: string;
  baselineValue: string;
  baselineDate: string;
  targetValue: string;
  targetDate: string;
  tolerance: string;
  ownerId: string;
  category: string;
  objectiveIds: string[];
  isPublic: boolean;
  formula: string;
  version: string;
}

function formValuesOf(kpi: Kpi): KpiFormValues {
  return {
    key: kpi.key,
    name: kpi.name,
    definition: kpi.definition,
    unit: kpi.unit,
    polarity: kpi.polarity,
    frequency: kpi.frequency,
    baselineValue: String(kpi.baseline.value),
    baselineDate: kpi.baseline.date,
    targetValue: String(kpi.target.value),
    targetDate: kpi.target.date,
    tolerance: String(kpi.tolerance),
    ownerId: kpi.ownerId ?? '',
    category: kpi.category,
    objectiveIds: kpi.objectiveIds,
    isPublic: kpi.isPublic,
    formula: kpi.formula ?? '',
    version: String(kpi.version),
  };
}

function formValuesFromLibrary(entry: LibraryEntry | undefined): KpiFormValues {
  return {
    key: entry?.key ?? '',
    name: entry?.name ?? '',
    definition: entry?.definition ?? '',
    unit: entry?.unit ?? '',
    polarity: entry?.polarity ?? '',
    frequency: entry?.frequency ?? '',
    baselineValue: '',
    baselineDate: '',
    targetValue: '',
    targetDate: '',
    tolerance: '10',
    ownerId: '',
    category: entry?.category ?? 'other',
    objectiveIds: [],
    isPublic: false,
    formula: '',
    version: '',
  };
}

function formValuesFromRequest(request: FastifyRequest): KpiFormValues {
  const fields = formFields(request);
  const rawObjectives = (request.body as Record<string, unknown> | null)?.objectiveIds;
  const objectiveIds = [rawObjectives ?? []].flat().filter((v): v is string => typeof v === 'string' && v !== '');
  return {
    key: field(fields, 'key'),
    name: field(fields, 'name'),
    definition: field(fields, 'definition'),
    unit: field(fields, 'unit'),
    polarity: field(fields, 'polarity'),
    frequency: field(fields, 'frequency'),
    baselineValue: field(fields, 'baselineValue'),
    baselineDate: field(fields, 'baselineDate'),
    targetValue: field(fields, 'targetValue'),
    targetDate: field(fields, 'targetDate'),
    tolerance: field(fields, 'tolerance'),
    ownerId: field(fields, 'ownerId'),
    category: field(fields, 'category'),
    objectiveIds,
    isPublic: field(fields, 'isPublic') === 'yes',
    formula: field(fields, 'formula'),
    version: field(fields, 'version'),
  };
}

function inputOf(values: KpiFormValues): KpiInput {
  return {
    key: values.key,
    name: values.name,
    definition: values.definition,
    unit: values.unit,
    polarity: values.polarity,
    frequency: values.frequency,
    baseline: { value: values.baselineValue, date: values.baselineDate },
    target: { value: values.targetValue, date: values.targetDate },
    tolerance: values.tolerance,
    ownerId: values.ownerId === '' ? null : values.ownerId,
    category: values.category,
    objectiveIds: values.objectiveIds,
    isPublic: values.isPublic,
    formula: values.formula,
  };
}

/** KPI pages: the list, the library, the KPI form, the KPI page with its chart, recording a value, deleting. */
export async function kpisWebRoutes(app: FastifyInstance): Promise<void> {
  const viewer = { schema: { hide: true } };
  const manager = { config: { role: 'manager' as const }, schema: { hide: true } };
  const contributor = { config: { role: 'contributor' as const }, schema: { hide: true } };
  const formPage = 'kpis/views/form.njk';
  const recordPage = 'kpis/views/record.njk';
  const deletePage = 'kpis/views/delete.njk';
  const deleteValuePage = 'kpis/views/delete-value.njk';

  async function formData(request: FastifyRequest, values: KpiFormValues, editing: Kpi | null): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const options = await kpiFormOptions(app.db, webActor(request), organisation.id);
    return {
      pageTitle: editing === null ? 'Add a KPI' : `Change ${editing.name}`,
      organisation,
      editing,
      values,
      polarities: POLARITIES.map((p) => ({ value: p, text: POLARITY_LABELS[p], checked: values.polarity === p })),
      frequencies: FREQUENCIES.map((f) => ({ value: f, text: FREQUENCY_LABELS[f], checked: values.frequency === f })),
      categories: KPI_CATEGORIES.map((c) => ({ value: c, text: CATEGORY_LABELS[c], selected: values.category === c })),
      owners: [
        { value: '', text: 'No owner yet', selected: values.ownerId === '' },
        ...options.owners.map((o) => ({ value: o.id, text: `${o.name} (${o.email})`, selected: values.ownerId === o.id })),
      ],
      objectives: options.objectives.map((o) => ({ value: o.id, text: o.title, checked: values.objectiveIds.includes(o.id) })),
    };
  }

  app.get('/o/:org/kpis', viewer, async (request, reply) => {
    const org = requireOrg(request);
    const filter = listFilter(request);
    const kpis = await listKpisWithStatus(app.db, webActor(request), org.organisation.id, filter.filters);
    return reply.page('kpis/views/list.njk', {
      pageTitle: filter.description === null ? 'KPIs' : `KPIs ${filter.description}`,
      organisation: org.organisation,
      rows: kpis.map(listRow),
      filterDescription: filter.description,
      overdueCount: kpis.filter((k) => k.overdue).length,
      canManage: roleAtLeast(org.role, 'manager'),
      canImport: roleAtLeast(org.role, 'contributor'),
    });
  });

  app.get('/o/:org/kpis/new', manager, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const template = (request.query as { template?: string }).template;
    const library = [
      ...KPI_LIBRARY.map((e) => ({ value: e.key, text: e.name, hint: { text: e.definition }, checked: e.key === template })),
      { divider: 'or' },
      { value: 'blank', text: 'Start with a blank form', hint: { text: 'Write your own definition' }, checked: template === 'blank' },
    ];
    if (template === undefined || template === '') {
      return reply.page('kpis/views/choose.njk', { pageTitle: 'Add a KPI', organisation, library });
    }
    const entry = findLibraryEntry(template);
    if (entry === undefined && template !== 'blank') {
      return reply.page(
        'kpis/views/choose.njk',
        { pageTitle: 'Add a KPI', organisation, library, errors: [{ field: 'template', message: 'Choose a KPI from the library, or start with a blank form' }] },
        400,
      );
    }
    return reply.page(formPage, { ...(await formData(request, formValuesFromLibrary(entry), null)), fromLibrary: entry?.name ?? null });
  });

  app.post('/o/:org/kpis', manager, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const values = formValuesFromRequest(request);
    return withFormErrors(reply, formPage, await formData(request, values, null), async () => {
      const kpi = await createKpi(app.db, webActor(request), organisation.id, inputOf(values));
      return redirectWithFlash(reply, `/o/${organisation.slug}/kpis/${kpi.key}`, `${kpi.name} has been added`);
    });
  });

  app.get('/o/:org/kpis/:key', viewer, async (request, reply) => {
    const org = requireOrg(request);
    const today = new Date().toISOString().slice(0, 10);
    const { kpi, measurements, earlier } = await getKpiWithMeasurements(app.db, webActor(request), org.organisation.id, keyParam(request), { today });
    return reply.page('kpis/views/kpi.njk', {
      pageTitle: kpi.name,
      organisation: org.organisation,
      kpi,
      status: statusView(kpi),
      forecastSentence: forecastSentence(kpi, today),
      chart: kpiChart(kpi, measurements),
      details: {
        polarity: POLARITY_LABELS[kpi.polarity],
        frequency: FREQUENCY_LABELS[kpi.frequency],
        baseline: `${formatValue(kpi.baseline.value, kpi.unit)} on ${formatDate(kpi.baseline.date)}`,
        target: `${formatValue(kpi.target.value, kpi.unit)} by ${formatDate(kpi.target.date)}`,
        category: (CATEGORY_LABELS as Readonly<Record<string, string>>)[kpi.category] ?? kpi.category,
      },
      rows: [...measurements].reverse().map((m) => ({
        start: m.period,
        period: formatPeriod(m.period, kpi.frequency),
        value: formatValue(m.value, kpi.unit),
        note: m.note ?? '',
        source: SOURCE_LABELS[m.source] ?? m.source,
      })),
      earlier,
      since: formatPeriod(periodStart(kpi.baseline.date, kpi.frequency), kpi.frequency),
      canRecord: roleAtLeast(org.role, 'contributor') && kpi.formula === null,
      canManage: roleAtLeast(org.role, 'manager'),
    });
  });

  app.get('/o/:org/kpis/:key/edit', manager, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const kpi = await getKpi(app.db, webActor(request), organisation.id, keyParam(request));
    return reply.page(formPage, await formData(request, formValuesOf(kpi), kpi));
  });

  app.post('/o/:org/kpis/:key/edit', manager, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const kpi = await getKpi(app.db, actor, organisation.id, keyParam(request));
    const values = { ...formValuesFromRequest(request), key: kpi.key };
    const version = Number(values.version);
    return withFormErrors(reply, formPage, await formData(request, values, kpi), async () => {
      const updated = await updateKpi(app.db, actor, organisation.id, kpi.key, inputOf(values), {
        expectedVersion: Number.isInteger(version) && version > 0 ? version : undefined,
      }).catch((error: unknown) => {
        if (error instanceof Error && 'code' in error && error.code === 'precondition_failed') {
          throw ValidationError.of('name', 'Someone else changed this KPI while you were editing it. Open it again to see their changes, then make yours');
        }
        throw error;
      });
      return redirectWithFlash(reply, `/o/${organisation.slug}/kpis/${updated.key}`, `${updated.name} has been changed`);
    });
  });

  app.get('/o/:org/kpis/:key/delete', manager, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const kpi = await getKpi(app.db, webActor(request), organisation.id, keyParam(request));
    return reply.page(deletePage, { pageTitle: `Delete ${kpi.name}`, organisation, kpi });
  });

  app.post('/o/:org/kpis/:key/delete', manager, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const kpi = await getKpi(app.db, actor, organisation.id, keyParam(request));
    return withFormErrors(reply, deletePage, { pageTitle: `Delete ${kpi.name}`, organisation, kpi }, async () => {
      // The button sends `confirm`: a bare POST (a replayed or forged request) deletes nothing.
      if (field(formFields(request), 'confirm') !== 'yes') throw ValidationError.of('delete', `Confirm that you want to delete ${kpi.name}`);
      await deleteKpi(app.db, actor, organisation.id, kpi.key).catch((error: unknown) => {
        throw error instanceof ConflictError ? ValidationError.of('delete', error.message) : error;
      });
      return redirectWithFlash(reply, `/o/${organisation.slug}/kpis`, `${kpi.name} has been deleted`);
    });
  });

  /** The value a delete page is about; a period that is not a period, or has no value, is a page that does not exist. */
  async function valueToDelete(request: FastifyRequest) {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const kpi = await getKpi(app.db, actor, organisation.id, keyParam(request));
    const { period } = request.params as { period: string };
    const value = await getMeasurement(app.db, actor, organisation.id, kpi.key, period).catch((error: unknown) => {
      throw error instanceof ValidationError ? new NotFoundError() : error;
    });
    const label = formatPeriod(value.period, kpi.frequency);
    const page: PageData = { pageTitle: `Delete the value for ${label}`, organisation, kpi, period: value.period, label, value: formatValue(value.value, kpi.unit), note: value.note };
    return { organisation, kpi, period: value.period, label, page };
  }

  app.get('/o/:org/kpis/:key/measurements/:period/delete', contributor, async (request, reply) => {
    return reply.page(deleteValuePage, (await valueToDelete(request)).page);
  });

  app.post('/o/:org/kpis/:key/measurements/:period/delete', contributor, async (request, reply) => {
    const { organisation, kpi, period, label, page } = await valueToDelete(request);
    return withFormErrors(reply, deleteValuePage, page, async () => {
      // The button sends `confirm`: a bare POST (a replayed or forged request) deletes nothing.
      if (field(formFields(request), 'confirm') !== 'yes') throw ValidationError.of('delete', `Confirm that you want to delete the value for ${label}`);
      await deleteMeasurement(app.db, webActor(request), organisation.id, kpi.key, period);
      return redirectWithFlash(reply, `/o/${organisation.slug}/kpis/${kpi.key}`, `The value for ${label} has been deleted`);
    });
  });

  function recordData(request: FastifyRequest, kpi: KpiWithStatus, values: { period: string; value: string; note: string }): PageData {
    const { organisation } = requireOrg(request);
    return { pageTitle: `Record a value for ${kpi.name}`, organisation, kpi, values, periodHint: PERIOD_HINTS[kpi.frequency], errorField: 'period' };
  }

  app.get('/o/:org/kpis/:key/measurements/new', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const kpi = await getKpi(app.db, webActor(request), organisation.id, keyParam(request));
    return reply.page(recordPage, recordData(request, kpi, { period: '', value: '', note: '' }));
  });

  app.post('/o/:org/kpis/:key/measurements', contributor, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const kpi = await getKpi(app.db, actor, organisation.id, keyParam(request));
    const fields = formFields(request);
    const values = { period: field(fields, 'period'), value: field(fields, 'value'), note: field(fields, 'note') };
    return withFormErrors(reply, recordPage, recordData(request, kpi, values), async () => {
      const result = await recordMeasurement(app.db, actor, organisation.id, kpi.key, values, 'manual');
      const period = formatPeriod(result.measurement.period, kpi.frequency);
      const message =
        result.outcome === 'unchanged'
          ? `${formatValue(result.measurement.value, kpi.unit)} for ${period} was already recorded`
          : `${formatValue(result.measurement.value, kpi.unit)} recorded for ${period}`;
      return redirectWithFlash(reply, `/o/${organisation.slug}/kpis/${kpi.key}`, message);
    });
  });
}
