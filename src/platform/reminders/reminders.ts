import { type Db, inTransaction } from '../../db/database.ts';
import { type Actor, systemActor } from '../access/actor.ts';
import { recordAudit } from '../audit/audit.service.ts';
import type { Mailer } from '../email/mailer.ts';
import type { Logger } from '../logger.ts';

export interface ReminderOrganisation {
  id: string;
  slug: string;
  name: string;
}

export interface ReminderOwner {
  id: string;
  name: string;
  email: string;
}

/**
 * One kind of reminder (a KPI value overdue, a status report late, a risk review due): what is
 * due, how each reminder is claimed so it goes once, and what the email says. The run itself —
 * one email per owner, claims released when sending fails, one audit event per organisation —
 * is the same for every kind (`sendReminders`).
 */
export interface ReminderKind<Item extends { ownerId: string }> {
  /** Names the kind in logs, e.g. "KPI reminder". */
  label: string;
  audit: { action: string; entityType: string };
  /** Organisations that may have something due on `today` (the others are not looked at). */
  organisations: (db: Db, today: string) => Promise<ReminderOrganisation[]>;
  /** What is due a reminder in the organisation on `today`, each with its owner. */
  due: (db: Db, actor: Actor, organisationId: string, today: string) => Promise<Item[]>;
  /** The organisation's active members: only they are emailed. */
  owners: (db: Db, actor: Actor, organisationId: string) => Promise<ReminderOwner[]>;
  /** Claims reminders before they are sent and returns those this call claimed (another sender has the rest). */
  claim: (db: Db, organisationId: string, items: readonly Item[]) => Promise<Item[]>;
  /** Gives claims back after a failed send, so a later run tries again. */
  release: (db: Db, organisationId: string, items: readonly Item[]) => Promise<void>;
  /** Orders one owner's items in their email. */
  compare: (a: Item, b: Item) => number;
  email: (input: { organisation: ReminderOrganisation; owner: ReminderOwner; items: readonly Item[]; publicUrl: string }) => { subject: string; text: string };
  /** How an item is named in the audit event and the logs: ids and dates, never addresses. */
  describe: (item: Item) => Record<string, unknown>;
}

export interface ReminderRunOptions {
  /** The moment of the run; its UTC day decides what is due. Default: now. */
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
  /** Reminders in those emails. */
  items: number;
  /** Reminders due but not sent on this run: already sent by an earlier run or another sender, or the owner is no longer an active member. */
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

/** Items by owner, each owner's in the kind's order: one email per owner. */
export function groupByOwner<Item extends { ownerId: string }>(items: readonly Item[], compare: (a: Item, b: Item) => number): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    const list = groups.get(item.ownerId);
    if (list === undefined) groups.set(item.ownerId, [item]);
    else list.push(item);
  }
  for (const list of groups.values()) list.sort(compare);
  return groups;
}

/**
 * Emails the owners of what is due, in every organisation: one email per owner listing all
 * their items. Each item is claimed in the database before its email goes, so several instances
 * (or a cron job beside them) never send the same reminder twice; when sending fails the claims
 * are released and a later run tries again. Each organisation that sent reminders gets one audit
 * event listing what was reminded (no email addresses).
 */
export async function sendReminders<Item extends { ownerId: string }>(
  db: Db,
  mailer: Mailer,
  kind: ReminderKind<Item>,
  options: ReminderRunOptions,
): Promise<ReminderRunResult> {
  const actor = options.actor ?? systemActor('reminders');
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const result: ReminderRunResult = { sent: 0, items: 0, skipped: 0, failed: 0 };
  const stopped = (): boolean => options.signal?.aborted === true;
  const only = options.organisationIds === undefined ? null : new Set(options.organisationIds);
  for (const organisation of await kind.organisations(db, today)) {
    if (stopped()) break;
    if (only !== null && !only.has(organisation.id)) continue;
    const due = await kind.due(db, actor, organisation.id, today);
    if (due.length === 0) continue;
    const owners = new Map((await kind.owners(db, actor, organisation.id)).map((o) => [o.id, o]));
    const sent: Item[] = [];
    let emails = 0;
    for (const [ownerId, items] of groupByOwner(due, kind.compare)) {
      if (stopped()) break;
      const owner = owners.get(ownerId);
      if (owner === undefined) {
        result.skipped += items.length;
        continue;
      }
      const mine = await kind.claim(db, organisation.id, items);
      result.skipped += items.length - mine.length;
      if (mine.length === 0) continue;
      mine.sort(kind.compare);
      try {
        await mailer.send({ to: owner.email, ...kind.email({ organisation, owner, items: mine, publicUrl: options.publicUrl }) });
      } catch (error) {
        await kind.release(db, organisation.id, mine);
        result.failed += 1;
        options.logger?.warn(
          { organisation: organisation.slug, items: mine.map((i) => kind.describe(i)), ...errorCodes(error) },
          `A ${kind.label} email could not be sent; the next run tries again`,
        );
        continue;
      }
      emails += 1;
      sent.push(...mine);
    }
    if (sent.length === 0) continue;
    result.sent += emails;
    result.items += sent.length;
    await inTransaction(db, (trx) =>
      recordAudit(trx, actor, {
        organisationId: organisation.id,
        action: kind.audit.action,
        entityType: kind.audit.entityType,
        after: { emails, items: sent.map((i) => kind.describe(i)) },
      }),
    );
  }
  return result;
}
