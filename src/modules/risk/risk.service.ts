import { type Db, inTransaction } from '../../db/database.ts';
import type { Actor } from '../../platform/access/actor.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import {
  ConflictError,
  type FieldError,
  NotFoundError,
  PreconditionFailedError,
  ValidationError,
} from '../../platform/errors.ts';
import type { Buffer } from 'node:buffer';
import { type ChangeOptions, type Page, type Paging, paging } from '../../platform/paging.ts';
import { checkImportTable, type ImportProblem, MAX_LISTED_PROBLEMS, type TableRow } from './risk-import.ts';
import { readRegisterFile, type RegisterFileKind, UnreadableFileError } from './risk-import-reader.ts';
import * as repo from './risk.repository.ts';
import {
  type ActionStatus,
  type Appetite,
  type Assessment,
  CATEGORY_KEY_PATTERN,
  checkAction,
  checkAppetite,
  checkContingencyPlan,
  checkRiskInput,
  DEFAULT_RISK_CATEGORIES,
  isActionOverdue,
  isOutsideAppetite,
  isReviewOverdue,
  isUuid,
  LEVEL_LABELS,
  LEVEL_TAG_CLASSES,
  MAX_TEXT_LENGTH,
  needsContingencyPlan,
  nextReviewDate,
  type RiskInput,
  type RiskLevel,
  type RiskResponse,
  type RiskStatus,
  type RiskValues,
  readScale,
  type ScoredAssessment,
  scored,
  topRisks,
} from './risk.ts';

export type { RiskInput, RiskLevel, RiskResponse, RiskStatus };
export type {
  ActionRow as RiskAction,
  AssessmentRow,
  CategoryRow as RiskCategory,
} from './risk.repository.ts';

/** A risk with its scores, levels and what follows from them. */
export interface Risk extends Omit<repo.RiskRow, 'inherent' | 'current' | 'target'> {
  inherent: ScoredAssessment;
  current: ScoredAssessment;
  target: ScoredAssessment;
  outsideAppetite: boolean;
  needsContingencyPlan: boolean;
  /** Needs a contingency plan and has none. */
  lacksContingencyPlan: boolean;
  reviewOverdue: boolean;
  /** True when read by the parent organisation it was escalated to: it cannot change it there. */
  readOnly: boolean;
}

export interface RiskDetail extends Risk {
  objectiveIds: string[];
  kpiIds: string[];
  projectIds: string[];
}

export interface RiskFilters {
  category?: string | undefined;
  level?: RiskLevel | undefined;
  ownerId?: string | undefined;
  /** Only risks outside (or within) their category's appetite. */
  appetite?: 'outside' | 'within' | undefined;
  response?: RiskResponse | undefined;
  status?: RiskStatus | undefined;
  /** Only risks with this current (or inherent) likelihood and impact: a heat-map cell. */
  cell?: { kind: 'inherent' | 'current'; likelihood: number; impact: number } | undefined;
  /** Only risks needing a contingency plan that have none. */
  lacksContingencyPlan?: boolean | undefined;
  reviewOverdue?: boolean | undefined;
}

export function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

function withRules(row: repo.RiskRow, today: string, readOnly = false): Risk {
  const needsPlan = needsContingencyPlan(row.current);
  return {
    ...row,
    inherent: scored(row.inherent),
    current: scored(row.current),
    target: scored(row.target),
    outsideAppetite: row.status === 'open' && isOutsideAppetite(row.current, row.appetite),
    needsContingencyPlan: needsPlan,
    lacksContingencyPlan: row.status === 'open' && needsPlan && !row.hasContingencyPlan,
    reviewOverdue: row.status === 'open' && isReviewOverdue(row.nextReviewOn, today),
    readOnly,
  };
}

function matches(risk: Risk, filters: RiskFilters): boolean {
  if (filters.level !== undefined && risk.current.level !== filters.level) return false;
  if (filters.appetite === 'outside' && !risk.outsideAppetite) return false;
  if (filters.appetite === 'within' && risk.outsideAppetite) return false;
  if (filters.lacksContingencyPlan === true && !risk.lacksContingencyPlan) return false;
  if (filters.reviewOverdue === true && !risk.reviewOverdue) return false;
  if (filters.cell !== undefined) {
    const a = risk[filters.cell.kind];
    if (a.likelihood !== filters.cell.likelihood || a.impact !== filters.cell.impact) return false;
  }
  return true;
}

/** What the audit trail keeps of a risk. */
function riskRecord(values: RiskValues, review: { lastReviewedOn: string; nextReviewOn: string }) {
  return { ...values, ...review };
}

function recordedBy(actor: Actor): string | null {
  return actor.kind === 'user' ? actor.userId : null;
}

async function requireRisk(
  db: Db,
  organisationId: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<repo.RiskRow> {
  if (!isUuid(id)) throw new NotFoundError();
  const risk = await repo.findRisk(db, organisationId, id, options);
  if (risk === undefined) throw new NotFoundError();
  return risk;
}

// ---------------------------------------------------------------------------------------------
// Categories and appetite
// ---------------------------------------------------------------------------------------------

/**
 * Gives a new organisation the default risk categories with their default appetite. Called
 * inside the transaction that creates the organisation.
 */
export async function createDefaultRiskCategories(trx: Db, organisationId: string): Promise<void> {
  await repo.insertCategories(trx, organisationId, DEFAULT_RISK_CATEGORIES);
}

export async function listRiskCategories(
  db: Db,
  actor: Actor,
  organisationId: string,
): Promise<repo.CategoryRow[]> {
  assertAllowed(actor, 'risks.read', organisationId);
  return repo.listCategories(db, organisationId);
}

export async function getRiskCategory(
  db: Db,
  actor: Actor,
  organisationId: string,
  key: string,
): Promise<repo.CategoryRow> {
  assertAllowed(actor, 'risks.read', organisationId);
  if (!CATEGORY_KEY_PATTERN.test(key)) throw new NotFoundError();
  const category = await repo.findCategoryByKey(db, organisationId, key);
  if (category === undefined) throw new NotFoundError();
  return category;
}

/** Sets a category's appetite (and, from the page, its label): the board's decision. */
export async function setRiskAppetite(
  db: Db,
  actor: Actor,
  organisationId: string,
  key: string,
  input: { level: unknown; maxScore: unknown; label?: string | undefined },
  options: ChangeOptions = {},
): Promise<repo.CategoryRow> {
  assertAllowed(actor, 'risk_appetite.manage', organisationId);
  if (!CATEGORY_KEY_PATTERN.test(key)) throw new NotFoundError();
  return inTransaction(db, async (trx) => {
    const before = await repo.findCategoryByKey(trx, organisationId, key, { lock: true });
    if (before === undefined) throw new NotFoundError();
    if (options.expectedVersion !== undefined && options.expectedVersion !== before.version)
      throw new PreconditionFailedError();
    const { problems, value } = checkAppetite(input);
    const label = input.label === undefined ? before.label : input.label.trim();
    if (label === '') problems.push({ field: 'label', message: 'Enter the category’s name' });
    else if (label.length > 100)
      problems.push({ field: 'label', message: 'Name must be 100 characters or fewer' });
    if (problems.length > 0 || value === null) throw new ValidationError(problems);
    await repo.updateCategory(trx, organisationId, before.id, { label, appetite: value });
    const after = { ...before, label, appetite: value, version: before.version + 1 };
    await recordAudit(trx, actor, {
      organisationId,
      action: 'risk_appetite.changed',
      entityType: 'risk_category',
      entityId: before.id,
      before: { key, label: before.label, appetite: before.appetite },
      after: { key, label, appetite: value },
    });
    return after;
  });
}

/** Adds a category of the organisation's own, with its appetite. */
export async function addRiskCategory(
  db: Db,
  actor: Actor,
  organisationId: string,
  input: { key: string; label: string; level: unknown; maxScore: unknown },
): Promise<repo.CategoryRow> {
  assertAllowed(actor, 'risk_appetite.manage', organisationId);
  const { problems, value } = checkAppetite(input);
  const key = input.key.trim();
  const label = input.label.trim();
  if (!CATEGORY_KEY_PATTERN.test(key) || key.length > 60 || key === 'new') {
    problems.unshift({
      field: 'key',
      message:
        'Key must start with a lowercase letter and use only lowercase letters, digits and underscores, for example supply_chain',
    });
  }
  if (label === '') problems.unshift({ field: 'label', message: 'Enter the category’s name' });
  if (problems.length > 0 || value === null) throw new ValidationError(problems);
  return inTransaction(db, async (trx) => {
    if ((await repo.findCategoryByKey(trx, organisationId, key)) !== undefined)
      throw ValidationError.of('key', `There is already a category with the key ${key}`);
    await repo.insertCategories(
      trx,
      organisationId,
      [{ key, label, appetite: value }],
      await repo.nextCategoryPosition(trx, organisationId),
    );
    const created = await repo.findCategoryByKey(trx, organisationId, key);
    if (created === undefined) throw new ConflictError(`There is already a category with the key ${key}`);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'risk_category.created',
      entityType: 'risk_category',
      entityId: created.id,
      after: { key, label, appetite: value },
    });
    return created;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading risks
// ---------------------------------------------------------------------------------------------

/** The organisation's register, filtered; highest current score first. */
export async function listRisks(
  db: Db,
  actor: Actor,
  organisationId: string,
  filters: RiskFilters = {},
  options: { today?: string } = {},
): Promise<Risk[]> {
  assertAllowed(actor, 'risks.read', organisationId);
  const today = options.today ?? todayUtc();
  const rows = await repo.listRisks(db, organisationId, {
    categoryKey: filters.category,
    ownerId: filters.ownerId !== undefined && isUuid(filters.ownerId) ? filters.ownerId : undefined,
    response: filters.response,
    status: filters.status,
  });
  return rows.map((r) => withRules(r, today)).filter((r) => matches(r, filters));
}

/** One page of the whole register, open and closed, highest current score first (the API list). */
export async function listRisksPage(
  db: Db,
  actor: Actor,
  organisationId: string,
  requested: Paging = {},
): Promise<Page<RiskDetail>> {
  const { page, pageSize, limit, offset } = paging(requested);
  const all = await listRisks(db, actor, organisationId);
  const items = all.slice(offset, offset + limit);
  const links = await repo.findLinksOfRisks(
    db,
    organisationId,
    items.map((r) => r.id),
  );
  const withLinks = items.map((r) => ({
    ...r,
    ...(links.get(r.id) ?? { objectiveIds: [], kpiIds: [], projectIds: [] }),
  }));
  return { items: withLinks, page, pageSize, total: all.length };
}

/** Open risks outside their category's appetite, for the board (and the governance board pack). */
export async function listRisksOutsideAppetite(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: { today?: string } = {},
): Promise<Risk[]> {
  return listRisks(db, actor, organisationId, { status: 'open', appetite: 'outside' }, options);
}

/** The open risks that most need attention (outside appetite first, then highest current score): the dashboard's. */
export async function listTopRisks(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: { today?: string } = {},
): Promise<Risk[]> {
  return topRisks(await listRisks(db, actor, organisationId, { status: 'open' }, options));
}

/** For the golden thread: each objective's open risks, highest current score first. */
export async function risksForObjectives(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: { today?: string } = {},
): Promise<Map<string, Risk[]>> {
  const risks = await listRisks(db, actor, organisationId, { status: 'open' }, options);
  const byId = new Map(risks.map((r) => [r.id, r]));
  const result = new Map<string, Risk[]>();
  for (const link of await repo.listObjectiveLinks(db, organisationId)) {
    const risk = byId.get(link.riskId);
    if (risk === undefined) continue;
    result.set(link.objectiveId, [...(result.get(link.objectiveId) ?? []), risk]);
  }
  for (const list of result.values())
    list.sort((a, b) => b.current.score - a.current.score || a.title.localeCompare(b.title, 'en-GB'));
  return result;
}

/** A risk as a row of a short risk table (`risk/views/_risk-table.njk`): the golden thread, a project's page. */
export function riskListItem(risk: Risk, organisationSlug: string) {
  return {
    name: risk.title,
    href: `/o/${organisationSlug}/risks/${risk.id}`,
    level: { text: `${LEVEL_LABELS[risk.current.level]} (${risk.current.score})`, classes: LEVEL_TAG_CLASSES[risk.current.level] },
    outsideAppetite: risk.outsideAppetite,
    owner: risk.ownerName ?? 'No owner',
  };
}

/** A project's risks, for the project page (the delivery module reads them through this service). */
export async function listRisksForProject(
  db: Db,
  actor: Actor,
  organisationId: string,
  projectId: string,
  options: { today?: string } = {},
): Promise<Risk[]> {
  assertAllowed(actor, 'risks.read', organisationId);
  if (!isUuid(projectId)) return [];
  const ids = new Set(await repo.listRiskIdsForProject(db, organisationId, projectId));
  return (await listRisks(db, actor, organisationId, {}, options)).filter((r) => ids.has(r.id));
}

/** Risks the organisation's children escalated to it: read-only here, each with its source. */
export async function listEscalatedRisks(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: { today?: string } = {},
): Promise<Risk[]> {
  assertAllowed(actor, 'risks.read', organisationId);
  const today = options.today ?? todayUtc();
  return (await repo.listRisksEscalatedTo(db, organisationId)).map((r) => withRules(r, today, true));
}

/**
 * One risk with its links: the organisation's own, or one a child escalated to it (then
 * read-only). Anything else is not found.
 */
export async function getRisk(
  db: Db,
  actor: Actor,
  organisationId: string,
  id: string,
  options: { today?: string } = {},
): Promise<RiskDetail> {
  assertAllowed(actor, 'risks.read', organisationId);
  if (!isUuid(id)) throw new NotFoundError();
  const today = options.today ?? todayUtc();
  const own = await repo.findRisk(db, organisationId, id);
  if (own !== undefined)
    return { ...withRules(own, today), ...(await repo.findLinks(db, organisationId, id)) };
  const escalated = await repo.findRiskEscalatedTo(db, organisationId, id);
  if (escalated === undefined) throw new NotFoundError();
  // The child's objectives and projects mean nothing in the parent: links are not shown there.
  return { ...withRules(escalated, today, true), objectiveIds: [], kpiIds: [], projectIds: [] };
}

export interface ScoredHistoryEntry extends Omit<repo.AssessmentRow, 'inherent' | 'current' | 'target'> {
  inherent: ScoredAssessment;
  current: ScoredAssessment;
  target: ScoredAssessment;
}

/** Every assessment of the risk, oldest first, scored: the score history. */
export async function listRiskAssessments(
  db: Db,
  actor: Actor,
  organisationId: string,
  id: string,
): Promise<ScoredHistoryEntry[]> {
  const risk = await getRisk(db, actor, organisationId, id);
  const rows = await repo.listAssessments(db, risk.organisationId, risk.id);
  return rows.map((r) => ({
    ...r,
    inherent: scored(r.inherent),
    current: scored(r.current),
    target: scored(r.target),
  }));
}

export interface RiskFormOptions {
  categories: repo.CategoryRow[];
  owners: { id: string; name: string; email: string }[];
  objectives: repo.LinkOption[];
  kpis: repo.LinkOption[];
  projects: repo.LinkOption[];
}

export async function riskFormOptions(
  db: Db,
  actor: Actor,
  organisationId: string,
): Promise<RiskFormOptions> {
  assertAllowed(actor, 'risks.read', organisationId);
  const [categories, options] = await Promise.all([
    repo.listCategories(db, organisationId),
    repo.listFormOptions(db, organisationId),
  ]);
  return { categories, ...options };
}

// ---------------------------------------------------------------------------------------------
// Changing risks
// ---------------------------------------------------------------------------------------------

/** Checks what only the database can say: the category, owner, linked items, a unique title. */
async function checkReferences(
  trx: Db,
  organisationId: string,
  values: RiskValues,
  exceptRiskId: string | null,
): Promise<repo.CategoryRow> {
  const problems: FieldError[] = [];
  const category = await repo.findCategoryByKey(trx, organisationId, values.category);
  if (category === undefined)
    problems.push({
      field: 'category',
      message: `There is no risk category ${values.category}; choose one of the organisation’s categories`,
    });
  if (
    values.ownerId !== null &&
    !(await repo.findActiveMemberIds(trx, organisationId, [values.ownerId])).has(values.ownerId)
  ) {
    problems.push({ field: 'ownerId', message: 'Choose an owner who is a member of this organisation' });
  }
  for (const [field, table, list] of [
    ['objectiveIds', 'objective', values.objectiveIds],
    ['kpiIds', 'kpi', values.kpiIds],
    ['projectIds', 'project', values.projectIds],
  ] as const) {
    const found = await repo.findItemIds(trx, organisationId, table, list);
    const unknown = list.filter((id) => !found.has(id));
    if (unknown.length > 0)
      problems.push({
        field,
        message: `There is no ${table} with the id ${unknown.join(', ')} in this organisation`,
      });
  }
  const sameTitle = await repo.findRiskIdByTitle(trx, organisationId, values.title);
  if (sameTitle !== undefined && sameTitle !== exceptRiskId)
    problems.push({
      field: 'title',
      message: `There is already a risk called “${values.title}”: give this one another title`,
    });
  if (problems.length > 0 || category === undefined) throw new ValidationError(problems);
  return category;
}

function checked(input: RiskInput): RiskValues {
  const { problems, values } = checkRiskInput(input);
  if (values === null) throw new ValidationError(problems);
  return values;
}

/** Inserts a checked risk with its links and first assessment, and its audit event. */
async function insertRisk(
  trx: Db,
  actor: Actor,
  organisationId: string,
  values: RiskValues,
  today: string,
  source: 'form' | 'import',
): Promise<string> {
  const category = await checkReferences(trx, organisationId, values, null);
  const review = { lastReviewedOn: today, nextReviewOn: nextReviewDate(today, values.reviewFrequency) };
  const riskId = await repo.insertRisk(trx, organisationId, values, category.id, review);
  await repo.replaceLinks(trx, organisationId, riskId, values);
  await repo.insertAssessment(trx, organisationId, riskId, {
    assessedOn: today,
    ...values,
    note: source === 'import' ? 'First assessment (imported)' : 'First assessment',
    assessedBy: recordedBy(actor),
  });
  await recordAudit(trx, actor, {
    organisationId,
    action: 'risk.created',
    entityType: 'risk',
    entityId: riskId,
    after: { ...riskRecord(values, review), source },
  });
  return riskId;
}

/** Records a risk and its first assessment; the review clock starts today. */
export async function createRisk(
  db: Db,
  actor: Actor,
  organisationId: string,
  input: RiskInput,
  options: { today?: string } = {},
): Promise<RiskDetail> {
  assertAllowed(actor, 'risks.manage', organisationId);
  const values = checked(input);
  const today = options.today ?? todayUtc();
  const id = await inTransaction(db, (trx) => insertRisk(trx, actor, organisationId, values, today, 'form'));
  return getRisk(db, actor, organisationId, id, { today });
}

export type RiskImportResult =
  { ok: true; created: number } | { ok: false; problems: ImportProblem[]; totalProblems: number };

/**
 * Imports a register from a CSV or XLSX file, all or nothing: every problem is listed by line
 * (up to MAX_LISTED_PROBLEMS, the rest counted) and nothing is written unless there are none.
 */
export async function importRisks(
  db: Db,
  actor: Actor,
  organisationId: string,
  bytes: Buffer,
  kind: RegisterFileKind,
  options: { today?: string } = {},
): Promise<RiskImportResult> {
  assertAllowed(actor, 'risks.manage', organisationId);
  const today = options.today ?? todayUtc();
  let table: TableRow[];
  try {
    table = await readRegisterFile(bytes, kind);
  } catch (error) {
    if (error instanceof UnreadableFileError)
      return { ok: false, problems: [{ line: null, message: error.message }], totalProblems: 1 };
    throw error;
  }
  const [categories, memberOptions, titles] = await Promise.all([
    repo.listCategories(db, organisationId),
    repo.listFormOptions(db, organisationId),
    repo.listRiskTitles(db, organisationId),
  ]);
  const categoryNames = new Map<string, string>();
  for (const c of categories) categoryNames.set(c.label.toLowerCase(), c.key);
  for (const c of categories) categoryNames.set(c.key, c.key);
  const owners = new Map<string, string>();
  const names = new Map<string, number>();
  for (const o of memberOptions.owners)
    names.set(o.name.toLowerCase(), (names.get(o.name.toLowerCase()) ?? 0) + 1);
  for (const o of memberOptions.owners)
    if (names.get(o.name.toLowerCase()) === 1) owners.set(o.name.toLowerCase(), o.id);
  for (const o of memberOptions.owners) owners.set(o.email.toLowerCase(), o.id);
  const { risks, problems } = checkImportTable(table, {
    categories: categoryNames,
    owners,
    existingTitles: new Set(titles.map((t) => t.toLowerCase())),
  });
  if (problems.length > 0)
    return { ok: false, problems: problems.slice(0, MAX_LISTED_PROBLEMS), totalProblems: problems.length };
  await inTransaction(db, async (trx) => {
    for (const input of risks) await insertRisk(trx, actor, organisationId, checked(input), today, 'import');
  });
  return { ok: true, created: risks.length };
}

/**
 * Changes a risk's description, category, owner, response and links. When the scores change
 * the change is a re-assessment: kept in the history and the review clock restarts.
 */
export async function updateRisk(
  db: Db,
  actor: Actor,
  organisationId: string,
  id: string,
  input: RiskInput,
  options: ChangeOptions & { today?: string; note?: string } = {},
): Promise<RiskDetail> {
  assertAllowed(actor, 'risks.manage', organisationId);
  const values = checked(input);
  const today = options.today ?? todayUtc();
  await inTransaction(db, async (trx) => {
    const before = await requireRisk(trx, organisationId, id, { lock: true });
    if (options.expectedVersion !== undefined && options.expectedVersion !== before.version)
      throw new PreconditionFailedError();
    const category = await checkReferences(trx, organisationId, values, id);
    const linksBefore = await repo.findLinks(trx, organisationId, id);
    const same = (a: Assessment, b: Assessment): boolean =>
      a.likelihood === b.likelihood && a.impact === b.impact;
    const reassessed =
      !same(before.inherent, values.inherent) ||
      !same(before.current, values.current) ||
      !same(before.target, values.target);
    const lastReviewedOn = reassessed ? today : before.lastReviewedOn;
    const review = { lastReviewedOn, nextReviewOn: nextReviewDate(lastReviewedOn, values.reviewFrequency) };
    if (!(await repo.updateRisk(trx, organisationId, id, before.version, values, category.id, review)))
      throw new PreconditionFailedError();
    await repo.replaceLinks(trx, organisationId, id, values);
    if (reassessed) {
      await repo.insertAssessment(trx, organisationId, id, {
        assessedOn: today,
        ...values,
        note: (options.note ?? '').trim(),
        assessedBy: recordedBy(actor),
      });
    }
    await recordAudit(trx, actor, {
      organisationId,
      action: 'risk.updated',
      entityType: 'risk',
      entityId: id,
      before: {
        title: before.title,
        category: before.category.key,
        ownerId: before.ownerId,
        status: before.status,
        inherent: before.inherent,
        current: before.current,
        target: before.target,
        response: before.response,
        reviewFrequency: before.reviewFrequency,
        ...linksBefore,
      },
      after: riskRecord(values, review),
    });
  });
  return getRisk(db, actor, organisationId, id, { today });
}

/**
 * A review: the risk is assessed again (the same scores are a valid outcome), the assessment
 * kept in its history with a note, and the next review date follows from today.
 */
export async function reassessRisk(
  db: Db,
  actor: Actor,
  organisationId: string,
  id: string,
  input: {
    inherent: { likelihood: unknown; impact: unknown };
    current: { likelihood: unknown; impact: unknown };
    target: { likelihood: unknown; impact: unknown };
    note?: string | undefined;
  },
  options: ChangeOptions & { today?: string } = {},
): Promise<RiskDetail> {
  assertAllowed(actor, 'risks.manage', organisationId);
  const today = options.today ?? todayUtc();
  const problems: FieldError[] = [];
  const read = (kind: 'inherent' | 'current' | 'target'): Assessment | null => {
    const likelihood = readScale(input[kind].likelihood);
    const impact = readScale(input[kind].impact);
    if (likelihood === null)
      problems.push({
        field: `${kind}Likelihood`,
        message: `Choose the ${kind} likelihood, from 1 (very low) to 5 (very high)`,
      });
    if (impact === null)
      problems.push({
        field: `${kind}Impact`,
        message: `Choose the ${kind} impact, from 1 (very low) to 5 (very high)`,
      });
    return likelihood === null || impact === null ? null : { likelihood, impact };
  };
  const inherent = read('inherent');
  const current = read('current');
  const target = read('target');
  const note = (input.note ?? '').trim();
  if (note.length > MAX_TEXT_LENGTH)
    problems.push({ field: 'note', message: `Note must be ${MAX_TEXT_LENGTH} characters or fewer` });
  if (problems.length > 0 || inherent === null || current === null || target === null)
    throw new ValidationError(problems);
  await inTransaction(db, async (trx) => {
    const before = await requireRisk(trx, organisationId, id, { lock: true });
    if (options.expectedVersion !== undefined && options.expectedVersion !== before.version)
      throw new PreconditionFailedError();
    const links = await repo.findLinks(trx, organisationId, id);
    const values: RiskValues = {
      title: before.title,
      cause: before.cause,
      event: before.event,
      consequence: before.consequence,
      category: before.category.key,
      ownerId: before.ownerId,
      proximity: before.proximity,
      status: before.status,
      inherent,
      current,
      target,
      response: before.response,
      reviewFrequency: before.reviewFrequency,
      ...links,
    };
    const review = { lastReviewedOn: today, nextReviewOn: nextReviewDate(today, before.reviewFrequency) };
    if (!(await repo.updateRisk(trx, organisationId, id, before.version, values, before.category.id, review)))
      throw new PreconditionFailedError();
    await repo.insertAssessment(trx, organisationId, id, {
      assessedOn: today,
      inherent,
      current,
      target,
      note,
      assessedBy: recordedBy(actor),
    });
    await recordAudit(trx, actor, {
      organisationId,
      action: 'risk.reassessed',
      entityType: 'risk',
      entityId: id,
      before: {
        inherent: before.inherent,
        current: before.current,
        target: before.target,
        lastReviewedOn: before.lastReviewedOn,
      },
      after: { inherent, current, target, note, ...review },
    });
  });
  return getRisk(db, actor, organisationId, id, { today });
}

/** Escalates an open risk to the parent organisation, where it shows read-only with its source. */
export async function escalateRisk(
  db: Db,
  actor: Actor,
  organisationId: string,
  id: string,
  input: { note?: string | undefined } = {},
): Promise<RiskDetail> {
  assertAllowed(actor, 'risks.manage', organisationId);
  const note = (input.note ?? '').trim();
  if (note.length > MAX_TEXT_LENGTH)
    throw ValidationError.of('note', `Note must be ${MAX_TEXT_LENGTH} characters or fewer`);
  await inTransaction(db, async (trx) => {
    const risk = await requireRisk(trx, organisationId, id, { lock: true });
    const parentId = await repo.findParentId(trx, organisationId);
    if (parentId === null)
      throw ValidationError.of('escalate', 'This organisation has no parent organisation to escalate to');
    if (risk.status !== 'open') throw ValidationError.of('escalate', 'Only an open risk can be escalated');
    if (risk.escalatedToId !== null) throw ValidationError.of('escalate', 'This risk is already escalated');
    await repo.setEscalation(trx, organisationId, id, { toId: parentId, note });
    await recordAudit(trx, actor, {
      organisationId,
      action: 'risk.escalated',
      entityType: 'risk',
      entityId: id,
      after: { escalatedToId: parentId, note },
    });
  });
  return getRisk(db, actor, organisationId, id);
}

export async function deescalateRisk(
  db: Db,
  actor: Actor,
  organisationId: string,
  id: string,
): Promise<RiskDetail> {
  assertAllowed(actor, 'risks.manage', organisationId);
  await inTransaction(db, async (trx) => {
    const risk = await requireRisk(trx, organisationId, id, { lock: true });
    if (risk.escalatedToId === null) throw ValidationError.of('escalate', 'This risk is not escalated');
    await repo.setEscalation(trx, organisationId, id, { toId: null, note: '' });
    await recordAudit(trx, actor, {
      organisationId,
      action: 'risk.deescalated',
      entityType: 'risk',
      entityId: id,
      before: { escalatedToId: risk.escalatedToId, note: risk.escalationNote },
    });
  });
  return getRisk(db, actor, organisationId, id);
}

/**
 * Deletes a risk of this organisation (a manager's decision). Its assessment history, actions,
 * contingency plan and links go with it; an escalated risk leaves its parent's register too.
 * The audit event keeps what was deleted.
 */
export async function deleteRisk(
  db: Db,
  actor: Actor,
  organisationId: string,
  id: string,
  options: ChangeOptions = {},
): Promise<void> {
  assertAllowed(actor, 'risks.delete', organisationId);
  await inTransaction(db, async (trx) => {
    const before = await requireRisk(trx, organisationId, id, { lock: true });
    if (options.expectedVersion !== undefined && options.expectedVersion !== before.version)
      throw new PreconditionFailedError();
    const links = await repo.findLinks(trx, organisationId, id);
    const plan = await repo.findContingencyPlan(trx, organisationId, id);
    const counts = await repo.countRiskRecords(trx, organisationId, id);
    if (!(await repo.deleteRisk(trx, organisationId, id, before.version)))
      throw new PreconditionFailedError();
    await recordAudit(trx, actor, {
      organisationId,
      action: 'risk.deleted',
      entityType: 'risk',
      entityId: id,
      before: {
        title: before.title,
        category: before.category.key,
        ownerId: before.ownerId,
        status: before.status,
        inherent: before.inherent,
        current: before.current,
        target: before.target,
        response: before.response,
        reviewFrequency: before.reviewFrequency,
        escalatedToId: before.escalatedToId,
        contingencyPlan: plan ?? null,
        ...links,
        ...counts,
      },
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Actions and contingency plans
// ---------------------------------------------------------------------------------------------

export interface ActionInput {
  description: string;
  ownerId?: string | null | undefined;
  dueOn: string;
  status?: string | undefined;
}

/** The risk's actions (or every action of the organisation), each with whether it is overdue. */
export async function listRiskActions(
  db: Db,
  actor: Actor,
  organisationId: string,
  options: { riskId?: string; today?: string } = {},
): Promise<(repo.ActionRow & { overdue: boolean })[]> {
  assertAllowed(actor, 'risks.read', organisationId);
  const today = options.today ?? todayUtc();
  if (options.riskId !== undefined) await requireRisk(db, organisationId, options.riskId);
  return (await repo.listActions(db, organisationId, options.riskId)).map((a) => ({
    ...a,
    overdue: isActionOverdue(a, today),
  }));
}

export async function getRiskAction(
  db: Db,
  actor: Actor,
  organisationId: string,
  riskId: string,
  actionId: string,
): Promise<repo.ActionRow> {
  assertAllowed(actor, 'risks.read', organisationId);
  if (!isUuid(riskId) || !isUuid(actionId)) throw new NotFoundError();
  const action = await repo.findAction(db, organisationId, riskId, actionId);
  if (action === undefined) throw new NotFoundError();
  return action;
}

async function checkedAction(
  trx: Db,
  organisationId: string,
  input: ActionInput,
): Promise<{ description: string; ownerId: string | null; dueOn: string; status: ActionStatus }> {
  const { problems, value } = checkAction(input);
  if (
    value?.ownerId != null &&
    !(await repo.findActiveMemberIds(trx, organisationId, [value.ownerId])).has(value.ownerId)
  ) {
    problems.push({ field: 'ownerId', message: 'Choose an owner who is a member of this organisation' });
  }
  if (problems.length > 0 || value === null) throw new ValidationError(problems);
  return value;
}

export async function addRiskAction(
  db: Db,
  actor: Actor,
  organisationId: string,
  riskId: string,
  input: ActionInput,
): Promise<repo.ActionRow> {
  assertAllowed(actor, 'risks.manage', organisationId);
  const id = await inTransaction(db, async (trx) => {
    await requireRisk(trx, organisationId, riskId, { lock: true });
    const value = await checkedAction(trx, organisationId, input);
    const actionId = await repo.insertAction(trx, organisationId, riskId, value);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'risk_action.created',
      entityType: 'risk_action',
      entityId: actionId,
      after: { riskId, ...value },
    });
    return actionId;
  });
  return getRiskAction(db, actor, organisationId, riskId, id);
}

export async function updateRiskAction(
  db: Db,
  actor: Actor,
  organisationId: string,
  riskId: string,
  actionId: string,
  input: ActionInput,
  options: ChangeOptions = {},
): Promise<repo.ActionRow> {
  assertAllowed(actor, 'risks.manage', organisationId);
  await inTransaction(db, async (trx) => {
    const before = await getRiskAction(trx, actor, organisationId, riskId, actionId);
    if (options.expectedVersion !== undefined && options.expectedVersion !== before.version)
      throw new PreconditionFailedError();
    const value = await checkedAction(trx, organisationId, input);
    if (!(await repo.updateAction(trx, organisationId, actionId, before.version, value)))
      throw new PreconditionFailedError();
    await recordAudit(trx, actor, {
      organisationId,
      action: 'risk_action.updated',
      entityType: 'risk_action',
      entityId: actionId,
      before: {
        description: before.description,
        ownerId: before.ownerId,
        dueOn: before.dueOn,
        status: before.status,
      },
      after: value,
    });
  });
  return getRiskAction(db, actor, organisationId, riskId, actionId);
}

export async function deleteRiskAction(
  db: Db,
  actor: Actor,
  organisationId: string,
  riskId: string,
  actionId: string,
  options: ChangeOptions = {},
): Promise<void> {
  assertAllowed(actor, 'risks.manage', organisationId);
  await inTransaction(db, async (trx) => {
    const before = await getRiskAction(trx, actor, organisationId, riskId, actionId);
    if (options.expectedVersion !== undefined && options.expectedVersion !== before.version)
      throw new PreconditionFailedError();
    if (!(await repo.deleteAction(trx, organisationId, actionId, before.version)))
      throw new PreconditionFailedError();
    await recordAudit(trx, actor, {
      organisationId,
      action: 'risk_action.deleted',
      entityType: 'risk_action',
      entityId: actionId,
      before: {
        riskId,
        description: before.description,
        ownerId: before.ownerId,
        dueOn: before.dueOn,
        status: before.status,
      },
    });
  });
}

export async function getContingencyPlan(
  db: Db,
  actor: Actor,
  organisationId: string,
  riskId: string,
): Promise<{ trigger: string; plan: string } | null> {
  assertAllowed(actor, 'risks.read', organisationId);
  await requireRisk(db, organisationId, riskId);
  return (await repo.findContingencyPlan(db, organisationId, riskId)) ?? null;
}

/** Writes the risk's contingency plan: what sets it off (trigger) and what is then done. */
export async function saveContingencyPlan(
  db: Db,
  actor: Actor,
  organisationId: string,
  riskId: string,
  input: { trigger: string; plan: string },
): Promise<void> {
  assertAllowed(actor, 'risks.manage', organisationId);
  const { problems, value } = checkContingencyPlan(input);
  if (value === null) throw new ValidationError(problems);
  await inTransaction(db, async (trx) => {
    await requireRisk(trx, organisationId, riskId, { lock: true });
    const before = await repo.findContingencyPlan(trx, organisationId, riskId);
    await repo.upsertContingencyPlan(trx, organisationId, riskId, value);
    await recordAudit(trx, actor, {
      organisationId,
      action: 'contingency_plan.saved',
      entityType: 'risk',
      entityId: riskId,
      before: before ?? null,
      after: value,
    });
  });
}

export { heatMapOf, type HeatMap } from './risk.ts';
export { LEVEL_LABELS, LEVEL_TAG_CLASSES };
export type { Appetite };
