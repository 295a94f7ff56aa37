import type { Db } from '../../db/database.ts';

/** A reminder about one KPI's missing value for one period. */
export interface ReminderKey {
  kpiId: string;
  period: string;
}

/**
 * Organisations that have at least one KPI a reminder could be about (an owner, no formula):
 * the only ones a reminder run needs to look at.
 */
export async function listOrganisationsWithOwnedKpis(db: Db): Promise<{ id: string; slug: string; name: string }[]> {
  return db
    .selectFrom('organisation')
    .select(['organisation.id', 'organisation.slug', 'organisation.name'])
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('kpi')
          .select('kpi.id')
          .whereRef('kpi.organisation_id', '=', 'organisation.id')
          .where('kpi.owner_id', 'is not', null)
          .where('kpi.formula', 'is', null),
      ),
    )
    .orderBy('organisation.slug')
    .execute();
}

/**
 * Claims reminders before they are sent: inserts one row per (KPI, period) and returns those
 * this call inserted. A row that is already there (an earlier run, or another instance running
 * now) is left alone and not returned, so each reminder is sent by one sender only.
 */
export async function claimReminders(db: Db, organisationId: string, keys: readonly ReminderKey[]): Promise<ReminderKey[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .insertInto('kpi_reminder')
    .values(keys.map((k) => ({ organisation_id: organisationId, kpi_id: k.kpiId, period: k.period })))
    .onConflict((oc) => oc.columns(['kpi_id', 'period']).doNothing())
    .returning(['kpi_id', 'period'])
    .execute();
  return rows.map((r) => ({ kpiId: r.kpi_id, period: r.period }));
}

/** Gives claims back (the email could not be sent), so a later run tries again. */
export async function releaseReminders(db: Db, organisationId: string, keys: readonly ReminderKey[]): Promise<void> {
  if (keys.length === 0) return;
  await db
    .deleteFrom('kpi_reminder')
    .where('organisation_id', '=', organisationId)
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('kpi_id', '=', k.kpiId), eb('period', '=', k.period)]))))
    .execute();
}
