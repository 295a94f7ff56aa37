import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeKpi, recordValues } from '../../../test/support/kpi-factories.ts';
import { testDatabase } from '../../../test/support/db.ts';
import { closedPort, type ReceivedMail, startSmtpServer, testMailer, type TestSmtpServer } from '../../../test/support/smtp.ts';
import { type Db, openEmbedded } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { startReminderSchedule } from '../../server.ts';
import { createLogger } from '../../platform/logger.ts';
import type { Mailer } from '../../platform/email/mailer.ts';
import { deactivateMember } from '../users/users.service.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import { sendOverdueReminders } from './reminders.service.ts';

/**
 * Reminders through a real SMTP server on a free local port. "Today" is 5 December 2026: a
 * monthly KPI's last expected period is then October 2026 (due by 10 November).
 */
const NOW = new Date('2026-12-05T09:00:00Z');
const PUBLIC_URL = 'https://waymark.example';

let smtp: TestSmtpServer;
let db: Db;

function mailerOn(smtpPort: number): Mailer {
  return testMailer(`smtp://127.0.0.1:${smtpPort}`);
}

function to(email: string): ReceivedMail[] {
  return smtp.to(email);
}

beforeAll(async () => {
  db = (await testDatabase()).db;
  smtp = await startSmtpServer();
});

afterAll(async () => {
  await smtp.close();
});

beforeEach(() => {
  smtp.received.length = 0;
});

async function reminderRows(organisationId: string): Promise<{ kpi_id: string; period: string }[]> {
  return db.selectFrom('kpi_reminder').select(['kpi_id', 'period']).where('organisation_id', '=', organisationId).execute();
}

async function reminderEvents(organisationId: string) {
  return db
    .selectFrom('audit_event')
    .select(['action', 'after', 'via', 'actor_label'])
    .where('organisation_id', '=', organisationId)
    .where('action', '=', 'kpi.reminders_sent')
    .execute();
}

describe('overdue KPI reminders', () => {
  it('emails the owner of an overdue KPI once, naming the KPI, the period, its due date and where to record it', async () => {
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    const kpi = await makeKpi(db, org, { name: 'Pages passing accessibility checks', ownerId: owner.id });
    await recordValues(db, org, kpi.key, [['2026-08', 60]]);
    const mailer = mailerOn(smtp.port);
    try {
      const first = await sendOverdueReminders(db, mailer, { now: NOW, publicUrl: PUBLIC_URL, organisationIds: [org.id] });
      expect(first).toEqual({ sent: 1, items: 1, skipped: 0, failed: 0 });
      const mail = to(owner.email);
      expect(mail).toHaveLength(1);
      expect(mail[0]?.subject).toBe('Value overdue: Pages passing accessibility checks, October 2026');
      expect(mail[0]?.text).toContain('Pages passing accessibility checks');
      expect(mail[0]?.text).toContain('Value for October 2026, due by 10 November 2026');
      expect(mail[0]?.text).toContain(`${PUBLIC_URL}/o/${org.slug}/kpis/${kpi.key}/measurements/new`);
      expect(await reminderRows(org.id)).toEqual([{ kpi_id: kpi.id, period: '2026-10-01' }]);

      const second = await sendOverdueReminders(db, mailer, { now: NOW, publicUrl: PUBLIC_URL, organisationIds: [org.id] });
      expect(second).toEqual({ sent: 0, items: 0, skipped: 1, failed: 0 });
      expect(to(owner.email)).toHaveLength(1);

      // A month on, November is missing too: one more reminder, about November.
      const later = await sendOverdueReminders(db, mailer, { now: new Date('2027-01-15T09:00:00Z'), publicUrl: PUBLIC_URL, organisationIds: [org.id] });
      expect(later.sent).toBe(1);
      expect(to(owner.email)[1]?.text).toContain('Value for December 2026, due by 10 January 2027');
    } finally {
      mailer.close();
    }
    const events = await reminderEvents(org.id);
    expect(events).toHaveLength(2);
    expect(events[0]?.after).toEqual({ emails: 1, items: [{ key: kpi.key, period: '2026-10-01' }] });
    expect(events[0]?.via).toBe('system');
    expect(JSON.stringify(events)).not.toContain(owner.email);
  });

  it('sends one email per owner listing all their overdue KPIs, including one that never had a value', async () => {
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    const late = await makeKpi(db, org, { name: 'Avoidable contact', ownerId: owner.id });
    await recordValues(db, org, late.key, [['2026-07', 55]]);
    const never = await makeKpi(db, org, { name: 'Calls answered in 60 seconds', ownerId: owner.id, frequency: 'quarterly' });
    const mailer = mailerOn(smtp.port);
    try {
      expect(await sendOverdueReminders(db, mailer, { now: NOW, publicUrl: PUBLIC_URL, organisationIds: [org.id] })).toEqual({ sent: 1, items: 2, skipped: 0, failed: 0 });
    } finally {
      mailer.close();
    }
    const mail = to(owner.email);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe(`2 KPI values overdue at ${org.name}`);
    expect(mail[0]?.text).toContain('Avoidable contact');
    expect(mail[0]?.text).toContain('Calls answered in 60 seconds');
    expect(mail[0]?.text).toContain('Value for Q3 2026 (July to September), due by 20 October 2026');
    expect(mail[0]?.text).toContain(`/o/${org.slug}/kpis/${never.key}/measurements/new`);
  });

  it('sends nothing for a KPI with no owner, one that is up to date, one calculated by formula, or an owner who has left', async () => {
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    const leaver = await makeUser(db, org, 'contributor');
    const unowned = await makeKpi(db, org, { key: 'all_transactions' });
    await recordValues(db, org, unowned.key, [['2026-08', 100]]);
    const current = await makeKpi(db, org, { key: 'online_transactions', ownerId: owner.id });
    await recordValues(db, org, current.key, [['2026-10', 70]]);
    await makeKpi(db, org, { key: 'take_up', ownerId: owner.id, formula: '100 * {online_transactions} / {all_transactions}' });
    const left = await makeKpi(db, org, { ownerId: leaver.id });
    await deactivateMember(db, cliOperator(), org.id, leaver.id);
    const mailer = mailerOn(smtp.port);
    try {
      const result = await sendOverdueReminders(db, mailer, { now: NOW, publicUrl: PUBLIC_URL, organisationIds: [org.id] });
      expect(result).toEqual({ sent: 0, items: 0, skipped: 1, failed: 0 });
    } finally {
      mailer.close();
    }
    expect(to(owner.email)).toEqual([]);
    expect(to(leaver.email)).toEqual([]);
    expect(await reminderRows(org.id)).toEqual([]);
    expect(await reminderEvents(org.id)).toEqual([]);
    expect(left.ownerId).toBe(leaver.id);
  });

  it('releases the claim when the SMTP server cannot be reached, so a later run sends it', async () => {
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    await makeKpi(db, org, { ownerId: owner.id });
    const warnings: unknown[] = [];
    const broken = mailerOn(await closedPort());
    try {
      const result = await sendOverdueReminders(db, broken, {
        now: NOW,
        publicUrl: PUBLIC_URL,
        organisationIds: [org.id],
        logger: { warn: (...args: unknown[]) => warnings.push(args) },
      });
      expect(result).toEqual({ sent: 0, items: 0, skipped: 0, failed: 1 });
    } finally {
      broken.close();
    }
    expect(await reminderRows(org.id)).toEqual([]);
    expect(await reminderEvents(org.id)).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings)).toMatch(/"errorCode":"E[A-Z]+"/);
    expect(JSON.stringify(warnings)).not.toContain(owner.email);

    const working = mailerOn(smtp.port);
    try {
      expect((await sendOverdueReminders(db, working, { now: NOW, publicUrl: PUBLIC_URL, organisationIds: [org.id] })).sent).toBe(1);
    } finally {
      working.close();
    }
    expect(to(owner.email)).toHaveLength(1);
    expect(await reminderRows(org.id)).toHaveLength(1);
  });

  it('tells each owner only about their own KPIs, one email per organisation', async () => {
    const [a, b] = [await makeOrganisation(db), await makeOrganisation(db)];
    const solo = await makeUser(db, a, 'contributor');
    const both = await makeUser(db, a, 'contributor');
    await makeUser(db, b, 'contributor', { email: both.email });
    const bMember = (await db.selectFrom('app_user').select('id').where('email', '=', both.email).executeTakeFirstOrThrow()).id;
    const soloKpi = await makeKpi(db, a, { name: 'Solo owner KPI', ownerId: solo.id });
    const bothInA = await makeKpi(db, a, { name: 'Shared owner KPI in A', ownerId: both.id });
    const bothInB = await makeKpi(db, b, { name: 'Shared owner KPI in B', ownerId: bMember });
    const mailer = mailerOn(smtp.port);
    try {
      const result = await sendOverdueReminders(db, mailer, { now: NOW, publicUrl: PUBLIC_URL, organisationIds: [a.id, b.id] });
      expect(result).toEqual({ sent: 3, items: 3, skipped: 0, failed: 0 });
    } finally {
      mailer.close();
    }
    const soloMail = to(solo.email);
    expect(soloMail).toHaveLength(1);
    expect(soloMail[0]?.text).toContain(soloKpi.key);
    expect(soloMail[0]?.text).not.toContain(bothInA.key);
    expect(soloMail[0]?.text).not.toContain(bothInB.key);
    const bothMail = to(both.email);
    expect(bothMail).toHaveLength(2);
    const [fromA, fromB] = [bothMail.find((m) => m.text.includes(a.name)), bothMail.find((m) => m.text.includes(b.name))];
    expect(fromA?.text).toContain(`/o/${a.slug}/kpis/${bothInA.key}/`);
    expect(fromA?.text).not.toContain(bothInB.key);
    expect(fromA?.text).not.toContain(soloKpi.key);
    expect(fromB?.text).toContain(`/o/${b.slug}/kpis/${bothInB.key}/`);
    expect(fromB?.text).not.toContain(bothInA.key);
    expect((await reminderEvents(a.id))[0]?.after).toEqual({
      emails: 2,
      items: expect.arrayContaining([
        { key: soloKpi.key, period: '2026-10-01' },
        { key: bothInA.key, period: '2026-10-01' },
      ]) as unknown,
    });
    expect((await reminderEvents(b.id))[0]?.after).toEqual({ emails: 1, items: [{ key: bothInB.key, period: '2026-10-01' }] });
  });

  it('lets only one of two runs at the same moment send a reminder', async () => {
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    await makeKpi(db, org, { ownerId: owner.id });
    const [m1, m2] = [mailerOn(smtp.port), mailerOn(smtp.port)];
    try {
      const results = await Promise.all([
        sendOverdueReminders(db, m1, { now: NOW, publicUrl: PUBLIC_URL, organisationIds: [org.id] }),
        sendOverdueReminders(db, m2, { now: NOW, publicUrl: PUBLIC_URL, organisationIds: [org.id] }),
      ]);
      expect(results.map((r) => r.sent).sort()).toEqual([0, 1]);
    } finally {
      m1.close();
      m2.close();
    }
    expect(to(owner.email)).toHaveLength(1);
  });

  it('runs on the server’s schedule, and stops when told to', async () => {
    // Its own database: a scheduled run covers every organisation, and the shared one has others'.
    const own = await openEmbedded('memory://');
    try {
      await migrateToLatest(own.db);
      const org = await makeOrganisation(own.db);
      const owner = await makeUser(own.db, org, 'contributor');
      await makeKpi(own.db, org, { ownerId: owner.id });
      const schedule = startReminderSchedule({
        db: own.db,
        mailer: mailerOn(smtp.port),
        publicUrl: PUBLIC_URL,
        intervalMinutes: 60,
        logger: createLogger('silent'),
        firstRunDelayMs: 0,
      });
      await vi.waitFor(() => {
        expect(to(owner.email)).toHaveLength(1);
      }, 10_000);
      await schedule.stop();
      expect(await own.db.selectFrom('kpi_reminder').select('kpi_id').where('organisation_id', '=', org.id).execute()).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});
