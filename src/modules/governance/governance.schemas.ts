import { type Static, Type } from 'typebox';

/** JSON shapes of the governance API (boards and the decision log). Names are camelCase; dates are 'YYYY-MM-DD'. */

const Id = (description: string) => Type.String({ format: 'uuid', description });

const CadenceSchema = Type.Union(
  [Type.Literal('weekly'), Type.Literal('fortnightly'), Type.Literal('monthly'), Type.Literal('quarterly'), Type.Literal('as_needed')],
  { description: 'How often the board meets' },
);

const DecisionStatusSchema = Type.Union([Type.Literal('proposed'), Type.Literal('made'), Type.Literal('superseded')], {
  description: 'proposed: on the board’s agenda; made: in force; superseded: replaced by the decision named in supersededById',
});

const ItemSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('project'), Type.Literal('objective'), Type.Literal('kpi')]),
    id: Id('The item’s id'),
    title: Type.String({ description: 'The project’s or objective’s title, or the KPI’s name' }),
  },
  { description: 'A project, objective or KPI of the organisation' },
);

const ItemRefInputSchema = Type.Object({
  type: Type.String({ description: 'project, objective or kpi' }),
  id: Type.String({ description: 'The item’s id' }),
});

export const BoardSchema = Type.Object(
  {
    id: Id('The board’s id'),
    name: Type.String(),
    termsOfReference: Type.String({ description: 'What the board is for and what it can decide' }),
    chairId: Type.Union([Id('The chair: a member of the organisation and of the board'), Type.Null()]),
    cadence: CadenceSchema,
    memberIds: Type.Array(Id('A member of the board'), { description: 'Members of the board, the chair included' }),
    oversees: Type.Array(ItemSchema, { description: 'Projects and objectives the board oversees' }),
    version: Type.Integer({ description: 'Goes up by one on every change' }),
  },
  { description: 'A board (steering committee)' },
);

export const BoardInputSchema = Type.Object(
  {
    name: Type.String({ description: 'Required; up to 200 characters; unique in the organisation' }),
    termsOfReference: Type.Optional(Type.String({ description: 'Up to 10,000 characters' })),
    chairId: Type.Optional(Type.Union([Type.String({ description: 'A user id of a member of the organisation' }), Type.Null()])),
    cadence: Type.String({ description: 'weekly, fortnightly, monthly, quarterly or as_needed' }),
    memberIds: Type.Optional(Type.Array(Type.String(), { description: 'User ids of members of the organisation; the chair is added' })),
    oversees: Type.Optional(Type.Array(ItemRefInputSchema, { description: 'Projects and objectives (type project or objective)' })),
  },
  { description: 'A board’s values. On update, omitted optional fields are cleared' },
);

export const DecisionSchema = Type.Object(
  {
    id: Id('The decision’s id'),
    boardId: Id('The board that made or will take it'),
    decidedOn: Type.String({ format: 'date', description: 'When it was made, or for a proposed decision, when it is to be taken' }),
    title: Type.String(),
    decision: Type.String({ description: 'What was decided (empty while proposed)' }),
    rationale: Type.String(),
    optionsConsidered: Type.String(),
    status: DecisionStatusSchema,
    supersededById: Type.Union([Id('The decision that replaced this one'), Type.Null()]),
    links: Type.Array(ItemSchema, { description: 'Projects, objectives and KPIs the decision is about' }),
    version: Type.Integer({ description: 'Goes up by one on every change' }),
  },
  { description: 'A decision in the decision log' },
);

export const DecisionInputSchema = Type.Object(
  {
    boardId: Type.String({ description: 'The board’s id' }),
    decidedOn: Type.String({ description: 'YYYY-MM-DD', examples: ['2026-11-12'] }),
    title: Type.String({ description: 'Required; up to 200 characters' }),
    decision: Type.Optional(Type.String({ description: 'Required unless proposed; up to 10,000 characters' })),
    rationale: Type.Optional(Type.String({ description: 'Up to 10,000 characters' })),
    optionsConsidered: Type.Optional(Type.String({ description: 'Up to 10,000 characters' })),
    status: Type.String({ description: 'proposed, made or superseded' }),
    supersededById: Type.Optional(Type.Union([Type.String({ description: 'Required when superseded: a decision still in force' }), Type.Null()])),
    links: Type.Optional(Type.Array(ItemRefInputSchema, { description: 'Projects, objectives and KPIs of the organisation' })),
  },
  { description: 'A decision’s values. On update, omitted optional fields are cleared' },
);

const PointSchema = Type.Object({
  point: Type.Integer({ minimum: 1, maximum: 14, description: 'The Service Standard point, 1 to 14' }),
  met: Type.Boolean(),
  evidence: Type.String({ description: 'What the panel saw' }),
  actions: Type.String({ description: 'What will be done; required when the point is not met' }),
});

export const AssessmentSchema = Type.Object(
  {
    id: Id('The assessment’s id'),
    projectId: Type.Union([Id('The project assessed'), Type.Null()]),
    serviceName: Type.Union([Type.String({ description: 'The service assessed, when it is not a project' }), Type.Null()]),
    phase: Type.Union([Type.Literal('alpha'), Type.Literal('beta'), Type.Literal('live')]),
    assessedOn: Type.String({ format: 'date' }),
    outcome: Type.Union([Type.Literal('met'), Type.Literal('not_met')]),
    summary: Type.String(),
    points: Type.Array(PointSchema, { description: 'The 14 points, in order' }),
    version: Type.Integer({ description: 'Goes up by one on every change' }),
  },
  { description: 'A Service Standard assessment of a project or a named service' },
);

export const AssessmentInputSchema = Type.Object(
  {
    projectId: Type.Optional(Type.Union([Type.String({ description: 'The project assessed' }), Type.Null()])),
    serviceName: Type.Optional(Type.Union([Type.String({ description: 'The service assessed, when it is not a project (give one of the two)' }), Type.Null()])),
    phase: Type.String({ description: 'alpha, beta or live' }),
    assessedOn: Type.String({ description: 'YYYY-MM-DD', examples: ['2026-10-14'] }),
    outcome: Type.String({ description: 'met (only when every point is met) or not_met' }),
    summary: Type.Optional(Type.String({ description: 'Up to 10,000 characters' })),
    points: Type.Array(
      Type.Object({
        point: Type.Integer({ description: '1 to 14' }),
        met: Type.Boolean(),
        evidence: Type.Optional(Type.String()),
        actions: Type.Optional(Type.String({ description: 'Required when the point is not met' })),
      }),
      { description: 'Each of the 14 points once' },
    ),
  },
  { description: 'An assessment’s values. On update, omitted optional fields are cleared' },
);

export const AssessmentQuerySchema = Type.Object({
  page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'Page number, from 1 (default 1)' })),
  pageSize: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'Items per page: default 50, at most 200 (larger values give 200)' })),
  projectId: Type.Optional(Type.String({ format: 'uuid', description: 'Only this project’s assessments: its history across phases' })),
});

export const AssessmentParamsSchema = Type.Object({ assessmentId: Id('An assessment’s id') });

export const DecisionQuerySchema = Type.Object({
  page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'Page number, from 1 (default 1)' })),
  pageSize: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'Items per page: default 50, at most 200 (larger values give 200)' })),
  boardId: Type.Optional(Type.String({ format: 'uuid', description: 'Only this board’s decisions' })),
  status: Type.Optional(DecisionStatusSchema),
});

export const BoardParamsSchema = Type.Object({ boardId: Id('A board’s id') });
export const DecisionParamsSchema = Type.Object({ decisionId: Id('A decision’s id') });

export type BoardJson = Static<typeof BoardSchema>;
export type DecisionJson = Static<typeof DecisionSchema>;
export type AssessmentJson = Static<typeof AssessmentSchema>;
