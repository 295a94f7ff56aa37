/**
 * Reminders to owners of projects whose status report is late: which projects are due one, and
 * what the email says. Pure: reminders.service.ts finds the projects, claims each reminder and
 * sends the emails, as the KPI reminders do.
 */
import { formatDate, formatPeriod } from '../kpis/kpis.service.ts';
import type { ReportFrequency } from './delivery.ts';

/** One project whose owner is reminded about one missing status report. */
export interface ReportReminderItem {
  projectId: string;
  title: string;
  ownerId: string;
  frequency: ReportFrequency;
  /** The period whose report is missing. */
  period: string;
  dueBy: string;
}

/** The projects due a reminder: an owner, and a late report. */
export function projectsDueReminder(
  projects: readonly {
    id: string;
    title: string;
    ownerId: string | null;
    reportFrequency: ReportFrequency;
    late: { period: string; dueBy: string } | null;
  }[],
): ReportReminderItem[] {
  const due: ReportReminderItem[] = [];
  for (const p of projects) {
    if (p.ownerId === null || p.late === null) continue;
    due.push({
      projectId: p.id,
      title: p.title,
      ownerId: p.ownerId,
      frequency: p.reportFrequency,
      period: p.late.period,
      dueBy: p.late.dueBy,
    });
  }
  return due;
}

/** One owner's projects in their email: by title. */
export function byTitle(a: ReportReminderItem, b: ReportReminderItem): number {
  return a.title.localeCompare(b.title, 'en-GB') || a.projectId.localeCompare(b.projectId);
}

/** Where the owner submits the report: the project's "submit a status report" page. */
export function reportLink(publicUrl: string, organisationSlug: string, projectId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/o/${encodeURIComponent(organisationSlug)}/projects/${encodeURIComponent(projectId)}/reports/new`;
}

/** A header is one line: titles typed by people must not start new ones. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

export interface ReportReminderEmailInput {
  organisationName: string;
  organisationSlug: string;
  ownerName: string;
  items: readonly ReportReminderItem[];
  publicUrl: string;
}

/** The email to one owner, listing every project of theirs whose status report is late. */
export function reportReminderEmail(input: ReportReminderEmailInput): { subject: string; text: string } {
  const { items } = input;
  const first = items[0];
  if (first === undefined) throw new RangeError('A reminder lists at least one project');
  const subject =
    items.length === 1
      ? `Status report late: ${first.title}, ${formatPeriod(first.period, first.frequency)}`
      : `${items.length} status reports late at ${input.organisationName}`;
  const lines = [
    `Hello ${input.ownerName},`,
    '',
    items.length === 1
      ? `${input.organisationName} is waiting for the status report of a project you own:`
      : `${input.organisationName} is waiting for the status reports of ${items.length} projects you own:`,
    '',
  ];
  for (const item of items) {
    lines.push(
      `* ${item.title}`,
      `  Report for ${formatPeriod(item.period, item.frequency)}, due by ${formatDate(item.dueBy)}`,
      `  Submit it: ${reportLink(input.publicUrl, input.organisationSlug, item.projectId)}`,
      '',
    );
  }
  lines.push(
    'Until it is submitted, the project is listed as late on the portfolio and the dashboard, and counts as overdue in its objectives’ status.',
    '',
    'You get one reminder for each missing report.',
    '',
    'Waymark',
  );
  return { subject: oneLine(subject), text: lines.join('\n') };
}
