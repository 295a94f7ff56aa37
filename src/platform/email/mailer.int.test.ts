import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, testMailer, type TestSmtpServer } from '../../../test/support/smtp.ts';
import { createMailer } from './mailer.ts';

/** A real SMTP server on a free local port receives what the mailer sends. */
let smtp: TestSmtpServer;

beforeAll(async () => {
  smtp = await startSmtpServer();
});

afterAll(async () => {
  await smtp.close();
});

describe('mailer', () => {
  it('is off when no SMTP server is configured', () => {
    expect(createMailer({ smtpUrl: undefined, mailFrom: 'w@example.org' })).toBeNull();
  });

  it('delivers a message to the SMTP server', async () => {
    const mailer = testMailer(smtp.url);
    await mailer.send({ to: 'owner@example.org', subject: 'KPI overdue', text: 'Please record February 2026.' });
    mailer.close();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.to).toEqual(['owner@example.org']);
    expect(smtp.received[0]?.raw).toContain('Subject: KPI overdue');
    expect(smtp.received[0]?.text).toContain('Please record February 2026.');
  });
});
