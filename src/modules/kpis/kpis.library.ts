/**
 * The KPI library: ready definitions a team can adopt and adjust, so a new KPI starts from a
 * sound definition rather than a blank page. Baseline and target are the organisation's own.
 */
import type { KpiCategory } from './kpis.ts';
import type { Frequency } from './periods.ts';
import type { Polarity } from './status.ts';

export interface LibraryEntry {
  /** The key suggested for the KPI (unique in the organisation once adopted). */
  key: string;
  name: string;
  definition: string;
  unit: string;
  polarity: Polarity;
  frequency: Frequency;
  category: KpiCategory;
}

export const KPI_LIBRARY: readonly LibraryEntry[] = [
  {
    key: 'user_adoption',
    name: 'User adoption',
    definition:
      'The share of the people expected to use a new digital service or tool who actively used it in the period. ' +
      'Count distinct active users and divide by the intended user population.',
    unit: '%',
    polarity: 'higher_is_better',
    frequency: 'monthly',
    category: 'adoption',
  },
  {
    key: 'service_delivery_time',
    name: 'Service delivery improvement: average time to complete a request',
    definition:
      'The average number of working days from a request being made to it being resolved, across all requests closed in the period. ' +
      'Falling times show the service getting faster for the people who use it.',
    unit: 'days',
    polarity: 'lower_is_better',
    frequency: 'monthly',
    category: 'service_delivery',
  },
  {
    key: 'cost_savings',
    name: 'Cost savings',
    definition:
      'Cashable savings realised in the period from digital change, in pounds, against the cost of the old way of working. ' +
      'Count only savings confirmed by finance.',
    unit: '£',
    polarity: 'higher_is_better',
    frequency: 'quarterly',
    category: 'cost_savings',
  },
  {
    key: 'citizen_satisfaction',
    name: 'Citizen satisfaction',
    definition:
      'The share of residents surveyed in the period who say they are satisfied or very satisfied with the council’s services overall.',
    unit: '%',
    polarity: 'higher_is_better',
    frequency: 'quarterly',
    category: 'satisfaction',
  },
  {
    key: 'digital_inclusion',
    name: 'Digital inclusion',
    definition:
      'The share of adults in the area with the basic digital skills, access and confidence to use online services, ' +
      'from the latest local survey or national estimate.',
    unit: '%',
    polarity: 'higher_is_better',
    frequency: 'annual',
    category: 'inclusion',
  },
  {
    key: 'cost_per_transaction',
    name: 'Cost per transaction',
    definition:
      'What one completed transaction costs: the total cost of running the service, overheads included, divided by the number of transactions completed in the period.',
    unit: '£',
    polarity: 'lower_is_better',
    frequency: 'quarterly',
    category: 'service_kpi',
  },
  {
    key: 'user_satisfaction',
    name: 'User satisfaction',
    definition:
      'Of the people who rated the service on the five-point scale from very dissatisfied to very satisfied in the period, the share who chose satisfied or very satisfied.',
    unit: '%',
    polarity: 'higher_is_better',
    frequency: 'monthly',
    category: 'service_kpi',
  },
  {
    key: 'completion_rate',
    name: 'Completion rate',
    definition:
      'Of the transactions people started in the period, the share they finished: completed transactions divided by started ones.',
    unit: '%',
    polarity: 'higher_is_better',
    frequency: 'monthly',
    category: 'service_kpi',
  },
  {
    key: 'digital_take_up',
    name: 'Digital take-up',
    definition:
      'Of all transactions completed in the period, the share completed online. Assisted digital transactions, where staff complete the online form for someone, are left out of both counts.',
    unit: '%',
    polarity: 'higher_is_better',
    frequency: 'monthly',
    category: 'service_kpi',
  },
];

export function findLibraryEntry(key: string): LibraryEntry | undefined {
  return KPI_LIBRARY.find((entry) => entry.key === key);
}
