import type { Command } from 'commander';
import { demoIsSeeded, seedDemo } from '../db/seed/demo.ts';
import { countOrganisations } from '../modules/organisations/organisations.service.ts';
import { systemActor } from '../platform/access/actor.ts';
import { demoSignInLines } from './seed.command.ts';
import type { ConfigLoader } from './support.ts';

type DemoState = 'seeded_now' | 'present' | 'absent' | 'no_organisations';

export function registerServeCommand(program: Command, config: ConfigLoader): void {
  program
    .command('serve')
    .description('Start the web server (migrates the database first; seeds the demo on a first run)')
    .addHelpText(
      'after',
      [
        '',
        'Settings come from the environment: PORT (3000), HOST, DATABASE_URL (unset: the embedded',
        'database in WAYMARK_DATA_DIR, default ./data), SESSION_SECRET (required in production),',
        'NODE_ENV, LOG_LEVEL, PUBLIC_URL, TRUST_PROXY; SMTP_URL, MAIL_FROM and REMINDER_INTERVAL_MINUTES',
        '(60; 0 is off) for the emails to owners of overdue KPIs, which are off without SMTP_URL.',
        'On the embedded database outside production, a first run with no organisations seeds the',
        'demo and prints how to sign in. Production never seeds. Ctrl+C (SIGINT) or SIGTERM stops',
        'the server after the requests in flight.',
      ].join('\n'),
    )
    .action(async () => {
      const cfg = config();
      // Loaded here, so the other commands (and --help) start without the web stack.
      const { startServer } = await import('../server.ts');
      let demo = 'absent' as DemoState; // set in beforeListen
      const server = await startServer(cfg, {
        beforeListen: async (database) => {
          const organisations = await countOrganisations(database.db);
          if (organisations === 0 && cfg.env !== 'production' && database.kind === 'embedded') {
            console.log('First run: seeding the demo organisations and people…');
            await seedDemo(database.db, systemActor('demo seed'));
            demo = 'seeded_now';
          } else if (organisations === 0) {
            demo = 'no_organisations';
          } else if (await demoIsSeeded(database.db)) {
            demo = 'present';
          }
        },
      });
      const stop = (): void => {
        void server.close().then(() => {
          console.log('Waymark has stopped.');
          process.exit(0);
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const lines = [`Waymark is running at ${server.url}`];
      if ((demo === 'seeded_now' || demo === 'present') && cfg.env !== 'production') {
        lines.push('', ...demoSignInLines(server.url));
        if (demo === 'present') lines.push('(The password is the one the demo was seeded with, unless someone has changed it.)');
      } else if (demo === 'no_organisations') {
        lines.push(
          '',
          'There are no organisations yet. Create one and its first admin with',
          '  npx waymark org create --slug <slug> --name "<name>"',
          '  npx waymark user create --org <slug> --role admin --email <email> --name "<name>"',
          ...(cfg.env === 'production' ? [] : ['or load the demo with: npx waymark seed --demo']),
          ...(server.database.kind === 'embedded' ? ['(Stop the server first: the embedded data folder belongs to one process at a time.)'] : []),
        );
      }
      lines.push('', server.reminders.description, '', 'Press Ctrl+C to stop.');
      console.log(lines.join('\n'));
      if (demo === 'present' && cfg.env === 'production') {
        console.error(
          'Warning: this database holds the demo organisations, whose password is published. Deactivate the demo people or start from an empty database.',
        );
      }
    });
}
