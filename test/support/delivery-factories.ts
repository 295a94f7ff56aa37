import type { Db } from '../../src/db/database.ts';
import {
  type Benefit,
  type BenefitInput,
  createBenefit,
} from '../../src/modules/delivery/benefits.service.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import {
  createMilestone,
  createProject,
  type Milestone,
  type ProjectInput,
  type ProjectView,
  type StatusReport,
  type StatusReportInput,
  submitStatusReport,
} from '../../src/modules/delivery/delivery.service.ts';
import { cliOperator } from '../../src/platform/access/actor.ts';

let counter = 0;
const next = (): number => ++counter;

/** A project through the real service; `objectives` links it (weight 1 unless given). */
export async function makeProject(
  db: Db,
  organisation: Organisation,
  options: Partial<Omit<ProjectInput, 'objectives'>> & {
    objectives?: { objectiveId: string; weight?: number }[];
    today?: string;
  } = {},
): Promise<ProjectView> {
  const { objectives, today, ...rest } = options;
  return createProject(
    db,
    cliOperator(),
    organisation.id,
    {
      title: `Project ${next()}`,
      description: '',
      ownerId: null,
      type: 'project',
      programmeId: null,
      phase: 'alpha',
      plannedStart: '2026-01-01',
      plannedEnd: '2027-12-31',
      budgetPlanned: { capital: '100000', resource: '50000' },
      budgetActual: { capital: '0', resource: '0' },
      deliveryApproach: 'Agile',
      reportFrequency: 'monthly',
      ...rest,
      objectives: (objectives ?? []).map((o) => ({ objectiveId: o.objectiveId, weight: o.weight ?? 1 })),
    },
    { today },
  );
}

export async function makeMilestone(
  db: Db,
  organisation: Organisation,
  project: { id: string },
  options: Partial<{ title: string; dueOn: string; completedOn: string | null }> = {},
): Promise<Milestone> {
  return createMilestone(db, cliOperator(), organisation.id, project.id, {
    title: options.title ?? `Milestone ${next()}`,
    dueOn: options.dueOn ?? '2026-06-30',
    completedOn: options.completedOn ?? null,
  });
}

/** A status report; green all round unless told otherwise (amber and red get a reason). */
export async function makeStatusReport(
  db: Db,
  organisation: Organisation,
  project: { id: string },
  options: Partial<StatusReportInput> & { today?: string } = {},
): Promise<StatusReport> {
  const { today, ...rest } = options;
  const overall = rest.overall ?? 'green';
  return submitStatusReport(
    db,
    cliOperator(),
    organisation.id,
    project.id,
    {
      period: '2026-01-01',
      overall,
      schedule: overall,
      budget: overall,
      scope: overall,
      reason: overall === 'green' ? '' : 'Supplier delay',
      achievements: '',
      nextSteps: '',
      issues: '',
      decisionsNeeded: '',
      ...rest,
    },
    { today },
  );
}

export async function makeBenefit(
  db: Db,
  organisation: Organisation,
  project: { id: string },
  options: Partial<BenefitInput> = {},
): Promise<Benefit> {
  return createBenefit(db, cliOperator(), organisation.id, project.id, {
    type: 'cash_saving',
    description: `Benefit ${next()}`,
    plannedValue: '10000',
    plannedOn: '2026-12-31',
    realisedValue: '',
    realisedOn: null,
    kpiId: null,
    ...options,
  });
}
