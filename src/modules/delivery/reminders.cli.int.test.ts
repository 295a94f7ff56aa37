import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cliWorkspace } from '../../../test/support/cli.ts';
import { makeProject } from '../../../test/support/delivery-factories.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { startSmtpServer, type TestSmtpServer } from '../../../test/support/smtp.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import type { Organisation } from '../organisations/organisations.service.ts';

/** `waymark reminders send` also reminds project owners of late status reports, once each. */
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const { run: waymark, withDb, remove } = cliWorkspace('report-reminders-cli');

let smtp: TestSmtpServer;
let org: Organisation;
let ownerEmail: string;
let projectId: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  ({ org, ownerEmail, projectId } = await withDb(async (db) => {
    await migrateToLatest(db);
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    // Started in 2025 and never reported: late whatever day the test runs.
    const project = await makeProject(db, org, {
      ownerId: owner.id,
      plannedStart: '2025-01-01',
      plannedEnd: '2099-12-31',
    });
    return { org, ownerEmail: owner.email, projectId: project.id };
  }));
});

afterAll(async () => {
  await smtp.close();
  remove();
});

describe('waymark reminders send, for late status reports', () => {
  it('emails the project owner once and says so', async () => {
    const sent = await waymark(['reminders', 'send', '--org', org.slug], {
      SMTP_URL: smtp.url,
      PUBLIC_URL: 'https://waymark.example',
    });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout.trim()).toBe('Sent 1 status report reminder email about 1 late status report.');
    const mail = smtp.to(ownerEmail);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text).toContain(
      `https://waymark.example/o/${org.slug}/projects/${projectId}/reports/new`,
    );

    const again = await waymark(['reminders', 'send', '--org', org.slug], { SMTP_URL: smtp.url });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('1 late status report skipped: already reminded about that period');
    expect(smtp.to(ownerEmail)).toHaveLength(1);
  });
});
