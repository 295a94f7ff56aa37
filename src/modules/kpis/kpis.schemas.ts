import { type Static, Type } from 'typebox';
import { PageSchema } from '../../platform/http/api.ts';

/** JSON shapes of the KPI and measurement API. Names are camelCase; dates and periods are 'YYYY-MM-DD'. */

const IsoDate = (description: string) => Type.String({ format: 'date', description: `${description} (YYYY-MM-DD)`, examples: ['2026-04-01'] });
const InputDate = (description: string) => Type.String({ description: `${description} (YYYY-MM-DD)`, examples: ['2026-04-01'] });

export const PolaritySchema = Type.Union([Type.Literal('higher_is_better'), Type.Literal('lower_is_better')], {
  description: 'Whether a larger value is better (higher_is_better) or a smaller one (lower_is_better)',
});

export const FrequencySchema = Type.Union(
  [Type.Literal('daily'), Type.Literal('weekly'), Type.Literal('monthly'), Type.Literal('quarterly'), Type.Literal('annual')],
  { description: 'How often a value is expected; each period is named by its first day' },
);

export const KpiStatusSchema = Type.Union(
  [Type.Literal('on_track'), Type.Literal('at_risk'), Type.Literal('off_track'), Type.Literal('no_data'), Type.Literal('overdue')],
  {
    description:
      'on_track / at_risk / off_track compare the latest value with the straight-line plan from baseline to target at the end of its period; ' +
      'no_data when there is no value; overdue when the last expected period (after a grace period) has no value',
  },
);

const PointSchema = (description: string) =>
  Type.Object({ value: Type.Number({ description: 'The value, in the KPI’s unit' }), date: IsoDate('The date') }, { description });

const PointInputSchema = (description: string) =>
  Type.Object({ value: Type.Number({ description: 'The value, in the KPI’s unit' }), date: InputDate('The date') }, { description });

const ForecastSchema = Type.Object(
  {
    value: Type.Number({ description: 'The forecast value on the target date' }),
    low: Type.Number({ description: 'Lower end of the 95% prediction interval' }),
    high: Type.Number({ description: 'Upper end of the 95% prediction interval' }),
    meetsTarget: Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('uncertain')], {
      description: 'yes when the whole interval meets the target, no when none of it does, uncertain otherwise',
    }),
  },
  { description: 'A straight-line regression over the latest values (up to 12), projected to the target date' },
);

export const KpiSchema = Type.Object(
  {
    key: Type.String({ description: 'Unique in the organisation: lowercase letters, digits and underscores, starting with a letter' }),
    name: Type.String(),
    definition: Type.String({ description: 'What is measured and how' }),
    unit: Type.String({ description: 'For example %, £ or days; may be empty' }),
    polarity: PolaritySchema,
    frequency: FrequencySchema,
    baseline: PointSchema('Where the KPI started'),
    target: PointSchema('Where it should be, and by when'),
    tolerance: Type.Number({
      description: 'Percentage points of the baseline-to-target distance within which a value behind plan is at_risk rather than off_track',
    }),
    ownerId: Type.Union([Type.String({ format: 'uuid', description: 'The owner: a member of the organisation' }), Type.Null()]),
    category: Type.String({ description: 'adoption, service_delivery, cost_savings, satisfaction, inclusion, service_kpi or other' }),
    formula: Type.Union([Type.String({ description: 'For a derived KPI: a formula over other KPIs by key, e.g. 100 * {digital} / {all}' }), Type.Null()]),
    objectiveIds: Type.Array(Type.String({ format: 'uuid' }), { description: 'Objectives this KPI measures' }),
    isPublic: Type.Boolean({ description: 'Shown on the organisation’s public performance pages' }),
    status: KpiStatusSchema,
    statusReason: Type.String({ description: 'The status in words, e.g. "Off track: 62% in March 2026 against a planned 70%"' }),
    latest: Type.Union([
      Type.Object({ period: IsoDate('First day of the latest period with a value'), value: Type.Number() }, { description: 'The latest value' }),
      Type.Null(),
    ]),
    planned: Type.Union([Type.Number({ description: 'The planned value the latest value was compared with' }), Type.Null()]),
    forecast: Type.Union([ForecastSchema, Type.Null()], { description: 'Null with fewer than three values, or once the target date has passed' }),
  },
  { description: 'A KPI with its status computed from its measurements today' },
);

const KeyText = Type.String({ description: 'Unique in the organisation: lowercase letters, digits and underscores, starting with a letter; up to 60 characters' });

const kpiFields = {
  name: Type.String({ description: 'Required; up to 200 characters' }),
  definition: Type.Optional(Type.String({ description: 'Up to 5,000 characters' })),
  unit: Type.Optional(Type.String({ description: 'Up to 20 characters, e.g. %, £, days' })),
  polarity: Type.String({ description: 'higher_is_better or lower_is_better' }),
  frequency: Type.String({ description: 'daily, weekly, monthly, quarterly or annual' }),
  baseline: PointInputSchema('Where the KPI started'),
  target: PointInputSchema('Where it should be, and by when: the date after the baseline date'),
  tolerance: Type.Optional(Type.Number({ description: 'Percentage points from 0 to 100 (default 10)' })),
  ownerId: Type.Optional(Type.Union([Type.String({ description: 'A user id of a member of the organisation' }), Type.Null()])),
  category: Type.Optional(Type.String({ description: 'adoption, service_delivery, cost_savings, satisfaction, inclusion, service_kpi or other (default)' })),
  formula: Type.Optional(
    Type.Union([
      Type.String({
        description:
          'Makes the KPI derived: + - * / and parentheses over numbers and other KPIs of the same frequency by key in braces. Its values are computed per period; it cannot be recorded directly',
      }),
      Type.Null(),
    ]),
  ),
  objectiveIds: Type.Optional(Type.Array(Type.String(), { description: 'Ids of the organisation’s objectives this KPI measures' })),
  isPublic: Type.Optional(Type.Boolean({ description: 'Shown on the public performance pages (default false)' })),
};

export const KpiInputSchema = Type.Object({ key: KeyText, ...kpiFields }, { description: 'A new KPI' });

export const KpiUpdateSchema = Type.Object(
  { key: Type.Optional(Type.String({ description: 'The key cannot change; when sent it must be the current key' })), ...kpiFields },
  { description: 'The KPI’s new values. Omitted optional fields keep their current value' },
);

export const KpiParamsSchema = Type.Object({ key: Type.String({ description: 'The KPI’s key' }) });

export const KpiPageSchema = PageSchema(KpiSchema, 'A page of KPIs, by name');

export const MeasurementSchema = Type.Object(
  {
    period: IsoDate('First day of the period'),
    value: Type.Number(),
    note: Type.Union([Type.String(), Type.Null()]),
    source: Type.Union([Type.Literal('manual'), Type.Literal('import'), Type.Literal('api'), Type.Literal('feedback'), Type.Literal('formula'), Type.Literal('benefits')], {
      description: 'How the value arrived; formula for values computed by a derived KPI; benefits for the sum of projects’ realised cash savings',
    }),
  },
  { description: 'A KPI’s value for one period' },
);

export const MeasurementPageSchema = PageSchema(MeasurementSchema, 'A page of the KPI’s values, oldest period first');

export const MeasurementParamsSchema = Type.Object({
  key: Type.String({ description: 'The KPI’s key' }),
  period: Type.String({ description: 'The period: its first day as YYYY-MM-DD (as listed), or YYYY-MM, YYYY-Qn or YYYY', examples: ['2026-03-01'] }),
});

const PeriodInput = Type.String({
  description: 'YYYY-MM-DD, YYYY-MM, YYYY-Qn or YYYY, normalised to the first day of the KPI’s period (e.g. 2026-03 → 2026-03-01)',
  examples: ['2026-03'],
});
const NoteInput = Type.Optional(Type.Union([Type.String({ description: 'Up to 1,000 characters' }), Type.Null()]));

export const MeasurementInputSchema = Type.Object(
  { period: PeriodInput, value: Type.Number({ description: 'A finite number in the KPI’s unit' }), note: NoteInput },
  { description: 'A value for one period; a value already recorded for the period is replaced (the earlier one stays in the audit trail)' },
);

export const BatchInputSchema = Type.Object(
  {
    measurements: Type.Array(
      Type.Object({ kpi: Type.String({ description: 'The KPI’s key' }), period: PeriodInput, value: Type.Number(), note: NoteInput }),
      { maxItems: 10_000, description: 'At most 10,000 measurements' },
    ),
  },
  { description: 'Many values at once, all or nothing: any bad measurement refuses the whole batch, with every problem listed' },
);

export const BatchResultSchema = Type.Object(
  {
    created: Type.Integer({ description: 'Values for periods that had none' }),
    updated: Type.Integer({ description: 'Values that replaced a different earlier value' }),
    unchanged: Type.Integer({ description: 'Values already recorded exactly so (nothing written)' }),
  },
  { description: 'What the batch changed' },
);

export type KpiJson = Static<typeof KpiSchema>;
export type KpiInputJson = Static<typeof KpiInputSchema>;
export type KpiUpdateJson = Static<typeof KpiUpdateSchema>;
export type MeasurementJson = Static<typeof MeasurementSchema>;
