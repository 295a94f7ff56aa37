import {
  addRiskAction,
  createRisk,
  escalateRisk,
  reassessRisk,
  saveContingencyPlan,
} from '../../modules/risk/risk.service.ts';
import type { DemoSeedContext } from './demo.ts';

/**
 * The demo council's risk register: 30 risks across the Orange Book categories and the four
 * digital-strategy ones, each with a first assessment and a later review (its score history),
 * mitigating actions, contingency plans for high impacts (two left missing, to show the gap),
 * two risks outside appetite with the default appetites, and one of those escalated to the
 * central body. Fixed text; dates relative to the seeding day, so every run is the same.
 */

type Pair = readonly [likelihood: 1 | 2 | 3 | 4 | 5, impact: 1 | 2 | 3 | 4 | 5];
type Owner = 'manager' | 'contributor' | 'admin';

export interface DemoRisk {
  readonly title: string;
  readonly category: string;
  readonly cause: string;
  readonly event: string;
  readonly consequence: string;
  readonly inherent: Pair;
  readonly current: Pair;
  readonly target: Pair;
  readonly response: 'tolerate' | 'treat' | 'transfer' | 'terminate';
  readonly proximity: 'imminent' | 'within_6_months' | 'within_a_year' | 'beyond_a_year';
  readonly review: 'monthly' | 'quarterly' | 'half_yearly' | 'annual';
  readonly owner: Owner;
  readonly actions?: readonly {
    readonly description: string;
    readonly dueInDays: number;
    readonly status: 'planned' | 'in_progress' | 'done';
  }[];
  /** Trigger and plan; a high-impact risk without one shows as a gap in the register. */
  readonly plan?: readonly [trigger: string, plan: string];
}

const r = (risk: DemoRisk): DemoRisk => risk;

export const DEMO_RISKS: readonly DemoRisk[] = Object.freeze([
  r({
    title: 'Legacy social care case system falls out of support',
    category: 'technology_obsolescence',
    cause: 'The supplier ends support for the version the council runs next year',
    event: 'A security flaw or failure cannot be fixed',
    consequence: 'Social workers lose access to case records; statutory duties are put at risk',
    inherent: [5, 5],
    current: [4, 4],
    target: [2, 3],
    response: 'treat',
    proximity: 'within_6_months',
    review: 'monthly',
    owner: 'manager',
    actions: [
      { description: 'Agree the migration plan with the supplier', dueInDays: -20, status: 'in_progress' },
      { description: 'Bid for central funding for the replacement', dueInDays: 45, status: 'planned' },
    ],
    plan: [
      'The system is unavailable for more than a working day',
      'Switch to the paper case file procedure and the read-only archive',
    ],
  }),
  r({
    title: 'Ransomware attack on council systems',
    category: 'cybersecurity',
    cause: 'Phishing and unpatched servers',
    event: 'Files and systems are encrypted by criminals',
    consequence: 'Services stop for days; data may be published',
    inherent: [4, 5],
    current: [3, 3],
    target: [2, 3],
    response: 'treat',
    proximity: 'imminent',
    review: 'monthly',
    owner: 'admin',
    actions: [
      {
        description: 'Offline, tested backups of every critical system',
        dueInDays: 30,
        status: 'in_progress',
      },
      { description: 'Phishing training for all staff', dueInDays: -10, status: 'done' },
    ],
  }),
  r({
    title: 'Personal data shared without a lawful basis',
    category: 'data_privacy',
    cause: 'Data sharing agreements are missing for some partners',
    event: 'Residents’ data is shared unlawfully',
    consequence: 'Fines, complaints and loss of trust',
    inherent: [3, 4],
    current: [1, 4],
    target: [1, 3],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'quarterly',
    owner: 'manager',
    actions: [{ description: 'Review every data sharing agreement', dueInDays: 60, status: 'in_progress' }],
    plan: ['A data breach is reported', 'Run the breach procedure and notify the regulator within 72 hours'],
  }),
  r({
    title: 'Not enough data engineers to deliver the data platform',
    category: 'workforce_skills',
    cause: 'Market pay outstrips council grades',
    event: 'Vacancies stay open',
    consequence: 'The data platform is late',
    inherent: [4, 3],
    current: [3, 3],
    target: [2, 2],
    response: 'treat',
    proximity: 'within_6_months',
    review: 'quarterly',
    owner: 'contributor',
    actions: [{ description: 'Start a data apprenticeship scheme', dueInDays: 90, status: 'planned' }],
  }),
  r({
    title: 'Digital skills gap among frontline staff',
    category: 'workforce_skills',
    cause: 'Little time set aside for training',
    event: 'Staff cannot use the new tools well',
    consequence: 'Benefits of new services are not realised',
    inherent: [4, 3],
    current: [3, 2],
    target: [2, 2],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'half_yearly',
    owner: 'contributor',
  }),
  r({
    title: 'Website content management system out of support',
    category: 'technology_obsolescence',
    cause: 'The CMS version reaches end of life',
    event: 'Security updates stop',
    consequence: 'The website must be taken offline',
    inherent: [4, 4],
    current: [2, 4],
    target: [1, 3],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'quarterly',
    owner: 'admin',
    plan: [
      'A critical flaw is published with no patch',
      'Serve a static copy of the site while the CMS is replaced',
    ],
  }),
  r({
    title: 'Supplier lock-in on the payments platform',
    category: 'commercial',
    cause: 'A proprietary platform with no export',
    event: 'The supplier raises prices at renewal',
    consequence: 'Higher costs for years',
    inherent: [3, 3],
    current: [3, 2],
    target: [2, 2],
    response: 'treat',
    proximity: 'beyond_a_year',
    review: 'half_yearly',
    owner: 'manager',
  }),
  r({
    title: 'Digital strategy loses political support',
    category: 'strategy',
    cause: 'Changes in the administration',
    event: 'Priorities change mid-way',
    consequence: 'Programmes stop before they deliver',
    inherent: [3, 4],
    current: [2, 4],
    target: [2, 3],
    response: 'tolerate',
    proximity: 'within_a_year',
    review: 'quarterly',
    owner: 'manager',
    plan: [
      'A new administration reviews the strategy',
      'Brief new members on outcomes achieved and savings made',
    ],
  }),
  r({
    title: 'Board decisions not recorded consistently',
    category: 'governance',
    cause: 'Several boards with different habits',
    event: 'Decisions cannot be traced',
    consequence: 'Audit findings and repeated discussions',
    inherent: [3, 2],
    current: [2, 2],
    target: [1, 2],
    response: 'treat',
    proximity: 'within_6_months',
    review: 'half_yearly',
    owner: 'manager',
  }),
  r({
    title: 'Contact centre overwhelmed at service launch',
    category: 'operations',
    cause: 'Demand moves before the new online service is ready',
    event: 'Call waiting times rise sharply',
    consequence: 'Residents cannot get help',
    inherent: [4, 3],
    current: [2, 3],
    target: [2, 2],
    response: 'treat',
    proximity: 'within_6_months',
    review: 'monthly',
    owner: 'contributor',
    actions: [
      { description: 'Staged launch with extra staff for the first month', dueInDays: 15, status: 'planned' },
    ],
  }),
  r({
    title: 'Accessibility regulations breached on online forms',
    category: 'legal',
    cause: 'Older forms built before the standards',
    event: 'A complaint to the regulator',
    consequence: 'Enforcement and exclusion of disabled residents',
    inherent: [3, 3],
    current: [1, 3],
    target: [1, 2],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'quarterly',
    owner: 'contributor',
  }),
  r({
    title: 'Data centre lease ends before cloud migration',
    category: 'property',
    cause: 'The lease cannot be extended beyond next year',
    event: 'Servers have nowhere to go',
    consequence: 'Emergency moves at high cost',
    inherent: [3, 4],
    current: [2, 4],
    target: [1, 3],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'quarterly',
    owner: 'admin',
    plan: [
      'Migration is less than half done six months before the lease ends',
      'Rent short-term colocation space',
    ],
  }),
  r({
    title: 'Savings from channel shift not realised',
    category: 'financial',
    cause: 'Take-up of online services is slower than planned',
    event: 'Budgeted savings do not appear',
    consequence: 'Budget gap next year',
    inherent: [3, 3],
    current: [2, 3],
    target: [2, 2],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'quarterly',
    owner: 'manager',
  }),
  r({
    title: 'Key staff leave the digital team',
    category: 'people',
    cause: 'Competition for skills',
    event: 'Two or more senior people leave at once',
    consequence: 'Knowledge is lost; work slows',
    inherent: [3, 3],
    current: [2, 3],
    target: [2, 2],
    response: 'tolerate',
    proximity: 'within_a_year',
    review: 'half_yearly',
    owner: 'manager',
  }),
  r({
    title: 'Integration failures between new and old systems',
    category: 'technology',
    cause: 'Undocumented interfaces',
    event: 'Data does not flow between systems',
    consequence: 'Manual rework and errors',
    inherent: [4, 3],
    current: [3, 3],
    target: [2, 2],
    response: 'treat',
    proximity: 'within_6_months',
    review: 'quarterly',
    owner: 'admin',
    actions: [
      { description: 'Document every interface of the case system', dueInDays: -5, status: 'planned' },
    ],
  }),
  r({
    title: 'Poor data quality in the address register',
    category: 'information',
    cause: 'Addresses entered in many ways',
    event: 'Services use wrong or duplicate addresses',
    consequence: 'Letters and visits go astray',
    inherent: [3, 2],
    current: [2, 2],
    target: [1, 2],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'half_yearly',
    owner: 'contributor',
  }),
  r({
    title: 'Unauthorised access to council buildings’ network points',
    category: 'security',
    cause: 'Open network ports in public areas',
    event: 'Someone plugs into the network',
    consequence: 'Access to internal systems',
    inherent: [2, 4],
    current: [1, 4],
    target: [1, 3],
    response: 'treat',
    proximity: 'within_6_months',
    review: 'quarterly',
    owner: 'admin',
    plan: [
      'An unknown device is detected on the network',
      'Isolate the port and follow the incident procedure',
    ],
  }),
  r({
    title: 'Digital programme overruns its budget',
    category: 'project',
    cause: 'Optimistic estimates',
    event: 'Costs exceed the approved budget',
    consequence: 'Scope is cut or more funding is needed',
    inherent: [4, 3],
    current: [3, 3],
    target: [2, 2],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'monthly',
    owner: 'manager',
  }),
  r({
    title: 'Public criticism of a failed service launch',
    category: 'reputational',
    cause: 'Launching before the service is ready',
    event: 'Media and social media criticism',
    consequence: 'Loss of trust in digital services',
    inherent: [3, 4],
    current: [2, 4],
    target: [1, 3],
    response: 'treat',
    proximity: 'within_6_months',
    review: 'quarterly',
    owner: 'manager',
  }),
  r({
    title: 'Cloud hosting costs grow faster than planned',
    category: 'financial',
    cause: 'Usage is not monitored',
    event: 'Monthly bills rise',
    consequence: 'Overspend on the technology budget',
    inherent: [3, 2],
    current: [2, 2],
    target: [1, 2],
    response: 'treat',
    proximity: 'within_6_months',
    review: 'quarterly',
    owner: 'admin',
  }),
  r({
    title: 'Phishing compromises a councillor’s email account',
    category: 'cybersecurity',
    cause: 'Personal devices without multi-factor authentication',
    event: 'An account is taken over',
    consequence: 'Sensitive correspondence is exposed',
    inherent: [3, 3],
    current: [2, 3],
    target: [1, 3],
    response: 'treat',
    proximity: 'imminent',
    review: 'quarterly',
    owner: 'admin',
  }),
  r({
    title: 'Retention schedules not applied to old records',
    category: 'data_privacy',
    cause: 'No automated deletion',
    event: 'Personal data is kept too long',
    consequence: 'Breach of data protection law',
    inherent: [3, 2],
    current: [2, 2],
    target: [1, 2],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'annual',
    owner: 'contributor',
  }),
  r({
    title: 'Insurance does not cover cyber incidents fully',
    category: 'cybersecurity',
    cause: 'Policy exclusions',
    event: 'An incident is not covered',
    consequence: 'Recovery costs fall on the council',
    inherent: [2, 3],
    current: [2, 3],
    target: [2, 2],
    response: 'transfer',
    proximity: 'within_a_year',
    review: 'annual',
    owner: 'manager',
  }),
  r({
    title: 'Paper-based planning archive damaged',
    category: 'information',
    cause: 'Storage in a basement prone to flooding',
    event: 'Records are destroyed',
    consequence: 'Historic planning decisions cannot be evidenced',
    inherent: [2, 3],
    current: [1, 3],
    target: [1, 2],
    response: 'terminate',
    proximity: 'beyond_a_year',
    review: 'annual',
    owner: 'contributor',
  }),
  r({
    title: 'Telephony platform reaches end of life',
    category: 'technology_obsolescence',
    cause: 'The analogue network is being switched off nationally',
    event: 'Phone lines stop working',
    consequence: 'Alarm and care lines fail',
    inherent: [4, 4],
    current: [2, 4],
    target: [1, 4],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'quarterly',
    owner: 'admin',
  }),
  r({
    title: 'Partners withdraw from the shared data platform',
    category: 'commercial',
    cause: 'Partners’ own budget pressures',
    event: 'A partner leaves',
    consequence: 'Costs rise for those who remain',
    inherent: [2, 3],
    current: [2, 2],
    target: [1, 2],
    response: 'tolerate',
    proximity: 'beyond_a_year',
    review: 'annual',
    owner: 'manager',
  }),
  r({
    title: 'Low take-up of the resident account',
    category: 'strategy',
    cause: 'Residents see little benefit',
    event: 'Few residents sign up',
    consequence: 'Channel shift stalls',
    inherent: [3, 3],
    current: [3, 3],
    target: [2, 2],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'quarterly',
    owner: 'contributor',
  }),
  r({
    title: 'Procurement challenge to the case system contract',
    category: 'legal',
    cause: 'A losing bidder disputes the award',
    event: 'A legal challenge',
    consequence: 'Contract award is delayed',
    inherent: [2, 3],
    current: [1, 3],
    target: [1, 2],
    response: 'tolerate',
    proximity: 'within_6_months',
    review: 'quarterly',
    owner: 'manager',
  }),
  r({
    title: 'Agile ways of working not adopted outside IT',
    category: 'people',
    cause: 'Service teams are used to fixed plans',
    event: 'Teams resist iterative delivery',
    consequence: 'Services are designed without users',
    inherent: [3, 2],
    current: [3, 2],
    target: [2, 2],
    response: 'treat',
    proximity: 'within_a_year',
    review: 'half_yearly',
    owner: 'manager',
  }),
  r({
    title: 'Out-of-hours support not available for new services',
    category: 'operations',
    cause: 'Support contract covers office hours only',
    event: 'A failure at night or the weekend',
    consequence: 'Services are down until Monday',
    inherent: [3, 3],
    current: [3, 3],
    target: [2, 2],
    response: 'transfer',
    proximity: 'within_6_months',
    review: 'quarterly',
    owner: 'admin',
  }),
]);

/** The risks outside appetite with the default appetites; the first is escalated to the central body. */
export const DEMO_ESCALATED_RISK = 'Legacy social care case system falls out of support';

function shift(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const worse = (n: number): 1 | 2 | 3 | 4 | 5 => Math.min(5, n + 1) as 1 | 2 | 3 | 4 | 5;

export async function seedRisks(
  context: DemoSeedContext,
  councilId: string,
  owners: Readonly<Record<Owner, string>>,
): Promise<void> {
  const objectiveIds = [...context.objectives.values()];
  for (const [i, risk] of DEMO_RISKS.entries()) {
    const pair = ([likelihood, impact]: Pair) => ({ likelihood, impact });
    // First assessed some months ago with a higher current likelihood; reviewed since.
    const created = await createRisk(
      context.db,
      context.actor,
      councilId,
      {
        title: risk.title,
        cause: risk.cause,
        event: risk.event,
        consequence: risk.consequence,
        category: risk.category,
        ownerId: owners[risk.owner],
        proximity: risk.proximity,
        inherent: pair(risk.inherent),
        current: { likelihood: worse(risk.current[0]), impact: risk.current[1] },
        target: pair(risk.target),
        response: risk.response,
        reviewFrequency: risk.review,
        objectiveIds:
          i < objectiveIds.length * 2 && objectiveIds.length > 0
            ? [objectiveIds[i % objectiveIds.length] ?? '']
            : [],
      },
      { today: shift(context.today, -200 + (i % 5) * 10) },
    );
    await reassessRisk(
      context.db,
      context.actor,
      councilId,
      created.id,
      {
        inherent: pair(risk.inherent),
        current: pair(risk.current),
        target: pair(risk.target),
        note: 'Controls reviewed at the risk board',
      },
      { today: shift(context.today, -110 + (i % 4) * 25) },
    );
    for (const action of risk.actions ?? []) {
      await addRiskAction(context.db, context.actor, councilId, created.id, {
        description: action.description,
        ownerId: owners[risk.owner],
        dueOn: shift(context.today, action.dueInDays),
        status: action.status,
      });
    }
    if (risk.plan !== undefined)
      await saveContingencyPlan(context.db, context.actor, councilId, created.id, {
        trigger: risk.plan[0],
        plan: risk.plan[1],
      });
    if (risk.title === DEMO_ESCALATED_RISK) {
      await escalateRisk(context.db, context.actor, councilId, created.id, {
        note: 'Needs central funding for a replacement shared with other councils',
      });
    }
  }
}
