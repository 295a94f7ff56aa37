import type { Command } from 'commander';
import type { Config } from '../config/config.ts';
import { openDatabase } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startServer } from '../server.ts';

export function registerCommands(program: Command, config: () => Config): void {
  program
    .command('serve')
    .description('Start the web server (migrates the database first)')
    .action(async () => {
      const cfg = config();
      const server = await startServer(cfg);
      console.log(`Waymark is running at ${server.url}`);
      const stop = (): void => {
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  program
    .command('migrate')
    .description('Bring the database schema up to date')
    .action(async () => {
      const database = await openDatabase(config());
      try {
        const { applied } = await migrateToLatest(database.db);
        console.log(applied.length === 0 ? 'The database is up to date.' : `Applied ${applied.length} migration(s): ${applied.join(', ')}`);
      } finally {
        await database.close();
      }
    });
}
