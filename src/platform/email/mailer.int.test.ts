import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from './mailer.ts';

/** A real SMTP server on a free local port receives what the mailer sends. */
const received: { to: string[]; data: string }[] = [];
let server: SMTPServer;
let port: number;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (data += chunk));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
});

describe('mailer', () => {
  it('is off when no SMTP server is configured', () => {
    expect(createMailer({ smtpUrl: undefined, mailFrom: 'w@example.org' })).toBeNull();
  });

  it('delivers a message to the SMTP server', async () => {
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: 'Waymark <waymark@example.org>' });
    if (mailer === null) throw new Error('mailer should be on');
    await mailer.send({ to: 'owner@example.org', subject: 'KPI overdue', text: 'Please record February 2026.' });
    mailer.close();
    expect(received).toHaveLength(1);
    expect(received[0]?.to).toEqual(['owner@example.org']);
    expect(received[0]?.data).toContain('Subject: KPI overdue');
    expect(received[0]?.data).toContain('Please record February 2026.');
  });
});
