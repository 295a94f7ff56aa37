import { createBenefit } from '../../modules/delivery/benefits.service.ts';
import {
  createMilestone,
  createProject,
  listProjectViews,
  type ProjectInput,
  submitStatusReport,
} from '../../modules/delivery/delivery.service.ts';
import type { Phase, ProjectType, Rag } from '../../modules/delivery/delivery.table.ts';
import { addDays, lastExpectedPeriod, periodStart } from '../../modules/kpis/periods.ts';
import type { DemoSeedContext } from './demo.ts';

/**
 * The demo council's portfolio: two programmes and 23 projects, service changes and pilots
 * across every phase, each tied to the objectives of the demo strategy it delivers (one is left
 * unaligned, as a finding to show), with milestones, a year of monthly status reports and
 * benefits. Dates are relative to the seeding day and every value is fixed, so every run is
 * the same. Benefits feed no KPI here: the demo's cost savings KPI is a running total
 * generated with the strategy, while a KPI fed by benefits holds each period's savings.
 */

interface DemoProject {
  title: string;
  type: ProjectType;
  phase: Phase;
  /** The programme it belongs to, by title. */
  programme?: string;
  objectives: readonly (readonly [ref: string, weight: number])[];
  owner: 'manager' | 'contributor' | 'admin';
  /** Months before the seeding month it started, and months it is planned to run. */
  startedMonthsAgo: number;
  months: number;
  /** Planned capital and resource budget, in thousands of pounds. */
  budget: readonly [capital: number, resource: number];
  /** Overall RAG of each month's report, oldest first; the last is the latest. */
  rags: string;
  /** The latest report has not come in: the project shows as late. */
  late?: boolean;
  quarterly?: boolean;
  description: string;
}

const FRONT_DOOR = 'Digital front door programme';
const CLOUD = 'Legacy systems and cloud programme';

export const DEMO_PROJECTS: readonly DemoProject[] = Object.freeze([
  {
    title: FRONT_DOOR,
    type: 'programme',
    phase: 'beta',
    objectives: [
      ['online_end_to_end', 2],
      ['faster_answers', 1],
    ],
    owner: 'manager',
    startedMonthsAgo: 20,
    months: 36,
    budget: [400, 900],
    rags: 'gggggaaaaagg',
    description: 'Residents do their business with the council online, from end to end, with one account.',
  },
  {
    title: CLOUD,
    type: 'programme',
    phase: 'live',
    objectives: [
      ['cloud_migration', 2],
      ['it_carbon', 1],
    ],
    owner: 'admin',
    startedMonthsAgo: 30,
    months: 36,
    budget: [1200, 600],
    rags: 'aaaaggggggga',
    description: 'Leave the council’s own data centre and retire the systems nobody can support.',
  },
  {
    title: 'Council tax online account',
    type: 'service_change',
    phase: 'beta',
    programme: FRONT_DOOR,
    objectives: [['online_end_to_end', 2]],
    owner: 'contributor',
    startedMonthsAgo: 14,
    months: 20,
    budget: [120, 260],
    rags: 'ggggggaaaaar',
    description: 'Pay, set up a direct debit, claim a discount and move home online.',
  },
  {
    title: 'Missed bins and bulky waste online',
    type: 'service_change',
    phase: 'live',
    programme: FRONT_DOOR,
    objectives: [['online_end_to_end', 1]],
    owner: 'contributor',
    startedMonthsAgo: 24,
    months: 14,
    budget: [40, 90],
    rags: 'gggggggggggg',
    description: 'Report a missed collection and book a bulky waste pickup in two minutes.',
  },
  {
    title: 'Housing repairs reporting',
    type: 'project',
    phase: 'alpha',
    programme: FRONT_DOOR,
    objectives: [
      ['online_end_to_end', 1],
      ['faster_answers', 1],
    ],
    owner: 'contributor',
    startedMonthsAgo: 6,
    months: 18,
    budget: [60, 180],
    rags: 'ggaaaa',
    description: 'Tenants report repairs with photos and see when they will be fixed.',
  },
  {
    title: 'West Marsh ID: one account for residents',
    type: 'project',
    phase: 'beta',
    programme: FRONT_DOOR,
    objectives: [
      ['online_end_to_end', 1],
      ['accessible_services', 1],
    ],
    owner: 'manager',
    startedMonthsAgo: 16,
    months: 20,
    budget: [150, 210],
    rags: 'ggggaaarrraaa',
    late: true,
    description: 'One sign-in for every council service, built on a common identity platform.',
  },
  {
    title: 'Webchat and contact centre telephony',
    type: 'project',
    phase: 'live',
    programme: FRONT_DOOR,
    objectives: [['faster_answers', 2]],
    owner: 'manager',
    startedMonthsAgo: 26,
    months: 18,
    budget: [200, 150],
    rags: 'aaaaggggggggg',
    description: 'Answer residents on webchat and the phone from one system, with call-backs.',
  },
  {
    title: 'Revenues and benefits system to the cloud',
    type: 'project',
    phase: 'beta',
    programme: CLOUD,
    objectives: [['cloud_migration', 2]],
    owner: 'admin',
    startedMonthsAgo: 12,
    months: 15,
    budget: [350, 120],
    rags: 'ggggaaaaaaar',
    description: 'Move the revenues and benefits system to a supplier-hosted cloud service.',
  },
  {
    title: 'Data centre exit',
    type: 'project',
    phase: 'live',
    programme: CLOUD,
    objectives: [
      ['cloud_migration', 1],
      ['it_carbon', 2],
    ],
    owner: 'admin',
    startedMonthsAgo: 28,
    months: 24,
    budget: [500, 200],
    rags: 'gggggggggggg',
    description: 'Close the council’s server room once the last systems have moved.',
  },
  {
    title: 'Retire the old planning system',
    type: 'service_change',
    phase: 'retirement',
    programme: CLOUD,
    objectives: [['cloud_migration', 1]],
    owner: 'admin',
    startedMonthsAgo: 34,
    months: 30,
    budget: [80, 60],
    rags: 'gggggggggggg',
    description: 'Switch off the planning system now that applications go through the national portal.',
  },
  {
    title: 'Network and Wi-Fi refresh',
    type: 'project',
    phase: 'live',
    programme: CLOUD,
    objectives: [['cloud_migration', 1]],
    owner: 'admin',
    startedMonthsAgo: 22,
    months: 16,
    budget: [260, 40],
    rags: 'aaagggggggga',
    description: 'Replace the council’s network and add public Wi-Fi in council buildings.',
  },
  {
    title: 'Accessibility fixes for the 50 busiest pages',
    type: 'project',
    phase: 'live',
    objectives: [['accessible_services', 2]],
    owner: 'contributor',
    startedMonthsAgo: 18,
    months: 12,
    budget: [0, 85],
    rags: 'aaaaaggggggg',
    description: 'Audit and fix the pages residents use most against WCAG 2.2 AA.',
  },
  {
    title: 'Digital help hubs in libraries',
    type: 'service_change',
    phase: 'live',
    objectives: [['library_help', 2]],
    owner: 'contributor',
    startedMonthsAgo: 20,
    months: 24,
    budget: [30, 140],
    rags: 'gggggggggggg',
    description: 'Trained staff and volunteers help residents get online in every library.',
  },
  {
    title: 'Rural gigabit voucher top-up',
    type: 'project',
    phase: 'beta',
    objectives: [['rural_broadband', 2]],
    owner: 'manager',
    startedMonthsAgo: 15,
    months: 30,
    budget: [900, 70],
    rags: 'ggggggaaaaaa',
    quarterly: true,
    description: 'Top up national vouchers so rural and coastal villages get gigabit-capable broadband.',
  },
  {
    title: 'Device and data lending pilot',
    type: 'pilot',
    phase: 'alpha',
    objectives: [['device_lending', 2]],
    owner: 'contributor',
    startedMonthsAgo: 8,
    months: 12,
    budget: [45, 30],
    rags: 'ggggggaa',
    description: 'Lend refurbished laptops and data SIMs to households that need them.',
  },
  {
    title: 'Automating supplier invoices',
    type: 'project',
    phase: 'beta',
    objectives: [['automation', 2]],
    owner: 'manager',
    startedMonthsAgo: 11,
    months: 14,
    budget: [70, 110],
    rags: 'gggaaarrrrr',
    late: true,
    description: 'Read, match and pay supplier invoices automatically, with people handling exceptions.',
  },
  {
    title: 'Open data portal',
    type: 'project',
    phase: 'live',
    objectives: [['open_data', 2]],
    owner: 'contributor',
    startedMonthsAgo: 19,
    months: 10,
    budget: [25, 45],
    rags: 'gggggggggggg',
    description: 'Publish the council’s datasets openly, with owners and update dates.',
  },
  {
    title: 'Paperless committee meetings',
    type: 'service_change',
    phase: 'live',
    objectives: [['less_paper', 2]],
    owner: 'manager',
    startedMonthsAgo: 17,
    months: 8,
    budget: [35, 15],
    rags: 'gggggggggggg',
    description: 'Councillors read papers on tablets; nothing is printed by default.',
  },
  {
    title: 'Laptop reuse and refurbishment',
    type: 'project',
    phase: 'alpha',
    objectives: [
      ['device_reuse', 2],
      ['device_lending', 1],
    ],
    owner: 'admin',
    startedMonthsAgo: 7,
    months: 12,
    budget: [20, 35],
    rags: 'gggggga',
    description: 'Wipe, refurbish and reuse laptops instead of replacing them at four years.',
  },
  {
    title: 'Carbon reporting for cloud services',
    type: 'project',
    phase: 'discovery',
    objectives: [['it_carbon', 1]],
    owner: 'admin',
    startedMonthsAgo: 3,
    months: 9,
    budget: [0, 40],
    rags: 'ggg',
    description: 'Find out how to measure the carbon footprint of the council’s cloud suppliers.',
  },
  {
    title: 'Small business digital boost',
    type: 'project',
    phase: 'beta',
    objectives: [
      ['business_support', 2],
      ['local_suppliers', 1],
    ],
    owner: 'manager',
    startedMonthsAgo: 13,
    months: 18,
    budget: [60, 120],
    rags: 'gggggaaggggg',
    description: 'Grants and workshops to help small businesses trade online.',
  },
  {
    title: 'Digital skills academy for staff',
    type: 'service_change',
    phase: 'live',
    objectives: [['staff_skills', 2]],
    owner: 'manager',
    startedMonthsAgo: 21,
    months: 24,
    budget: [0, 160],
    rags: 'aaaaaagggggg',
    description: 'A learning programme in data, design and product skills for council staff.',
  },
  {
    title: 'Local digital suppliers framework',
    type: 'project',
    phase: 'discovery',
    objectives: [['local_suppliers', 2]],
    owner: 'manager',
    startedMonthsAgo: 2,
    months: 10,
    budget: [0, 30],
    rags: 'gg',
    description: 'Find out how the council can buy more from local and smaller digital suppliers.',
  },
  {
    title: 'AI triage of resident enquiries',
    type: 'pilot',
    phase: 'discovery',
    objectives: [['faster_answers', 1]],
    owner: 'contributor',
    startedMonthsAgo: 4,
    months: 6,
    budget: [0, 55],
    rags: 'gaaa',
    description: 'Test whether suggested answers help contact centre staff reply faster, safely.',
  },
  {
    title: 'Intranet replacement',
    type: 'project',
    phase: 'alpha',
    objectives: [],
    owner: 'admin',
    startedMonthsAgo: 9,
    months: 12,
    budget: [30, 50],
    rags: 'gggggggag',
    description: 'Replace the staff intranet. Not yet tied to an objective of the strategy.',
  },
]);

const RAGS: Readonly<Record<string, Rag>> = { g: 'green', a: 'amber', r: 'red' };

const REASONS: Readonly<Record<'amber' | 'red', readonly string[]>> = {
  amber: [
    'The supplier’s release slipped by three weeks; the team is re-planning the next two sprints.',
    'Fewer residents than expected took part in research, so the design is taking longer to settle.',
    'A key developer left; a replacement starts next month.',
  ],
  red: [
    'The integration with the line-of-business system does not work as the supplier promised; the go-live date is at risk.',
    'Costs are running 20% over the plan; options to reduce scope go to the board.',
  ],
};

/** The first day of the month `months` before (negative: after) the month of `date`. */
function monthsBefore(date: string, months: number): string {
  const [year = 0, month = 1] = date.split('-').map(Number);
  const index = year * 12 + (month - 1) - months;
  return `${String(Math.floor(index / 12)).padStart(4, '0')}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

function ownerOf(context: DemoSeedContext, who: DemoProject['owner']): string {
  const id = context.users.get(`${who}@west-marsh.example`);
  if (id === undefined) throw new Error(`Demo seed: the ${who} is created by an earlier step`);
  return id;
}

export async function seedDelivery(context: DemoSeedContext, councilId: string): Promise<void> {
  const { db, actor, today } = context;
  const thisMonth = periodStart(today, 'monthly');
  const programmes = new Map<string, string>();
  for (const [index, p] of DEMO_PROJECTS.entries()) {
    const start = monthsBefore(thisMonth, p.startedMonthsAgo);
    const end = addDays(monthsBefore(start, -p.months), -1);
    const objectives = p.objectives.map(([ref, weight]) => {
      const objectiveId = context.objectives.get(ref);
      if (objectiveId === undefined)
        throw new Error(`Demo seed: ${p.title} links to the unknown objective ${ref}`);
      return { objectiveId, weight };
    });
    const spent = Math.min(1, p.startedMonthsAgo / p.months);
    const input: ProjectInput = {
      title: p.title,
      description: p.description,
      ownerId: ownerOf(context, p.owner),
      type: p.type,
      programmeId: p.programme === undefined ? null : (programmes.get(p.programme) ?? null),
      phase: p.phase,
      plannedStart: start,
      plannedEnd: end,
      budgetPlanned: { capital: String(p.budget[0] * 1000), resource: String(p.budget[1] * 1000) },
      // Spend follows time, a little over on the projects that have been red.
      budgetActual: {
        capital: String(Math.round(p.budget[0] * 1000 * spent * (p.rags.includes('r') ? 1.15 : 0.95))),
        resource: String(Math.round(p.budget[1] * 1000 * spent * (p.rags.includes('r') ? 1.1 : 0.9))),
      },
      deliveryApproach:
        p.type === 'pilot' ? 'Agile pilot, reviewed every month' : 'Agile, in two-week sprints',
      reportFrequency: p.quarterly === true ? 'quarterly' : 'monthly',
      objectives,
    };
    // The current phase started a third of the way in (or at the start for a short project).
    const phaseStarted = monthsBefore(thisMonth, Math.floor(p.startedMonthsAgo / 3));
    const project = await createProject(db, actor, councilId, input, { today: phaseStarted });
    if (p.type === 'programme') programmes.set(p.title, project.id);

    await seedMilestones(context, councilId, project.id, p, start, end, index);
    await seedReports(context, councilId, project.id, p, start, index);
  }
  await seedBenefits(context, councilId);
}

async function seedMilestones(
  context: DemoSeedContext,
  councilId: string,
  projectId: string,
  p: DemoProject,
  start: string,
  end: string,
  index: number,
): Promise<void> {
  const { db, actor, today } = context;
  const troubled = p.rags.endsWith('r') || p.late === true;
  const milestones = [
    { title: 'Discovery findings agreed', dueOn: addDays(monthsBefore(start, -2), 14) },
    {
      title: p.phase === 'discovery' ? 'Alpha approach agreed' : 'Service assessment passed',
      dueOn: addDays(monthsBefore(start, -Math.ceil(p.months / 2)), 0),
    },
    {
      title: p.type === 'programme' ? 'Programme closure report' : 'Live and handed over to the service team',
      dueOn: end,
    },
  ];
  for (const [i, m] of milestones.entries()) {
    const due = m.dueOn;
    // Past milestones are done a few days either side of the due date, except one on each troubled project.
    const missed = troubled && i === 1 && due < today;
    const completedOn = due < today && !missed ? addDays(due, ((index + i) % 5) - 2) : null;
    await createMilestone(db, actor, councilId, projectId, {
      title: m.title,
      dueOn: due,
      completedOn: completedOn !== null && completedOn > today ? today : completedOn,
    });
  }
}

async function seedReports(
  context: DemoSeedContext,
  councilId: string,
  projectId: string,
  p: DemoProject,
  start: string,
  index: number,
): Promise<void> {
  const { db, actor, today } = context;
  const frequency = p.quarterly === true ? 'quarterly' : 'monthly';
  const latestDue = lastExpectedPeriod(today, frequency, frequency === 'quarterly' ? 20 : 10);
  const step = frequency === 'quarterly' ? 3 : 1;
  const count = Math.min(p.rags.length, frequency === 'quarterly' ? 4 : 12);
  const rags = p.rags.slice(-count).split('');
  for (const [i, letter] of rags.entries()) {
    const period = monthsBefore(latestDue, (count - 1 - i) * step);
    if (period < periodStart(start, frequency)) continue;
    if (p.late === true && i === count - 1) continue;
    const overall = RAGS[letter] ?? 'green';
    const reasons = overall === 'green' ? [] : REASONS[overall];
    const reason = reasons[(index + i) % reasons.length] ?? '';
    const isLatest = i === count - 1 || (p.late === true && i === count - 2);
    await submitStatusReport(
      db,
      actor,
      councilId,
      projectId,
      {
        period,
        overall,
        schedule: overall,
        budget: overall === 'red' && index % 2 === 0 ? 'red' : overall === 'green' ? 'green' : 'amber',
        scope: overall === 'red' ? 'amber' : 'green',
        reason,
        achievements:
          overall === 'green'
            ? 'Delivered the sprint goals and showed the work to residents.'
            : 'Kept delivering the parts not blocked.',
        nextSteps: 'Finish the next release and test it with residents.',
        issues: overall === 'green' ? '' : 'See the reason.',
        decisionsNeeded:
          isLatest && overall === 'red'
            ? 'Agree whether to extend the supplier contract by three months or reduce scope.'
            : '',
      },
      { today },
    );
  }
}

async function seedBenefits(context: DemoSeedContext, councilId: string): Promise<void> {
  const { db, actor, today } = context;
  const byTitle = new Map<string, string>();
  for (const p of await listProjectViews(db, actor, councilId)) byTitle.set(p.title, p.id);
  const project = (title: string): string => {
    const id = byTitle.get(title);
    if (id === undefined) throw new Error(`Demo seed: no project called ${title}`);
    return id;
  };
  const benefits = [
    {
      project: 'Missed bins and bulky waste online',
      type: 'cash_saving',
      description: 'Fewer calls to the contact centre about bins',
      planned: '38000',
      plannedIn: 6,
      realised: '41200',
      realisedAgo: 2,
    },
    {
      project: 'Data centre exit',
      type: 'cash_saving',
      description: 'Data centre power, cooling and lease no longer paid',
      planned: '120000',
      plannedIn: -3,
      realised: '96000',
      realisedAgo: 3,
    },
    {
      project: 'Data centre exit',
      type: 'non_cash_saving',
      description: 'Staff time no longer spent on hardware support',
      planned: '1.5',
      plannedIn: 0,
      realised: '',
      realisedAgo: 0,
    },
    {
      project: 'Paperless committee meetings',
      type: 'cash_saving',
      description: 'Printing and postage of committee papers',
      planned: '22000',
      plannedIn: -6,
      realised: '24500',
      realisedAgo: 5,
    },
    {
      project: 'Automating supplier invoices',
      type: 'cash_saving',
      description: 'Less manual invoice processing',
      planned: '65000',
      plannedIn: 9,
      realised: '',
      realisedAgo: 0,
    },
    {
      project: 'Council tax online account',
      type: 'cash_saving',
      description: 'Fewer paper bills and phone payments',
      planned: '54000',
      plannedIn: 8,
      realised: '',
      realisedAgo: 0,
    },
    {
      project: 'Webchat and contact centre telephony',
      type: 'quality',
      description: 'Residents answered first time, in minutes',
      planned: '80',
      plannedIn: 3,
      realised: '74',
      realisedAgo: 1,
    },
    {
      project: 'Digital help hubs in libraries',
      type: 'quality',
      description: 'Residents helped online who say they are more confident',
      planned: '85',
      plannedIn: 0,
      realised: '88',
      realisedAgo: 1,
    },
    {
      project: 'Accessibility fixes for the 50 busiest pages',
      type: 'other',
      description: 'Compliance with the accessibility regulations',
      planned: '',
      plannedIn: 0,
      realised: '',
      realisedAgo: 0,
    },
    {
      project: 'Laptop reuse and refurbishment',
      type: 'cash_saving',
      description: 'Laptops not bought new',
      planned: '45000',
      plannedIn: 12,
      realised: '',
      realisedAgo: 0,
    },
  ] as const;
  for (const b of benefits) {
    await createBenefit(db, actor, councilId, project(b.project), {
      type: b.type,
      description: b.description,
      plannedValue: b.planned,
      plannedOn:
        b.planned === '' ? null : addDays(monthsBefore(periodStart(today, 'monthly'), -b.plannedIn), -1),
      realisedValue: b.realised,
      realisedOn: b.realised === '' ? null : monthsBefore(periodStart(today, 'monthly'), b.realisedAgo),
      kpiId: null,
    });
  }
}
