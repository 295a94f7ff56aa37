import type { Db } from '../../db/database.ts';

/** A reminder about one risk's review due on one date. */
export interface ReviewReminderKey {
  riskId: string;
  dueOn: string;
}

/** Organisations with at least one open, owned risk whose review date has passed before `today`. */
export async function listOrganisationsWithOverdueReviews(
  db: Db,
  today: string,
): Promise<{ id: string; slug: string; name: string }[]> {
  return db
    .selectFrom('organisation')
    .select(['organisation.id', 'organisation.slug', 'organisation.name'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('risk')
          .select('risk.id')
          .whereRef('risk.organisation_id', '=', 'organisation.id')
          .where('risk.owner_id', 'is not', null)
          .where('risk.status', '=', 'open')
          .where('risk.next_review_on', '<', today),
      ),
    )
    .orderBy('organisation.slug')
    .execute();
}

/**
 * Claims reminders before they are sent: inserts one row per (risk, review date) and returns
 * those this call inserted, so each reminder is sent by one sender only.
 */
export async function claimReviewReminders(
  db: Db,
  organisationId: string,
  keys: readonly ReviewReminderKey[],
): Promise<ReviewReminderKey[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .insertInto('risk_review_reminder')
    .values(keys.map((k) => ({ organisation_id: organisationId, risk_id: k.riskId, due_on: k.dueOn })))
    .onConflict((oc) => oc.columns(['risk_id', 'due_on']).doNothing())
    .returning(['risk_id', 'due_on'])
    .execute();
  return rows.map((r) => ({ riskId: r.risk_id, dueOn: r.due_on }));
}

/** Gives claims back (the email could not be sent), so a later run tries again. */
export async function releaseReviewReminders(
  db: Db,
  organisationId: string,
  keys: readonly ReviewReminderKey[],
): Promise<void> {
  if (keys.length === 0) return;
  await db
    .deleteFrom('risk_review_reminder')
    .where('organisation_id', '=', organisationId)
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('risk_id', '=', k.riskId), eb('due_on', '=', k.dueOn)]))))
    .execute();
}
