import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from '../../src/app.ts';
import { type Config, loadConfig } from '../../src/config/config.ts';
import type { DatabaseHandle, Db } from '../../src/db/database.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { testDatabase } from './db.ts';
import { testLogDestination } from './secrets-ledger.ts';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  database: DatabaseHandle;
  config: Config;
}

/**
 * The real application on the test database. Logs go, at debug level, to a file under
 * test-results/logs, which the suite later checks for leaked secrets.
 */
export async function buildTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const database = await testDatabase();
  const config = Object.freeze({ ...loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug' }), ...overrides });
  const logger = createLogger('debug', pino.destination({ dest: testLogDestination(), sync: true }));
  const app = await buildApp({ config, database, logger });
  await app.ready();
  return { app, db: database.db, database, config };
}
