import { createKpi, recordMeasurementsBatch, todayUtc } from '../../modules/kpis/kpis.service.ts';
import { createOrganisation, findOrganisationBySlug, type Organisation } from '../../modules/organisations/organisations.service.ts';
import { createAgendaTag, createGoal, createObjective, createStrategy, publishStrategy } from '../../modules/strategy/strategy.service.ts';
import { addUser } from '../../modules/users/users.service.ts';
import type { Actor } from '../../platform/access/actor.ts';
import type { Role } from '../../platform/access/roles.ts';
import { type Db, inTransaction } from '../database.ts';
import { seedDelivery } from './demo-delivery.ts';
import { seedGovernance } from './demo-governance.ts';
import { seedRisks } from './demo-risk.ts';
import { DEMO_AGENDA_TAG, DEMO_GOALS, DEMO_KPIS, demoKpiDates, demoMeasurements, demoStrategy, objectiveDueDate } from './demo-strategy.ts';

/**
 * The demo a newcomer sees on the first `npm start`: a fictional central body with a fictional
 * county council under it, and one person per role. Everything is fictional, the same on every
 * run, and built through the services (so it gets audit events and obeys the same rules as
 * data entered by hand). Later modules add their own steps to DEMO_STEPS; the strategy, its
 * KPIs and their values come from demo-strategy.ts.
 *
 * The password is published in the README and printed at start-up: demo data is for trying
 * Waymark on one machine, and production never seeds it.
 */
export const DEMO_PASSWORD = 'waymark-demo-password';

export const DEMO_CENTRAL_BODY = Object.freeze({ slug: 'dept-digital-communities', name: 'Department for Digital Communities' });
export const DEMO_COUNCIL = Object.freeze({ slug: 'west-marsh', name: 'West Marsh County Council' });

export interface DemoUser {
  readonly email: string;
  readonly name: string;
  /** The role in each organisation the person belongs to, by organisation slug. */
  readonly roles: readonly { readonly organisation: string; readonly role: Role }[];
  /** What the person does in the demo, after their first role. */
  readonly note: string;
}

export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  {
    email: 'admin@west-marsh.example',
    name: 'Alex Morgan',
    roles: [{ organisation: DEMO_COUNCIL.slug, role: 'admin' }],
    note: 'manages people, roles, sign-in policy and API tokens',
  },
  {
    email: 'manager@west-marsh.example',
    name: 'Jo Pemberton',
    roles: [{ organisation: DEMO_COUNCIL.slug, role: 'manager' }],
    note: 'writes the strategy, objectives and KPIs, runs boards',
  },
  {
    email: 'contributor@west-marsh.example',
    name: 'Rowan Hughes',
    roles: [{ organisation: DEMO_COUNCIL.slug, role: 'contributor' }],
    note: 'records measurements and status reports',
  },
  {
    email: 'viewer@west-marsh.example',
    name: 'Morgan Ellery',
    roles: [{ organisation: DEMO_COUNCIL.slug, role: 'viewer' }],
    note: 'reads everything, changes nothing',
  },
  {
    email: 'admin@digital-communities.example',
    name: 'Sam Okonjo',
    roles: [
      { organisation: DEMO_CENTRAL_BODY.slug, role: 'admin' },
      { organisation: DEMO_COUNCIL.slug, role: 'viewer' },
    ],
    note: `of the central body; also a viewer of ${DEMO_COUNCIL.name} (switch between them)`,
  },
]);

export interface DemoSeedContext {
  /** The transaction the whole seed runs in. */
  readonly db: Db;
  readonly actor: Actor;
  /** Organisations created so far, by slug, for later steps to link to. */
  readonly organisations: Map<string, Organisation>;
  /** People created so far: user id by email. */
  readonly users: Map<string, string>;
  /** Objectives created so far: id by their `ref` in demo-strategy.ts. */
  readonly objectives: Map<string, string>;
  /** The day the demo is seeded ('YYYY-MM-DD', UTC): the generated values are relative to it. */
  readonly today: string;
}

export interface DemoSeedStep {
  readonly name: string;
  run(context: DemoSeedContext): Promise<void>;
}

function organisationIn(context: DemoSeedContext, slug: string): Organisation {
  const organisation = context.organisations.get(slug);
  if (organisation === undefined) throw new Error(`Demo seed: the organisation "${slug}" is created by an earlier step`);
  return organisation;
}

function userIn(context: DemoSeedContext, email: string): string {
  const id = context.users.get(email);
  if (id === undefined) throw new Error(`Demo seed: the person "${email}" is created by an earlier step`);
  return id;
}

/** The steps, in order. Each later step may use what the earlier ones created. */
export const DEMO_STEPS: readonly DemoSeedStep[] = Object.freeze([
  {
    name: 'organisations',
    async run(context) {
      const central = await createOrganisation(context.db, context.actor, DEMO_CENTRAL_BODY);
      context.organisations.set(central.slug, central);
      const council = await createOrganisation(context.db, context.actor, { ...DEMO_COUNCIL, parentSlug: central.slug });
      context.organisations.set(council.slug, council);
    },
  },
  {
    name: 'users',
    async run(context) {
      for (const person of DEMO_USERS) {
        let first = true;
        for (const { organisation, role } of person.roles) {
          // The password is set with the account; further memberships only add access.
          const { user } = await addUser(context.db, context.actor, organisationIn(context, organisation).id, {
            email: person.email,
            name: person.name,
            role,
            password: first ? DEMO_PASSWORD : undefined,
          });
          context.users.set(person.email, user.id);
          first = false;
        }
      }
    },
  },
  {
    name: 'strategy',
    async run(context) {
      const council = organisationIn(context, DEMO_COUNCIL.slug);
      const strategy = await createStrategy(context.db, context.actor, council.id, demoStrategy(context.today));
      await createAgendaTag(context.db, context.actor, council.id, DEMO_AGENDA_TAG);
      for (const goal of DEMO_GOALS) {
        const created = await createGoal(context.db, context.actor, council.id, strategy.id, {
          title: goal.title,
          description: goal.description,
          tags: goal.tags,
          weight: 1,
        });
        for (const objective of goal.objectives) {
          const { id } = await createObjective(context.db, context.actor, council.id, created.id, {
            title: objective.title,
            description: objective.description,
            ownerId: userIn(context, objective.owner),
            dueDate: objectiveDueDate(context.today, objective.dueYear),
            weight: 1,
          });
          context.objectives.set(objective.ref, id);
        }
      }
      // Published once complete, so its version history starts with the whole strategy.
      await publishStrategy(context.db, context.actor, council.id, strategy.id);
    },
  },
  {
    name: 'KPIs',
    async run(context) {
      const council = organisationIn(context, DEMO_COUNCIL.slug);
      for (const kpi of DEMO_KPIS) {
        const { baselineDate, targetDate } = demoKpiDates(kpi, context.today);
        const objectiveId = kpi.objective === null ? undefined : context.objectives.get(kpi.objective);
        if (kpi.objective !== null && objectiveId === undefined) throw new Error(`Demo seed: ${kpi.key} links to the unknown objective ${kpi.objective}`);
        await createKpi(context.db, context.actor, council.id, {
          key: kpi.key,
          name: kpi.name,
          definition: kpi.definition,
          unit: kpi.unit,
          polarity: kpi.polarity,
          frequency: kpi.frequency,
          baseline: { value: kpi.baseline, date: baselineDate },
          target: { value: kpi.target, date: targetDate },
          tolerance: kpi.tolerance,
          ownerId: kpi.owner === null ? null : userIn(context, kpi.owner),
          category: kpi.category,
          objectiveIds: objectiveId === undefined ? [] : [objectiveId],
          isPublic: kpi.isPublic,
          formula: kpi.formula,
        });
      }
    },
  },
  {
    name: 'measurements',
    async run(context) {
      // One batch: one multi-row upsert, one recalculation of the derived KPIs, one audit event.
      const rows = demoMeasurements(context.today).map((m) => ({ kpi: m.kpi, period: m.period, value: m.value, note: m.note }));
      await recordMeasurementsBatch(context.db, context.actor, organisationIn(context, DEMO_COUNCIL.slug).id, rows, 'import');
    },
  },
  {
    // After the strategy: projects deliver its objectives.
    name: 'delivery',
    async run(context) {
      await seedDelivery(context, organisationIn(context, DEMO_COUNCIL.slug).id);
    },
  },
  {
    // After the delivery step: boards oversee the projects it creates.
    name: 'governance',
    async run(context) {
      await seedGovernance(context, organisationIn(context, DEMO_COUNCIL.slug).id, {
        chair: userIn(context, 'manager@west-marsh.example'),
        admin: userIn(context, 'admin@west-marsh.example'),
        contributor: userIn(context, 'contributor@west-marsh.example'),
        viewer: userIn(context, 'viewer@west-marsh.example'),
      });
    },
  },
  {
    // After the strategy: risks link to its objectives.
    name: 'risks',
    async run(context) {
      await seedRisks(context, organisationIn(context, DEMO_COUNCIL.slug).id, {
        manager: userIn(context, 'manager@west-marsh.example'),
        contributor: userIn(context, 'contributor@west-marsh.example'),
        admin: userIn(context, 'admin@west-marsh.example'),
      });
    },
  },
]);

export type DemoSeedOutcome = { status: 'seeded'; organisations: Organisation[] } | { status: 'already_seeded' };

/** Whether the demo council exists, i.e. the demo has been seeded into this database. */
export async function demoIsSeeded(db: Db): Promise<boolean> {
  return (await findOrganisationBySlug(db, DEMO_COUNCIL.slug)) !== undefined;
}

/**
 * Seeds the demo in one transaction: all of it, or (on any failure) nothing. Seeding a
 * database that already has the demo changes nothing.
 */
export async function seedDemo(
  db: Db,
  actor: Actor,
  options: {
    onStep?: (name: string) => void;
    steps?: readonly DemoSeedStep[];
    /** The day the values are generated for ('YYYY-MM-DD'); default: today (UTC). */
    today?: string;
  } = {},
): Promise<DemoSeedOutcome> {
  if (await demoIsSeeded(db)) return { status: 'already_seeded' };
  try {
    return await inTransaction(db, async (trx) => {
      const context: DemoSeedContext = {
        db: trx,
        actor,
        organisations: new Map(),
        users: new Map(),
        objectives: new Map(),
        today: options.today ?? todayUtc(),
      };
      for (const step of options.steps ?? DEMO_STEPS) {
        options.onStep?.(step.name);
        await step.run(context);
      }
      return { status: 'seeded', organisations: [...context.organisations.values()] };
    });
  } catch (error) {
    // Another process seeding at the same moment won the race, and this attempt rolled back.
    if (!db.isTransaction && (await demoIsSeeded(db))) return { status: 'already_seeded' };
    throw error;
  }
}
