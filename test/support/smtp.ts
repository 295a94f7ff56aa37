import net, { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createMailer, type Mailer } from '../../src/platform/email/mailer.ts';

/** A message as the SMTP server received it, and as a person reads it. */
export interface ReceivedMail {
  to: string[];
  /** The message as sent: headers and body, encoded. */
  raw: string;
  subject: string;
  /** The body with quoted-printable decoded and CRLF as LF. */
  text: string;
}

export interface TestSmtpServer {
  port: number;
  /** For SMTP_URL or createMailer. */
  url: string;
  received: ReceivedMail[];
  /** The messages sent to `email`. */
  to(email: string): ReceivedMail[];
  close(): Promise<void>;
}

/** The message as a person reads it: headers unfolded, quoted-printable decoded. */
export function decodeMail(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const subject = /^Subject: (.*)$/m.exec(headers)?.[1] ?? '';
  const qp = /Content-Transfer-Encoding: quoted-printable/i.test(headers);
  const text = qp
    ? Buffer.from(
        body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8')
    : body;
  return { subject, text: text.replace(/\r\n/g, '\n') };
}

/** A real SMTP server (smtp-server) on a free local port, keeping every message it receives. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw, ...decodeMail(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    to: (email) => received.filter((m) => m.to.includes(email)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A mailer sending to `smtpUrl`. */
export function testMailer(smtpUrl: string): Mailer {
  const mailer = createMailer({ smtpUrl, mailFrom: 'Waymark <waymark@example.org>' });
  if (mailer === null) throw new Error('The mailer should be on when an SMTP URL is given');
  return mailer;
}

/** A local port nothing listens on, for "the SMTP server is down". */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const free = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => {
    probe.close(() => {
      resolve();
    });
  });
  return free;
}
