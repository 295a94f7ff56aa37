import type { Db } from './db/database.ts';
import { lateReportReminders } from './modules/delivery/reminders.service.ts';
import { overdueKpiReminders } from './modules/kpis/reminders.service.ts';
import { reviewReminders } from './modules/risk/reminders.service.ts';
import type { Mailer } from './platform/email/mailer.ts';
import { type ReminderKind, type ReminderRunOptions, type ReminderRunResult, sendReminders } from './platform/reminders/reminders.ts';
import { plural } from './platform/text.ts';

/** A kind of reminder as the schedule and `waymark reminders send` run it, with how a run is told. */
export interface ReminderRun {
  /** For logs: "KPI reminder", "status report reminder"… */
  label: string;
  send: (db: Db, mailer: Mailer, options: ReminderRunOptions) => Promise<ReminderRunResult>;
  /** The line saying what was sent. */
  sentLine: (result: ReminderRunResult) => string;
  /** The line saying what was due but skipped. */
  skippedLine: (skipped: number) => string;
}

function runOf<Item extends { ownerId: string }>(kind: ReminderKind<Item>, sentLine: ReminderRun['sentLine'], skippedLine: ReminderRun['skippedLine']): ReminderRun {
  return { label: kind.label, send: (db, mailer, options) => sendReminders(db, mailer, kind, options), sentLine, skippedLine };
}

/** Every kind of reminder, in the order a run sends them. */
export const REMINDER_RUNS: readonly ReminderRun[] = [
  runOf(
    overdueKpiReminders,
    (r) => `Sent ${plural(r.sent, 'reminder email')} about ${plural(r.items, 'overdue KPI')}.`,
    (n) => `${plural(n, 'overdue KPI')} skipped: already reminded about that period, or the owner is no longer a member.`,
  ),
  runOf(
    reviewReminders,
    (r) => `Sent ${plural(r.sent, 'review reminder email')} about ${plural(r.items, 'risk')} due a review.`,
    (n) => `${plural(n, 'overdue risk review')} skipped: already reminded about that date, or the owner is no longer a member.`,
  ),
  runOf(
    lateReportReminders,
    (r) => `Sent ${plural(r.sent, 'status report reminder email')} about ${plural(r.items, 'late status report')}.`,
    (n) => `${plural(n, 'late status report')} skipped: already reminded about that period, or the owner is no longer a member.`,
  ),
];
