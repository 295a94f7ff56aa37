import type { Db } from '../../db/database.ts';
import type { Mailer } from '../../platform/email/mailer.ts';
import { type ReminderKind, type ReminderRunOptions, type ReminderRunResult, sendReminders } from '../../platform/reminders/reminders.ts';
import { kpiFormOptions, listKpisWithStatus } from './kpis.service.ts';
import { byName, kpisDueReminder, type ReminderItem, reminderEmail } from './reminders.ts';
import * as repo from './reminders.repository.ts';

const keyOf = (k: { kpiId: string; period: string }): string => `${k.kpiId}|${k.period}`;

/**
 * Overdue KPI values: the owner of each KPI whose last expected period has no value is emailed
 * once about that period, with a link to record it. Audited as `kpi.reminders_sent`.
 */
export const overdueKpiReminders: ReminderKind<ReminderItem> = {
  label: 'KPI reminder',
  audit: { action: 'kpi.reminders_sent', entityType: 'kpi' },
  organisations: (db) => repo.listOrganisationsWithOwnedKpis(db),
  due: async (db, actor, organisationId, today) => kpisDueReminder(await listKpisWithStatus(db, actor, organisationId, {}, { today })),
  owners: async (db, actor, organisationId) => (await kpiFormOptions(db, actor, organisationId)).owners,
  async claim(db, organisationId, items) {
    const claimed = new Set((await repo.claimReminders(db, organisationId, items.map((i) => ({ kpiId: i.kpiId, period: i.period })))).map(keyOf));
    return items.filter((i) => claimed.has(keyOf(i)));
  },
  release: (db, organisationId, items) => repo.releaseReminders(db, organisationId, items.map((i) => ({ kpiId: i.kpiId, period: i.period }))),
  compare: byName,
  email: ({ organisation, owner, items, publicUrl }) =>
    reminderEmail({ organisationName: organisation.name, organisationSlug: organisation.slug, ownerName: owner.name, items, publicUrl }),
  describe: (item) => ({ key: item.key, period: item.period }),
};

/** Emails the owners of overdue KPIs, in every organisation (see `sendReminders`). */
export function sendOverdueReminders(db: Db, mailer: Mailer, options: ReminderRunOptions): Promise<ReminderRunResult> {
  return sendReminders(db, mailer, overdueKpiReminders, options);
}
