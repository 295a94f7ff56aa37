import { sql } from 'kysely';
import { openPostgres } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { testPostgresUrl } from './db.ts';

/**
 * Starts each run from an empty schema on the shared PostgreSQL test database, then migrates
 * it once: the run never depends on what an earlier run left behind.
 */
export default async function setup(): Promise<void> {
  const handle = openPostgres(testPostgresUrl(), { max: 1 });
  try {
    await sql`drop schema if exists public cascade`.execute(handle.db);
    await sql`create schema public`.execute(handle.db);
    await migrateToLatest(handle.db);
  } finally {
    await handle.close();
  }
}
