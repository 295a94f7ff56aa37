import type { Command } from 'commander';
import { DEMO_CENTRAL_BODY, DEMO_COUNCIL, DEMO_PASSWORD, DEMO_USERS, seedDemo } from '../db/seed/demo.ts';
import { cliOperator } from '../platform/access/actor.ts';
import { type ConfigLoader, columns, UsageError, withDatabase } from './support.ts';

/** What a newcomer needs to sign in to the demo, as lines for the terminal. */
export function demoSignInLines(url?: string): string[] {
  const rows = DEMO_USERS.map((user) => [user.email, user.roles[0]?.role ?? '', user.note]);
  return [
    `Demo data (fictional): ${DEMO_COUNCIL.name}, under the ${DEMO_CENTRAL_BODY.name}.`,
    `Sign in${url === undefined ? '' : ` at ${url}/sign-in`} as any of these people:`,
    ...columns(rows),
    `The password for all of them is: ${DEMO_PASSWORD}`,
  ];
}

export function registerSeedCommand(program: Command, config: ConfigLoader): void {
  program
    .command('seed')
    .description('Load demo data: a fictional county council, its central body and one person per role')
    .option('--demo', 'seed the demo organisations and people (never in production)')
    .addHelpText('after', '\nSeeding is all or nothing, and running it again when the demo is there changes nothing.')
    .action(async (options: { demo?: boolean }) => {
      if (options.demo !== true) throw new UsageError('Say what to seed: --demo (the only kind of seed data for now)');
      const cfg = config();
      if (cfg.env === 'production') throw new UsageError('Demo data is never seeded in production (NODE_ENV=production)');
      const outcome = await withDatabase(cfg, (db) => seedDemo(db, cliOperator()));
      if (outcome.status === 'already_seeded') {
        console.log('The demo is already seeded: nothing changed.');
        return;
      }
      console.log(['Seeded the demo.', ...demoSignInLines()].join('\n'));
    });
}
