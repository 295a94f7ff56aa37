import { type Static, Type } from 'typebox';

/** JSON shapes of the strategy API. Names are camelCase; dates are 'YYYY-MM-DD'. */

const Id = (description: string) => Type.String({ format: 'uuid', description });
const IsoDate = (description: string, example = '2026-04-01') => Type.String({ format: 'date', description: `${description} (YYYY-MM-DD)`, examples: [example] });
const InputDate = (description: string, example = '2026-04-01') => Type.String({ description: `${description} (YYYY-MM-DD)`, examples: [example] });

export const StrategyStatusSchema = Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')], {
  description:
    'draft → published → archived; an archived strategy can be published again. Only a draft can be deleted; an archived strategy cannot be changed.',
});

export const StrategySchema = Type.Object(
  {
    id: Id('The strategy’s id'),
    title: Type.String({ description: 'The strategy’s title' }),
    vision: Type.String({ description: 'What the organisation wants to achieve, in a few sentences' }),
    periodStart: IsoDate('First day of the period the strategy covers'),
    periodEnd: IsoDate('Last day of the period the strategy covers', '2030-03-31'),
    status: StrategyStatusSchema,
    version: Type.Integer({
      description:
        'Goes up by one on every change to the strategy, and, once it is published, to its goals and objectives. Each earlier published version stays readable',
    }),
  },
  { description: 'A strategy: the top of the golden thread, with goals and objectives under it' },
);

export const StrategyInputSchema = Type.Object(
  {
    title: Type.String({ description: 'Required; up to 200 characters' }),
    vision: Type.Optional(Type.String({ description: 'Up to 5,000 characters. On update, omitted keeps the current vision' })),
    periodStart: InputDate('First day of the period'),
    periodEnd: InputDate('Last day of the period; after the first day', '2030-03-31'),
  },
  { description: 'A new strategy. It starts as a draft' },
);

export const StrategyUpdateSchema = Type.Object(
  {
    title: Type.String({ description: 'Required; up to 200 characters' }),
    vision: Type.Optional(Type.String({ description: 'Up to 5,000 characters; omitted keeps the current vision' })),
    periodStart: InputDate('First day of the period'),
    periodEnd: InputDate('Last day of the period; after the first day', '2030-03-31'),
    status: Type.Optional(
      Type.Union([Type.Literal('draft'), Type.Literal('published'), Type.Literal('archived')], {
        description: 'A new status (publish: draft → published; archive: published → archived; reinstate: archived → published). Omitted keeps it',
      }),
    ),
  },
  { description: 'The strategy’s new values' },
);

export const GoalSchema = Type.Object(
  {
    id: Id('The goal’s id'),
    strategyId: Id('The strategy it belongs to'),
    title: Type.String(),
    description: Type.String(),
    tags: Type.Array(Type.String(), {
      description:
        'Agenda areas: economic_growth, social_inclusion, environmental_sustainability, public_sector_efficiency, or the organisation’s own tag keys',
    }),
    weight: Type.Number({ description: 'How much the goal counts when the strategy’s status is rolled up (default 1)' }),
    position: Type.Integer({ description: 'Order among the strategy’s goals, from 1' }),
  },
  { description: 'A goal (theme) of a strategy, tagged with agenda areas' },
);

const Weight = Type.Number({ minimum: 0, maximum: 1000, description: 'From 0 to 1000, up to 2 decimal places; default 1' });
const Position = Type.Integer({ minimum: 1, description: 'Where to place it among its siblings, from 1; omitted: at the end (new) or where it is (update)' });

export const GoalInputSchema = Type.Object(
  {
    title: Type.String({ description: 'Required; up to 200 characters' }),
    description: Type.Optional(Type.String({ description: 'Up to 5,000 characters' })),
    tags: Type.Optional(Type.Array(Type.String(), { description: 'Agenda area keys (standard or the organisation’s own)' })),
    weight: Type.Optional(Weight),
    position: Type.Optional(Position),
  },
  { description: 'A goal’s values. On update, omitted optional fields keep their current value' },
);

export const ObjectiveSchema = Type.Object(
  {
    id: Id('The objective’s id'),
    goalId: Id('The goal it belongs to'),
    title: Type.String(),
    description: Type.String(),
    ownerId: Type.Union([Id('The owner: a member of the organisation'), Type.Null()]),
    dueDate: Type.Union([IsoDate('When it is due', '2027-03-31'), Type.Null()]),
    weight: Type.Number({ description: 'How much the objective counts when its goal’s status is rolled up (default 1)' }),
    position: Type.Integer({ description: 'Order among the goal’s objectives, from 1' }),
  },
  { description: 'An objective of a goal, with an owner and a due date' },
);

export const ObjectiveInputSchema = Type.Object(
  {
    title: Type.String({ description: 'Required; up to 200 characters' }),
    description: Type.Optional(Type.String({ description: 'Up to 5,000 characters' })),
    ownerId: Type.Optional(Type.Union([Type.String({ description: 'A user id of a member of the organisation' }), Type.Null()])),
    dueDate: Type.Optional(Type.Union([InputDate('When it is due', '2027-03-31'), Type.Null()])),
    weight: Type.Optional(Weight),
    position: Type.Optional(Position),
  },
  { description: 'An objective’s values. On update, omitted optional fields keep their current value' },
);

export const StrategyParamsSchema = Type.Object({ strategyId: Id('A strategy’s id') });
export const GoalParamsSchema = Type.Object({ goalId: Id('A goal’s id') });
export const ObjectiveParamsSchema = Type.Object({ objectiveId: Id('An objective’s id') });

export type StrategyJson = Static<typeof StrategySchema>;
export type GoalJson = Static<typeof GoalSchema>;
export type ObjectiveJson = Static<typeof ObjectiveSchema>;
export type StrategyInputJson = Static<typeof StrategyInputSchema>;
export type StrategyUpdateJson = Static<typeof StrategyUpdateSchema>;
export type GoalInputJson = Static<typeof GoalInputSchema>;
export type ObjectiveInputJson = Static<typeof ObjectiveInputSchema>;
