import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, Migrator } from 'kysely/migration';
import { describe, expect, it } from 'vitest';
import { openEmbedded } from '../../db/database.ts';
import { DEFAULT_RISK_CATEGORIES } from './risk.ts';

const MIGRATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations');

describe('the risk migration', () => {
  it('gives organisations that existed before it the default categories with their appetite', async () => {
    // Its own database, migrated only up to the migration before, as an installation upgrading.
    const handle = await openEmbedded('memory://');
    try {
      const migrator = new Migrator({
        db: handle.db,
        provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS }),
      });
      expect((await migrator.migrateTo('2026_12_01_0004_governance')).error).toBeUndefined();
      const org = await handle.db
        .insertInto('organisation')
        .values({ slug: 'before-risks', name: 'Before risks' })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect((await migrator.migrateTo('2026_12_01_0005_risk')).error).toBeUndefined();
      const rows = await handle.db
        .selectFrom('risk_category')
        .select(['key', 'label', 'appetite_level', 'appetite_max_score'])
        .where('organisation_id', '=', org.id)
        .orderBy('position')
        .execute();
      expect(
        rows.map((r) => ({
          key: r.key,
          label: r.label,
          appetite: { level: r.appetite_level, maxScore: r.appetite_max_score },
        })),
      ).toEqual(DEFAULT_RISK_CATEGORIES);
    } finally {
      await handle.close();
    }
  });
});
