/**
 * The demo council's digital strategy: goals tagged with the agenda areas, objectives with
 * owners and due dates, about fifty KPIs (some derived by formula) and three years of values.
 *
 * Everything is fictional. The values are generated, deterministically (a seeded PRNG per
 * KPI, never Math.random), relative to the day the demo is seeded, so the statuses mean the
 * same thing whenever it is seeded: most KPIs are on track, some at risk or off track, a few
 * overdue (their series stop early) and two have no data yet. Pure: demo.ts does the writing.
 */
import { findLibraryEntry } from '../../modules/kpis/kpis.library.ts';
import type { KpiCategory } from '../../modules/kpis/kpis.ts';
import { addDays, type Frequency, type IsoDate, lastExpectedPeriod, periodEnd, previousPeriod } from '../../modules/kpis/periods.ts';
import { type KpiSpec, type KpiStatus, kpiStatus, type Measurement, plannedValue, type Polarity } from '../../modules/kpis/status.ts';

// ---------------------------------------------------------------------------------------------
// The strategy
// ---------------------------------------------------------------------------------------------

const MANAGER = 'manager@west-marsh.example';
const CONTRIBUTOR = 'contributor@west-marsh.example';
const ADMIN = 'admin@west-marsh.example';
const VIEWER = 'viewer@west-marsh.example';

/** The council's own agenda tag, beside the four standard areas. */
export const DEMO_AGENDA_TAG = Object.freeze({ key: 'coastal_and_rural', label: 'Coastal and rural communities' });

export interface DemoObjective {
  /** How KPIs below refer to it. */
  readonly ref: string;
  readonly title: string;
  readonly description: string;
  readonly owner: string;
  /** Due at the end of this year of the strategy (1, 2 or 3). */
  readonly dueYear: 1 | 2 | 3;
}

export interface DemoGoal {
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly objectives: readonly DemoObjective[];
}

export const DEMO_GOALS: readonly DemoGoal[] = Object.freeze([
  {
    title: 'Services designed around residents',
    description: 'Residents can do what they need online, first time, at any hour, and get a quicker answer whichever way they contact us.',
    tags: ['social_inclusion', 'public_sector_efficiency'],
    objectives: [
      {
        ref: 'online_end_to_end',
        title: 'Put the ten most used transactions online from end to end',
        description: 'Council tax, bins, parking permits, school places and the other busiest requests, with no paper form or phone call behind them.',
        owner: MANAGER,
        dueYear: 2,
      },
      {
        ref: 'accessible_services',
        title: 'Make every online service meet the accessibility regulations',
        description: 'Fix the known issues on our websites and keep an up-to-date accessibility statement for every service.',
        owner: CONTRIBUTOR,
        dueYear: 2,
      },
      {
        ref: 'faster_answers',
        title: 'Answer residents faster, whatever the channel',
        description: 'Shorter waits on the phone, fewer calls chasing progress, quicker resolution of requests.',
        owner: MANAGER,
        dueYear: 3,
      },
    ],
  },
  {
    title: 'Nobody left behind',
    description: 'Everyone in West Marsh has the skills, the kit and the connection to use online services, and help when they need it.',
    tags: ['social_inclusion', DEMO_AGENDA_TAG.key],
    objectives: [
      {
        ref: 'library_help',
        title: 'Free help to get online in every library',
        description: 'Drop-in sessions and digital champions in all fourteen libraries.',
        owner: CONTRIBUTOR,
        dueYear: 1,
      },
      {
        ref: 'rural_broadband',
        title: 'Gigabit-capable broadband for rural and coastal villages',
        description: 'Work with the national programme and local providers to reach the villages the market has left out.',
        owner: VIEWER,
        dueYear: 3,
      },
      {
        ref: 'device_lending',
        title: 'Lend devices and data to households that need them',
        description: 'Refurbished laptops, tablets and data SIMs through libraries and family hubs.',
        owner: CONTRIBUTOR,
        dueYear: 2,
      },
    ],
  },
  {
    title: 'An efficient council that runs on good data',
    description: 'Modern, reliable systems, less manual work behind the scenes, and decisions made with the data in front of us.',
    tags: ['public_sector_efficiency'],
    objectives: [
      {
        ref: 'cloud_migration',
        title: 'Retire legacy systems and move to the cloud',
        description: 'Replace unsupported systems and close the on-site data centre.',
        owner: ADMIN,
        dueYear: 3,
      },
      {
        ref: 'automation',
        title: 'Automate high-volume back-office processes',
        description: 'Invoices, benefit changes and licensing renewals handled without re-keying.',
        owner: MANAGER,
        dueYear: 2,
      },
      {
        ref: 'open_data',
        title: 'Publish open data and use it in decisions',
        description: 'An open data portal, and committee reports that draw on the performance dashboard.',
        owner: VIEWER,
        dueYear: 3,
      },
    ],
  },
  {
    title: 'Greener digital operations',
    description: 'The council’s technology uses less energy, less paper and less travel, and its devices last longer.',
    tags: ['environmental_sustainability'],
    objectives: [
      {
        ref: 'it_carbon',
        title: 'Cut the carbon footprint of the council’s IT',
        description: 'Efficient hosting, greener suppliers and switching off what is not used.',
        owner: ADMIN,
        dueYear: 3,
      },
      {
        ref: 'less_paper',
        title: 'Use less paper and travel through digital working',
        description: 'Digital letters, online meetings and mobile working for staff in the field.',
        owner: MANAGER,
        dueYear: 2,
      },
      {
        ref: 'device_reuse',
        title: 'Extend the life of devices and reuse old kit',
        description: 'Keep laptops longer, and refurbish or recycle every retired device.',
        owner: ADMIN,
        dueYear: 3,
      },
    ],
  },
  {
    title: 'A stronger local digital economy and workforce',
    description: 'Local businesses trade online, council staff have the digital skills they need, and more of our digital spend stays local.',
    tags: ['economic_growth', DEMO_AGENDA_TAG.key],
    objectives: [
      {
        ref: 'business_support',
        title: 'Help small businesses trade online',
        description: 'Advice, workshops and grants for market towns and coastal businesses.',
        owner: VIEWER,
        dueYear: 2,
      },
      {
        ref: 'staff_skills',
        title: 'Build the council’s own digital skills',
        description: 'Training for every member of staff and a digital and data profession with full teams.',
        owner: MANAGER,
        dueYear: 3,
      },
      {
        ref: 'local_suppliers',
        title: 'Buy more from local and smaller digital suppliers',
        description: 'Simpler procurement and contracts sized so that small firms can bid.',
        owner: ADMIN,
        dueYear: 3,
      },
    ],
  },
]);

/**
 * The strategy's period: three financial years (April to March), the current one the last
 * but one, so in 2026–27 it is the "Digital Strategy 2024–2027".
 */
export function demoStrategyPeriod(today: IsoDate): { start: IsoDate; end: IsoDate } {
  const [year = 0, month = 0] = today.split('-').map(Number);
  const startYear = (month >= 4 ? year : year - 1) - 2;
  return { start: `${startYear}-04-01`, end: addDays(`${startYear + 3}-04-01`, -1) };
}

export function demoStrategy(today: IsoDate): { title: string; vision: string; periodStart: IsoDate; periodEnd: IsoDate } {
  const { start, end } = demoStrategyPeriod(today);
  return {
    title: `West Marsh Digital Strategy ${start.slice(0, 4)}–${end.slice(0, 4)}`,
    vision:
      'A council residents can deal with online at any hour, that leaves nobody behind, spends every pound well, ' +
      'uses its data openly and looks after the place it serves.',
    periodStart: start,
    periodEnd: end,
  };
}

/** An objective's due date: the last day of the given year of the strategy. */
export function objectiveDueDate(today: IsoDate, dueYear: 1 | 2 | 3): IsoDate {
  const startYear = Number(demoStrategyPeriod(today).start.slice(0, 4));
  return addDays(`${startYear + dueYear}-04-01`, -1);
}

// ---------------------------------------------------------------------------------------------
// The KPIs
// ---------------------------------------------------------------------------------------------

/**
 * What a KPI's values are made to show. `input` KPIs are the ones a derived KPI's values are
 * worked back into (e.g. online transactions, from take-up and all transactions): their own
 * status is whatever follows.
 */
export type DemoProfile = KpiStatus | 'input';

export interface DemoKpi {
  readonly key: string;
  /** From the KPI library when the key is one of its entries, unless given here. */
  readonly name: string;
  readonly definition: string;
  readonly unit: string;
  readonly polarity: Polarity;
  readonly frequency: Frequency;
  readonly category: KpiCategory;
  readonly baseline: number;
  readonly target: number;
  readonly tolerance: number;
  /** Decimal places of the values. */
  readonly decimals: number;
  readonly owner: string | null;
  readonly objective: string | null;
  readonly profile: DemoProfile;
  readonly isPublic: boolean;
  readonly formula: string | null;
  /** A note on the latest value. */
  readonly note: string | null;
}

type KpiRow = Partial<Omit<DemoKpi, 'key'>> & Pick<DemoKpi, 'key'>;

function kpi(row: KpiRow): DemoKpi {
  const entry = findLibraryEntry(row.key);
  const unit = row.unit ?? entry?.unit ?? '';
  return {
    key: row.key,
    name: row.name ?? entry?.name ?? row.key,
    definition: row.definition ?? entry?.definition ?? '',
    unit,
    polarity: row.polarity ?? entry?.polarity ?? 'higher_is_better',
    frequency: row.frequency ?? entry?.frequency ?? 'monthly',
    category: row.category ?? entry?.category ?? 'other',
    baseline: row.baseline ?? 0,
    target: row.target ?? 0,
    tolerance: row.tolerance ?? 10,
    decimals: row.decimals ?? (unit === '%' ? 1 : 0),
    owner: row.owner === undefined ? CONTRIBUTOR : row.owner,
    objective: row.objective ?? null,
    profile: row.profile ?? 'on_track',
    isPublic: row.isPublic ?? false,
    formula: row.formula ?? null,
    note: row.note ?? null,
  };
}

/**
 * How a derived KPI's values are worked back into its two inputs: the `driver` input has a
 * series of its own; the other is whatever makes `scale * numerator / denominator` come out as
 * the derived KPI's series.
 */
export interface DemoDerivation {
  readonly kpi: string;
  readonly numerator: string;
  readonly denominator: string;
  readonly scale: 1 | 100;
  readonly driver: 'numerator' | 'denominator';
}

export const DEMO_DERIVATIONS: readonly DemoDerivation[] = Object.freeze([
  { kpi: 'digital_take_up', numerator: 'online_transactions', denominator: 'all_transactions', scale: 100, driver: 'denominator' },
  { kpi: 'completion_rate', numerator: 'online_transactions', denominator: 'online_transactions_started', scale: 100, driver: 'numerator' },
  { kpi: 'user_satisfaction', numerator: 'satisfied_ratings', denominator: 'service_ratings', scale: 100, driver: 'denominator' },
  { kpi: 'cost_per_transaction', numerator: 'handling_cost', denominator: 'handled_transactions', scale: 1, driver: 'numerator' },
]);

function formulaOf(d: DemoDerivation): string {
  return `${d.scale === 100 ? '100 * ' : ''}{${d.numerator}} / {${d.denominator}}`;
}

function derived(key: string): string {
  const derivation = DEMO_DERIVATIONS.find((d) => d.kpi === key);
  if (derivation === undefined) throw new Error(`Demo seed: no derivation for ${key}`);
  return formulaOf(derivation);
}

/**
 * The KPIs, inputs before the KPIs derived from them. Some come from the KPI library (their
 * name and definition with it), the rest are the council's own.
 */
export const DEMO_KPIS: readonly DemoKpi[] = Object.freeze(
  [
    // Services designed around residents
    kpi({
      key: 'all_transactions',
      name: 'Transactions completed, all channels',
      definition: 'Transactions of the ten busiest services completed in the month, online, by phone, by post and face to face.',
      unit: 'transactions',
      category: 'service_delivery',
      baseline: 41_000,
      target: 43_000,
      objective: 'online_end_to_end',
      owner: MANAGER,
    }),
    kpi({
      key: 'online_transactions',
      name: 'Transactions completed online',
      definition: 'Transactions of the ten busiest services completed online in the month, assisted digital left out.',
      unit: 'transactions',
      category: 'adoption',
      baseline: 18_500,
      target: 32_000,
      objective: 'online_end_to_end',
      profile: 'input',
      owner: MANAGER,
    }),
    kpi({
      key: 'online_transactions_started',
      name: 'Online transactions started',
      definition: 'Online transactions of the ten busiest services that people started in the month, finished or not.',
      unit: 'transactions',
      category: 'adoption',
      baseline: 26_000,
      target: 37_500,
      profile: 'input',
      owner: MANAGER,
    }),
    kpi({ key: 'digital_take_up', baseline: 45, target: 75, objective: 'online_end_to_end', profile: 'at_risk', owner: MANAGER, isPublic: true, formula: derived('digital_take_up') }),
    kpi({ key: 'completion_rate', baseline: 71, target: 85, objective: 'online_end_to_end', owner: MANAGER, isPublic: true, formula: derived('completion_rate') }),
    kpi({
      key: 'services_online_end_to_end',
      name: 'Busiest transactions online from end to end',
      definition: 'How many of the ten busiest transactions can be done online with no paper form, call or re-keying behind them.',
      unit: 'services',
      frequency: 'quarterly',
      category: 'service_delivery',
      baseline: 2,
      target: 10,
      objective: 'online_end_to_end',
      owner: MANAGER,
    }),
    kpi({
      key: 'accessibility_issues_open',
      name: 'Open accessibility issues on council websites',
      definition: 'Accessibility failures against WCAG 2.2 AA found by audits or reported by users and not yet fixed, at the end of the month.',
      unit: 'issues',
      polarity: 'lower_is_better',
      category: 'inclusion',
      baseline: 240,
      target: 20,
      objective: 'accessible_services',
      profile: 'at_risk',
    }),
    kpi({
      key: 'pages_passing_accessibility',
      name: 'Web pages passing automated accessibility checks',
      definition: 'The share of pages on the council’s websites with no failures in the monthly automated accessibility scan.',
      unit: '%',
      category: 'inclusion',
      baseline: 68,
      target: 98,
      objective: 'accessible_services',
      isPublic: true,
    }),
    kpi({
      key: 'accessibility_statements',
      name: 'Services with an up-to-date accessibility statement',
      definition: 'The share of online services whose accessibility statement was reviewed in the last twelve months.',
      unit: '%',
      frequency: 'quarterly',
      category: 'inclusion',
      baseline: 40,
      target: 100,
      objective: 'accessible_services',
      profile: 'overdue',
    }),
    kpi({ key: 'service_delivery_time', baseline: 12, target: 5, decimals: 1, objective: 'faster_answers', owner: MANAGER, isPublic: true }),
    kpi({
      key: 'calls_answered_60s',
      name: 'Calls answered within 60 seconds',
      definition: 'The share of calls to the contact centre answered by a person within a minute of joining the queue.',
      unit: '%',
      category: 'service_delivery',
      baseline: 55,
      target: 85,
      objective: 'faster_answers',
      profile: 'off_track',
      owner: MANAGER,
      note: 'Eight vacancies in the contact centre; recruitment under way',
    }),
    kpi({
      key: 'avoidable_contact',
      name: 'Avoidable contact',
      definition: 'The share of contacts that need not have happened: chasing progress, repeating information, or failure to do something right the first time.',
      unit: '%',
      polarity: 'lower_is_better',
      category: 'service_delivery',
      baseline: 38,
      target: 20,
      objective: 'faster_answers',
      profile: 'at_risk',
      owner: MANAGER,
    }),
    kpi({
      key: 'service_ratings',
      name: 'Service ratings received',
      definition: 'Ratings left on the five-point satisfaction scale at the end of online transactions in the month.',
      unit: 'ratings',
      category: 'satisfaction',
      baseline: 900,
      target: 1500,
      objective: 'faster_answers',
    }),
    kpi({
      key: 'satisfied_ratings',
      name: 'Ratings of satisfied or very satisfied',
      definition: 'Ratings in the month that were satisfied or very satisfied.',
      unit: 'ratings',
      category: 'satisfaction',
      baseline: 650,
      target: 1275,
      profile: 'input',
    }),
    kpi({ key: 'user_satisfaction', baseline: 72, target: 85, objective: 'faster_answers', isPublic: true, formula: derived('user_satisfaction') }),
    kpi({ key: 'citizen_satisfaction', baseline: 61, target: 70, objective: 'faster_answers', profile: 'at_risk', owner: MANAGER, isPublic: true }),

    // Nobody left behind
    kpi({ key: 'digital_inclusion', baseline: 79, target: 88, objective: 'library_help', isPublic: true }),
    kpi({
      key: 'digital_help_sessions',
      name: 'Digital help sessions held in libraries',
      definition: 'Drop-in and booked sessions in libraries where staff or volunteers help people get online.',
      unit: 'sessions',
      category: 'inclusion',
      baseline: 120,
      target: 400,
      objective: 'library_help',
    }),
    kpi({
      key: 'residents_helped_online',
      name: 'Residents helped to get online',
      definition: 'Different residents given one-to-one help to get online in the quarter, in libraries, family hubs and at home.',
      unit: 'residents',
      frequency: 'quarterly',
      category: 'inclusion',
      baseline: 600,
      target: 1500,
      objective: 'library_help',
      profile: 'off_track',
      note: 'Volunteer numbers fell after the summer',
    }),
    kpi({
      key: 'gigabit_coverage',
      name: 'Premises with gigabit-capable broadband',
      definition: 'The share of homes and businesses in the county that can order a gigabit-capable connection.',
      unit: '%',
      frequency: 'quarterly',
      category: 'inclusion',
      baseline: 38,
      target: 85,
      objective: 'rural_broadband',
      profile: 'at_risk',
      owner: ADMIN,
      isPublic: true,
    }),
    kpi({
      key: 'rural_premises_connected',
      name: 'Rural premises connected through the council’s scheme',
      definition: 'Premises in rural and coastal villages connected to gigabit-capable broadband through the council’s voucher scheme, to date.',
      unit: 'premises',
      frequency: 'quarterly',
      category: 'inclusion',
      baseline: 0,
      target: 6000,
      objective: 'rural_broadband',
      profile: 'off_track',
      owner: ADMIN,
      note: 'Supplier build delayed by wayleave negotiations',
    }),
    kpi({
      key: 'public_wifi_sites',
      name: 'Council buildings with free public wi-fi',
      definition: 'Libraries, family hubs, leisure centres and offices open to the public with free wi-fi.',
      unit: 'sites',
      frequency: 'quarterly',
      category: 'inclusion',
      baseline: 18,
      target: 45,
      objective: 'rural_broadband',
      profile: 'overdue',
      owner: ADMIN,
    }),
    kpi({
      key: 'devices_lent',
      name: 'Devices lent to households',
      definition: 'Laptops and tablets lent to households without one in the quarter.',
      unit: 'devices',
      frequency: 'quarterly',
      category: 'inclusion',
      baseline: 80,
      target: 300,
      objective: 'device_lending',
    }),
    kpi({
      key: 'data_sims_given',
      name: 'Free data SIM cards given out',
      definition: 'SIM cards with free mobile data given to residents who cannot afford a connection, from the national databank.',
      unit: 'SIM cards',
      category: 'inclusion',
      baseline: 40,
      target: 150,
      objective: 'device_lending',
      profile: 'no_data',
    }),
    kpi({
      key: 'device_loan_wait',
      name: 'Waiting time for a device loan',
      definition: 'The average number of days from asking for a device to receiving it, for loans made in the month.',
      unit: 'days',
      polarity: 'lower_is_better',
      category: 'inclusion',
      baseline: 21,
      target: 5,
      decimals: 1,
      objective: 'device_lending',
      profile: 'overdue',
    }),

    // An efficient council that runs on good data
    kpi({
      key: 'systems_in_cloud',
      name: 'Business systems hosted in the cloud',
      definition: 'The share of the council’s business systems running on cloud hosting rather than in its own data centre.',
      unit: '%',
      frequency: 'quarterly',
      category: 'cost_savings',
      baseline: 35,
      target: 80,
      objective: 'cloud_migration',
      owner: ADMIN,
    }),
    kpi({
      key: 'unsupported_systems',
      name: 'Systems past their end of support',
      definition: 'Business systems in use whose supplier no longer provides security updates, at the end of the quarter.',
      unit: 'systems',
      polarity: 'lower_is_better',
      frequency: 'quarterly',
      category: 'other',
      baseline: 14,
      target: 2,
      objective: 'cloud_migration',
      profile: 'off_track',
      owner: ADMIN,
      note: 'Replacement of the revenues system slipped to next year',
    }),
    kpi({
      key: 'unplanned_downtime',
      name: 'Unplanned downtime of critical systems',
      definition: 'Hours in the month when a critical system was unavailable outside planned maintenance.',
      unit: 'hours',
      polarity: 'lower_is_better',
      category: 'service_delivery',
      baseline: 9,
      target: 2,
      decimals: 1,
      objective: 'cloud_migration',
      profile: 'at_risk',
      owner: ADMIN,
    }),
    kpi({ key: 'cost_savings', baseline: 0, target: 450_000, objective: 'automation', profile: 'at_risk', owner: MANAGER, isPublic: true }),
    kpi({
      key: 'handling_cost',
      name: 'Cost of handling transactions',
      definition: 'The full cost in the quarter of handling the ten busiest transactions, staff, systems and overheads included.',
      unit: '£',
      polarity: 'lower_is_better',
      frequency: 'quarterly',
      category: 'cost_savings',
      baseline: 850_000,
      target: 640_000,
      objective: 'automation',
      owner: MANAGER,
    }),
    kpi({
      key: 'handled_transactions',
      name: 'Transactions handled in the quarter',
      definition: 'Transactions of the ten busiest services completed in the quarter, all channels.',
      unit: 'transactions',
      frequency: 'quarterly',
      category: 'service_delivery',
      baseline: 123_000,
      target: 129_000,
      profile: 'input',
      owner: MANAGER,
    }),
    kpi({ key: 'cost_per_transaction', baseline: 6.9, target: 4.95, decimals: 2, objective: 'automation', owner: MANAGER, isPublic: true, formula: derived('cost_per_transaction') }),
    kpi({
      key: 'processes_automated',
      name: 'Back-office processes automated',
      definition: 'High-volume back-office processes that now run without manual re-keying between systems.',
      unit: 'processes',
      frequency: 'quarterly',
      category: 'cost_savings',
      baseline: 3,
      target: 40,
      objective: 'automation',
    }),
    kpi({
      key: 'invoice_payment_days',
      name: 'Days to pay a supplier invoice',
      definition: 'The average number of days from receiving a valid invoice to paying it, for invoices paid in the month.',
      unit: 'days',
      polarity: 'lower_is_better',
      category: 'service_delivery',
      baseline: 24,
      target: 10,
      decimals: 1,
      objective: 'automation',
      profile: 'off_track',
      owner: null,
    }),
    kpi({
      key: 'open_datasets',
      name: 'Datasets published as open data',
      definition: 'Datasets on the council’s open data portal under the Open Government Licence, kept up to date.',
      unit: 'datasets',
      frequency: 'quarterly',
      category: 'other',
      baseline: 25,
      target: 120,
      objective: 'open_data',
      isPublic: true,
    }),
    kpi({
      key: 'reports_using_data',
      name: 'Committee reports drawing on the performance dashboard',
      definition: 'The share of committee reports in the quarter that cite figures from the performance dashboard.',
      unit: '%',
      frequency: 'quarterly',
      category: 'other',
      baseline: 10,
      target: 75,
      objective: 'open_data',
      profile: 'at_risk',
      owner: MANAGER,
    }),
    kpi({
      key: 'foi_on_time',
      name: 'Freedom of information requests answered on time',
      definition: 'The share of freedom of information requests answered within 20 working days.',
      unit: '%',
      category: 'service_delivery',
      baseline: 82,
      target: 95,
      objective: 'open_data',
      profile: 'overdue',
      isPublic: true,
    }),

    // Greener digital operations
    kpi({
      key: 'it_carbon',
      name: 'Carbon emissions from IT',
      definition: 'Estimated emissions from the council’s data centre, cloud hosting and end-user devices in the quarter, in tonnes of CO2 equivalent.',
      unit: 't CO2e',
      polarity: 'lower_is_better',
      frequency: 'quarterly',
      category: 'other',
      baseline: 420,
      target: 250,
      objective: 'it_carbon',
      owner: ADMIN,
      isPublic: true,
    }),
    kpi({
      key: 'data_centre_energy',
      name: 'Electricity used by the data centre',
      definition: 'Metered electricity used by the on-site data centre, cooling included, in the month.',
      unit: 'MWh',
      polarity: 'lower_is_better',
      category: 'cost_savings',
      baseline: 95,
      target: 40,
      decimals: 1,
      objective: 'it_carbon',
      profile: 'at_risk',
      owner: ADMIN,
    }),
    kpi({
      key: 'pages_printed',
      name: 'Pages printed',
      definition: 'Pages printed on the council’s managed print fleet in the month.',
      unit: 'pages',
      polarity: 'lower_is_better',
      category: 'cost_savings',
      baseline: 310_000,
      target: 120_000,
      objective: 'less_paper',
      profile: 'off_track',
      owner: MANAGER,
    }),
    kpi({
      key: 'digital_letters',
      name: 'Letters to residents sent digitally',
      definition: 'The share of letters to residents (bills, notices, reminders) sent by email or to their online account rather than by post.',
      unit: '%',
      category: 'adoption',
      baseline: 22,
      target: 70,
      objective: 'less_paper',
    }),
    kpi({
      key: 'staff_business_miles',
      name: 'Staff business miles',
      definition: 'Miles claimed by staff for business travel in the quarter.',
      unit: 'miles',
      polarity: 'lower_is_better',
      frequency: 'quarterly',
      category: 'cost_savings',
      baseline: 410_000,
      target: 250_000,
      objective: 'less_paper',
      profile: 'at_risk',
      owner: MANAGER,
    }),
    kpi({
      key: 'laptop_age_at_replacement',
      name: 'Average age of laptops at replacement',
      definition: 'The average age, in years, of the laptops replaced in the year.',
      unit: 'years',
      frequency: 'annual',
      category: 'other',
      baseline: 4,
      target: 6,
      decimals: 1,
      objective: 'device_reuse',
      owner: ADMIN,
    }),
    kpi({
      key: 'devices_reused',
      name: 'Retired devices refurbished or recycled',
      definition: 'The share of devices retired in the quarter that were refurbished for reuse or recycled by a certified recycler.',
      unit: '%',
      frequency: 'quarterly',
      category: 'other',
      baseline: 60,
      target: 100,
      objective: 'device_reuse',
      profile: 'no_data',
      owner: ADMIN,
    }),

    // A stronger local digital economy and workforce
    kpi({
      key: 'businesses_supported',
      name: 'Small businesses given digital support',
      definition: 'Small businesses given advice, a workshop place or a grant to start or grow trading online in the quarter.',
      unit: 'businesses',
      frequency: 'quarterly',
      category: 'other',
      baseline: 30,
      target: 120,
      objective: 'business_support',
    }),
    kpi({
      key: 'business_grants_online',
      name: 'Business grant applications made online',
      definition: 'The share of applications for business grants made through the online form.',
      unit: '%',
      category: 'adoption',
      baseline: 48,
      target: 95,
      objective: 'business_support',
      profile: 'off_track',
    }),
    kpi({
      key: 'user_adoption',
      name: 'User adoption of the new case management system',
      baseline: 35,
      target: 90,
      objective: 'staff_skills',
      profile: 'at_risk',
      owner: MANAGER,
    }),
    kpi({
      key: 'staff_digital_training',
      name: 'Staff who completed digital skills training',
      definition: 'The share of staff who have completed the council’s essential digital skills course.',
      unit: '%',
      frequency: 'quarterly',
      category: 'adoption',
      baseline: 12,
      target: 80,
      objective: 'staff_skills',
      owner: MANAGER,
    }),
    kpi({
      key: 'digital_vacancy_rate',
      name: 'Digital and data posts vacant',
      definition: 'The share of posts in the digital and data teams that are vacant at the end of the quarter.',
      unit: '%',
      polarity: 'lower_is_better',
      frequency: 'quarterly',
      category: 'other',
      baseline: 18,
      target: 8,
      objective: 'staff_skills',
      profile: 'overdue',
      owner: ADMIN,
    }),
    kpi({
      key: 'sme_digital_spend',
      name: 'Digital spend with small and medium-sized suppliers',
      definition: 'The share of the council’s spend on digital and technology in the quarter that went to small and medium-sized suppliers.',
      unit: '%',
      frequency: 'quarterly',
      category: 'other',
      baseline: 21,
      target: 35,
      objective: 'local_suppliers',
      owner: ADMIN,
    }),
    kpi({
      key: 'local_digital_contracts',
      name: 'Digital contracts with local suppliers',
      definition: 'Digital and technology contracts held by suppliers based in the county, at the end of the year.',
      unit: 'contracts',
      frequency: 'annual',
      category: 'other',
      baseline: 4,
      target: 12,
      objective: 'local_suppliers',
      owner: ADMIN,
    }),
  ].map((k) => Object.freeze(k)),
);

// ---------------------------------------------------------------------------------------------
// The values
// ---------------------------------------------------------------------------------------------

/** How many periods of values: three years of each frequency. */
const PERIODS: Readonly<Record<Frequency, number>> = { daily: 3 * 365, weekly: 3 * 52, monthly: 36, quarterly: 12, annual: 3 };
/** How many of the latest expected periods an overdue KPI is missing. */
const MISSING_WHEN_OVERDUE: Readonly<Record<Frequency, number>> = { daily: 3, weekly: 2, monthly: 2, quarterly: 1, annual: 1 };
/** How far along its planned path each profile's history runs (1 = on plan). */
const PACE: Readonly<Record<DemoProfile, number>> = { on_track: 1.04, at_risk: 0.96, off_track: 0.62, overdue: 1, no_data: 1, input: 1 };

/** mulberry32: a small, fast, seeded PRNG; the same seed gives the same numbers everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a: each KPI's own seed, from its key. */
function seedOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** The periods of a KPI's values on `today`: three years up to its last expected period. */
export function demoPeriods(frequency: Frequency, today: IsoDate): IsoDate[] {
  const periods = [lastExpectedPeriod(today, frequency)];
  for (let i = 1; i < PERIODS[frequency]; i++) periods.unshift(previousPeriod(periods[0] ?? '', frequency));
  return periods;
}

/** The KPI's baseline and target dates: the period before its first value, and the strategy's end. */
export function demoKpiDates(k: Pick<DemoKpi, 'frequency'>, today: IsoDate): { baselineDate: IsoDate; targetDate: IsoDate } {
  const first = demoPeriods(k.frequency, today)[0] ?? today;
  return { baselineDate: previousPeriod(first, k.frequency), targetDate: demoStrategyPeriod(today).end };
}

export function demoKpiSpec(k: DemoKpi, today: IsoDate): KpiSpec {
  const { baselineDate, targetDate } = demoKpiDates(k, today);
  return {
    polarity: k.polarity,
    frequency: k.frequency,
    baseline: { value: k.baseline, date: baselineDate },
    target: { value: k.target, date: targetDate },
    tolerance: k.tolerance,
    unit: k.unit,
  };
}

function clamp(k: Pick<DemoKpi, 'unit'>, value: number): number {
  const floor = Math.max(0, value);
  return k.unit === '%' ? Math.min(100, floor) : floor;
}

/**
 * A KPI's values on `today`, made to show its profile: the history follows the planned path
 * at the profile's pace with a little noise, and the latest value is placed ahead of plan (on
 * track), just behind it within the tolerance (at risk) or well behind it (off track). An
 * overdue series stops a period or two early; a no-data one is empty.
 */
export function demoSeries(k: DemoKpi, today: IsoDate): Measurement[] {
  if (k.profile === 'no_data') return [];
  const spec = demoKpiSpec(k, today);
  const random = seededRandom(seedOf(k.key));
  const distance = Math.abs(k.target - k.baseline);
  const sign = k.polarity === 'higher_is_better' ? 1 : -1;
  let periods = demoPeriods(k.frequency, today);
  if (k.profile === 'overdue') periods = periods.slice(0, periods.length - MISSING_WHEN_OVERDUE[k.frequency]);
  const series = periods.map((period) => {
    const planned = plannedValue(spec, periodEnd(period, k.frequency));
    const noise = (random() * 2 - 1) * 0.03 * distance;
    return { period, value: round(clamp(k, k.baseline + PACE[k.profile] * (planned - k.baseline) + noise), k.decimals) };
  });
  const last = series.at(-1);
  if (last === undefined || k.profile === 'input' || k.profile === 'overdue') return series;
  const planned = plannedValue(spec, periodEnd(last.period, k.frequency));
  const band = (k.tolerance / 100) * distance;
  // Off track: where its slow pace has brought it, or further behind if that is not far enough.
  const paceGap = sign * (k.baseline + PACE.off_track * (planned - k.baseline) - planned);
  const gap = { on_track: 0.02 * distance, at_risk: -0.5 * band, off_track: Math.min(paceGap, -(band + 0.15 * distance)) }[k.profile];
  last.value = settle(k, spec, series, round(planned + sign * gap, k.decimals), today);
  return series;
}

/**
 * The value nearest `wanted` (in steps of the KPI's precision) that gives the latest value the
 * status its profile asks for, so rounding never tips a KPI into the next status.
 */
function settle(k: DemoKpi, spec: KpiSpec, series: Measurement[], wanted: number, today: IsoDate): number {
  const step = 10 ** -k.decimals;
  const last = series.length - 1;
  for (let i = 0; i <= 200; i++) {
    for (const candidate of i === 0 ? [wanted] : [wanted + i * step, wanted - i * step]) {
      const value = round(candidate, k.decimals);
      if (value !== clamp(k, value)) continue;
      const tried = series.map((m, j) => (j === last ? { period: m.period, value } : m));
      if (kpiStatus(spec, tried, today).status === k.profile) return value;
    }
  }
  return wanted;
}

export interface DemoMeasurement {
  kpi: string;
  period: IsoDate;
  value: number;
  note: string | null;
}

/**
 * Every value to record on `today`, for the KPIs that are measured (derived KPIs are computed
 * from these). A derived KPI's series is generated like any other, then worked back into the
 * input that is not its driver, so the formula gives it back.
 */
export function demoMeasurements(today: IsoDate): DemoMeasurement[] {
  const byKey = new Map(DEMO_KPIS.map((k) => [k.key, k]));
  const series = new Map<string, Measurement[]>();
  for (const k of DEMO_KPIS) if (k.formula === null && k.profile !== 'input') series.set(k.key, demoSeries(k, today));
  for (const d of DEMO_DERIVATIONS) {
    const target = byKey.get(d.kpi);
    const driverKey = d.driver === 'numerator' ? d.numerator : d.denominator;
    const otherKey = d.driver === 'numerator' ? d.denominator : d.numerator;
    const driverKpi = byKey.get(driverKey);
    const other = byKey.get(otherKey);
    if (target === undefined || driverKpi === undefined || other === undefined) throw new Error(`Demo seed: ${d.kpi} has an unknown input`);
    let driver = series.get(driverKey);
    if (driver === undefined) {
      driver = demoSeries(driverKpi, today);
      series.set(driverKey, driver);
    }
    const wanted = new Map(demoSeries(target, today).map((m) => [m.period, m.value]));
    const worked: Measurement[] = [];
    for (const m of driver) {
      const value = wanted.get(m.period);
      if (value === undefined || value === 0) continue;
      // numerator = value × denominator / scale; denominator = scale × numerator / value.
      const computed = d.driver === 'numerator' ? (d.scale * m.value) / value : (value * m.value) / d.scale;
      worked.push({ period: m.period, value: round(computed, other.decimals) });
    }
    if (series.has(otherKey)) throw new Error(`Demo seed: ${otherKey} is worked back from two derived KPIs`);
    series.set(otherKey, worked);
  }
  const rows: DemoMeasurement[] = [];
  for (const k of DEMO_KPIS) {
    const values = series.get(k.key) ?? [];
    values.forEach((m, i) => {
      rows.push({ kpi: k.key, period: m.period, value: m.value, note: i === values.length - 1 ? k.note : null });
    });
  }
  return rows;
}
