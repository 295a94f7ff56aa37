import type { FieldError } from '../../platform/errors.ts';
import { isRealDate, textProblems } from '../../platform/validation.ts';
import type { StrategyStatus } from './strategy.table.ts';

export type { StrategyStatus };

/**
 * The strategy tree's domain types and pure rules: validation with GOV.UK-style messages, the
 * status transitions, and the standard agenda areas goals are tagged with.
 */

export interface Strategy {
  id: string;
  organisationId: string;
  title: string;
  vision: string;
  /** 'YYYY-MM-DD' */
  periodStart: string;
  /** 'YYYY-MM-DD' */
  periodEnd: string;
  status: StrategyStatus;
  /** Bumped on every change to the strategy or (once published) its goals and objectives. */
  version: number;
  updatedAt: Date;
}

export interface Goal {
  id: string;
  organisationId: string;
  strategyId: string;
  title: string;
  description: string;
  /** Agenda area keys: standard areas and the organisation's own tags. */
  tags: string[];
  weight: number;
  /** 1-based, dense within the strategy. */
  position: number;
  version: number;
}

export interface Objective {
  id: string;
  organisationId: string;
  goalId: string;
  title: string;
  description: string;
  ownerId: string | null;
  /** The owner's name, when there is an owner. */
  ownerName: string | null;
  /** 'YYYY-MM-DD' or null */
  dueDate: string | null;
  weight: number;
  /** 1-based, dense within the goal. */
  position: number;
  version: number;
}

export interface AgendaTag {
  key: string;
  label: string;
  /** True for the four standard agenda areas; false for the organisation's own tags. */
  standard: boolean;
}

/**
 * The strategy with its goals and their objectives, in order: the golden thread's spine.
 * Stable: the golden thread, KPI statuses and later modules build on this shape.
 */
export interface StrategyTree {
  strategy: Strategy;
  goals: (Goal & { objectives: Objective[] })[];
}

/** The four standard agenda areas of the wider government agenda. */
export const STANDARD_AGENDA_AREAS = [
  { key: 'economic_growth', label: 'Economic growth' },
  { key: 'social_inclusion', label: 'Social inclusion and accessibility' },
  { key: 'environmental_sustainability', label: 'Environmental sustainability' },
  { key: 'public_sector_efficiency', label: 'Public sector efficiency' },
] as const satisfies readonly { key: string; label: string }[];

export const STANDARD_AGENDA_KEYS: readonly string[] = STANDARD_AGENDA_AREAS.map((a) => a.key);

export const STATUS_LABELS: Readonly<Record<StrategyStatus, string>> = {
  draft: 'Draft',
  published: 'Published',
  archived: 'Archived',
};

/**
 * Status transitions, kept simple:
 * - draft → published: the strategy goes live; from now on every change keeps the earlier
 *   version readable.
 * - published → archived: the strategy is retired; it stays readable but cannot be changed.
 * - archived → published: an archived strategy can be reinstated.
 * A strategy never goes back to draft: once published, its history matters. Only a draft can be
 * deleted; a published strategy is archived instead.
 */
export const STATUS_TRANSITIONS: Readonly<Record<StrategyStatus, readonly StrategyStatus[]>> = {
  draft: ['published'],
  published: ['archived'],
  archived: ['published'],
};

export function canTransition(from: StrategyStatus, to: StrategyStatus): boolean {
  return STATUS_TRANSITIONS[from].includes(to);
}

export function transitionProblem(from: StrategyStatus, to: StrategyStatus): FieldError | null {
  if (canTransition(from, to)) return null;
  if (from === to) return { field: 'status', message: `This strategy is already ${STATUS_LABELS[to].toLowerCase()}` };
  if (to === 'draft') return { field: 'status', message: 'A strategy that has been published cannot go back to draft' };
  if (to === 'archived') return { field: 'status', message: 'Only a published strategy can be archived' };
  return { field: 'status', message: `A ${from} strategy cannot be ${to}` };
}

/** Archived strategies are kept for the record: they, and their goals and objectives, cannot change. */
export function editProblem(status: StrategyStatus): FieldError | null {
  if (status === 'archived') return { field: 'status', message: 'This strategy is archived. Publish it again before changing it' };
  return null;
}

export function deleteProblem(status: StrategyStatus): FieldError | null {
  if (status === 'published') return { field: 'status', message: 'A published strategy cannot be deleted. Archive it instead' };
  if (status === 'archived') return { field: 'status', message: 'An archived strategy is kept for the record and cannot be deleted' };
  return null;
}

export const TITLE_MAX = 200;
export const TEXT_MAX = 5000;
export const WEIGHT_MAX = 1000;

function dateProblems(value: string, field: string, name: string, required: boolean): FieldError[] {
  if (value.trim() === '') return required ? [{ field, message: `Enter the ${name}` }] : [];
  if (!isRealDate(value.trim())) return [{ field, message: `Enter a real date for the ${name}` }];
  return [];
}

export interface StrategyInput {
  title: string;
  vision: string;
  periodStart: string;
  periodEnd: string;
}

export function strategyProblems(input: StrategyInput): FieldError[] {
  const problems = [
    ...textProblems(input.title, 'title', { required: 'Enter a title for the strategy', max: TITLE_MAX, name: 'Title' }),
    ...textProblems(input.vision, 'vision', { max: TEXT_MAX, name: 'Vision' }),
    ...dateProblems(input.periodStart, 'periodStart', 'start date', true),
    ...dateProblems(input.periodEnd, 'periodEnd', 'end date', true),
  ];
  const start = input.periodStart.trim();
  const end = input.periodEnd.trim();
  if (isRealDate(start) && isRealDate(end) && end <= start) {
    problems.push({ field: 'periodEnd', message: 'The end date must be after the start date' });
  }
  return problems;
}

export function weightProblems(weight: number | string, field = 'weight'): FieldError[] {
  const text = String(weight).trim();
  const message = `Weight must be a number from 0 to ${WEIGHT_MAX}, with up to 2 decimal places, like 1 or 2.5`;
  if (text === '') return [{ field, message: 'Enter a weight, like 1' }];
  if (!/^\d+(\.\d{1,2})?$/.test(text)) return [{ field, message }];
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > WEIGHT_MAX) return [{ field, message }];
  return [];
}

export interface GoalInput {
  title: string;
  description: string;
  tags: readonly string[];
  weight: number | string;
}

/** `knownTags`: the standard keys and the organisation's own tag keys. */
export function goalProblems(input: GoalInput, knownTags: readonly string[]): FieldError[] {
  return [
    ...textProblems(input.title, 'title', { required: 'Enter a title for the goal', max: TITLE_MAX, name: 'Title' }),
    ...textProblems(input.description, 'description', { max: TEXT_MAX, name: 'Description' }),
    ...tagProblems(input.tags, knownTags),
    ...weightProblems(input.weight),
  ];
}

export function tagProblems(tags: readonly string[], knownTags: readonly string[], field = 'tags'): FieldError[] {
  const unknown = tags.filter((t) => !knownTags.includes(t));
  if (unknown.length > 0) {
    return [{ field, message: `Choose agenda areas from the list. Not known: ${unknown.join(', ')}` }];
  }
  return [];
}

/** Tags without duplicates, in the order of the known tags (standard areas first). */
export function normaliseTags(tags: readonly string[], knownTags: readonly string[]): string[] {
  const wanted = new Set(tags.map((t) => t.trim()));
  return knownTags.filter((t) => wanted.has(t));
}

export interface ObjectiveInput {
  title: string;
  description: string;
  ownerId: string | null;
  dueDate: string | null;
  weight: number | string;
}

export function objectiveProblems(input: ObjectiveInput): FieldError[] {
  return [
    ...textProblems(input.title, 'title', { required: 'Enter a title for the objective', max: TITLE_MAX, name: 'Title' }),
    ...textProblems(input.description, 'description', { max: TEXT_MAX, name: 'Description' }),
    ...dateProblems(input.dueDate ?? '', 'dueDate', 'due date', false),
    ...weightProblems(input.weight),
  ];
}

export const TAG_KEY_PATTERN = /^[a-z][a-z0-9_]*$/;
export const TAG_LABEL_MAX = 100;
export const TAG_KEY_MAX = 60;

/** A tag key from its label: "Net zero by 2030" → "net_zero_by_2030". */
export function tagKeyFromLabel(label: string): string {
  const key = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[_0-9]+|_+$/g, '');
  return key.slice(0, TAG_KEY_MAX).replace(/_+$/, '');
}

/** `existing`: the organisation's own tags so far. */
export function agendaTagProblems(input: { key: string; label: string }, existing: readonly { key: string; label: string }[]): FieldError[] {
  const label = input.label.trim();
  if (label === '') return [{ field: 'label', message: 'Enter a name for the tag' }];
  if (label.length > TAG_LABEL_MAX) return [{ field: 'label', message: `Tag name must be ${TAG_LABEL_MAX} characters or fewer` }];
  const key = input.key.trim();
  if (key === '') return [{ field: 'label', message: 'Tag name must include at least one letter' }];
  if (key.length > TAG_KEY_MAX || !TAG_KEY_PATTERN.test(key)) {
    return [{ field: 'key', message: 'Key must start with a letter and use only lower-case letters, numbers and underscores' }];
  }
  const all = [...STANDARD_AGENDA_AREAS, ...existing];
  if (all.some((t) => t.label.toLowerCase() === label.toLowerCase() || t.key === key)) {
    return [{ field: 'label', message: `There is already a tag called “${label}”` }];
  }
  return [];
}

/** Moves the item at `from` to `to` (0-based) and returns the new order. Pure. */
export function moveItem<T>(items: readonly T[], from: number, to: number): T[] {
  const result = [...items];
  const [item] = result.splice(from, 1);
  if (item === undefined) return result;
  const target = Math.max(0, Math.min(to, result.length));
  result.splice(target, 0, item);
  return result;
}
