import type { FieldError } from '../../platform/errors.ts';
import { isRealDate, textProblems } from '../../platform/validation.ts';
import type { BoardCadence, DecisionStatus, LinkedItemType, OverseenItemType, RaciRole } from './governance.table.ts';

export type { BoardCadence, DecisionStatus, LinkedItemType, OverseenItemType, RaciRole };

/**
 * Governance's domain types and pure rules: boards (steering committees), the decision log and
 * its statuses, and RACI assignments with exactly one accountable person. Validation returns
 * GOV.UK-style messages, one per field, so a form and the API say the same thing.
 */

export interface Person {
  id: string;
  name: string;
  email: string;
}

/** A project or objective a board oversees, or an item a decision or a RACI is about. */
export interface ItemRef {
  type: LinkedItemType;
  id: string;
  /** The item's title (a KPI's name). */
  title: string;
}

export interface Board {
  id: string;
  organisationId: string;
  name: string;
  termsOfReference: string;
  chair: Person | null;
  cadence: BoardCadence;
  members: Person[];
  /** The projects and objectives it oversees, projects first, each by title. */
  oversees: ItemRef[];
  version: number;
}

export interface Decision {
  id: string;
  organisationId: string;
  boardId: string;
  boardName: string;
  /** 'YYYY-MM-DD': when it was made, or for a proposed one, when the board is to take it. */
  decidedOn: string;
  title: string;
  decision: string;
  rationale: string;
  optionsConsidered: string;
  status: DecisionStatus;
  /** The decision that replaced this one, when it is superseded. */
  supersededBy: { id: string; title: string } | null;
  links: ItemRef[];
  version: number;
}

export const CADENCES = ['weekly', 'fortnightly', 'monthly', 'quarterly', 'as_needed'] as const satisfies readonly BoardCadence[];
export const CADENCE_LABELS: Readonly<Record<BoardCadence, string>> = {
  weekly: 'Weekly',
  fortnightly: 'Every two weeks',
  monthly: 'Monthly',
  quarterly: 'Quarterly',
  as_needed: 'When needed',
};

export const DECISION_STATUSES = ['proposed', 'made', 'superseded'] as const satisfies readonly DecisionStatus[];
export const DECISION_STATUS_LABELS: Readonly<Record<DecisionStatus, string>> = {
  proposed: 'Proposed',
  made: 'Made',
  superseded: 'Superseded',
};

export const ITEM_TYPES = ['project', 'objective', 'kpi'] as const satisfies readonly LinkedItemType[];
export const OVERSEEN_ITEM_TYPES = ['project', 'objective'] as const satisfies readonly OverseenItemType[];
export const ITEM_TYPE_LABELS: Readonly<Record<LinkedItemType, string>> = { project: 'Project', objective: 'Objective', kpi: 'KPI' };

export const RACI_ROLES = ['responsible', 'accountable', 'consulted', 'informed'] as const satisfies readonly RaciRole[];
export const RACI_ROLE_LABELS: Readonly<Record<RaciRole, string>> = {
  responsible: 'Responsible',
  accountable: 'Accountable',
  consulted: 'Consulted',
  informed: 'Informed',
};

export const NAME_MAX = 200;
export const TEXT_MAX = 10_000;

export function isCadence(value: string): value is BoardCadence {
  return (CADENCES as readonly string[]).includes(value);
}
export function isDecisionStatus(value: string): value is DecisionStatus {
  return (DECISION_STATUSES as readonly string[]).includes(value);
}
export function isItemType(value: string): value is LinkedItemType {
  return (ITEM_TYPES as readonly string[]).includes(value);
}
export function isRaciRole(value: string): value is RaciRole {
  return (RACI_ROLES as readonly string[]).includes(value);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

// Boards

export interface BoardInput {
  name: string;
  termsOfReference: string;
  /** A user id, or '' for no chair yet. */
  chairId: string;
  cadence: string;
  memberIds: readonly string[];
  /** Projects and objectives the board oversees. */
  oversees: readonly { type: string; id: string }[];
}

/**
 * What is wrong with a board, given the organisation's active members (by id). The chair must
 * be a member of the organisation; the chair sits on the board, so it is added to the members.
 */
export function boardProblems(input: BoardInput, memberIdsOfOrganisation: ReadonlySet<string>): FieldError[] {
  const problems = [
    ...textProblems(input.name, 'name', { required: 'Enter a name for the board', max: NAME_MAX, name: 'Name' }),
    ...textProblems(input.termsOfReference, 'termsOfReference', { max: TEXT_MAX, name: 'Terms of reference' }),
  ];
  if (input.chairId !== '' && !memberIdsOfOrganisation.has(input.chairId)) {
    problems.push({ field: 'chairId', message: 'Select a chair from the people in your organisation' });
  }
  if (!isCadence(input.cadence)) problems.push({ field: 'cadence', message: 'Select how often the board meets' });
  if (input.memberIds.some((id) => !memberIdsOfOrganisation.has(id))) {
    problems.push({ field: 'memberIds', message: 'Select members from the people in your organisation' });
  }
  if (input.oversees.some((item) => !(OVERSEEN_ITEM_TYPES as readonly string[]).includes(item.type) || !isUuid(item.id))) {
    problems.push({ field: 'oversees', message: 'A board can only oversee projects and objectives of your organisation' });
  }
  return problems;
}

/** The board's members: those chosen, and the chair, each once. */
export function boardMemberIds(input: Pick<BoardInput, 'chairId' | 'memberIds'>): string[] {
  const ids = input.chairId === '' ? [...input.memberIds] : [input.chairId, ...input.memberIds];
  return [...new Set(ids)];
}

// Decisions

export interface DecisionInput {
  boardId: string;
  decidedOn: string;
  title: string;
  decision: string;
  rationale: string;
  optionsConsidered: string;
  status: string;
  /** Required when, and only when, the status is superseded. */
  supersededById: string;
  links: readonly { type: string; id: string }[];
}

/**
 * What is wrong with a decision. A made decision says what was decided; a superseded one names
 * the decision that replaced it (another decision of the log, not itself).
 */
export function decisionProblems(input: DecisionInput, options: { selfId?: string } = {}): FieldError[] {
  const problems = [
    ...textProblems(input.title, 'title', { required: 'Enter a title for the decision', max: NAME_MAX, name: 'Title' }),
    ...textProblems(input.decision, 'decision', { max: TEXT_MAX, name: 'The decision' }),
    ...textProblems(input.rationale, 'rationale', { max: TEXT_MAX, name: 'The rationale' }),
    ...textProblems(input.optionsConsidered, 'optionsConsidered', { max: TEXT_MAX, name: 'The options considered' }),
  ];
  if (!isUuid(input.boardId)) problems.push({ field: 'boardId', message: 'Select the board the decision belongs to' });
  const date = input.decidedOn.trim();
  if (date === '') problems.push({ field: 'decidedOn', message: 'Enter the date of the decision' });
  else if (!isRealDate(date)) problems.push({ field: 'decidedOn', message: 'Enter a real date for the decision' });
  if (!isDecisionStatus(input.status)) {
    problems.push({ field: 'status', message: 'Select whether the decision is proposed, made or superseded' });
  } else {
    if (input.status !== 'proposed' && input.decision.trim() === '') {
      problems.push({ field: 'decision', message: 'Enter what was decided' });
    }
    if (input.status === 'superseded') {
      if (!isUuid(input.supersededById)) problems.push({ field: 'supersededById', message: 'Select the decision that replaced this one' });
      else if (input.supersededById === options.selfId) problems.push({ field: 'supersededById', message: 'A decision cannot replace itself' });
    } else if (input.supersededById !== '') {
      problems.push({ field: 'supersededById', message: 'Only a superseded decision names the decision that replaced it' });
    }
  }
  if (input.links.some((link) => !isItemType(link.type) || !isUuid(link.id))) {
    problems.push({ field: 'links', message: 'Link only projects, objectives and KPIs of your organisation' });
  }
  return problems;
}

// RACI

export interface RaciEntry {
  userId: string;
  role: string;
}

/**
 * The RACI rule: exactly one accountable person, every role one of the four, every person a
 * member of the organisation, and nobody holding the same role twice.
 */
export function raciProblems(entries: readonly RaciEntry[], memberIdsOfOrganisation: ReadonlySet<string>): FieldError[] {
  const problems: FieldError[] = [];
  if (entries.some((e) => !isRaciRole(e.role))) {
    problems.push({ field: 'role', message: 'Each role must be responsible, accountable, consulted or informed' });
  }
  if (entries.some((e) => !memberIdsOfOrganisation.has(e.userId))) {
    problems.push({ field: 'userId', message: 'Choose people from your organisation' });
  }
  const accountable = entries.filter((e) => e.role === 'accountable');
  if (accountable.length === 0) problems.push({ field: 'accountable', message: 'Choose the one person who is accountable' });
  if (accountable.length > 1) problems.push({ field: 'accountable', message: 'Only one person can be accountable. Choose one' });
  const seen = new Set<string>();
  for (const e of entries) {
    const key = `${e.userId}:${e.role}`;
    if (seen.has(key)) {
      problems.push({ field: e.role, message: 'A person is listed twice in the same role' });
      break;
    }
    seen.add(key);
  }
  return problems;
}
