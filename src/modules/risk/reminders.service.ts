import type { Db } from '../../db/database.ts';
import type { Mailer } from '../../platform/email/mailer.ts';
import { type ReminderKind, type ReminderRunOptions, type ReminderRunResult, sendReminders } from '../../platform/reminders/reminders.ts';
import { byTitle, type ReviewReminderItem, reviewReminderEmail, risksDueReviewReminder } from './reminders.ts';
import * as repo from './reminders.repository.ts';
import { listRisks, riskFormOptions } from './risk.service.ts';

const keyOf = (k: { riskId: string; dueOn: string }): string => `${k.riskId}|${k.dueOn}`;

/**
 * Risk reviews due: the owner of each open risk whose review date has passed is emailed once
 * about that date, with a link to record the review. Audited as `risk.review_reminders_sent`.
 */
export const reviewReminders: ReminderKind<ReviewReminderItem> = {
  label: 'risk review reminder',
  audit: { action: 'risk.review_reminders_sent', entityType: 'risk' },
  organisations: (db, today) => repo.listOrganisationsWithOverdueReviews(db, today),
  due: async (db, actor, organisationId, today) => risksDueReviewReminder(await listRisks(db, actor, organisationId, { status: 'open' }, { today }), today),
  owners: async (db, actor, organisationId) => (await riskFormOptions(db, actor, organisationId)).owners,
  async claim(db, organisationId, items) {
    const claimed = new Set((await repo.claimReviewReminders(db, organisationId, items.map((i) => ({ riskId: i.riskId, dueOn: i.dueOn })))).map(keyOf));
    return items.filter((i) => claimed.has(keyOf(i)));
  },
  release: (db, organisationId, items) => repo.releaseReviewReminders(db, organisationId, items.map((i) => ({ riskId: i.riskId, dueOn: i.dueOn }))),
  compare: byTitle,
  email: ({ organisation, owner, items, publicUrl }) =>
    reviewReminderEmail({ organisationName: organisation.name, organisationSlug: organisation.slug, ownerName: owner.name, items, publicUrl }),
  describe: (item) => ({ id: item.riskId, dueOn: item.dueOn }),
};

/** Emails the owners of risks due a review, in every organisation (see `sendReminders`). */
export function sendReviewReminders(db: Db, mailer: Mailer, options: ReminderRunOptions): Promise<ReminderRunResult> {
  return sendReminders(db, mailer, reviewReminders, options);
}
