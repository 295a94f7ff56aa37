import { type DatabaseHandle, openEmbedded, openPostgres } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

/** The database tier this test run uses: set per vitest project (see vitest.config.ts). */
export function testDatabaseKind(): 'embedded' | 'postgres' {
  return process.env.WAYMARK_TEST_DB === 'postgres' ? 'postgres' : 'embedded';
}

export function testPostgresUrl(): string {
  const url = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  if (url === undefined) throw new Error('TEST_DATABASE_URL is not set');
  return url;
}

let shared: Promise<DatabaseHandle> | undefined;

/**
 * A migrated database for this test file. Embedded: one in-memory PGlite per test file (vitest
 * isolates files). PostgreSQL: a small pool on the shared test database, migrated once by the
 * global setup. Tests need no cleanup: factories give each test its own organisation.
 */
export function testDatabase(): Promise<DatabaseHandle> {
  shared ??= (async () => {
    if (testDatabaseKind() === 'postgres') return openPostgres(testPostgresUrl(), { max: 5 });
    const handle = await openEmbedded('memory://');
    await migrateToLatest(handle.db);
    return handle;
  })();
  return shared;
}
