import { type Static, Type } from 'typebox';

/** JSON shapes of the delivery API (issue 4): camelCase names, dates 'YYYY-MM-DD', money as decimal strings. */

const Id = (description: string) => Type.String({ format: 'uuid', description });
const IsoDate = (description: string, example = '2026-04-01') =>
  Type.String({ format: 'date', description: `${description} (YYYY-MM-DD)`, examples: [example] });
const InputDate = (description: string, example = '2026-04-01') =>
  Type.String({ description: `${description} (YYYY-MM-DD)`, examples: [example] });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

const ProjectTypeSchema = Type.Union(
  [Type.Literal('project'), Type.Literal('programme'), Type.Literal('service_change'), Type.Literal('pilot')],
  {
    description: 'project, programme (groups projects), service_change or pilot',
  },
);
const PhaseSchema = Type.Union([
  Type.Literal('discovery'),
  Type.Literal('alpha'),
  Type.Literal('beta'),
  Type.Literal('live'),
  Type.Literal('retirement'),
]);
const RagSchema = Type.Union([Type.Literal('green'), Type.Literal('amber'), Type.Literal('red')]);
const Money = (description: string) =>
  Type.String({
    description: `${description}: pounds as a decimal string, like "25000.00"`,
    examples: ['25000.00'],
  });
const MoneyInput = (description: string) =>
  Type.Union([Type.String(), Type.Number()], {
    description: `${description}: pounds, up to 2 decimal places; omitted: 0`,
  });

const BudgetSchema = Type.Object({ capital: Money('Capital'), resource: Money('Resource (revenue)') });
const BudgetInputSchema = Type.Object({
  capital: Type.Optional(MoneyInput('Capital')),
  resource: Type.Optional(MoneyInput('Resource (revenue)')),
});

export const ProjectSchema = Type.Object(
  {
    id: Id('The project’s id'),
    title: Type.String(),
    description: Type.String(),
    type: ProjectTypeSchema,
    phase: PhaseSchema,
    phaseStartedOn: Nullable(IsoDate('The day the current phase started')),
    owner: Nullable(
      Type.Object(
        { id: Id('The owner’s user id'), name: Type.String() },
        { description: 'The person accountable for it' },
      ),
    ),
    programmeId: Nullable(Id('The programme it belongs to')),
    plannedStart: Nullable(IsoDate('Planned start')),
    plannedEnd: Nullable(IsoDate('Planned end', '2027-03-31')),
    budget: Type.Object({ planned: BudgetSchema, actual: BudgetSchema }),
    deliveryApproach: Type.String(),
    reportFrequency: Type.Union([Type.Literal('monthly'), Type.Literal('quarterly')]),
    objectiveIds: Type.Array(Id('An objective it contributes to'), {
      description: 'The objectives it contributes to (weights in `objectives`)',
    }),
    objectives: Type.Array(
      Type.Object({
        objectiveId: Id('An objective'),
        weight: Type.Number({ description: 'Contribution weight (default 1)' }),
      }),
    ),
    rag: Nullable(RagSchema),
    reportLate: Type.Boolean({
      description: 'True when the status report for the latest period due is missing',
    }),
    version: Type.Integer({ description: 'Goes up by one on every change; the ETag carries it' }),
  },
  {
    description:
      'A project, programme, service change or pilot. `rag` is the latest status report’s overall RAG; null: no report yet',
  },
);

const ObjectiveLinkInput = Type.Object({
  objectiveId: Type.String({ description: 'An objective of the organisation' }),
  weight: Type.Optional(Type.Number({ description: 'More than 0, up to 1000; default 1' })),
});

export const ProjectInputSchema = Type.Object(
  {
    title: Type.String({ description: 'Required; up to 200 characters' }),
    description: Type.Optional(Type.String({ description: 'Up to 5,000 characters' })),
    type: Type.Optional(
      Type.String({ description: 'project (default), programme, service_change or pilot' }),
    ),
    phase: Type.Optional(
      Type.String({ description: 'discovery (default), alpha, beta, live or retirement' }),
    ),
    owner: Type.Optional(
      Nullable(Type.String({ description: 'The owner’s user id: a member of the organisation' })),
    ),
    programmeId: Type.Optional(Nullable(Type.String({ description: 'A programme of the organisation' }))),
    plannedStart: Type.Optional(Nullable(InputDate('Planned start'))),
    plannedEnd: Type.Optional(Nullable(InputDate('Planned end; on or after the start', '2027-03-31'))),
    budget: Type.Optional(
      Type.Object({ planned: Type.Optional(BudgetInputSchema), actual: Type.Optional(BudgetInputSchema) }),
    ),
    deliveryApproach: Type.Optional(Type.String({ description: 'Up to 200 characters' })),
    reportFrequency: Type.Optional(Type.String({ description: 'monthly (default) or quarterly' })),
    objectiveIds: Type.Optional(
      Type.Array(Type.String(), { description: 'Objectives it contributes to, each with weight 1' }),
    ),
    objectives: Type.Optional(
      Type.Array(ObjectiveLinkInput, {
        description: 'Objectives with contribution weights; use this or objectiveIds',
      }),
    ),
  },
  {
    description:
      'A project’s values. On update (PUT) the project is replaced: omitted optional fields take their defaults',
  },
);

export const MilestoneSchema = Type.Object(
  {
    id: Id('The milestone’s id'),
    projectId: Id('Its project'),
    title: Type.String(),
    dueOn: IsoDate('When it is due'),
    completedOn: Nullable(IsoDate('When it was completed')),
    overdue: Type.Boolean({ description: 'Due before today and not completed' }),
    version: Type.Integer(),
  },
  { description: 'A milestone of a project' },
);

export const MilestoneInputSchema = Type.Object({
  title: Type.String({ description: 'Required; up to 200 characters' }),
  dueOn: InputDate('When it is due'),
  completedOn: Type.Optional(Nullable(InputDate('When it was completed'))),
});

export const StatusReportSchema = Type.Object(
  {
    id: Id('The report’s id'),
    projectId: Id('Its project'),
    period: IsoDate('The first day of the month (or quarter) it covers', '2026-03-01'),
    overall: RagSchema,
    schedule: RagSchema,
    budget: RagSchema,
    scope: RagSchema,
    reason: Type.String({ description: 'Why it is amber or red' }),
    achievements: Type.String(),
    nextSteps: Type.String(),
    issues: Type.String(),
    decisionsNeeded: Type.String({ description: 'Decisions needed from a board; they appear on its agenda' }),
    submittedAt: Type.String({ format: 'date-time' }),
    version: Type.Integer(),
  },
  { description: 'A project’s status report for one period' },
);

export const StatusReportInputSchema = Type.Object(
  {
    period: Type.String({
      description:
        'The month it covers: 2026-03 or 2026-03-01; not in the future; one report per project and period',
    }),
    overall: Type.String({ description: 'green, amber or red' }),
    schedule: Type.String({ description: 'green, amber or red' }),
    budget: Type.String({ description: 'green, amber or red' }),
    scope: Type.String({ description: 'green, amber or red' }),
    reason: Type.Optional(Type.String({ description: 'Required when any RAG is amber or red' })),
    achievements: Type.Optional(Type.String()),
    nextSteps: Type.Optional(Type.String()),
    issues: Type.Optional(Type.String()),
    decisionsNeeded: Type.Optional(Type.String()),
  },
  { description: 'A new status report' },
);

export const ProjectQuerySchema = Type.Object({
  page: Type.Optional(
    Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'Page number, from 1 (default 1)' }),
  ),
  pageSize: Type.Optional(
    Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'Items per page: default 50, at most 200' }),
  ),
  phase: Type.Optional(PhaseSchema),
  rag: Type.Optional(
    Type.Union([RagSchema, Type.Literal('none')], {
      description: 'A RAG, or none for projects with no report yet',
    }),
  ),
  objectiveId: Type.Optional(Id('Only projects linked to this objective')),
  goalId: Type.Optional(Id('Only projects linked to an objective of this goal')),
  owner: Type.Optional(Id('Only projects this user owns')),
});

export const ProjectParamsSchema = Type.Object({ projectId: Id('A project’s id') });
export const MilestoneParamsSchema = Type.Object({
  projectId: Id('A project’s id'),
  milestoneId: Id('A milestone’s id'),
});

export type ProjectJson = Static<typeof ProjectSchema>;
export type MilestoneJson = Static<typeof MilestoneSchema>;
export type StatusReportJson = Static<typeof StatusReportSchema>;
export type ProjectInputJson = Static<typeof ProjectInputSchema>;
