import type { Command } from 'commander';
import { cliOperator } from '../platform/access/actor.ts';
import { REMINDER_RUNS } from '../reminder-kinds.ts';
import { createMailer } from '../platform/email/mailer.ts';
import { type ConfigLoader, organisationBySlug, UsageError, withDatabase } from './support.ts';
import { plural } from '../platform/text.ts';

export function registerReminderCommands(program: Command, config: ConfigLoader): void {
  const reminders = program.command('reminders').description('Email the owners of overdue KPIs, of risks due a review and of projects with a late status report');

  reminders
    .command('send')
    .description('Email every owner of an overdue KPI once about each missing period, every owner of a risk due a review once about each review date, and every owner of a project once about each late status report, in every organisation')
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
        const results = await withDatabase(cfg, async (db) => {
          const organisationIds = options.org === undefined ? undefined : [(await organisationBySlug(db, options.org)).id];
          const done = [];
          for (const kind of REMINDER_RUNS) done.push({ kind, result: await kind.send(db, mailer, { publicUrl: cfg.publicUrl, actor: cliOperator(), organisationIds }) });
          return done;
        });
        const failed = results.reduce((sum, r) => sum + r.result.failed, 0);
        const lines = results.filter((r) => r.result.sent > 0).map((r) => r.kind.sentLine(r.result));
        if (lines.length === 0) lines.push(failed === 0 ? 'No reminders to send.' : 'Sent no reminder emails.');
        for (const r of results) if (r.result.skipped > 0) lines.push(r.kind.skippedLine(r.result.skipped));
        console.log(lines.join('\n'));
        if (failed > 0) {
          console.error(`waymark: ${plural(failed, 'reminder email')} could not be sent (check SMTP_URL); the next run tries again.`);
          process.exitCode = 1;
        }
      } finally {
        mailer.close();
      }
    });
}
