import { type Db, inTransaction } from '../../db/database.ts';
import { type Actor, systemActor } from '../../platform/access/actor.ts';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Mailer } from '../../platform/email/mailer.ts';
import type { Logger } from '../../platform/logger.ts';
import { kpiFormOptions, listKpisWithStatus } from './kpis.service.ts';
import { groupByOwner, kpisDueReminder, type ReminderItem, reminderEmail } from './reminders.ts';
import * as repo from './reminders.repository.ts';

export interface ReminderRunOptions {
  /** The moment of the run; the day (UTC) decides which periods are overdue. Default: now. */
  now?: Date | undefined;
  /** The address people use to reach Waymark, for the links in the emails. */
  publicUrl: string;
  /** Who the audit trail says sent them. Default: the system. */
  actor?: Actor | undefined;
  /** Where failed sends are reported (without addresses). */
  logger?: Pick<Logger, 'warn'> | undefined;
  /** Only these organisations (`reminders send --org`, tests on a shared database); default: every organisation. */
  organisationIds?: readonly string[] | undefined;
  /** Stops the run between emails (the server is closing); what was sent stays recorded. */
  signal?: AbortSignal | undefined;
}

export interface ReminderRunResult {
  /** Emails sent: one per owner per organisation. */
  sent: number;
  /** KPI reminders in those emails. */
  kpis: number;
  /** Overdue KPIs not reminded on this run: already reminded about that period, or their owner is no longer an active member. */
  skipped: number;
  /** Emails that could not be sent; their reminders are released for a later run. */
  failed: number;
}

/** What a failed send is logged with: codes, never the message (it may quote addresses). */
function errorCodes(error: unknown): { errorCode?: unknown; smtpResponseCode?: unknown } {
  if (typeof error !== 'object' || error === null) return {};
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  // Not `code`: the logger redacts fields of that name (sign-in codes).
  return { errorCode: code, smtpResponseCode: responseCode };
}

/**
 * Emails the owners of overdue KPIs, in every organisation: one email per owner listing all
 * their KPIs waiting for a value, each with a link to record it. Each (KPI, period) is claimed
 * in the database before its email goes, so several instances (or a cron job beside them) never
 * send the same reminder twice; when sending fails the claims are released and a later run
 * tries again. Each organisation that sent reminders gets one `kpi.reminders_sent` audit event
 * listing the KPI keys and periods (no email addresses).
 */
export async function sendOverdueReminders(db: Db, mailer: Mailer, options: ReminderRunOptions): Promise<ReminderRunResult> {
  const actor = options.actor ?? systemActor('reminders');
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const result: ReminderRunResult = { sent: 0, kpis: 0, skipped: 0, failed: 0 };
  const stopped = (): boolean => options.signal?.aborted === true;
  const only = options.organisationIds === undefined ? null : new Set(options.organisationIds);
  for (const organisation of await repo.listOrganisationsWithOwnedKpis(db)) {
    if (stopped()) break;
    if (only !== null && !only.has(organisation.id)) continue;
    const due = kpisDueReminder(await listKpisWithStatus(db, actor, organisation.id, {}, { today }));
    if (due.length === 0) continue;
    // Only active members are emailed: someone who has left is not written to.
    const owners = new Map((await kpiFormOptions(db, actor, organisation.id)).owners.map((o) => [o.id, o]));
    const sent: ReminderItem[] = [];
    let emails = 0;
    for (const [ownerId, items] of groupByOwner(due)) {
      if (stopped()) break;
      const owner = owners.get(ownerId);
      if (owner === undefined) {
        result.skipped += items.length;
        continue;
      }
      const claimed = new Set(
        (await repo.claimReminders(db, organisation.id, items.map((i) => ({ kpiId: i.kpiId, period: i.period })))).map((c) => `${c.kpiId}|${c.period}`),
      );
      const mine = items.filter((i) => claimed.has(`${i.kpiId}|${i.period}`));
      result.skipped += items.length - mine.length;
      if (mine.length === 0) continue;
      const email = reminderEmail({
        organisationName: organisation.name,
        organisationSlug: organisation.slug,
        ownerName: owner.name,
        items: mine,
        publicUrl: options.publicUrl,
      });
      try {
        await mailer.send({ to: owner.email, ...email });
      } catch (error) {
        await repo.releaseReminders(db, organisation.id, mine.map((i) => ({ kpiId: i.kpiId, period: i.period })));
        result.failed += 1;
        options.logger?.warn(
          { organisation: organisation.slug, kpis: mine.map((i) => i.key), ...errorCodes(error) },
          'A KPI reminder email could not be sent; the next run tries again',
        );
        continue;
      }
      emails += 1;
      sent.push(...mine);
    }
    if (sent.length === 0) continue;
    result.sent += emails;
    result.kpis += sent.length;
    await inTransaction(db, (trx) =>
      recordAudit(trx, actor, {
        organisationId: organisation.id,
        action: 'kpi.reminders_sent',
        entityType: 'kpi',
        after: { emails, kpis: sent.map((i) => ({ key: i.key, period: i.period })) },
      }),
    );
  }
  return result;
}
