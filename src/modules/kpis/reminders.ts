/**
 * Reminders to owners of overdue KPIs: which KPIs are due one, and what the email says. Pure:
 * reminders.service.ts finds the KPIs, claims each reminder and sends the emails.
 */
import type { KpiWithStatus } from './kpis.ts';
import { expectedBy, type Frequency, formatDate, formatPeriod, type IsoDate } from './periods.ts';

/** One KPI whose owner is reminded about one missing period. */
export interface ReminderItem {
  kpiId: string;
  key: string;
  name: string;
  frequency: Frequency;
  ownerId: string;
  /** The last expected period, which has no value: what the reminder is about. */
  period: IsoDate;
}

/**
 * The KPIs due a reminder: those with an owner whose last expected period (after its grace)
 * has no value, whether they show as overdue or, never having had a value, as no data.
 * Derived KPIs are left out: nobody records their values, and the KPIs their formulas read
 * get reminders of their own.
 */
export function kpisDueReminder(kpis: readonly KpiWithStatus[]): ReminderItem[] {
  const due: ReminderItem[] = [];
  for (const kpi of kpis) {
    if (kpi.ownerId === null || kpi.formula !== null || !kpi.overdue || kpi.expectedPeriod === null) continue;
    due.push({ kpiId: kpi.id, key: kpi.key, name: kpi.name, frequency: kpi.frequency, ownerId: kpi.ownerId, period: kpi.expectedPeriod });
  }
  return due;
}

/** An owner's KPIs in their email: by name, then key. */
export function byName(a: ReminderItem, b: ReminderItem): number {
  return a.name.localeCompare(b.name, 'en-GB') || a.key.localeCompare(b.key);
}

/** The period as the record form accepts it: 2026-03-02, 2026-03, 2026-Q1 or 2026. */
export function periodAsTyped(period: IsoDate, frequency: Frequency): string {
  const [year = '', month = ''] = period.split('-');
  switch (frequency) {
    case 'daily':
    case 'weekly':
      return period;
    case 'monthly':
      return `${year}-${month}`;
    case 'quarterly':
      return `${year}-Q${Math.floor((Number(month) - 1) / 3) + 1}`;
    case 'annual':
      return year;
  }
}

/** Where the owner records the value: the KPI's "record a value" page. */
export function recordLink(publicUrl: string, organisationSlug: string, key: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/o/${encodeURIComponent(organisationSlug)}/kpis/${encodeURIComponent(key)}/measurements/new`;
}

export interface ReminderEmailInput {
  organisationName: string;
  organisationSlug: string;
  ownerName: string;
  items: readonly ReminderItem[];
  publicUrl: string;
}

/** A header is one line: names typed by people must not start new ones. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** The email to one owner, listing every KPI of theirs that is waiting for a value. */
export function reminderEmail(input: ReminderEmailInput): { subject: string; text: string } {
  const { items } = input;
  const first = items[0];
  if (first === undefined) throw new RangeError('A reminder lists at least one KPI');
  const subject =
    items.length === 1
      ? `Value overdue: ${first.name}, ${formatPeriod(first.period, first.frequency)}`
      : `${items.length} KPI values overdue at ${input.organisationName}`;
  const lines = [
    `Hello ${input.ownerName},`,
    '',
    items.length === 1
      ? `${input.organisationName} is waiting for a value of a KPI you own:`
      : `${input.organisationName} is waiting for values of ${items.length} KPIs you own:`,
    '',
  ];
  for (const item of items) {
    lines.push(
      `* ${item.name} (${item.key})`,
      `  Value for ${formatPeriod(item.period, item.frequency)}, due by ${formatDate(expectedBy(item.period, item.frequency))}`,
      `  Record it (period ${periodAsTyped(item.period, item.frequency)}): ${recordLink(input.publicUrl, input.organisationSlug, item.key)}`,
      '',
    );
  }
  lines.push(
    'Until a value is recorded, the KPI shows as overdue on the dashboard and everywhere its status appears.',
    'If the figure is late for a reason, record it when you have it and add a note.',
    '',
    'You get one reminder for each missing period.',
    '',
    'Waymark',
  );
  return { subject: oneLine(subject), text: lines.join('\n') };
}
