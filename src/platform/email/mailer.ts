import nodemailer from 'nodemailer';
import type { Config } from '../../config/config.ts';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: EmailMessage): Promise<void>;
  close(): void;
}

/**
 * Email through the SMTP server in SMTP_URL (nodemailer), or null when none is configured:
 * features that email (reminders) then stay off rather than failing.
 */
export function createMailer(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): Mailer | null {
  if (config.smtpUrl === undefined) return null;
  const transport = nodemailer.createTransport(config.smtpUrl);
  return {
    async send(message) {
      await transport.sendMail({ from: config.mailFrom, to: message.to, subject: message.subject, text: message.text });
    },
    close() {
      transport.close();
    },
  };
}
