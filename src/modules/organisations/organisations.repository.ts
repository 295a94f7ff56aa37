import type { Db } from '../../db/database.ts';
import type { Organisation } from './organisations.ts';

const columns = ['id', 'slug', 'name', 'parent_id', 'require_mfa'] as const;

function toOrganisation(row: { id: string; slug: string; name: string; parent_id: string | null; require_mfa: boolean }): Organisation {
  return { id: row.id, slug: row.slug, name: row.name, parentId: row.parent_id, requireMfa: row.require_mfa };
}

export async function insertOrganisation(db: Db, values: { slug: string; name: string; parentId: string | null }): Promise<Organisation> {
  const row = await db
    .insertInto('organisation')
    .values({ slug: values.slug, name: values.name, parent_id: values.parentId })
    .returning(columns)
    .executeTakeFirstOrThrow();
  return toOrganisation(row);
}

export async function findOrganisationBySlug(db: Db, slug: string): Promise<Organisation | undefined> {
  const row = await db.selectFrom('organisation').select(columns).where('slug', '=', slug).executeTakeFirst();
  return row && toOrganisation(row);
}

export async function findOrganisationById(db: Db, id: string): Promise<Organisation | undefined> {
  const row = await db.selectFrom('organisation').select(columns).where('id', '=', id).executeTakeFirst();
  return row && toOrganisation(row);
}

export async function findChildren(db: Db, parentId: string): Promise<Organisation[]> {
  const rows = await db.selectFrom('organisation').select(columns).where('parent_id', '=', parentId).orderBy('name').execute();
  return rows.map(toOrganisation);
}

export async function updateRequireMfa(db: Db, id: string, requireMfa: boolean): Promise<void> {
  await db.updateTable('organisation').set({ require_mfa: requireMfa, updated_at: new Date() }).where('id', '=', id).execute();
}

export async function countOrganisations(db: Db): Promise<number> {
  const row = await db.selectFrom('organisation').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return row.n;
}
