/**
 * Risk rules (HM Treasury Orange Book shape), all pure: scores and level bands on the 5 × 5
 * matrix, appetite, the contingency-plan rule, review scheduling, and checking a risk as typed.
 */
import type { FieldError } from '../../platform/errors.ts';

export const SCALE = [1, 2, 3, 4, 5] as const;
export type ScaleValue = (typeof SCALE)[number];

/** The words a 1–5 likelihood or impact is also written as (in imports and on pages). */
export const SCALE_WORDS: Readonly<Record<ScaleValue, string>> = {
  1: 'very low',
  2: 'low',
  3: 'medium',
  4: 'high',
  5: 'very high',
};

export interface Assessment {
  likelihood: ScaleValue;
  impact: ScaleValue;
}

export const RISK_LEVELS = ['low', 'medium', 'high', 'very_high'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/**
 * The documented level bands of a score (likelihood × impact, 1–25):
 * low 1–4, medium 5–9, high 10–15, very high 16–25.
 */
export const LEVEL_BANDS: readonly { level: RiskLevel; min: number; max: number }[] = [
  { level: 'low', min: 1, max: 4 },
  { level: 'medium', min: 5, max: 9 },
  { level: 'high', min: 10, max: 15 },
  { level: 'very_high', min: 16, max: 25 },
];

export const LEVEL_LABELS: Readonly<Record<RiskLevel, string>> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  very_high: 'Very high',
};
export const LEVEL_TAG_CLASSES: Readonly<Record<RiskLevel, string>> = {
  low: 'govuk-tag--green',
  medium: 'govuk-tag--yellow',
  high: 'govuk-tag--orange',
  very_high: 'govuk-tag--red',
};

export function riskScore(a: Assessment): number {
  return a.likelihood * a.impact;
}

export function levelOfScore(score: number): RiskLevel {
  const band = LEVEL_BANDS.find((b) => score >= b.min && score <= b.max);
  if (band === undefined) throw new RangeError(`A risk score is from 1 to 25, not ${score}`);
  return band.level;
}

export interface ScoredAssessment extends Assessment {
  score: number;
  level: RiskLevel;
}

export function scored(a: Assessment): ScoredAssessment {
  const score = riskScore(a);
  return { likelihood: a.likelihood, impact: a.impact, score, level: levelOfScore(score) };
}

export const APPETITE_LEVELS = ['averse', 'minimal', 'cautious', 'open', 'eager'] as const;
export type AppetiteLevel = (typeof APPETITE_LEVELS)[number];
export const APPETITE_LABELS: Readonly<Record<AppetiteLevel, string>> = {
  averse: 'Averse',
  minimal: 'Minimal',
  cautious: 'Cautious',
  open: 'Open',
  eager: 'Eager',
};
export const APPETITE_DESCRIPTIONS: Readonly<Record<AppetiteLevel, string>> = {
  averse: 'Avoid risk and uncertainty; safety first',
  minimal: 'Prefer very safe options with little residual risk',
  cautious: 'Prefer safe options with a low degree of residual risk',
  open: 'Consider every option, choosing the one most likely to deliver with reasonable value',
  eager: 'Seek innovation and accept greater risk for greater reward',
};

/** A category's appetite: above `maxScore`, a risk's current score is outside appetite. */
export interface Appetite {
  level: AppetiteLevel;
  maxScore: number;
}

/** Outside appetite: the current score exceeds the category's maximum acceptable score. */
export function isOutsideAppetite(current: Assessment, appetite: Pick<Appetite, 'maxScore'>): boolean {
  return riskScore(current) > appetite.maxScore;
}

/** Impact at which a risk needs a contingency plan (4 = high, 5 = very high). */
export const CONTINGENCY_IMPACT = 4;

/** A risk with a current impact of 4 or 5 needs a contingency plan (trigger and plan). */
export function needsContingencyPlan(current: Assessment): boolean {
  return current.impact >= CONTINGENCY_IMPACT;
}

export const RESPONSES = ['tolerate', 'treat', 'transfer', 'terminate'] as const;
export type RiskResponse = (typeof RESPONSES)[number];
export const RESPONSE_LABELS: Readonly<Record<RiskResponse, string>> = {
  tolerate: 'Tolerate',
  treat: 'Treat',
  transfer: 'Transfer',
  terminate: 'Terminate',
};
export const RESPONSE_HINTS: Readonly<Record<RiskResponse, string>> = {
  tolerate: 'Accept the risk as it is and keep it under review',
  treat: 'Take action to reduce its likelihood or impact',
  transfer: 'Pass it to a third party, for example through insurance or a contract',
  terminate: 'Stop the activity that gives rise to it',
};

export const PROXIMITIES = ['imminent', 'within_6_months', 'within_a_year', 'beyond_a_year'] as const;
export type Proximity = (typeof PROXIMITIES)[number];
export const PROXIMITY_LABELS: Readonly<Record<Proximity, string>> = {
  imminent: 'Imminent',
  within_6_months: 'Within 6 months',
  within_a_year: 'Within a year',
  beyond_a_year: 'Beyond a year',
};

export const RISK_STATUSES = ['open', 'closed'] as const;
export type RiskStatus = (typeof RISK_STATUSES)[number];

export const REVIEW_FREQUENCIES = ['monthly', 'quarterly', 'half_yearly', 'annual'] as const;
export type ReviewFrequency = (typeof REVIEW_FREQUENCIES)[number];
export const REVIEW_FREQUENCY_LABELS: Readonly<Record<ReviewFrequency, string>> = {
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  half_yearly: 'Every 6 months',
  annual: 'Annually',
};
const REVIEW_MONTHS: Readonly<Record<ReviewFrequency, number>> = {
  monthly: 1,
  quarterly: 3,
  half_yearly: 6,
  annual: 12,
};

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The next review date: the last review plus the frequency's months, on the same day of the
 * month, or the month's last day when it is shorter (monthly from 31 January → 28 or 29
 * February; annual from 29 February → 28 February).
 */
export function nextReviewDate(lastReviewed: string, frequency: ReviewFrequency): string {
  const [y, m, d] = lastReviewed.split('-').map(Number) as [number, number, number];
  const total = m - 1 + REVIEW_MONTHS[frequency];
  const year = y + Math.floor(total / 12);
  const month = (total % 12) + 1;
  const day = Math.min(d, daysInMonth(year, month));
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function isReviewOverdue(nextReview: string, today: string): boolean {
  return nextReview < today;
}

export const ACTION_STATUSES = ['planned', 'in_progress', 'done'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const ACTION_STATUS_LABELS: Readonly<Record<ActionStatus, string>> = {
  planned: 'Planned',
  in_progress: 'In progress',
  done: 'Done',
};

/** An action not done whose due date has passed. */
export function isActionOverdue(action: { status: ActionStatus; dueOn: string }, today: string): boolean {
  return action.status !== 'done' && action.dueOn < today;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(text: string): boolean {
  return UUID.test(text);
}

/** A likelihood or impact as typed or sent: 1–5, or the words very low … very high. Null otherwise. */
export function readScale(value: unknown): ScaleValue | null {
  if (typeof value === 'number')
    return (SCALE as readonly number[]).includes(value) ? (value as ScaleValue) : null;
  if (typeof value !== 'string') return null;
  const text = value
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
  if (/^[1-5]$/.test(text)) return Number(text) as ScaleValue;
  const found = SCALE.find((n) => SCALE_WORDS[n] === text);
  return found ?? null;
}

export const MAX_TITLE_LENGTH = 200;
export const MAX_TEXT_LENGTH = 5_000;
export const CATEGORY_KEY_PATTERN = /^[a-z][a-z0-9_]*$/;

export const ASSESSMENT_KINDS = ['inherent', 'current', 'target'] as const;
export type AssessmentKind = (typeof ASSESSMENT_KINDS)[number];
export const ASSESSMENT_LABELS: Readonly<Record<AssessmentKind, string>> = {
  inherent: 'Inherent (before controls)',
  current: 'Current (with today’s controls)',
  target: 'Target (after planned actions)',
};

/** The risk as typed or sent: everything may be missing or wrong. */
export interface RiskInput {
  title: string;
  cause?: string | undefined;
  event?: string | undefined;
  consequence?: string | undefined;
  /** The category's key. */
  category: string;
  ownerId?: string | null | undefined;
  proximity: string;
  status?: string | undefined;
  inherent: { likelihood: unknown; impact: unknown };
  current: { likelihood: unknown; impact: unknown };
  target: { likelihood: unknown; impact: unknown };
  response: string;
  reviewFrequency?: string | undefined;
  objectiveIds?: readonly string[] | undefined;
  kpiIds?: readonly string[] | undefined;
  projectIds?: readonly string[] | undefined;
}

export interface RiskValues {
  title: string;
  cause: string;
  event: string;
  consequence: string;
  category: string;
  ownerId: string | null;
  proximity: Proximity;
  status: RiskStatus;
  inherent: Assessment;
  current: Assessment;
  target: Assessment;
  response: RiskResponse;
  reviewFrequency: ReviewFrequency;
  objectiveIds: string[];
  kpiIds: string[];
  projectIds: string[];
}

/** Field names used in errors: the form's, and the API maps them to JSON pointers. */
export function assessmentField(kind: AssessmentKind, part: 'likelihood' | 'impact'): string {
  return `${kind}${part === 'likelihood' ? 'Likelihood' : 'Impact'}`;
}

function ids(list: readonly string[] | undefined): string[] {
  return [...new Set((list ?? []).map((id) => id.trim()).filter((id) => id !== ''))];
}

function oneOf<T extends string>(list: readonly T[], value: string | undefined): T | null {
  const text = (value ?? '').trim();
  return (list as readonly string[]).includes(text) ? (text as T) : null;
}

/**
 * Checks a risk as typed or sent, every field at once; the values only come back when nothing
 * is wrong. Whether the category, owner and linked items exist is the service's check.
 */
export function checkRiskInput(input: RiskInput): { problems: FieldError[]; values: RiskValues | null } {
  const problems: FieldError[] = [];
  const add = (field: string, message: string): void => {
    problems.push({ field, message });
  };
  const title = input.title.trim();
  if (title === '') add('title', 'Enter a title for the risk');
  else if (title.length > MAX_TITLE_LENGTH)
    add('title', `Title must be ${MAX_TITLE_LENGTH} characters or fewer`);
  const texts = {
    cause: (input.cause ?? '').trim(),
    event: (input.event ?? '').trim(),
    consequence: (input.consequence ?? '').trim(),
  };
  for (const [name, text] of Object.entries(texts)) {
    if (text.length > MAX_TEXT_LENGTH)
      add(name, `${name[0]?.toUpperCase()}${name.slice(1)} must be ${MAX_TEXT_LENGTH} characters or fewer`);
  }
  const category = input.category.trim();
  if (category === '') add('category', 'Choose a category');
  const ownerText = (input.ownerId ?? '').trim();
  const ownerId = ownerText === '' ? null : ownerText;
  if (ownerId !== null && !isUuid(ownerId))
    add('ownerId', 'Choose an owner who is a member of this organisation');
  const proximity = oneOf(PROXIMITIES, input.proximity);
  if (proximity === null)
    add(
      'proximity',
      'Choose when the risk could happen: imminent, within 6 months, within a year or beyond a year',
    );
  const status =
    input.status === undefined || input.status.trim() === '' ? 'open' : oneOf(RISK_STATUSES, input.status);
  if (status === null) add('status', 'Status must be open or closed');
  const assessments: Partial<Record<AssessmentKind, Assessment>> = {};
  for (const kind of ASSESSMENT_KINDS) {
    const likelihood = readScale(input[kind].likelihood);
    const impact = readScale(input[kind].impact);
    const label = ASSESSMENT_LABELS[kind].split(' ')[0]?.toLowerCase() ?? kind;
    if (likelihood === null)
      add(
        assessmentField(kind, 'likelihood'),
        `Choose the ${label} likelihood, from 1 (very low) to 5 (very high)`,
      );
    if (impact === null)
      add(assessmentField(kind, 'impact'), `Choose the ${label} impact, from 1 (very low) to 5 (very high)`);
    if (likelihood !== null && impact !== null) assessments[kind] = { likelihood, impact };
  }
  const response = oneOf(RESPONSES, input.response);
  if (response === null) add('response', 'Choose a response: tolerate, treat, transfer or terminate');
  const reviewFrequency =
    input.reviewFrequency === undefined || input.reviewFrequency.trim() === ''
      ? 'quarterly'
      : oneOf(REVIEW_FREQUENCIES, input.reviewFrequency);
  if (reviewFrequency === null)
    add('reviewFrequency', 'Choose how often it is reviewed: monthly, quarterly, every 6 months or annually');
  const links = {
    objectiveIds: ids(input.objectiveIds),
    kpiIds: ids(input.kpiIds),
    projectIds: ids(input.projectIds),
  };
  for (const [name, list] of Object.entries(links)) {
    const bad = list.find((id) => !isUuid(id));
    if (bad !== undefined) add(name, `There is no item with the id ${bad} in this organisation`);
  }
  const { inherent, current, target } = assessments;
  if (
    problems.length > 0 ||
    proximity === null ||
    status === null ||
    response === null ||
    reviewFrequency === null
  )
    return { problems, values: null };
  if (inherent === undefined || current === undefined || target === undefined)
    return { problems, values: null };
  return {
    problems,
    values: {
      title,
      ...texts,
      category,
      ownerId,
      proximity,
      status,
      inherent,
      current,
      target,
      response,
      reviewFrequency,
      ...links,
    },
  };
}

/** Checks an appetite as typed or sent. */
export function checkAppetite(input: { level: unknown; maxScore: unknown }): {
  problems: FieldError[];
  value: Appetite | null;
} {
  const problems: FieldError[] = [];
  const level = typeof input.level === 'string' ? oneOf(APPETITE_LEVELS, input.level) : null;
  if (level === null)
    problems.push({
      field: 'level',
      message: 'Choose an appetite level: averse, minimal, cautious, open or eager',
    });
  const raw = typeof input.maxScore === 'string' ? input.maxScore.trim() : input.maxScore;
  const maxScore =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,2}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(maxScore) || maxScore < 1 || maxScore > 25) {
    problems.push({
      field: 'maxScore',
      message: 'Maximum acceptable score must be a whole number from 1 to 25',
    });
  }
  if (level === null || problems.length > 0) return { problems, value: null };
  return { problems, value: { level, maxScore } };
}

/** Checks a contingency plan: both a trigger and a plan. */
export function checkContingencyPlan(input: { trigger: string; plan: string }): {
  problems: FieldError[];
  value: { trigger: string; plan: string } | null;
} {
  const problems: FieldError[] = [];
  const trigger = input.trigger.trim();
  const plan = input.plan.trim();
  if (trigger === '')
    problems.push({ field: 'trigger', message: 'Enter the trigger: what would set the plan off' });
  else if (trigger.length > MAX_TEXT_LENGTH)
    problems.push({ field: 'trigger', message: `Trigger must be ${MAX_TEXT_LENGTH} characters or fewer` });
  if (plan === '')
    problems.push({ field: 'plan', message: 'Enter the plan: what is done when the trigger happens' });
  else if (plan.length > MAX_TEXT_LENGTH)
    problems.push({ field: 'plan', message: `Plan must be ${MAX_TEXT_LENGTH} characters or fewer` });
  return { problems, value: problems.length > 0 ? null : { trigger, plan } };
}

/** Checks a mitigating action. */
export function checkAction(input: {
  description: string;
  ownerId?: string | null | undefined;
  dueOn: string;
  status?: string | undefined;
}): {
  problems: FieldError[];
  value: { description: string; ownerId: string | null; dueOn: string; status: ActionStatus } | null;
} {
  const problems: FieldError[] = [];
  const description = input.description.trim();
  if (description === '') problems.push({ field: 'description', message: 'Describe the action' });
  else if (description.length > MAX_TEXT_LENGTH)
    problems.push({
      field: 'description',
      message: `Description must be ${MAX_TEXT_LENGTH} characters or fewer`,
    });
  const ownerText = (input.ownerId ?? '').trim();
  const ownerId = ownerText === '' ? null : ownerText;
  if (ownerId !== null && !isUuid(ownerId))
    problems.push({ field: 'ownerId', message: 'Choose an owner who is a member of this organisation' });
  const dueOn = input.dueOn.trim();
  if (!isIsoDate(dueOn))
    problems.push({
      field: 'dueOn',
      message: 'Due date must be a real date written as YYYY-MM-DD, like 2027-03-31',
    });
  const status =
    input.status === undefined || input.status.trim() === ''
      ? 'planned'
      : oneOf(ACTION_STATUSES, input.status);
  if (status === null)
    problems.push({ field: 'status', message: 'Status must be planned, in progress or done' });
  if (problems.length > 0 || status === null) return { problems, value: null };
  return { problems, value: { description, ownerId, dueOn, status } };
}

/**
 * The categories a new organisation starts with: the Orange Book's, then the digital strategy's
 * own four, each with a default appetite the board can change.
 */
export const DEFAULT_RISK_CATEGORIES: readonly { key: string; label: string; appetite: Appetite }[] = [
  { key: 'strategy', label: 'Strategy', appetite: { level: 'open', maxScore: 12 } },
  { key: 'governance', label: 'Governance', appetite: { level: 'cautious', maxScore: 9 } },
  { key: 'operations', label: 'Operations', appetite: { level: 'cautious', maxScore: 9 } },
  { key: 'legal', label: 'Legal', appetite: { level: 'averse', maxScore: 4 } },
  { key: 'property', label: 'Property', appetite: { level: 'cautious', maxScore: 9 } },
  { key: 'financial', label: 'Financial', appetite: { level: 'minimal', maxScore: 6 } },
  { key: 'commercial', label: 'Commercial', appetite: { level: 'cautious', maxScore: 9 } },
  { key: 'people', label: 'People', appetite: { level: 'cautious', maxScore: 9 } },
  { key: 'technology', label: 'Technology', appetite: { level: 'open', maxScore: 12 } },
  { key: 'information', label: 'Information', appetite: { level: 'minimal', maxScore: 6 } },
  { key: 'security', label: 'Security', appetite: { level: 'averse', maxScore: 4 } },
  { key: 'project', label: 'Project and programme', appetite: { level: 'open', maxScore: 12 } },
  { key: 'reputational', label: 'Reputational', appetite: { level: 'cautious', maxScore: 9 } },
  { key: 'cybersecurity', label: 'Cybersecurity', appetite: { level: 'minimal', maxScore: 6 } },
  { key: 'data_privacy', label: 'Data privacy', appetite: { level: 'averse', maxScore: 4 } },
  {
    key: 'technology_obsolescence',
    label: 'Technology obsolescence',
    appetite: { level: 'cautious', maxScore: 9 },
  },
  { key: 'workforce_skills', label: 'Workforce skills', appetite: { level: 'open', maxScore: 12 } },
];

/** The heat map of open risks: counts per likelihood × impact cell, inherent and current. */
export interface HeatMap {
  kind: 'inherent' | 'current';
  /** counts[likelihood - 1][impact - 1] */
  counts: number[][];
  total: number;
}

export function heatMapOf(
  risks: readonly { inherent: Assessment; current: Assessment }[],
  kind: 'inherent' | 'current',
): HeatMap {
  const counts = [1, 2, 3, 4, 5].map(() => [0, 0, 0, 0, 0]);
  for (const risk of risks) {
    const a = risk[kind];
    const row = counts[a.likelihood - 1];
    if (row !== undefined) row[a.impact - 1] = (row[a.impact - 1] ?? 0) + 1;
  }
  return { kind, counts, total: risks.length };
}

/** How many risks the dashboard shows. */
export const TOP_RISKS_SHOWN = 5;

/** The risks that most need attention: outside appetite first, then by current score, then title. */
export function topRisks<R extends { title: string; outsideAppetite: boolean; current: { score: number } }>(
  risks: readonly R[],
  limit = TOP_RISKS_SHOWN,
): R[] {
  return [...risks]
    .sort(
      (a, b) =>
        Number(b.outsideAppetite) - Number(a.outsideAppetite) ||
        b.current.score - a.current.score ||
        a.title.localeCompare(b.title, 'en-GB'),
    )
    .slice(0, limit);
}
