import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { writeXlsx } from '../../platform/export/spreadsheet.ts';
import { roleAtLeast } from '../../platform/access/roles.ts';
import { type FieldError, NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors.ts';
import { redirectWithFlash, requireOrg, webActor } from '../../platform/http/context.ts';
import { field, formFields, withFormErrors } from '../../platform/http/forms.ts';
import type { PageData } from '../../platform/http/render.ts';
import { todayUtc } from '../kpis/kpis.service.ts';
import { dateFromParts, dateParts } from '../../platform/validation.ts';
import {
  type Assessment,
  type AssessmentInput,
  ASSESSMENT_PHASE_LABELS,
  ASSESSMENT_PHASES,
  createAssessment,
  getAssessment,
  getAssessmentHistory,
  listAssessments,
  listProjectChoices,
  OUTCOME_LABELS,
  OUTCOMES,
  pointField,
  SERVICE_STANDARD_POINTS,
  subjectOf,
  updateAssessment,
  type Board,
  type BoardInput,
  CADENCE_LABELS,
  CADENCES,
  createBoard,
  createDecision,
  type Decision,
  type DecisionInput,
  DECISION_STATUS_LABELS,
  DECISION_STATUSES,
  type DecisionStatus,
  getBoard,
  getBoardAgenda,
  boardPackPdf,
  getBoardPack,
  packFileName,
  getDecision,
  getPersonHoldings,
  getRaci,
  ITEM_TYPE_LABELS,
  type ItemRef,
  type LinkedItemType,
  listBoards,
  listDecisions,
  listLinkableItems,
  listPeople,
  RACI_ROLE_LABELS,
  type RaciEntry,
  setRaci,
  updateBoard,
  updateDecision,
} from './governance.service.ts';

const DECISION_TAG_CLASSES: Readonly<Record<DecisionStatus, string>> = {
  proposed: 'govuk-tag--blue',
  made: 'govuk-tag--green',
  superseded: 'govuk-tag--grey',
};

function param(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string | undefined>)[name] ?? '';
}

/** Checkbox values (a repeated field arrives as an array, a single one as a string). */
function listField(request: FastifyRequest, name: string): string[] {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** An item chosen in a checkbox list, written `type:id`. */
function refOf(value: string): { type: string; id: string } {
  const [type = '', id = ''] = value.split(':', 2);
  return { type, id };
}
function refValue(item: { type: string; id: string }): string {
  return `${item.type}:${item.id}`;
}

function expectedVersionField(fields: Record<string, string>): number | undefined {
  const value = field(fields, 'version');
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/** A change refused because the item changed since the form was opened: said on the form. */
async function unlessChangedMeanwhile<T>(firstField: string, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    throw ValidationError.of(firstField, 'Someone else changed this while you were editing. Open it again to see their changes, then make yours');
  }
}

function checkboxItems(items: readonly ItemRef[], chosen: readonly string[]) {
  return items.map((item) => ({ value: refValue(item), text: `${ITEM_TYPE_LABELS[item.type]}: ${item.title}`, checked: chosen.includes(refValue(item)) }));
}

/**
 * Governance pages: boards (steering committees) with their agenda and decision log, the
 * organisation's decision log, RACI on projects, objectives and KPIs, and a person's page
 * listing what they hold. Managers change; everyone in the organisation reads.
 */
export async function governanceWebRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;
  const read = { schema: { hide: true } };
  const manage = { config: { role: 'manager' as const }, schema: { hide: true } };
  const base = (request: FastifyRequest): string => `/o/${requireOrg(request).organisation.slug}`;
  const canManage = (request: FastifyRequest): boolean => roleAtLeast(requireOrg(request).role, 'manager');

  // Boards

  app.get('/o/:org/boards', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const result = await listBoards(db, webActor(request), organisation.id, { pageSize: 200 });
    return reply.page('governance/views/boards.njk', {
      pageTitle: 'Boards',
      organisation,
      boards: result.items,
      total: result.total,
      cadenceLabels: CADENCE_LABELS,
      canManage: canManage(request),
    });
  });

  const boardForm = 'governance/views/board-form.njk';

  async function boardFormData(request: FastifyRequest, values: BoardInput, board?: Board, version?: string): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const [people, items] = await Promise.all([listPeople(db, actor, organisation.id), listLinkableItems(db, actor, organisation.id)]);
    const chosenPeople = new Set(values.memberIds);
    const chosenItems = values.oversees.map(refValue);
    return {
      pageTitle: board === undefined ? 'Add a board' : `Change ${board.name}`,
      organisation,
      board,
      values: { ...values, version: version ?? String(board?.version ?? '') },
      chairItems: [{ value: '', text: 'No chair yet' }, ...people.map((p) => ({ value: p.id, text: `${p.name} (${p.email})`, selected: p.id === values.chairId }))],
      cadenceItems: CADENCES.map((c) => ({ value: c, text: CADENCE_LABELS[c], checked: values.cadence === c })),
      memberItems: people.map((p) => ({ value: p.id, text: `${p.name} (${p.email})`, checked: chosenPeople.has(p.id) })),
      overseeItems: checkboxItems(
        items.filter((i) => i.type !== 'kpi'),
        chosenItems,
      ),
    };
  }

  function boardInput(request: FastifyRequest, fields: Record<string, string>): BoardInput {
    return {
      name: field(fields, 'name'),
      termsOfReference: field(fields, 'termsOfReference'),
      chairId: field(fields, 'chairId'),
      cadence: field(fields, 'cadence'),
      memberIds: listField(request, 'memberIds'),
      oversees: listField(request, 'oversees').map(refOf),
    };
  }

  function boardValues(board: Board): BoardInput {
    return {
      name: board.name,
      termsOfReference: board.termsOfReference,
      chairId: board.chair?.id ?? '',
      cadence: board.cadence,
      memberIds: board.members.map((m) => m.id),
      oversees: board.oversees.map((i) => ({ type: i.type, id: i.id })),
    };
  }

  const emptyBoard: BoardInput = { name: '', termsOfReference: '', chairId: '', cadence: '', memberIds: [], oversees: [] };

  app.get('/o/:org/boards/new', manage, async (request, reply) => reply.page(boardForm, await boardFormData(request, emptyBoard)));

  app.post('/o/:org/boards', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const input = boardInput(request, formFields(request));
    return withFormErrors(reply, boardForm, await boardFormData(request, input), async () => {
      const board = await createBoard(db, webActor(request), organisation.id, input);
      return redirectWithFlash(reply, `${base(request)}/boards/${board.id}`, `Board “${board.name}” added`);
    });
  });

  app.get('/o/:org/boards/:boardId/edit', manage, async (request, reply) => {
    const board = await getBoard(db, webActor(request), requireOrg(request).organisation.id, param(request, 'boardId'));
    return reply.page(boardForm, await boardFormData(request, boardValues(board), board));
  });

  app.post('/o/:org/boards/:boardId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const board = await getBoard(db, actor, organisation.id, param(request, 'boardId'));
    const fields = formFields(request);
    const input = boardInput(request, fields);
    return withFormErrors(reply, boardForm, await boardFormData(request, input, board, field(fields, 'version')), async () => {
      const updated = await unlessChangedMeanwhile('name', () =>
        updateBoard(db, actor, organisation.id, board.id, input, { expectedVersion: expectedVersionField(fields) }),
      );
      return redirectWithFlash(reply, `${base(request)}/boards/${updated.id}`, 'Board saved');
    });
  });

  app.get('/o/:org/boards/:boardId', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const board = await getBoard(db, actor, organisation.id, param(request, 'boardId'));
    const [agenda, log] = await Promise.all([
      getBoardAgenda(db, actor, organisation.id, board.id),
      listDecisions(db, actor, organisation.id, { boardId: board.id }, { pageSize: 200 }),
    ]);
    return reply.page('governance/views/board.njk', {
      pageTitle: board.name,
      organisation,
      board,
      agenda,
      decisions: log.items,
      totalDecisions: log.total,
      cadenceLabels: CADENCE_LABELS,
      itemTypeLabels: ITEM_TYPE_LABELS,
      statusLabels: DECISION_STATUS_LABELS,
      statusClasses: DECISION_TAG_CLASSES,
      canManage: canManage(request),
    });
  });

  // The board pack: a print-ready page, a PDF drawn in the process, and the same data as XLSX

  const packDate = (request: FastifyRequest): string => {
    const date = (request.query as Record<string, unknown>).date;
    return typeof date === 'string' && date.trim() !== '' ? date.trim() : todayUtc();
  };

  app.get('/o/:org/boards/:boardId/pack', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const board = await getBoard(db, actor, organisation.id, param(request, 'boardId'));
    const date = packDate(request);
    const data: PageData = { pageTitle: `${board.name}: board pack`, organisation, board, date, packBase: `${base(request)}/boards/${board.id}/pack` };
    try {
      const pack = await getBoardPack(db, actor, organisation.id, board.id, date);
      return await reply.page('governance/views/pack.njk', { ...data, pack, query: new URLSearchParams({ date }).toString() });
    } catch (error) {
      if (error instanceof ValidationError) return reply.page('governance/views/pack.njk', { ...data, errors: error.errors }, 400);
      throw error;
    }
  });

  app.get('/o/:org/boards/:boardId/pack.pdf', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const pack = await getBoardPack(db, webActor(request), organisation.id, param(request, 'boardId'), packDate(request));
    const pdf = await boardPackPdf(pack, organisation.name);
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${packFileName(pack.boardName, pack.date, 'pdf')}"`)
      .send(pdf);
  });

  app.get('/o/:org/boards/:boardId/pack.xlsx', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const pack = await getBoardPack(db, webActor(request), organisation.id, param(request, 'boardId'), packDate(request));
    const output = new PassThrough();
    writeXlsx(
      output,
      pack.sections.map((section) => ({ name: section.title, header: section.header, rows: section.rows })),
    ).catch((error: unknown) => {
      request.log.error({ err: error }, 'Board pack XLSX failed part-way');
      output.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="${packFileName(pack.boardName, pack.date, 'xlsx')}"`)
      .send(output);
  });

  // Decisions

  app.get('/o/:org/decisions', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const query = request.query as Record<string, unknown>;
    const status = typeof query.status === 'string' && (DECISION_STATUSES as readonly string[]).includes(query.status) ? (query.status as DecisionStatus) : undefined;
    const result = await listDecisions(db, webActor(request), organisation.id, { status }, { pageSize: 200 });
    return reply.page('governance/views/decisions.njk', {
      pageTitle: 'Decision log',
      organisation,
      decisions: result.items,
      total: result.total,
      status,
      statusFilters: DECISION_STATUSES.map((s) => ({ value: s, text: DECISION_STATUS_LABELS[s] })),
      statusLabels: DECISION_STATUS_LABELS,
      statusClasses: DECISION_TAG_CLASSES,
    });
  });

  const decisionForm = 'governance/views/decision-form.njk';

  interface DecisionFormValues extends Omit<DecisionInput, 'decidedOn'> {
    decidedOn: { day: string; month: string; year: string };
  }

  async function decisionFormData(request: FastifyRequest, board: Board, values: DecisionFormValues, decision?: Decision, version?: string): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const [items, others] = await Promise.all([
      listLinkableItems(db, actor, organisation.id),
      listDecisions(db, actor, organisation.id, { status: 'made' }, { pageSize: 200 }),
    ]);
    return {
      pageTitle: decision === undefined ? `Record a decision of ${board.name}` : `Change ${decision.title}`,
      organisation,
      board,
      decision,
      values: { ...values, version: version ?? String(decision?.version ?? '') },
      statusItems: DECISION_STATUSES.map((s) => ({ value: s, text: DECISION_STATUS_LABELS[s], checked: values.status === s })),
      successorItems: [
        { value: '', text: 'Not superseded' },
        ...others.items
          .filter((d) => d.id !== decision?.id)
          .map((d) => ({ value: d.id, text: `${d.title} (${d.boardName})`, selected: d.id === values.supersededById })),
      ],
      linkItems: checkboxItems(items, values.links.map(refValue)),
    };
  }

  function decisionInputOf(request: FastifyRequest, fields: Record<string, string>, boardId: string): { input: DecisionInput; values: DecisionFormValues } {
    const decidedOnParts = { day: field(fields, 'decidedOn-day'), month: field(fields, 'decidedOn-month'), year: field(fields, 'decidedOn-year') };
    const common = {
      boardId,
      title: field(fields, 'title'),
      decision: field(fields, 'decision'),
      rationale: field(fields, 'rationale'),
      optionsConsidered: field(fields, 'optionsConsidered'),
      status: field(fields, 'status'),
      supersededById: field(fields, 'supersededById'),
      links: listField(request, 'links').map(refOf),
    };
    return { input: { ...common, decidedOn: dateFromParts(decidedOnParts) }, values: { ...common, decidedOn: decidedOnParts } };
  }

  app.get('/o/:org/boards/:boardId/decisions/new', manage, async (request, reply) => {
    const board = await getBoard(db, webActor(request), requireOrg(request).organisation.id, param(request, 'boardId'));
    const values: DecisionFormValues = {
      boardId: board.id,
      decidedOn: { day: '', month: '', year: '' },
      title: '',
      decision: '',
      rationale: '',
      optionsConsidered: '',
      status: '',
      supersededById: '',
      links: [],
    };
    return reply.page(decisionForm, await decisionFormData(request, board, values));
  });

  app.post('/o/:org/boards/:boardId/decisions', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const board = await getBoard(db, actor, organisation.id, param(request, 'boardId'));
    const { input, values } = decisionInputOf(request, formFields(request), board.id);
    return withFormErrors(reply, decisionForm, await decisionFormData(request, board, values), async () => {
      const decision = await createDecision(db, actor, organisation.id, input);
      return redirectWithFlash(reply, `${base(request)}/decisions/${decision.id}`, `Decision “${decision.title}” recorded`);
    });
  });

  app.get('/o/:org/decisions/:decisionId', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const decision = await getDecision(db, webActor(request), organisation.id, param(request, 'decisionId'));
    return reply.page('governance/views/decision.njk', {
      pageTitle: decision.title,
      organisation,
      decision,
      itemTypeLabels: ITEM_TYPE_LABELS,
      statusLabels: DECISION_STATUS_LABELS,
      statusClasses: DECISION_TAG_CLASSES,
      canManage: canManage(request),
    });
  });

  app.get('/o/:org/decisions/:decisionId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const decision = await getDecision(db, actor, organisation.id, param(request, 'decisionId'));
    const board = await getBoard(db, actor, organisation.id, decision.boardId);
    const values: DecisionFormValues = {
      boardId: board.id,
      decidedOn: dateParts(decision.decidedOn),
      title: decision.title,
      decision: decision.decision,
      rationale: decision.rationale,
      optionsConsidered: decision.optionsConsidered,
      status: decision.status,
      supersededById: decision.supersededBy?.id ?? '',
      links: decision.links.map((i) => ({ type: i.type, id: i.id })),
    };
    return reply.page(decisionForm, await decisionFormData(request, board, values, decision));
  });

  app.post('/o/:org/decisions/:decisionId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const decision = await getDecision(db, actor, organisation.id, param(request, 'decisionId'));
    const board = await getBoard(db, actor, organisation.id, decision.boardId);
    const fields = formFields(request);
    const { input, values } = decisionInputOf(request, fields, board.id);
    return withFormErrors(reply, decisionForm, await decisionFormData(request, board, values, decision, field(fields, 'version')), async () => {
      const updated = await unlessChangedMeanwhile('title', () =>
        updateDecision(db, actor, organisation.id, decision.id, input, { expectedVersion: expectedVersionField(fields) }),
      );
      return redirectWithFlash(reply, `${base(request)}/decisions/${updated.id}`, 'Decision saved');
    });
  });

  // RACI

  const raciForm = 'governance/views/raci.njk';
  const itemTypeOf = (request: FastifyRequest): LinkedItemType => {
    const type = param(request, 'itemType');
    if (type !== 'project' && type !== 'objective' && type !== 'kpi') throw new NotFoundError();
    return type;
  };
  /** Problems about people or roles outside the form's four questions are shown on its first. */
  const onForm = (errors: readonly FieldError[]): FieldError[] =>
    errors.map((e) => (['accountable', 'responsible', 'consulted', 'informed'].includes(e.field) ? e : { ...e, field: 'accountable' }));

  async function raciData(request: FastifyRequest, entries?: RaciEntry[]): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const { item, path, assignments } = await getRaci(db, actor, organisation.id, itemTypeOf(request), param(request, 'itemId'));
    const people = await listPeople(db, actor, organisation.id);
    const current = entries ?? assignments.map((a) => ({ userId: a.person.id, role: a.role }));
    const holders = (role: string) => new Set(current.filter((e) => e.role === role).map((e) => e.userId));
    const accountable = [...holders('accountable')][0] ?? '';
    const choices = (role: string) => people.map((p) => ({ value: p.id, text: `${p.name} (${p.email})`, checked: holders(role).has(p.id) }));
    return {
      pageTitle: `Responsibilities for ${item.title}`,
      organisation,
      item,
      itemHref: path === undefined ? undefined : `${base(request)}${path}`,
      itemTypeLabels: ITEM_TYPE_LABELS,
      roleLabels: RACI_ROLE_LABELS,
      assignments,
      canManage: canManage(request),
      accountableItems: [
        { value: '', text: 'Choose a person' },
        ...people.map((p) => ({ value: p.id, text: `${p.name} (${p.email})`, selected: p.id === accountable })),
      ],
      responsibleItems: choices('responsible'),
      consultedItems: choices('consulted'),
      informedItems: choices('informed'),
    };
  }

  app.get('/o/:org/raci/:itemType/:itemId', read, async (request, reply) => reply.page(raciForm, await raciData(request)));

  app.post('/o/:org/raci/:itemType/:itemId', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const fields = formFields(request);
    const accountable = field(fields, 'accountable');
    const entries: RaciEntry[] = [
      ...(accountable === '' ? [] : [{ userId: accountable, role: 'accountable' }]),
      ...(['responsible', 'consulted', 'informed'] as const).flatMap((role) => listField(request, role).map((userId) => ({ userId, role }))),
    ];
    const data = await raciData(request, entries);
    const item = data.item as ItemRef;
    return withFormErrors(reply, raciForm, data, async () => {
      try {
        await setRaci(db, webActor(request), organisation.id, item.type, item.id, entries);
      } catch (error) {
        if (error instanceof ValidationError) throw new ValidationError(onForm(error.errors));
        throw error;
      }
      return redirectWithFlash(reply, `${base(request)}/raci/${item.type}/${item.id}`, 'Responsibilities saved');
    });
  });

  // Service Standard assessments

  const assessmentForm = 'governance/views/assessment-form.njk';
  const ASSESSMENT_OUTCOME_CLASSES = { met: 'govuk-tag--green', not_met: 'govuk-tag--red' } as const;

  app.get('/o/:org/assessments', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const query = request.query as Record<string, unknown>;
    // ?projectId= narrows the list to one project: its history across phases.
    const projectId = typeof query.projectId === 'string' && query.projectId !== '' ? query.projectId : undefined;
    const project = projectId === undefined ? undefined : (await listProjectChoices(db, actor, organisation.id)).find((p) => p.id === projectId);
    if (projectId !== undefined && project === undefined) throw new NotFoundError();
    const result = await listAssessments(db, actor, organisation.id, { projectId }, { pageSize: 200 });
    return reply.page('governance/views/assessments.njk', {
      pageTitle: project === undefined ? 'Service Standard assessments' : `Service Standard assessments of ${project.title}`,
      organisation,
      project,
      assessments: result.items.map((a) => ({ ...a, subject: subjectOf(a), metCount: a.points.filter((p) => p.met).length })),
      total: result.total,
      phaseLabels: ASSESSMENT_PHASE_LABELS,
      outcomeLabels: OUTCOME_LABELS,
      outcomeClasses: ASSESSMENT_OUTCOME_CLASSES,
      canManage: canManage(request),
    });
  });

  interface AssessmentFormValues extends Omit<AssessmentInput, 'assessedOn'> {
    assessedOn: { day: string; month: string; year: string };
  }

  async function assessmentFormData(request: FastifyRequest, values: AssessmentFormValues, assessment?: Assessment, version?: string): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const projects = await listProjectChoices(db, webActor(request), organisation.id);
    return {
      pageTitle: assessment === undefined ? 'Record a Service Standard assessment' : `Change the assessment of ${subjectOf(assessment)}`,
      organisation,
      assessment,
      values: { ...values, version: version ?? String(assessment?.version ?? '') },
      projectItems: [{ value: '', text: 'A service named below' }, ...projects.map((p) => ({ value: p.id, text: p.title, selected: p.id === values.projectId }))],
      phaseItems: ASSESSMENT_PHASES.map((p) => ({ value: p, text: ASSESSMENT_PHASE_LABELS[p], checked: values.phase === p })),
      outcomeItems: OUTCOMES.map((o) => ({ value: o, text: OUTCOME_LABELS[o], checked: values.outcome === o })),
      points: SERVICE_STANDARD_POINTS.map((p) => {
        const answer = values.points.find((a) => a.point === p.point);
        return {
          ...p,
          field: pointField(p.point),
          evidenceField: pointField(p.point, 'evidence'),
          actionsField: pointField(p.point, 'actions'),
          evidence: answer?.evidence ?? '',
          actions: answer?.actions ?? '',
          items: OUTCOMES.map((o) => ({ value: o, text: OUTCOME_LABELS[o], checked: answer?.met === o })),
        };
      }),
    };
  }

  function assessmentInputOf(fields: Record<string, string>): { input: AssessmentInput; values: AssessmentFormValues } {
    const assessedOnParts = { day: field(fields, 'assessedOn-day'), month: field(fields, 'assessedOn-month'), year: field(fields, 'assessedOn-year') };
    const common = {
      projectId: field(fields, 'projectId'),
      serviceName: field(fields, 'serviceName'),
      phase: field(fields, 'phase'),
      outcome: field(fields, 'outcome'),
      summary: field(fields, 'summary'),
      points: SERVICE_STANDARD_POINTS.map((p) => ({
        point: p.point,
        met: field(fields, pointField(p.point)),
        evidence: field(fields, pointField(p.point, 'evidence')),
        actions: field(fields, pointField(p.point, 'actions')),
      })),
    };
    return { input: { ...common, assessedOn: dateFromParts(assessedOnParts) }, values: { ...common, assessedOn: assessedOnParts } };
  }

  function assessmentValues(a: Assessment): AssessmentFormValues {
    return {
      projectId: a.project?.id ?? '',
      serviceName: a.serviceName ?? '',
      phase: a.phase,
      assessedOn: dateParts(a.assessedOn),
      outcome: a.outcome,
      summary: a.summary,
      points: a.points.map((p) => ({ point: p.point, met: p.met ? 'met' : 'not_met', evidence: p.evidence, actions: p.actions })),
    };
  }

  app.get('/o/:org/assessments/new', manage, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const projectId = typeof query.projectId === 'string' ? query.projectId : '';
    const values: AssessmentFormValues = {
      projectId,
      serviceName: '',
      phase: '',
      assessedOn: { day: '', month: '', year: '' },
      outcome: '',
      summary: '',
      points: [],
    };
    return reply.page(assessmentForm, await assessmentFormData(request, values));
  });

  app.post('/o/:org/assessments', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const { input, values } = assessmentInputOf(formFields(request));
    return withFormErrors(reply, assessmentForm, await assessmentFormData(request, values), async () => {
      const assessment = await createAssessment(db, webActor(request), organisation.id, input);
      return redirectWithFlash(reply, `${base(request)}/assessments/${assessment.id}`, 'Assessment recorded');
    });
  });

  app.get('/o/:org/assessments/:assessmentId', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const assessment = await getAssessment(db, actor, organisation.id, param(request, 'assessmentId'));
    const history = await getAssessmentHistory(db, actor, organisation.id, assessment);
    return reply.page('governance/views/assessment.njk', {
      pageTitle: `${ASSESSMENT_PHASE_LABELS[assessment.phase]} assessment of ${subjectOf(assessment)}`,
      organisation,
      assessment,
      subject: subjectOf(assessment),
      points: SERVICE_STANDARD_POINTS.map((p) => ({ ...p, answer: assessment.points.find((a) => a.point === p.point) })),
      history: history.map((a) => ({ ...a, metCount: a.points.filter((p) => p.met).length })),
      phaseLabels: ASSESSMENT_PHASE_LABELS,
      outcomeLabels: OUTCOME_LABELS,
      outcomeClasses: ASSESSMENT_OUTCOME_CLASSES,
      canManage: canManage(request),
    });
  });

  app.get('/o/:org/assessments/:assessmentId/edit', manage, async (request, reply) => {
    const assessment = await getAssessment(db, webActor(request), requireOrg(request).organisation.id, param(request, 'assessmentId'));
    return reply.page(assessmentForm, await assessmentFormData(request, assessmentValues(assessment), assessment));
  });

  app.post('/o/:org/assessments/:assessmentId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const assessment = await getAssessment(db, actor, organisation.id, param(request, 'assessmentId'));
    const fields = formFields(request);
    const { input, values } = assessmentInputOf(fields);
    return withFormErrors(reply, assessmentForm, await assessmentFormData(request, values, assessment, field(fields, 'version')), async () => {
      const updated = await unlessChangedMeanwhile('projectId', () =>
        updateAssessment(db, actor, organisation.id, assessment.id, input, { expectedVersion: expectedVersionField(fields) }),
      );
      return redirectWithFlash(reply, `${base(request)}/assessments/${updated.id}`, 'Assessment saved');
    });
  });

  // A person's page: what they hold

  app.get('/o/:org/people/:userId', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const holdings = await getPersonHoldings(db, webActor(request), organisation.id, param(request, 'userId'));
    return reply.page('governance/views/person.njk', {
      pageTitle: holdings.person.name,
      organisation,
      holdings,
      itemTypeLabels: ITEM_TYPE_LABELS,
      roleLabels: RACI_ROLE_LABELS,
    });
  });
}
