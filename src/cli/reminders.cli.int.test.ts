import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cliWorkspace } from '../../test/support/cli.ts';
import { testDatabaseKind } from '../../test/support/db.ts';
import { makeOrganisation, makeUser } from '../../test/support/factories.ts';
import { makeKpi } from '../../test/support/kpi-factories.ts';
import { closedPort, startSmtpServer, type TestSmtpServer } from '../../test/support/smtp.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { Organisation } from '../modules/organisations/organisations.service.ts';

/**
 * `waymark reminders send` run as a subprocess, as cron runs it, against a real SMTP server on
 * a free local port. Scoped with --org, so a shared PostgreSQL test database's other
 * organisations are left alone.
 */
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const kind = testDatabaseKind();
const { run: waymark, withDb, remove } = cliWorkspace('reminders-cli');

let smtp: TestSmtpServer;
let org: Organisation;
let ownerEmail: string;
let kpiKey: string;

beforeAll(async () => {
  smtp = await startSmtpServer();
  ({ org, ownerEmail, kpiKey } = await withDb(async (db) => {
    await migrateToLatest(db);
    const org = await makeOrganisation(db);
    const owner = await makeUser(db, org, 'contributor');
    // No values since its 2025 baseline: overdue whatever day the test runs.
    const kpi = await makeKpi(db, org, { ownerId: owner.id });
    return { org, ownerEmail: owner.email, kpiKey: kpi.key };
  }));
});

afterAll(async () => {
  await smtp.close();
  remove();
});

describe(`waymark reminders send (${kind})`, () => {
  it('explains itself, and says in one line that email is off without SMTP_URL', async () => {
    const help = await waymark(['reminders', 'send', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('SMTP_URL');
    expect(help.stdout).toContain('--org');
    const off = await waymark(['reminders', 'send', '--org', org.slug]);
    expect(off.code).toBe(1);
    expect(off.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^waymark: Email is off: set SMTP_URL/) as unknown]);
  });

  it('exits 1 when the SMTP server cannot be reached, and sends the reminder on the next run', async () => {
    const closed = await closedPort();
    const failed = await waymark(['reminders', 'send', '--org', org.slug], { SMTP_URL: `smtp://127.0.0.1:${closed}` });
    expect(failed.code).toBe(1);
    expect(failed.stdout.trim()).toBe('Sent no reminder emails.');
    expect(failed.stderr.trim()).toBe('waymark: 1 reminder email could not be sent (check SMTP_URL); the next run tries again.');

    const smtpUrl = smtp.url;
    const sent = await waymark(['reminders', 'send', '--org', org.slug], { SMTP_URL: smtpUrl, PUBLIC_URL: 'https://waymark.example' });
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout.trim()).toBe('Sent 1 reminder email about 1 overdue KPI.');
    const mail = smtp.to(ownerEmail);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.text).toContain(`https://waymark.example/o/${org.slug}/kpis/${kpiKey}/measurements/new`);

    const again = await waymark(['reminders', 'send', '--org', org.slug], { SMTP_URL: smtpUrl });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('No reminders to send.');
    expect(again.stdout).toContain('1 overdue KPI skipped: already reminded about that period');
    expect(smtp.to(ownerEmail)).toHaveLength(1);
  });
});
