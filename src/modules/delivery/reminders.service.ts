import type { Db } from '../../db/database.ts';
import type { Mailer } from '../../platform/email/mailer.ts';
import {
  type ReminderKind,
  type ReminderRunOptions,
  type ReminderRunResult,
  sendReminders,
} from '../../platform/reminders/reminders.ts';
import { listProjectViews } from './delivery.service.ts';
import * as repo from './delivery.repository.ts';
import { byTitle, projectsDueReminder, type ReportReminderItem, reportReminderEmail } from './reminders.ts';

const keyOf = (k: { projectId: string; period: string }): string => `${k.projectId}|${k.period}`;

/**
 * Late status reports: the owner of each project whose report for the latest period due is
 * missing is emailed once about that period, with a link to submit it. Audited as
 * `status_report.reminders_sent`.
 */
export const lateReportReminders: ReminderKind<ReportReminderItem> = {
  label: 'status report reminder',
  audit: { action: 'status_report.reminders_sent', entityType: 'project' },
  organisations: (db) => repo.listOrganisationsWithOwnedProjects(db),
  due: async (db, actor, organisationId, today) =>
    projectsDueReminder(await listProjectViews(db, actor, organisationId, {}, { today })),
  owners: (db, _actor, organisationId) => repo.listActiveMembers(db, organisationId),
  async claim(db, organisationId, items) {
    const claimed = new Set(
      (
        await repo.claimReportReminders(
          db,
          organisationId,
          items.map((i) => ({ projectId: i.projectId, period: i.period })),
        )
      ).map(keyOf),
    );
    return items.filter((i) => claimed.has(keyOf(i)));
  },
  release: (db, organisationId, items) =>
    repo.releaseReportReminders(
      db,
      organisationId,
      items.map((i) => ({ projectId: i.projectId, period: i.period })),
    ),
  compare: byTitle,
  email: ({ organisation, owner, items, publicUrl }) =>
    reportReminderEmail({
      organisationName: organisation.name,
      organisationSlug: organisation.slug,
      ownerName: owner.name,
      items,
      publicUrl,
    }),
  describe: (item) => ({ projectId: item.projectId, title: item.title, period: item.period }),
};

/** Emails the owners of projects whose status report is late, in every organisation (see `sendReminders`). */
export function sendLateReportReminders(
  db: Db,
  mailer: Mailer,
  options: ReminderRunOptions,
): Promise<ReminderRunResult> {
  return sendReminders(db, mailer, lateReportReminders, options);
}
