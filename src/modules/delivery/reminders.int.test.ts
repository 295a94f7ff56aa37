import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeProject, makeStatusReport } from '../../../test/support/delivery-factories.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { testDatabase } from '../../../test/support/db.ts';
import { closedPort, startSmtpServer, testMailer, type TestSmtpServer } from '../../../test/support/smtp.ts';
import type { Db } from '../../db/database.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import { deactivateMember } from '../users/users.service.ts';
import { sendLateReportReminders } from './reminders.service.ts';

/**
 * Late status report reminders through a real SMTP server on a free local port. "Today" is
 * 5 December 2026: a monthly project's latest report due is October 2026's (due by 10 November).
 */
const NOW = new Date('2026-12-05T09:00:00Z');
const PUBLIC_URL = 'https://waymark.example';

let smtp: TestSmtpServer;
let db: Db;

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

async function claims(organisationId: string) {
  return db
    .selectFrom('status_report_reminder')
    .select(['project_id', 'period'])
    .where('organisation_id', '=', organisationId)
    .execute();
}

async function events(organisationId: string) {
  return db
    .selectFrom('audit_event')
    .select(['after', 'via'])
    .where('organisation_id', '=', organisationId)
    .where('action', '=', 'status_report.reminders_sent')
    .execute();
}

describe('late status report reminders', () => {
  it('emails each owner once about each late report, listing all their projects, with a link to submit it', async () => {
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    const late = await makeProject(db, org, { title: 'Bins online', ownerId: owner.id });
    await makeStatusReport(db, org, late, { period: '2026-09-01', today: '2026-10-05' });
    const never = await makeProject(db, org, { title: 'Adult social care portal', ownerId: owner.id });
    const mailer = testMailer(`smtp://127.0.0.1:${smtp.port}`);
    try {
      expect(
        await sendLateReportReminders(db, mailer, {
          now: NOW,
          publicUrl: PUBLIC_URL,
          organisationIds: [org.id],
        }),
      ).toEqual({ sent: 1, items: 2, skipped: 0, failed: 0 });
      const mail = smtp.to(owner.email);
      expect(mail).toHaveLength(1);
      expect(mail[0]?.subject).toBe(`2 status reports late at ${org.name}`);
      expect(mail[0]?.text).toContain('Bins online');
      expect(mail[0]?.text).toContain('Report for October 2026, due by 10 November 2026');
      expect(mail[0]?.text).toContain(`${PUBLIC_URL}/o/${org.slug}/projects/${never.id}/reports/new`);
      expect(await claims(org.id)).toHaveLength(2);

      expect(
        await sendLateReportReminders(db, mailer, {
          now: NOW,
          publicUrl: PUBLIC_URL,
          organisationIds: [org.id],
        }),
      ).toEqual({ sent: 0, items: 0, skipped: 2, failed: 0 });
      expect(smtp.to(owner.email)).toHaveLength(1);

      // The report for October arrives; a month later only the other project is late again.
      await makeStatusReport(db, org, late, { period: '2026-11-01', today: '2026-12-06' });
      const later = await sendLateReportReminders(db, mailer, {
        now: new Date('2027-01-15T09:00:00Z'),
        publicUrl: PUBLIC_URL,
        organisationIds: [org.id],
      });
      expect(later).toEqual({ sent: 1, items: 2, skipped: 0, failed: 0 });
      expect(smtp.to(owner.email)[1]?.text).toContain('Report for December 2026, due by 10 January 2027');
    } finally {
      mailer.close();
    }
    const audit = await events(org.id);
    expect(audit).toHaveLength(2);
    expect(audit[0]?.via).toBe('system');
    expect(JSON.stringify(audit)).not.toContain(owner.email);
  });

  it('sends nothing for a project without an owner, one up to date, one retired, or an owner who has left', async () => {
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    const leaver = await makeUser(db, org, 'contributor');
    await makeProject(db, org, { title: 'Nobody’s' });
    await makeProject(db, org, { title: 'Retired', ownerId: owner.id, phase: 'retirement' });
    const upToDate = await makeProject(db, org, { title: 'Up to date', ownerId: owner.id });
    await makeStatusReport(db, org, upToDate, { period: '2026-11-01', today: '2026-12-05' });
    await makeProject(db, org, { title: 'Left behind', ownerId: leaver.id });
    await deactivateMember(db, cliOperator(), org.id, leaver.id);
    const mailer = testMailer(`smtp://127.0.0.1:${smtp.port}`);
    try {
      expect(
        await sendLateReportReminders(db, mailer, {
          now: NOW,
          publicUrl: PUBLIC_URL,
          organisationIds: [org.id],
        }),
      ).toEqual({ sent: 0, items: 0, skipped: 1, failed: 0 });
    } finally {
      mailer.close();
    }
    expect(smtp.received).toHaveLength(0);
    expect(await claims(org.id)).toHaveLength(0);
  });

  it('releases the claim when the email cannot be sent, so the next run tries again', async () => {
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    await makeProject(db, org, { ownerId: owner.id });
    const broken = testMailer(`smtp://127.0.0.1:${await closedPort()}`);
    try {
      expect(
        await sendLateReportReminders(db, broken, {
          now: NOW,
          publicUrl: PUBLIC_URL,
          organisationIds: [org.id],
        }),
      ).toEqual({ sent: 0, items: 0, skipped: 0, failed: 1 });
    } finally {
      broken.close();
    }
    expect(await claims(org.id)).toHaveLength(0);
    const mailer = testMailer(`smtp://127.0.0.1:${smtp.port}`);
    try {
      expect(
        (
          await sendLateReportReminders(db, mailer, {
            now: NOW,
            publicUrl: PUBLIC_URL,
            organisationIds: [org.id],
          })
        ).sent,
      ).toBe(1);
    } finally {
      mailer.close();
    }
  });
});
