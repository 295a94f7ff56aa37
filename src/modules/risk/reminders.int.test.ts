import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { testDatabase } from '../../../test/support/db.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { makeRisk } from '../../../test/support/risk-factories.ts';
import { closedPort, startSmtpServer, testMailer, type TestSmtpServer } from '../../../test/support/smtp.ts';
import { type Db, openEmbedded } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { createLogger } from '../../platform/logger.ts';
import { startReminderSchedule } from '../../server.ts';
import { sendReviewReminders } from './reminders.service.ts';

/** Review reminders through a real SMTP server on a free local port; "today" is 5 December 2026. */
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

async function reminderEvents(organisationId: string) {
  return db
    .selectFrom('audit_event')
    .select(['action', 'after'])
    .where('organisation_id', '=', organisationId)
    .where('action', '=', 'risk.review_reminders_sent')
    .execute();
}

describe('risk review reminders', () => {
  it('emails each owner once about all their overdue reviews, with links to record them, and records an audit event', async () => {
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    const other = await makeUser(db, org, 'contributor');
    const late = await makeRisk(
      db,
      org,
      { title: 'Cyber attack on the payments platform', ownerId: owner.id, reviewFrequency: 'monthly' },
      { today: '2026-10-31' },
    );
    const later = await makeRisk(
      db,
      org,
      { title: 'Ageing network switches', ownerId: owner.id, reviewFrequency: 'monthly' },
      { today: '2026-09-15' },
    );
    await makeRisk(
      db,
      org,
      { title: 'Not due yet', ownerId: other.id, reviewFrequency: 'quarterly' },
      { today: '2026-11-01' },
    );
    await makeRisk(
      db,
      org,
      { title: 'Closed one', ownerId: other.id, reviewFrequency: 'monthly', status: 'closed' },
      { today: '2026-01-01' },
    );
    const mailer = testMailer(`smtp://127.0.0.1:${smtp.port}`);
    try {
      const first = await sendReviewReminders(db, mailer, {
        now: NOW,
        publicUrl: PUBLIC_URL,
        organisationIds: [org.id],
      });
      expect(first).toEqual({ sent: 1, items: 2, skipped: 0, failed: 0 });
      const mail = smtp.to(owner.email);
      expect(mail).toHaveLength(1);
      expect(mail[0]?.subject).toBe(`2 risk reviews overdue at ${org.name}`);
      expect(mail[0]?.text).toContain('Review was due by 30 November 2026');
      expect(mail[0]?.text).toContain(`${PUBLIC_URL}/o/${org.slug}/risks/${late.id}/reassess`);
      expect(mail[0]?.text).toContain(`${PUBLIC_URL}/o/${org.slug}/risks/${later.id}/reassess`);
      expect(smtp.to(other.email)).toHaveLength(0);
      expect(await reminderEvents(org.id)).toHaveLength(1);

      const second = await sendReviewReminders(db, mailer, {
        now: NOW,
        publicUrl: PUBLIC_URL,
        organisationIds: [org.id],
      });
      expect(second).toEqual({ sent: 0, items: 0, skipped: 2, failed: 0 });
      expect(smtp.to(owner.email)).toHaveLength(1);
    } finally {
      mailer.close();
    }
  });

  it('releases its claims when the email cannot be sent, so the next run tries again', async () => {
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    await makeRisk(db, org, { ownerId: owner.id, reviewFrequency: 'monthly' }, { today: '2026-10-01' });
    const broken = testMailer(`smtp://127.0.0.1:${await closedPort()}`);
    try {
      expect(
        await sendReviewReminders(db, broken, { now: NOW, publicUrl: PUBLIC_URL, organisationIds: [org.id] }),
      ).toEqual({ sent: 0, items: 0, skipped: 0, failed: 1 });
    } finally {
      broken.close();
    }
    const working = testMailer(`smtp://127.0.0.1:${smtp.port}`);
    try {
      expect(
        await sendReviewReminders(db, working, {
          now: NOW,
          publicUrl: PUBLIC_URL,
          organisationIds: [org.id],
        }),
      ).toMatchObject({ sent: 1, items: 1 });
    } finally {
      working.close();
    }
  });

  it('goes out on the server’s reminder schedule, after the KPI reminders', async () => {
    // Its own database: a scheduled run covers every organisation, and the shared one has others'.
    const own = await openEmbedded('memory://');
    try {
      await migrateToLatest(own.db);
      const org = await makeOrganisation(own.db);
      const owner = await makeUser(own.db, org, 'contributor');
      await makeRisk(own.db, org, { ownerId: owner.id, reviewFrequency: 'monthly' }, { today: '2020-01-01' });
      const schedule = startReminderSchedule({
        db: own.db,
        mailer: testMailer(`smtp://127.0.0.1:${smtp.port}`),
        publicUrl: PUBLIC_URL,
        intervalMinutes: 60,
        logger: createLogger('silent'),
        firstRunDelayMs: 0,
      });
      await vi.waitFor(() => {
        expect(smtp.to(owner.email).map((m) => m.subject)).toEqual([
          expect.stringContaining('Risk review overdue'),
        ]);
      }, 10_000);
      await schedule.stop();
    } finally {
      await own.close();
    }
  });
});
