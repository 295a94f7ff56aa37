import { defineConfig } from 'vitest/config';

/**
 * Test tiers (DESIGN §6), told apart by file name:
 * - `*.test.ts`        unit tests of pure rules; no database.
 * - `*.int.test.ts`    service, repository and HTTP tests; run on embedded PGlite, and again on
 *                      PostgreSQL when TEST_DATABASE_URL is set.
 * - `*.e2e.test.ts`    browser journeys in Chromium with axe, on the embedded database.
 */
const postgresUrl = process.env.TEST_DATABASE_URL;
const integration = ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', 'node_modules/**'],
          env: { NODE_ENV: 'test' },
        },
      },
      {
        test: {
          name: 'embedded',
          include: integration,
          env: { NODE_ENV: 'test', WAYMARK_TEST_DB: 'embedded' },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      ...(postgresUrl
        ? [
            {
              test: {
                name: 'postgres',
                include: integration,
                env: { NODE_ENV: 'test', WAYMARK_TEST_DB: 'postgres' },
                globalSetup: ['test/support/postgres-global-setup.ts'],
                testTimeout: 30_000,
                hookTimeout: 60_000,
              },
            },
          ]
        : []),
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          env: { NODE_ENV: 'test', WAYMARK_TEST_DB: 'embedded' },
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
