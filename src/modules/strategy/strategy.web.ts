import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roleAtLeast } from '../../platform/access/roles.ts';
import { NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors.ts';
import { redirectWithFlash, requireOrg, webActor } from '../../platform/http/context.ts';
import { field, formFields, withFormErrors } from '../../platform/http/forms.ts';
import type { PageData } from '../../platform/http/render.ts';
import { dateFromParts, dateParts } from '../../platform/validation.ts';
import {
  type AgendaTag,
  archiveStrategy,
  createAgendaTag,
  createGoal,
  createObjective,
  createStrategy,
  deleteGoal,
  deleteObjective,
  deleteStrategy,
  type Direction,
  getGoal,
  getObjective,
  getStrategy,
  getStrategyTree,
  getStrategyVersion,
  type Goal,
  listAgendaTags,
  listPossibleOwners,
  listStrategies,
  listStrategyVersions,
  moveGoal,
  moveObjective,
  type Objective,
  publishStrategy,
  STATUS_LABELS,
  type Strategy,
  updateGoal,
  updateObjective,
  updateStrategy,
} from './strategy.service.ts';

const STATUS_TAG_CLASSES: Readonly<Record<Strategy['status'], string>> = {
  draft: 'govuk-tag--grey',
  published: 'govuk-tag--green',
  archived: 'govuk-tag--yellow',
};

function param(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string | undefined>)[name] ?? '';
}

/** The date typed into a GOV.UK date input named `name`, as 'YYYY-MM-DD' (or as typed). */
function dateField(fields: Record<string, string>, name: string): string {
  return dateFromParts({ day: field(fields, `${name}-day`), month: field(fields, `${name}-month`), year: field(fields, `${name}-year`) });
}

function datePartsOf(fields: Record<string, string>, name: string): { day: string; month: string; year: string } {
  return { day: field(fields, `${name}-day`), month: field(fields, `${name}-month`), year: field(fields, `${name}-year`) };
}

/** Checkbox values (a repeated field arrives as an array, a single one as a string). */
function listField(request: FastifyRequest, name: string): string[] {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return values.filter((v): v is string => typeof v === 'string' && v !== '');
}

/**
 * Runs a change made from a form opened earlier; when someone else changed the item since, the
 * form comes back with that said and the current version, so saving again is a conscious choice.
 */
async function unlessChangedMeanwhile<T>(data: PageData, change: () => Promise<T>, currentVersion: () => Promise<number>): Promise<T> {
  try {
    return await change();
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    (data.values as { version: string }).version = String(await currentVersion());
    throw ValidationError.of(
      'status',
      'Someone else changed this while you were editing. Check your answers against the current version, then save again',
    );
  }
}

function expectedVersionField(fields: Record<string, string>): number | undefined {
  const value = field(fields, 'version');
  return /^\d{1,9}$/.test(value) ? Number(value) : undefined;
}

/**
 * The strategy pages: the list, a strategy with its goals and objectives, question pages to
 * create and change each of them, ordering, publishing and archiving with a confirmation,
 * earlier versions, and the organisation's own agenda tags. Managers change; everyone reads.
 */
export async function strategyWebRoutes(app: FastifyInstance): Promise<void> {
  const db = app.db;
  const read = { schema: { hide: true } };
  const manage = { config: { role: 'manager' as const }, schema: { hide: true } };
  const base = (request: FastifyRequest): string => `/o/${requireOrg(request).organisation.slug}`;
  const canManage = (request: FastifyRequest): boolean => roleAtLeast(requireOrg(request).role, 'manager');

  // The list

  app.get('/o/:org/strategy', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const result = await listStrategies(db, webActor(request), organisation.id, { pageSize: 200 });
    return reply.page('strategy/views/list.njk', {
      pageTitle: 'Strategy',
      organisation,
      strategies: result.items,
      total: result.total,
      statusLabels: STATUS_LABELS,
      statusClasses: STATUS_TAG_CLASSES,
      canManage: canManage(request),
    });
  });

  // Creating and changing a strategy

  const strategyForm = 'strategy/views/strategy-form.njk';

  function strategyFormData(request: FastifyRequest, fields: Record<string, string>, strategy?: Strategy): PageData {
    const { organisation } = requireOrg(request);
    return {
      pageTitle: strategy === undefined ? 'Create a strategy' : `Change ${strategy.title}`,
      organisation,
      strategy,
      values: {
        title: fields.title ?? strategy?.title ?? '',
        vision: fields.vision ?? strategy?.vision ?? '',
        periodStart: fields['periodStart-year'] === undefined ? dateParts(strategy?.periodStart) : datePartsOf(fields, 'periodStart'),
        periodEnd: fields['periodEnd-year'] === undefined ? dateParts(strategy?.periodEnd) : datePartsOf(fields, 'periodEnd'),
        version: fields.version ?? String(strategy?.version ?? ''),
      },
    };
  }

  function strategyInput(fields: Record<string, string>) {
    return {
      title: field(fields, 'title'),
      vision: field(fields, 'vision'),
      periodStart: dateField(fields, 'periodStart'),
      periodEnd: dateField(fields, 'periodEnd'),
    };
  }

  app.get('/o/:org/strategy/new', manage, async (request, reply) => reply.page(strategyForm, strategyFormData(request, {})));

  app.post('/o/:org/strategy', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const fields = formFields(request);
    return withFormErrors(reply, strategyForm, strategyFormData(request, fields), async () => {
      const strategy = await createStrategy(db, webActor(request), organisation.id, strategyInput(fields));
      return redirectWithFlash(reply, `${base(request)}/strategy/${strategy.id}`, `Strategy “${strategy.title}” created as a draft`);
    });
  });

  app.get('/o/:org/strategy/:strategyId/edit', manage, async (request, reply) => {
    const strategy = await getStrategy(db, webActor(request), requireOrg(request).organisation.id, param(request, 'strategyId'));
    return reply.page(strategyForm, strategyFormData(request, {}, strategy));
  });

  app.post('/o/:org/strategy/:strategyId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const strategy = await getStrategy(db, actor, organisation.id, param(request, 'strategyId'));
    const fields = formFields(request);
    const data = strategyFormData(request, fields, strategy);
    return withFormErrors(reply, strategyForm, data, async () => {
      const updated = await unlessChangedMeanwhile(
        data,
        () => updateStrategy(db, actor, organisation.id, strategy.id, strategyInput(fields), { expectedVersion: expectedVersionField(fields) }),
        async () => (await getStrategy(db, actor, organisation.id, strategy.id)).version,
      );
      return redirectWithFlash(reply, `${base(request)}/strategy/${updated.id}`, 'Strategy details saved');
    });
  });

  // Agenda tags (a static path: registered before /strategy/:strategyId would match it anyway)

  const tagsPage = 'strategy/views/tags.njk';
  async function tagsData(request: FastifyRequest, label = ''): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const tags = await listAgendaTags(db, webActor(request), organisation.id);
    return {
      pageTitle: 'Agenda tags',
      organisation,
      standardTags: tags.filter((t) => t.standard),
      ownTags: tags.filter((t) => !t.standard),
      canManage: canManage(request),
      values: { label },
    };
  }

  app.get('/o/:org/strategy/tags', read, async (request, reply) => reply.page(tagsPage, await tagsData(request)));

  app.post('/o/:org/strategy/tags', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const label = field(formFields(request), 'label');
    return withFormErrors(reply, tagsPage, await tagsData(request, label), async () => {
      const tag = await createAgendaTag(db, webActor(request), organisation.id, { label });
      return redirectWithFlash(reply, `${base(request)}/strategy/tags`, `Tag “${tag.label}” added`);
    });
  });

  // One strategy

  app.get('/o/:org/strategy/:strategyId', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const tree = await getStrategyTree(db, actor, organisation.id, param(request, 'strategyId'));
    const tags = await listAgendaTags(db, actor, organisation.id);
    return reply.page('strategy/views/strategy.njk', {
      pageTitle: tree.strategy.title,
      organisation,
      tree,
      tagLabels: tagLabels(tags),
      statusLabels: STATUS_LABELS,
      statusClasses: STATUS_TAG_CLASSES,
      canManage: canManage(request) && tree.strategy.status !== 'archived',
      isManager: canManage(request),
    });
  });

  // Publishing, archiving, deleting

  const confirmPage = 'strategy/views/confirm.njk';

  for (const action of ['publish', 'archive'] as const) {
    const data = (request: FastifyRequest, strategy: Strategy): PageData => ({
      pageTitle: action === 'publish' ? `Publish ${strategy.title}` : `Archive ${strategy.title}`,
      organisation: requireOrg(request).organisation,
      strategy,
      action,
      statusLabels: STATUS_LABELS,
    });
    app.get(`/o/:org/strategy/:strategyId/${action}`, manage, async (request, reply) => {
      const strategy = await getStrategy(db, webActor(request), requireOrg(request).organisation.id, param(request, 'strategyId'));
      return reply.page(confirmPage, data(request, strategy));
    });
    app.post(`/o/:org/strategy/:strategyId/${action}`, manage, async (request, reply) => {
      const { organisation } = requireOrg(request);
      const actor = webActor(request);
      const strategy = await getStrategy(db, actor, organisation.id, param(request, 'strategyId'));
      return withFormErrors(reply, confirmPage, data(request, strategy), async () => {
        const change = action === 'publish' ? publishStrategy : archiveStrategy;
        const changed = await change(db, actor, organisation.id, strategy.id);
        const message = action === 'publish' ? 'Strategy published' : 'Strategy archived: it stays readable but can no longer be changed';
        return redirectWithFlash(reply, `${base(request)}/strategy/${changed.id}`, message);
      });
    });
  }

  const deletePage = 'strategy/views/delete.njk';

  /** A yes/no question before deleting; "no" goes back, nothing chosen is an error. */
  async function confirmDelete(
    request: FastifyRequest,
    reply: FastifyReply,
    data: PageData,
    back: string,
    remove: () => Promise<FastifyReply>,
  ): Promise<FastifyReply> {
    const answer = field(formFields(request), 'confirm');
    return withFormErrors(reply, deletePage, data, async () => {
      if (answer === 'no') return reply.redirect(back, 303);
      if (answer !== 'yes') throw ValidationError.of('confirm', `Select yes if you want to delete ${String(data.itemName)}`);
      return remove();
    });
  }

  function strategyDeleteData(request: FastifyRequest, strategy: Strategy): PageData {
    return {
      pageTitle: `Delete ${strategy.title}`,
      organisation: requireOrg(request).organisation,
      kind: 'strategy',
      itemName: 'this strategy',
      title: strategy.title,
      blocked: strategy.status !== 'draft',
      status: strategy.status,
      back: `${base(request)}/strategy/${strategy.id}`,
      action: `${base(request)}/strategy/${strategy.id}/delete`,
    };
  }

  app.get('/o/:org/strategy/:strategyId/delete', manage, async (request, reply) => {
    const strategy = await getStrategy(db, webActor(request), requireOrg(request).organisation.id, param(request, 'strategyId'));
    return reply.page(deletePage, strategyDeleteData(request, strategy));
  });

  app.post('/o/:org/strategy/:strategyId/delete', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const strategy = await getStrategy(db, actor, organisation.id, param(request, 'strategyId'));
    const data = strategyDeleteData(request, strategy);
    return confirmDelete(request, reply, data, String(data.back), async () => {
      await deleteStrategy(db, actor, organisation.id, strategy.id);
      return redirectWithFlash(reply, `${base(request)}/strategy`, `Strategy “${strategy.title}” deleted`);
    });
  });

  // Versions

  app.get('/o/:org/strategy/:strategyId/versions', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const strategy = await getStrategy(db, actor, organisation.id, param(request, 'strategyId'));
    const versions = await listStrategyVersions(db, actor, organisation.id, strategy.id);
    return reply.page('strategy/views/versions.njk', { pageTitle: `Versions of ${strategy.title}`, organisation, strategy, versions });
  });

  app.get('/o/:org/strategy/:strategyId/versions/:version', read, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const raw = param(request, 'version');
    if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
    const version = await getStrategyVersion(db, actor, organisation.id, param(request, 'strategyId'), Number(raw));
    const tags = await listAgendaTags(db, actor, organisation.id);
    return reply.page('strategy/views/version.njk', {
      pageTitle: `${version.tree.strategy.title}: version ${version.version}`,
      organisation,
      version,
      tree: version.tree,
      tagLabels: tagLabels(tags),
      statusLabels: STATUS_LABELS,
      statusClasses: STATUS_TAG_CLASSES,
    });
  });

  // Goals

  const goalForm = 'strategy/views/goal-form.njk';

  async function goalFormData(request: FastifyRequest, strategy: Strategy, fields: Record<string, string> | null, chosenTags: string[] | null, goal?: Goal): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const tags = await listAgendaTags(db, webActor(request), organisation.id);
    const chosen = chosenTags ?? goal?.tags ?? [];
    return {
      pageTitle: goal === undefined ? 'Add a goal' : `Change the goal ${goal.title}`,
      organisation,
      strategy,
      goal,
      tagItems: tags.map((t) => ({ value: t.key, text: t.label, checked: chosen.includes(t.key), hint: t.standard ? undefined : { text: 'Your organisation’s tag' } })),
      values: {
        title: fields?.title ?? goal?.title ?? '',
        description: fields?.description ?? goal?.description ?? '',
        weight: fields?.weight ?? String(goal?.weight ?? 1),
        version: fields?.version ?? String(goal?.version ?? ''),
      },
    };
  }

  function goalInput(request: FastifyRequest, fields: Record<string, string>) {
    return { title: field(fields, 'title'), description: field(fields, 'description'), tags: listField(request, 'tags'), weight: field(fields, 'weight') };
  }

  app.get('/o/:org/strategy/:strategyId/goals/new', manage, async (request, reply) => {
    const strategy = await getStrategy(db, webActor(request), requireOrg(request).organisation.id, param(request, 'strategyId'));
    return reply.page(goalForm, await goalFormData(request, strategy, null, null));
  });

  app.post('/o/:org/strategy/:strategyId/goals', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const strategy = await getStrategy(db, actor, organisation.id, param(request, 'strategyId'));
    const fields = formFields(request);
    const data = await goalFormData(request, strategy, fields, listField(request, 'tags'));
    return withFormErrors(reply, goalForm, data, async () => {
      const goal = await createGoal(db, actor, organisation.id, strategy.id, goalInput(request, fields));
      return redirectWithFlash(reply, `${base(request)}/strategy/${strategy.id}#goal-${goal.id}`, `Goal “${goal.title}” added`);
    });
  });

  async function goalAndStrategy(request: FastifyRequest): Promise<{ goal: Goal; strategy: Strategy }> {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const goal = await getGoal(db, actor, organisation.id, param(request, 'goalId'));
    return { goal, strategy: await getStrategy(db, actor, organisation.id, goal.strategyId) };
  }

  app.get('/o/:org/goals/:goalId/edit', manage, async (request, reply) => {
    const { goal, strategy } = await goalAndStrategy(request);
    return reply.page(goalForm, await goalFormData(request, strategy, null, null, goal));
  });

  app.post('/o/:org/goals/:goalId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const { goal, strategy } = await goalAndStrategy(request);
    const fields = formFields(request);
    const data = await goalFormData(request, strategy, fields, listField(request, 'tags'), goal);
    return withFormErrors(reply, goalForm, data, async () => {
      const actor = webActor(request);
      await unlessChangedMeanwhile(
        data,
        () => updateGoal(db, actor, organisation.id, goal.id, goalInput(request, fields), { expectedVersion: expectedVersionField(fields) }),
        async () => (await getGoal(db, actor, organisation.id, goal.id)).version,
      );
      return redirectWithFlash(reply, `${base(request)}/strategy/${strategy.id}#goal-${goal.id}`, 'Goal saved');
    });
  });

  function moveRoutes(kind: 'goals' | 'objectives', move: (request: FastifyRequest, direction: Direction) => Promise<string>): void {
    const idName = kind === 'goals' ? 'goalId' : 'objectiveId';
    for (const direction of ['up', 'down'] as const) {
      app.post(`/o/:org/${kind}/:${idName}/move-${direction}`, manage, async (request, reply) => {
        const target = await move(request, direction);
        return redirectWithFlash(reply, target, direction === 'up' ? 'Moved up' : 'Moved down');
      });
    }
  }

  moveRoutes('goals', async (request, direction) => {
    const { organisation } = requireOrg(request);
    const goal = await moveGoal(db, webActor(request), organisation.id, param(request, 'goalId'), direction);
    return `${base(request)}/strategy/${goal.strategyId}#goal-${goal.id}`;
  });

  function goalDeleteData(request: FastifyRequest, goal: Goal, strategy: Strategy): PageData {
    return {
      pageTitle: `Delete the goal ${goal.title}`,
      organisation: requireOrg(request).organisation,
      kind: 'goal',
      itemName: 'this goal',
      title: goal.title,
      blocked: strategy.status === 'archived',
      status: strategy.status,
      back: `${base(request)}/strategy/${strategy.id}#goal-${goal.id}`,
      action: `${base(request)}/goals/${goal.id}/delete`,
    };
  }

  app.get('/o/:org/goals/:goalId/delete', manage, async (request, reply) => {
    const { goal, strategy } = await goalAndStrategy(request);
    return reply.page(deletePage, goalDeleteData(request, goal, strategy));
  });

  app.post('/o/:org/goals/:goalId/delete', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const { goal, strategy } = await goalAndStrategy(request);
    const data = goalDeleteData(request, goal, strategy);
    return confirmDelete(request, reply, data, String(data.back), async () => {
      await deleteGoal(db, webActor(request), organisation.id, goal.id);
      return redirectWithFlash(reply, `${base(request)}/strategy/${strategy.id}`, `Goal “${goal.title}” deleted`);
    });
  });

  // Objectives

  const objectiveForm = 'strategy/views/objective-form.njk';

  async function objectiveFormData(
    request: FastifyRequest,
    goal: Goal,
    strategy: Strategy,
    fields: Record<string, string> | null,
    objective?: Objective,
  ): Promise<PageData> {
    const { organisation } = requireOrg(request);
    const owners = await listPossibleOwners(db, webActor(request), organisation.id);
    const ownerId = fields?.ownerId ?? objective?.ownerId ?? '';
    const ownerItems = [
      { value: '', text: 'No owner yet', selected: ownerId === '' },
      ...owners.map((o) => ({ value: o.id, text: `${o.name} (${o.email})`, selected: o.id === ownerId })),
    ];
    // An owner who has since left stays choosable, so saving other changes does not drop them.
    if (objective?.ownerId && !owners.some((o) => o.id === objective.ownerId)) {
      ownerItems.push({ value: objective.ownerId, text: `${objective.ownerName ?? 'Former member'} (no longer a member)`, selected: ownerId === objective.ownerId });
    }
    return {
      pageTitle: objective === undefined ? 'Add an objective' : `Change the objective ${objective.title}`,
      organisation,
      goal,
      strategy,
      objective,
      ownerItems,
      values: {
        title: fields?.title ?? objective?.title ?? '',
        description: fields?.description ?? objective?.description ?? '',
        dueDate: fields === null ? dateParts(objective?.dueDate) : datePartsOf(fields, 'dueDate'),
        weight: fields?.weight ?? String(objective?.weight ?? 1),
        version: fields?.version ?? String(objective?.version ?? ''),
      },
    };
  }

  function objectiveInput(fields: Record<string, string>) {
    const ownerId = field(fields, 'ownerId');
    const dueDate = dateField(fields, 'dueDate');
    return {
      title: field(fields, 'title'),
      description: field(fields, 'description'),
      ownerId: ownerId === '' ? null : ownerId,
      dueDate: dueDate === '' ? null : dueDate,
      weight: field(fields, 'weight'),
    };
  }

  app.get('/o/:org/goals/:goalId/objectives/new', manage, async (request, reply) => {
    const { goal, strategy } = await goalAndStrategy(request);
    return reply.page(objectiveForm, await objectiveFormData(request, goal, strategy, null));
  });

  app.post('/o/:org/goals/:goalId/objectives', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const { goal, strategy } = await goalAndStrategy(request);
    const fields = formFields(request);
    return withFormErrors(reply, objectiveForm, await objectiveFormData(request, goal, strategy, fields), async () => {
      const objective = await createObjective(db, webActor(request), organisation.id, goal.id, objectiveInput(fields));
      return redirectWithFlash(reply, `${base(request)}/strategy/${strategy.id}#objective-${objective.id}`, `Objective “${objective.title}” added`);
    });
  });

  async function objectiveContext(request: FastifyRequest): Promise<{ objective: Objective; goal: Goal; strategy: Strategy }> {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const objective = await getObjective(db, actor, organisation.id, param(request, 'objectiveId'));
    const goal = await getGoal(db, actor, organisation.id, objective.goalId);
    return { objective, goal, strategy: await getStrategy(db, actor, organisation.id, goal.strategyId) };
  }

  app.get('/o/:org/objectives/:objectiveId/edit', manage, async (request, reply) => {
    const { objective, goal, strategy } = await objectiveContext(request);
    return reply.page(objectiveForm, await objectiveFormData(request, goal, strategy, null, objective));
  });

  app.post('/o/:org/objectives/:objectiveId/edit', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const { objective, goal, strategy } = await objectiveContext(request);
    const fields = formFields(request);
    const data = await objectiveFormData(request, goal, strategy, fields, objective);
    return withFormErrors(reply, objectiveForm, data, async () => {
      const actor = webActor(request);
      await unlessChangedMeanwhile(
        data,
        () => updateObjective(db, actor, organisation.id, objective.id, objectiveInput(fields), { expectedVersion: expectedVersionField(fields) }),
        async () => (await getObjective(db, actor, organisation.id, objective.id)).version,
      );
      return redirectWithFlash(reply, `${base(request)}/strategy/${strategy.id}#objective-${objective.id}`, 'Objective saved');
    });
  });

  moveRoutes('objectives', async (request, direction) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const objective = await moveObjective(db, actor, organisation.id, param(request, 'objectiveId'), direction);
    const goal = await getGoal(db, actor, organisation.id, objective.goalId);
    return `${base(request)}/strategy/${goal.strategyId}#objective-${objective.id}`;
  });

  function objectiveDeleteData(request: FastifyRequest, objective: Objective, strategy: Strategy): PageData {
    return {
      pageTitle: `Delete the objective ${objective.title}`,
      organisation: requireOrg(request).organisation,
      kind: 'objective',
      itemName: 'this objective',
      title: objective.title,
      blocked: strategy.status === 'archived',
      status: strategy.status,
      back: `${base(request)}/strategy/${strategy.id}#objective-${objective.id}`,
      action: `${base(request)}/objectives/${objective.id}/delete`,
    };
  }

  app.get('/o/:org/objectives/:objectiveId/delete', manage, async (request, reply) => {
    const { objective, strategy } = await objectiveContext(request);
    return reply.page(deletePage, objectiveDeleteData(request, objective, strategy));
  });

  app.post('/o/:org/objectives/:objectiveId/delete', manage, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const { objective, strategy } = await objectiveContext(request);
    const data = objectiveDeleteData(request, objective, strategy);
    return confirmDelete(request, reply, data, String(data.back), async () => {
      await deleteObjective(db, webActor(request), organisation.id, objective.id);
      return redirectWithFlash(reply, `${base(request)}/strategy/${strategy.id}`, `Objective “${objective.title}” deleted`);
    });
  });
}

function tagLabels(tags: readonly AgendaTag[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.key, t.label]));
}
