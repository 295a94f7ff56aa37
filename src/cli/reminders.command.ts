import type { Command } from 'commander';
import { sendOverdueReminders } from '../modules/kpis/reminders.service.ts';
import { cliOperator } from '../platform/access/actor.ts';
import { createMailer } from '../platform/email/mailer.ts';
import { type ConfigLoader, organisationBySlug, UsageError, withDatabase } from './support.ts';

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function registerReminderCommands(program: Command, config: ConfigLoader): void {
  const reminders = program.command('reminders').description('Email the owners of overdue KPIs');

  reminders
    .command('send')
    .description('Email every owner of an overdue KPI once about each missing period, in every organisation')
    .option('--org <slug>', 'only this organisation')
    .addHelpText(
      'after',
      [
        '',
        'For installations that run it from cron rather than leaving it to `serve` (which checks every',
        'REMINDER_INTERVAL_MINUTES when SMTP_URL is set). Needs SMTP_URL; MAIL_FROM sets the sender and',
        'PUBLIC_URL the address in the links. Each reminder is sent once, however often this runs and',
        'whatever else is sending; a reminder that could not be sent is tried again next time, and the',
        'command then exits 1.',
      ].join('\n'),
    )
    .action(async (options: { org?: string }) => {
      const cfg = config();
      const mailer = createMailer(cfg);
      if (mailer === null) throw new UsageError('Email is off: set SMTP_URL (for example smtp://user:password@mail.example:587) to send reminders');
      try {
        const result = await withDatabase(cfg, async (db) => {
          const organisationIds = options.org === undefined ? undefined : [(await organisationBySlug(db, options.org)).id];
          return sendOverdueReminders(db, mailer, { publicUrl: cfg.publicUrl, actor: cliOperator(), organisationIds });
        });
        const lines = [
          result.sent === 0
            ? result.failed === 0
              ? 'No reminders to send.'
              : 'Sent no reminder emails.'
            : `Sent ${plural(result.sent, 'reminder email')} about ${plural(result.items, 'overdue KPI')}.`,
        ];
        if (result.skipped > 0) lines.push(`${plural(result.skipped, 'overdue KPI')} skipped: already reminded about that period, or the owner is no longer a member.`);
        console.log(lines.join('\n'));
        if (result.failed > 0) {
          console.error(`waymark: ${plural(result.failed, 'reminder email')} could not be sent (check SMTP_URL); the next run tries again.`);
          process.exitCode = 1;
        }
      } finally {
        mailer.close();
      }
    });
}
