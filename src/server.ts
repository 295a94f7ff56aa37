import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import type { Config } from './config/config.ts';
import { type DatabaseHandle, openDatabase } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createLogger, type Logger } from './platform/logger.ts';

export interface RunningServer {
  app: FastifyInstance;
  database: DatabaseHandle;
  url: string;
  close(): Promise<void>;
}

/**
 * config → database → migrate → app → listen. `beforeListen` runs on the migrated database
 * (the CLI seeds demo data there on a first run). Closing stops taking requests, lets those
 * in flight finish, then closes the database (and releases the embedded data folder).
 */
export async function startServer(
  config: Config,
  options: { logger?: Logger; beforeListen?: (database: DatabaseHandle, logger: Logger) => Promise<void> } = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = await openDatabase(config);
  try {
    const { applied } = await migrateToLatest(database.db);
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
    await options.beforeListen?.(database, logger);
    const app = await buildApp({ config, database, logger });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const shownHost = config.host === '0.0.0.0' || config.host === '127.0.0.1' || config.host === '::' ? 'localhost' : config.host;
    let closing: Promise<void> | undefined;
    return {
      app,
      database,
      url: `http://${shownHost}:${port}`,
      close: () => {
        closing ??= (async () => {
          await app.close();
          await database.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await database.close();
    throw error;
  }
}
