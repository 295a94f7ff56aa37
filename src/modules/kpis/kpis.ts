/**
 * KPI domain types and the pure checks of what people send. No I/O: the service adds the
 * checks that need the database (unique key, owner, objectives, formula references).
 */
import type { FieldError } from '../../platform/errors.ts';
import type { Forecast } from './forecast.ts';
import { KPI_KEY_PATTERN } from './formula.ts';
import { FREQUENCIES, type Frequency, type IsoDate, isIsoDate } from './periods.ts';
import { type KpiStatus, POLARITIES, type Polarity } from './status.ts';

export { KPI_KEY_PATTERN };

export const KPI_CATEGORIES = ['adoption', 'service_delivery', 'cost_savings', 'satisfaction', 'inclusion', 'service_kpi', 'other'] as const;
export type KpiCategory = (typeof KPI_CATEGORIES)[number];

export const CATEGORY_LABELS: Readonly<Record<KpiCategory, string>> = {
  adoption: 'User adoption',
  service_delivery: 'Service delivery',
  cost_savings: 'Cost savings',
  satisfaction: 'Citizen satisfaction',
  inclusion: 'Digital inclusion',
  service_kpi: 'Service performance (the four service KPIs)',
  other: 'Other',
};

export const POLARITY_LABELS: Readonly<Record<Polarity, string>> = {
  higher_is_better: 'Higher is better',
  lower_is_better: 'Lower is better',
};

export const FREQUENCY_LABELS: Readonly<Record<Frequency, string>> = {
  daily: 'Daily',
  weekly: 'Weekly',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  annual: 'Annual',
};

export const MAX_KEY_LENGTH = 60;
export const MAX_NAME_LENGTH = 200;
export const MAX_DEFINITION_LENGTH = 5000;
export const MAX_UNIT_LENGTH = 20;
export const MAX_NOTE_LENGTH = 1000;
export const DEFAULT_TOLERANCE = 10;

export interface Kpi {
  id: string;
  organisationId: string;
  key: string;
  name: string;
  definition: string;
  unit: string;
  polarity: Polarity;
  frequency: Frequency;
  baseline: { value: number; date: IsoDate };
  target: { value: number; date: IsoDate };
  /** Percentage points of the baseline-to-target distance within which a shortfall is at risk. */
  tolerance: number;
  ownerId: string | null;
  ownerName: string | null;
  category: string;
  formula: string | null;
  objectiveIds: string[];
  isPublic: boolean;
  version: number;
}

/** A KPI with its status computed from its measurements on a given day. */
export interface KpiWithStatus extends Kpi {
  status: KpiStatus;
  statusReason: string;
  latest: { period: IsoDate; value: number } | null;
  /** The value of the latest period before `latest` (the biggest movers compare the two). */
  previous: { period: IsoDate; value: number } | null;
  planned: number | null;
  forecast: Forecast | null;
  /** True when the last expected period (after the grace) has no value, whatever the status. */
  overdue: boolean;
  /** The latest period whose value should exist by now, when it is after the baseline. */
  expectedPeriod: IsoDate | null;
}

/** What the golden thread shows for a KPI under an objective. */
export type KpiSummary = Pick<
  KpiWithStatus,
  'id' | 'key' | 'name' | 'unit' | 'frequency' | 'status' | 'statusReason' | 'latest' | 'planned' | 'ownerId' | 'ownerName' | 'overdue'
> & { weight: number };

/** A KPI as people send it: from a form every value is text, from the API numbers are numbers. */
export interface KpiInput {
  key: string;
  name: string;
  definition?: string | undefined;
  unit?: string | undefined;
  polarity: string;
  frequency: string;
  baseline: { value: number | string; date: string };
  target: { value: number | string; date: string };
  tolerance?: number | string | undefined;
  ownerId?: string | null | undefined;
  category?: string | undefined;
  objectiveIds?: readonly string[] | undefined;
  isPublic?: boolean | undefined;
  formula?: string | null | undefined;
}

/** The checked, normalised values of a KPI, ready to store. */
export interface KpiValues {
  key: string;
  name: string;
  definition: string;
  unit: string;
  polarity: Polarity;
  frequency: Frequency;
  baseline: { value: number; date: IsoDate };
  target: { value: number; date: IsoDate };
  tolerance: number;
  ownerId: string | null;
  category: KpiCategory;
  objectiveIds: string[];
  isPublic: boolean;
  formula: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER_TEXT = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** A number as typed ("1,234.5", " 62 ") or sent (62); null when it is not a finite number. */
export function readNumber(value: number | string | null | undefined): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string') return null;
  const text = value.trim().replace(/,/g, '');
  if (!NUMBER_TEXT.test(text)) return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : null;
}

/** Field names used in errors; the API maps them to JSON pointers. */
export const KPI_FIELDS = {
  key: 'key',
  name: 'name',
  definition: 'definition',
  unit: 'unit',
  polarity: 'polarity',
  frequency: 'frequency',
  baselineValue: 'baselineValue',
  baselineDate: 'baselineDate',
  targetValue: 'targetValue',
  targetDate: 'targetDate',
  tolerance: 'tolerance',
  ownerId: 'ownerId',
  category: 'category',
  objectiveIds: 'objectiveIds',
  formula: 'formula',
} as const;

/** Keys that name KPI pages of their own (`/o/:org/kpis/new`, `/o/:org/kpis/import`): a KPI with one could never be opened. */
export const RESERVED_KPI_KEYS: readonly string[] = ['new', 'import'];

export function keyProblem(key: string): string | null {
  if (key === '') return 'Enter a key, for example digital_take_up';
  if (key.length > MAX_KEY_LENGTH) return `Key must be ${MAX_KEY_LENGTH} characters or fewer`;
  if (!KPI_KEY_PATTERN.test(key)) {
    return 'Key must start with a lowercase letter and use only lowercase letters, digits and underscores, for example digital_take_up';
  }
  if (RESERVED_KPI_KEYS.includes(key)) return `“${key}” is the name of a page in Waymark: choose another key, for example ${key}_rate`;
  return null;
}

/**
 * Checks a KPI as sent, field by field, and normalises it. Every problem is reported at once,
 * each on its field; the values are only returned when there are none.
 */
export function checkKpiInput(input: KpiInput): { problems: FieldError[]; values: KpiValues | null } {
  const problems: FieldError[] = [];
  const add = (field: string, message: string): void => {
    problems.push({ field, message });
  };

  const key = input.key.trim();
  const badKey = keyProblem(key);
  if (badKey !== null) add(KPI_FIELDS.key, badKey);

  const name = input.name.trim();
  if (name === '') add(KPI_FIELDS.name, 'Enter a name');
  else if (name.length > MAX_NAME_LENGTH) add(KPI_FIELDS.name, `Name must be ${MAX_NAME_LENGTH} characters or fewer`);

  const definition = (input.definition ?? '').trim();
  if (definition.length > MAX_DEFINITION_LENGTH) add(KPI_FIELDS.definition, `Definition must be ${MAX_DEFINITION_LENGTH} characters or fewer`);

  const unit = (input.unit ?? '').trim();
  if (unit.length > MAX_UNIT_LENGTH) add(KPI_FIELDS.unit, `Unit must be ${MAX_UNIT_LENGTH} characters or fewer, for example %, £ or days`);

  const polarity = input.polarity as Polarity;
  if (!(POLARITIES as readonly string[]).includes(input.polarity)) add(KPI_FIELDS.polarity, 'Choose whether higher or lower values are better');

  const frequency = input.frequency as Frequency;
  if (!(FREQUENCIES as readonly string[]).includes(input.frequency)) {
    add(KPI_FIELDS.frequency, 'Choose how often it is measured: daily, weekly, monthly, quarterly or annual');
  }

  const baselineValue = readNumber(input.baseline.value);
  if (baselineValue === null) add(KPI_FIELDS.baselineValue, 'Baseline value must be a number, like 62 or 1250.5');
  const baselineDate = input.baseline.date.trim();
  if (!isIsoDate(baselineDate)) add(KPI_FIELDS.baselineDate, 'Baseline date must be a real date written as YYYY-MM-DD, like 2026-04-01');

  const targetValue = readNumber(input.target.value);
  if (targetValue === null) add(KPI_FIELDS.targetValue, 'Target value must be a number, like 80 or 1000');
  const targetDate = input.target.date.trim();
  if (!isIsoDate(targetDate)) add(KPI_FIELDS.targetDate, 'Target date must be a real date written as YYYY-MM-DD, like 2028-03-31');
  else if (isIsoDate(baselineDate) && targetDate <= baselineDate) add(KPI_FIELDS.targetDate, 'Target date must be after the baseline date');

  let tolerance = DEFAULT_TOLERANCE;
  if (input.tolerance !== undefined && !(typeof input.tolerance === 'string' && input.tolerance.trim() === '')) {
    const read = readNumber(input.tolerance);
    if (read === null || read < 0 || read > 100) add(KPI_FIELDS.tolerance, 'Tolerance must be a number from 0 to 100 (percentage points)');
    else tolerance = read;
  }

  const ownerId = input.ownerId == null || input.ownerId.trim() === '' ? null : input.ownerId.trim();
  if (ownerId !== null && !isUuid(ownerId)) add(KPI_FIELDS.ownerId, 'Choose an owner who is a member of this organisation');

  const categoryText = (input.category ?? '').trim() || 'other';
  const category = categoryText as KpiCategory;
  if (!(KPI_CATEGORIES as readonly string[]).includes(categoryText)) {
    add(KPI_FIELDS.category, `Choose a category: ${KPI_CATEGORIES.join(', ')}`);
  }

  const objectiveIds = [...new Set((input.objectiveIds ?? []).map((id) => id.trim()).filter((id) => id !== ''))];
  const badObjective = objectiveIds.find((id) => !isUuid(id));
  if (badObjective !== undefined) add(KPI_FIELDS.objectiveIds, `There is no objective with the id ${badObjective} in this organisation`);

  const formula = input.formula == null || input.formula.trim() === '' ? null : input.formula.trim();

  if (problems.length > 0 || baselineValue === null || targetValue === null) return { problems, values: null };
  return {
    problems,
    values: {
      key,
      name,
      definition,
      unit,
      polarity,
      frequency,
      baseline: { value: baselineValue, date: baselineDate },
      target: { value: targetValue, date: targetDate },
      tolerance,
      ownerId,
      category,
      objectiveIds,
      isPublic: input.isPublic === true,
      formula,
    },
  };
}
