import { type Static, Type } from 'typebox';
import { PageSchema } from '../../platform/http/api.ts';

/** JSON shapes of the risk API. Names are camelCase; dates are 'YYYY-MM-DD'. */

const Scale = (what: string) =>
  Type.Union([Type.Number(), Type.String()], {
    description: `${what}: 1 (very low) to 5 (very high), or the words very low, low, medium, high, very high; anything else is refused with a message`,
  });

const AssessmentInputSchema = (description: string) =>
  Type.Object({ likelihood: Scale('Likelihood'), impact: Scale('Impact') }, { description });

export const LevelSchema = Type.Union(
  [Type.Literal('low'), Type.Literal('medium'), Type.Literal('high'), Type.Literal('very_high')],
  {
    description: 'The score’s band: low 1–4, medium 5–9, high 10–15, very_high 16–25',
  },
);

const AssessmentSchema = (description: string) =>
  Type.Object(
    {
      likelihood: Type.Integer({ minimum: 1, maximum: 5 }),
      impact: Type.Integer({ minimum: 1, maximum: 5 }),
      score: Type.Integer({ minimum: 1, maximum: 25, description: 'likelihood × impact' }),
      level: LevelSchema,
    },
    { description },
  );

const ResponseSchema = Type.Union([
  Type.Literal('tolerate'),
  Type.Literal('treat'),
  Type.Literal('transfer'),
  Type.Literal('terminate'),
]);
const Ids = (what: string) =>
  Type.Array(Type.String({ format: 'uuid' }), {
    description: `${what} of the organisation this risk is linked to`,
  });

export const RiskSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    title: Type.String(),
    cause: Type.String(),
    event: Type.String(),
    consequence: Type.String(),
    category: Type.String({ description: 'The category’s key, e.g. cybersecurity' }),
    owner: Type.Union([
      Type.String({ format: 'uuid', description: 'The owner: a member of the organisation' }),
      Type.Null(),
    ]),
    proximity: Type.Union([
      Type.Literal('imminent'),
      Type.Literal('within_6_months'),
      Type.Literal('within_a_year'),
      Type.Literal('beyond_a_year'),
    ]),
    status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
    inherent: AssessmentSchema('Before controls'),
    current: AssessmentSchema('With today’s controls'),
    target: AssessmentSchema('After the planned actions'),
    response: ResponseSchema,
    outsideAppetite: Type.Boolean({
      description: 'True when open and the current score exceeds the category’s maximum acceptable score',
    }),
    needsContingencyPlan: Type.Boolean({ description: 'True when the current impact is 4 or 5' }),
    hasContingencyPlan: Type.Boolean(),
    reviewFrequency: Type.Union([
      Type.Literal('monthly'),
      Type.Literal('quarterly'),
      Type.Literal('half_yearly'),
      Type.Literal('annual'),
    ]),
    lastReviewedOn: Type.String({ format: 'date' }),
    nextReviewOn: Type.String({ format: 'date' }),
    escalated: Type.Boolean({ description: 'True while escalated to the parent organisation' }),
    objectiveIds: Ids('Objectives'),
    kpiIds: Ids('KPIs'),
    projectIds: Ids('Projects'),
  },
  { description: 'A risk with its scores worked out' },
);

export const RiskInputSchema = Type.Object(
  {
    title: Type.String({
      description: 'Required, unique in the organisation whatever its case; up to 200 characters',
    }),
    cause: Type.Optional(Type.String()),
    event: Type.Optional(Type.String()),
    consequence: Type.Optional(Type.String()),
    category: Type.String({ description: 'A category key of the organisation, e.g. cybersecurity' }),
    owner: Type.Optional(Type.Union([Type.String({ description: 'A member’s user id' }), Type.Null()])),
    proximity: Type.String({ description: 'imminent, within_6_months, within_a_year or beyond_a_year' }),
    status: Type.Optional(Type.String({ description: 'open (default) or closed' })),
    inherent: AssessmentInputSchema('Before controls'),
    current: AssessmentInputSchema('With today’s controls'),
    target: AssessmentInputSchema('After the planned actions'),
    response: Type.String({ description: 'tolerate, treat, transfer or terminate' }),
    reviewFrequency: Type.Optional(
      Type.String({ description: 'monthly, quarterly (default), half_yearly or annual' }),
    ),
    objectiveIds: Type.Optional(Type.Array(Type.String())),
    kpiIds: Type.Optional(Type.Array(Type.String())),
    projectIds: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);

export const RiskParamsSchema = Type.Object({
  riskId: Type.String({ format: 'uuid', description: 'The risk’s id' }),
});
export const CategoryParamsSchema = Type.Object({
  category: Type.String({ description: 'The category’s key' }),
});

export const RiskPageSchema = PageSchema(
  RiskSchema,
  'A page of the register, open and closed, highest current score first',
);

export const ActionParamsSchema = Type.Object({
  riskId: Type.String({ format: 'uuid', description: 'The risk’s id' }),
  actionId: Type.String({ format: 'uuid', description: 'The action’s id' }),
});

export const ActionSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  description: Type.String(),
  owner: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  dueOn: Type.String({ format: 'date' }),
  status: Type.Union([Type.Literal('planned'), Type.Literal('in_progress'), Type.Literal('done')]),
  overdue: Type.Boolean({ description: 'Not done and past its due date' }),
});

export const ActionListSchema = Type.Object(
  { items: Type.Array(ActionSchema) },
  { description: 'The risk’s mitigating actions, by due date' },
);

export const ActionInputSchema = Type.Object(
  {
    description: Type.String(),
    owner: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    dueOn: Type.String({ description: 'YYYY-MM-DD' }),
    status: Type.Optional(Type.String({ description: 'planned (default), in_progress or done' })),
  },
  { additionalProperties: false },
);

export const AppetiteSchema = Type.Object({
  category: Type.String({ description: 'The category’s key' }),
  label: Type.String(),
  level: Type.Union([
    Type.Literal('averse'),
    Type.Literal('minimal'),
    Type.Literal('cautious'),
    Type.Literal('open'),
    Type.Literal('eager'),
  ]),
  maxScore: Type.Integer({
    minimum: 1,
    maximum: 25,
    description: 'A current score above it is outside appetite',
  }),
});

export const AppetiteListSchema = Type.Object({ items: Type.Array(AppetiteSchema) });

export const AppetiteInputSchema = Type.Object(
  {
    level: Type.String({ description: 'averse, minimal, cautious, open or eager' }),
    maxScore: Type.Integer({ description: 'From 1 to 25' }),
  },
  { additionalProperties: false },
);

export type RiskJson = Static<typeof RiskSchema>;
export type ActionJson = Static<typeof ActionSchema>;
export type AppetiteJson = Static<typeof AppetiteSchema>;
