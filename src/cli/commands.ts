import type { Command } from 'commander';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { registerAuditCommands } from './audit.command.ts';
import { registerImportCommands } from './import.command.ts';
import { registerOrgCommands } from './org.command.ts';
import { registerReminderCommands } from './reminders.command.ts';
import { registerSeedCommand } from './seed.command.ts';
import { registerServeCommand } from './serve.command.ts';
import type { ConfigLoader } from './support.ts';
import { registerTokenCommands } from './token.command.ts';
import { registerUserCommands } from './user.command.ts';

/**
 * Every `waymark` command. Each calls the same services as the web app, acting as the CLI
 * operator (audit events say "via cli"), and reads the configuration only when it runs.
 */
export function registerCommands(program: Command, config: ConfigLoader): void {
  registerServeCommand(program, config);

  program
    .command('migrate')
    .description('Bring the database schema up to date (on PostgreSQL, under a lock, so running it twice at once is safe)')
    .action(async () => {
      const database = await openDatabase(config());
      try {
        const { applied } = await migrateToLatest(database.db);
        console.log(applied.length === 0 ? 'The database is up to date.' : `Applied ${applied.length} migration(s): ${applied.join(', ')}`);
      } finally {
        await database.close();
      }
    });

  registerSeedCommand(program, config);
  registerOrgCommands(program, config);
  registerUserCommands(program, config);
  registerTokenCommands(program, config);
  registerAuditCommands(program, config);
  registerImportCommands(program, config);
  registerReminderCommands(program, config);
}
