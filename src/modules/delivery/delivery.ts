import type { FieldError } from '../../platform/errors.ts';
import { isRealDate, textProblems } from '../../platform/validation.ts';
import {
  expectedBy,
  formatPeriod,
  type Frequency,
  type KpiStatus,
  lastExpectedPeriod,
  periodStart,
} from '../kpis/kpis.service.ts';
import type { BenefitType, Phase, ProjectType, Rag, ReportFrequency } from './delivery.table.ts';

export type { BenefitType, Phase, ProjectType, Rag, ReportFrequency };

/** A calendar date, 'YYYY-MM-DD'. */
type IsoDate = string;

/**
 * Delivery's domain types and pure rules: validation with GOV.UK-style messages, a project's
 * RAG, how it counts in an objective's roll-up, overdue milestones and late status reports.
 * No I/O: delivery.service.ts reads and writes, these functions decide.
 */

export const PROJECT_TYPES = [
  'project',
  'programme',
  'service_change',
  'pilot',
] as const satisfies readonly ProjectType[];
export const PHASES = [
  'discovery',
  'alpha',
  'beta',
  'live',
  'retirement',
] as const satisfies readonly Phase[];
export const RAGS = ['green', 'amber', 'red'] as const satisfies readonly Rag[];
export const REPORT_FREQUENCIES = ['monthly', 'quarterly'] as const satisfies readonly ReportFrequency[];
export const BENEFIT_TYPES = [
  'cash_saving',
  'non_cash_saving',
  'quality',
  'other',
] as const satisfies readonly BenefitType[];

export const PROJECT_TYPE_LABELS: Readonly<Record<ProjectType, string>> = {
  project: 'Project',
  programme: 'Programme',
  service_change: 'Service change',
  pilot: 'Pilot',
};
export const PHASE_LABELS: Readonly<Record<Phase, string>> = {
  discovery: 'Discovery',
  alpha: 'Alpha',
  beta: 'Beta',
  live: 'Live',
  retirement: 'Retirement',
};
export const RAG_LABELS: Readonly<Record<Rag, string>> = { green: 'Green', amber: 'Amber', red: 'Red' };
/** The govuk-tag colour of each RAG, the same on every page; no report yet is grey. */
export const RAG_TAG_CLASSES: Readonly<Record<Rag | 'none', string>> = {
  green: 'govuk-tag--green',
  amber: 'govuk-tag--yellow',
  red: 'govuk-tag--red',
  none: 'govuk-tag--grey',
};
export const REPORT_FREQUENCY_LABELS: Readonly<Record<ReportFrequency, string>> = {
  monthly: 'Monthly',
  quarterly: 'Quarterly',
};
export const BENEFIT_TYPE_LABELS: Readonly<Record<BenefitType, string>> = {
  cash_saving: 'Cash saving',
  non_cash_saving: 'Non-cash saving',
  quality: 'Quality',
  other: 'Other',
};

export interface Budget {
  capital: string;
  resource: string;
}

export interface ObjectiveLink {
  objectiveId: string;
  weight: number;
}

export interface Project {
  id: string;
  organisationId: string;
  title: string;
  description: string;
  ownerId: string | null;
  ownerName: string | null;
  type: ProjectType;
  programmeId: string | null;
  phase: Phase;
  /** The day the current phase started, from the phase history. */
  phaseStartedOn: IsoDate | null;
  plannedStart: IsoDate | null;
  plannedEnd: IsoDate | null;
  budgetPlanned: Budget;
  budgetActual: Budget;
  deliveryApproach: string;
  reportFrequency: ReportFrequency;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface PhaseStart {
  phase: Phase;
  startedOn: IsoDate;
}

export interface Milestone {
  id: string;
  organisationId: string;
  projectId: string;
  title: string;
  dueOn: IsoDate;
  completedOn: IsoDate | null;
  version: number;
}

export interface StatusReport {
  id: string;
  organisationId: string;
  projectId: string;
  /** The first day of the month (or quarter) it covers. */
  period: IsoDate;
  overall: Rag;
  schedule: Rag;
  budget: Rag;
  scope: Rag;
  reason: string;
  achievements: string;
  nextSteps: string;
  issues: string;
  decisionsNeeded: string;
  submittedBy: string | null;
  submittedByName: string | null;
  submittedAt: Date;
  version: number;
}

export const TITLE_MAX = 200;
export const TEXT_MAX = 5000;
export const WEIGHT_MAX = 1000;
/** Budgets up to a trillion, in pounds and pence: numeric(14, 2). */
export const MONEY_MAX = 999_999_999_999.99;

function dateProblems(value: string | null, field: string, name: string, required: boolean): FieldError[] {
  const text = (value ?? '').trim();
  if (text === '') return required ? [{ field, message: `Enter the ${name}` }] : [];
  if (!isRealDate(text)) return [{ field, message: `Enter a real date for the ${name}` }];
  return [];
}

function choiceProblems(
  value: string,
  allowed: readonly string[],
  field: string,
  message: string,
): FieldError[] {
  return allowed.includes(value) ? [] : [{ field, message }];
}

/** An amount of money typed by a person: '12500', '12,500.50', '£12,500'; null when it is not one. */
export function parseMoney(text: string): string | null {
  const cleaned = text.trim().replace(/^£/, '').replace(/,/g, '');
  if (cleaned === '') return '0';
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(cleaned)) return null;
  return cleaned;
}

function moneyProblems(value: string, field: string, name: string): FieldError[] {
  return parseMoney(value) === null
    ? [{ field, message: `${name} must be an amount in pounds, like 25000 or 25000.50` }]
    : [];
}

export function weightProblems(weight: number | string, field: string): FieldError[] {
  const text = String(weight).trim();
  const message = `Weight must be a number more than 0 and up to ${WEIGHT_MAX}, with up to 2 decimal places, like 1 or 2.5`;
  if (text === '') return [{ field, message: 'Enter a weight, like 1' }];
  if (!/^\d+(\.\d{1,2})?$/.test(text)) return [{ field, message }];
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || value > WEIGHT_MAX) return [{ field, message }];
  return [];
}

export interface ProjectInput {
  title: string;
  description: string;
  ownerId: string | null;
  type: string;
  programmeId: string | null;
  phase: string;
  plannedStart: string | null;
  plannedEnd: string | null;
  budgetPlanned: { capital: string; resource: string };
  budgetActual: { capital: string; resource: string };
  deliveryApproach: string;
  reportFrequency: string;
  objectives: readonly { objectiveId: string; weight: number | string }[];
}

/** What is wrong with a project's values, each against its field; empty when they are fine. */
export function projectProblems(input: ProjectInput): FieldError[] {
  const problems = [
    ...textProblems(input.title, 'title', {
      required: 'Enter a title for the project',
      max: TITLE_MAX,
      name: 'Title',
    }),
    ...textProblems(input.description, 'description', { max: TEXT_MAX, name: 'Description' }),
    ...choiceProblems(
      input.type,
      PROJECT_TYPES,
      'type',
      'Select the type: project, programme, service change or pilot',
    ),
    ...choiceProblems(
      input.phase,
      PHASES,
      'phase',
      'Select the phase: discovery, alpha, beta, live or retirement',
    ),
    ...dateProblems(input.plannedStart, 'plannedStart', 'planned start date', false),
    ...dateProblems(input.plannedEnd, 'plannedEnd', 'planned end date', false),
    ...moneyProblems(input.budgetPlanned.capital, 'budgetPlannedCapital', 'Planned capital budget'),
    ...moneyProblems(input.budgetPlanned.resource, 'budgetPlannedResource', 'Planned resource budget'),
    ...moneyProblems(input.budgetActual.capital, 'budgetActualCapital', 'Actual capital spend'),
    ...moneyProblems(input.budgetActual.resource, 'budgetActualResource', 'Actual resource spend'),
    ...textProblems(input.deliveryApproach, 'deliveryApproach', {
      max: TITLE_MAX,
      name: 'Delivery approach',
    }),
    ...choiceProblems(
      input.reportFrequency,
      REPORT_FREQUENCIES,
      'reportFrequency',
      'Select how often the project reports: monthly or quarterly',
    ),
  ];
  const start = (input.plannedStart ?? '').trim();
  const end = (input.plannedEnd ?? '').trim();
  if (isRealDate(start) && isRealDate(end) && end < start) {
    problems.push({
      field: 'plannedEnd',
      message: 'The planned end date must be on or after the planned start date',
    });
  }
  if (input.type === 'programme' && input.programmeId !== null) {
    problems.push({ field: 'programmeId', message: 'A programme cannot be part of another programme' });
  }
  const seen = new Set<string>();
  for (const link of input.objectives) {
    if (seen.has(link.objectiveId))
      problems.push({ field: 'objectives', message: 'Each objective can be linked once' });
    seen.add(link.objectiveId);
    problems.push(...weightProblems(link.weight, `weight-${link.objectiveId}`));
  }
  return problems;
}

export interface MilestoneInput {
  title: string;
  dueOn: string;
  completedOn: string | null;
}

export function milestoneProblems(input: MilestoneInput): FieldError[] {
  return [
    ...textProblems(input.title, 'title', {
      required: 'Enter a title for the milestone',
      max: TITLE_MAX,
      name: 'Title',
    }),
    ...dateProblems(input.dueOn, 'dueOn', 'due date', true),
    ...dateProblems(input.completedOn, 'completedOn', 'completion date', false),
  ];
}

/** Overdue: due before today and not completed. A milestone due today is not overdue yet. */
export function isMilestoneOverdue(
  milestone: Pick<Milestone, 'dueOn' | 'completedOn'>,
  today: IsoDate,
): boolean {
  return milestone.completedOn === null && milestone.dueOn < today;
}

export interface StatusReportInput {
  period: string;
  overall: string;
  schedule: string;
  budget: string;
  scope: string;
  reason: string;
  achievements: string;
  nextSteps: string;
  issues: string;
  decisionsNeeded: string;
}

const RAG_PARTS = [
  ['overall', 'overall status'],
  ['schedule', 'schedule'],
  ['budget', 'budget'],
  ['scope', 'scope'],
] as const;

/**
 * A status report's problems. Each of the four RAGs must be green, amber or red; a reason is
 * required as soon as any of them is amber or red, because a board reading "amber" needs to
 * know why. The period must be a real month, not in the future.
 */
export function statusReportProblems(input: StatusReportInput, today: IsoDate): FieldError[] {
  const problems: FieldError[] = [];
  const period = input.period.trim();
  if (period === '') problems.push({ field: 'period', message: 'Enter the month the report covers' });
  else if (!isRealDate(period) || !period.endsWith('-01'))
    problems.push({ field: 'period', message: 'Enter a real month for the report, like 2026-03' });
  else if (period > today)
    problems.push({ field: 'period', message: 'The report cannot be for a month that has not started yet' });
  for (const [field, name] of RAG_PARTS) {
    problems.push(...choiceProblems(input[field], RAGS, field, `Select green, amber or red for the ${name}`));
  }
  const needsReason = RAG_PARTS.some(([field]) => input[field] === 'amber' || input[field] === 'red');
  if (needsReason && input.reason.trim() === '') {
    problems.push({ field: 'reason', message: 'Enter the reason for the amber or red status' });
  }
  problems.push(
    ...textProblems(input.reason, 'reason', { max: TEXT_MAX, name: 'Reason' }),
    ...textProblems(input.achievements, 'achievements', { max: TEXT_MAX, name: 'Achievements' }),
    ...textProblems(input.nextSteps, 'nextSteps', { max: TEXT_MAX, name: 'Next steps' }),
    ...textProblems(input.issues, 'issues', { max: TEXT_MAX, name: 'Issues' }),
    ...textProblems(input.decisionsNeeded, 'decisionsNeeded', { max: TEXT_MAX, name: 'Decisions needed' }),
  );
  return problems;
}

/**
 * A month typed by a person as the first day of that month: '2026-03', '2026-03-01',
 * 'March 2026'. What cannot be read comes back as typed, for statusReportProblems to refuse.
 */
export function monthFromText(text: string): string {
  const trimmed = text.trim();
  const numeric = /^(\d{4})-(\d{1,2})(?:-01)?$/.exec(trimmed);
  if (numeric !== null) return `${numeric[1] ?? ''}-${(numeric[2] ?? '').padStart(2, '0')}-01`;
  const named = /^([A-Za-z]+)\s+(\d{4})$/.exec(trimmed);
  if (named !== null) {
    const index = MONTHS.indexOf((named[1] ?? '').toLowerCase().slice(0, 3));
    if (index >= 0) return `${named[2] ?? ''}-${String(index + 1).padStart(2, '0')}-01`;
  }
  return trimmed;
}
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// RAG and roll-up

/**
 * A project's RAG is its latest status report's overall RAG (latest by period). With no report
 * yet it has none: the portfolio says "No report yet" rather than guessing a colour.
 */
export function projectRag(reports: readonly Pick<StatusReport, 'period' | 'overall'>[]): Rag | null {
  let latest: Pick<StatusReport, 'period' | 'overall'> | null = null;
  for (const report of reports) if (latest === null || report.period > latest.period) latest = report;
  return latest?.overall ?? null;
}

/**
 * How a project counts in its objective's roll-up (ROLLUP_RULE's last sentence): green as on track,
 * amber as at risk, red as off track; a project whose status report is late counts as overdue
 * (its colour is stale), one that has never reported as no data.
 */
export function projectRollupStatus(rag: Rag | null, reportLate: boolean): KpiStatus {
  if (reportLate) return 'overdue';
  switch (rag) {
    case 'green':
      return 'on_track';
    case 'amber':
      return 'at_risk';
    case 'red':
      return 'off_track';
    case null:
      return 'no_data';
  }
}

// Late status reports

/** Days after a period's last day before its report is late: the same grace as KPI values. */
export const REPORT_GRACE_DAYS: Readonly<Record<ReportFrequency, number>> = { monthly: 10, quarterly: 20 };

export interface LateReport {
  /** The period whose report is missing: the latest one that should have been reported by today. */
  period: IsoDate;
  /** The day it was due: the period's last day plus the grace. */
  dueBy: IsoDate;
}

/**
 * Whether a project's status report is late, and for which period. A project reports on each
 * month (or quarter) from the one it started in (its planned start, or the day it was created
 * when it has none). The report for a period is due by the period's last day plus the grace
 * (10 days for monthly, 20 for quarterly); from the day after, it is late until a report for
 * that period, or a later one, exists. A project in retirement has stopped reporting, and one
 * whose planned end has passed stops after the period holding that end.
 */
export function lateReport(
  project: Pick<Project, 'reportFrequency' | 'phase' | 'plannedStart' | 'plannedEnd'> & {
    startedOn: IsoDate;
  },
  latestReportPeriod: IsoDate | null,
  today: IsoDate,
): LateReport | null {
  if (project.phase === 'retirement') return null;
  const frequency = project.reportFrequency;
  const grace = REPORT_GRACE_DAYS[frequency];
  let expected = lastExpectedPeriod(today, frequency, grace);
  if (project.plannedEnd !== null) {
    const lastReported = periodStart(project.plannedEnd, frequency);
    if (lastReported < expected) expected = lastReported;
  }
  const first = periodStart(project.plannedStart ?? project.startedOn, frequency);
  if (expected < first) return null;
  if (latestReportPeriod !== null && latestReportPeriod >= expected) return null;
  return { period: expected, dueBy: expectedBy(expected, frequency, grace) };
}

/** 'March 2026' or 'Q1 2026 (January to March)'. */
export function reportPeriodLabel(period: IsoDate, frequency: ReportFrequency = 'monthly'): string {
  return formatPeriod(period, frequency);
}

/** The period a report submitted today is most likely about: the month (or quarter) before this one. */
export function defaultReportPeriod(today: IsoDate, frequency: ReportFrequency): IsoDate {
  return lastExpectedPeriod(today, frequency, 0);
}

// Benefits

export interface Benefit {
  id: string;
  organisationId: string;
  projectId: string;
  type: BenefitType;
  description: string;
  /** Decimal strings, pounds for savings; null when not estimated or not yet realised. */
  plannedValue: string | null;
  plannedOn: IsoDate | null;
  realisedValue: string | null;
  realisedOn: IsoDate | null;
  /** The KPI its realised value feeds (cash savings only). */
  kpiId: string | null;
  version: number;
}

export interface BenefitInput {
  type: string;
  description: string;
  plannedValue: string;
  plannedOn: string | null;
  realisedValue: string;
  realisedOn: string | null;
  kpiId: string | null;
}

/** A number typed by a person ('12,500', '£1,000.50', '-3'): a decimal string, '' for empty, null when it is not a number. */
export function parseAmount(text: string): string | null {
  const cleaned = text.trim().replace(/^£/, '').replace(/,/g, '');
  if (cleaned === '') return '';
  if (!/^-?\d{1,12}(\.\d{1,2})?$/.test(cleaned)) return null;
  return cleaned;
}

/**
 * A benefit's problems. The realised value and the day it was realised go together. Only a cash
 * saving can feed a KPI: its realised pounds are what a "cost savings" KPI adds up.
 */
export function benefitProblems(input: BenefitInput): FieldError[] {
  const problems = [
    ...choiceProblems(
      input.type,
      BENEFIT_TYPES,
      'type',
      'Select the type of benefit: cash saving, non-cash saving, quality or other',
    ),
    ...textProblems(input.description, 'description', {
      required: 'Describe the benefit',
      max: TEXT_MAX,
      name: 'Description',
    }),
    ...dateProblems(input.plannedOn, 'plannedOn', 'date the benefit is planned for', false),
    ...dateProblems(input.realisedOn, 'realisedOn', 'date the benefit was realised', false),
  ];
  if (parseAmount(input.plannedValue) === null)
    problems.push({
      field: 'plannedValue',
      message: 'The planned value must be a number, like 25000 or 12.5',
    });
  const realised = parseAmount(input.realisedValue);
  if (realised === null)
    problems.push({
      field: 'realisedValue',
      message: 'The realised value must be a number, like 25000 or 12.5',
    });
  const realisedOn = (input.realisedOn ?? '').trim();
  if (realised !== null && realised !== '' && realisedOn === '')
    problems.push({ field: 'realisedOn', message: 'Enter the date the benefit was realised' });
  if (realised === '' && realisedOn !== '')
    problems.push({ field: 'realisedValue', message: 'Enter the value realised on that date' });
  if ((input.kpiId ?? '') !== '' && input.type !== 'cash_saving') {
    problems.push({
      field: 'kpiId',
      message: 'Only a cash saving can feed a KPI. Choose no KPI, or make it a cash saving',
    });
  }
  return problems;
}

/**
 * What a KPI fed by benefits holds: for each period of the KPI's frequency, the sum of the
 * realised values of the cash-saving benefits that feed it and were realised in that period.
 * Periods with nothing realised have no value from benefits.
 */
export function benefitSeries(
  benefits: readonly Pick<Benefit, 'type' | 'realisedValue' | 'realisedOn'>[],
  frequency: Frequency,
): Map<IsoDate, number> {
  const pence = new Map<IsoDate, number>();
  for (const b of benefits) {
    if (b.type !== 'cash_saving' || b.realisedValue === null || b.realisedOn === null) continue;
    const period = periodStart(b.realisedOn, frequency);
    // Sums in pence: money never goes through binary fractions.
    pence.set(period, (pence.get(period) ?? 0) + Math.round(Number(b.realisedValue) * 100));
  }
  return new Map([...pence].sort(([a], [b]) => a.localeCompare(b)).map(([period, p]) => [period, p / 100]));
}
