import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports app code and must keep running on PGlite and PostgreSQL 15.
// Governance: boards (steering committees) with members and what they oversee, the decision log,
// RACI assignments on projects, objectives and KPIs, and Service Standard assessments.
//
// Links to items of other modules (projects, objectives, KPIs) are held as (item_type, item_id):
// one table serves every kind of item, and reads join each kind to its own table, scoped by
// organisation, so a link to an item that was deleted simply stops showing.

const id = sql`gen_random_uuid()`;
const ITEM_TYPES = sql`item_type in ('project', 'objective', 'kpi')`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('board')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('terms_of_reference', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('chair_id', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('cadence', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('board_org_name', ['organisation_id', 'name'])
    .addCheckConstraint('board_cadence', sql`cadence in ('weekly', 'fortnightly', 'monthly', 'quarterly', 'as_needed')`)
    .execute();

  await db.schema
    .createTable('board_member')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('board.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('board_member_pk', ['board_id', 'user_id'])
    .execute();
  await db.schema.createIndex('board_member_user_idx').on('board_member').columns(['organisation_id', 'user_id']).execute();

  // What a board oversees: projects and objectives.
  await db.schema
    .createTable('board_oversight')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('board.id').onDelete('cascade'))
    .addColumn('item_type', 'text', (c) => c.notNull())
    .addColumn('item_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('board_oversight_pk', ['board_id', 'item_type', 'item_id'])
    .addCheckConstraint('board_oversight_item_type', sql`item_type in ('project', 'objective')`)
    .execute();

  await db.schema
    .createTable('decision')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('board_id', 'uuid', (c) => c.notNull().references('board.id').onDelete('cascade'))
    .addColumn('decided_on', 'date', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('rationale', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('options_considered', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('superseded_by_id', 'uuid', (c) => c.references('decision.id').onDelete('set null'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('decision_status', sql`status in ('proposed', 'made', 'superseded')`)
    .addCheckConstraint('decision_superseded_by', sql`(status = 'superseded') = (superseded_by_id is not null)`)
    .execute();
  await db.schema.createIndex('decision_org_date_idx').on('decision').columns(['organisation_id', 'decided_on']).execute();
  await db.schema.createIndex('decision_board_idx').on('decision').columns(['board_id', 'decided_on']).execute();

  await db.schema
    .createTable('decision_link')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('decision_id', 'uuid', (c) => c.notNull().references('decision.id').onDelete('cascade'))
    .addColumn('item_type', 'text', (c) => c.notNull())
    .addColumn('item_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('decision_link_pk', ['decision_id', 'item_type', 'item_id'])
    .addCheckConstraint('decision_link_item_type', ITEM_TYPES)
    .execute();

  // RACI: who is responsible, accountable, consulted and informed for a project, objective or KPI.
  await db.schema
    .createTable('raci_assignment')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('item_type', 'text', (c) => c.notNull())
    .addColumn('item_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('raci_assignment_pk', ['organisation_id', 'item_type', 'item_id', 'user_id', 'role'])
    .addCheckConstraint('raci_assignment_item_type', ITEM_TYPES)
    .addCheckConstraint('raci_assignment_role', sql`role in ('responsible', 'accountable', 'consulted', 'informed')`)
    .execute();
  await db.schema.createIndex('raci_assignment_user_idx').on('raci_assignment').columns(['organisation_id', 'user_id']).execute();
  // At most one accountable person per item, whatever the application does.
  await sql`create unique index raci_one_accountable on raci_assignment (organisation_id, item_type, item_id) where role = 'accountable'`.execute(db);

  // Service Standard assessments of a project, or of a service named in words, at alpha, beta or live.
  await db.schema
    .createTable('service_assessment')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('project_id', 'uuid', (c) => c.references('project.id').onDelete('cascade'))
    .addColumn('service_name', 'text')
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('assessed_on', 'date', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('service_assessment_subject', sql`(project_id is null) <> (service_name is null)`)
    .addCheckConstraint('service_assessment_phase', sql`phase in ('alpha', 'beta', 'live')`)
    .addCheckConstraint('service_assessment_outcome', sql`outcome in ('met', 'not_met')`)
    .execute();
  await db.schema.createIndex('service_assessment_org_idx').on('service_assessment').columns(['organisation_id', 'assessed_on']).execute();

  await db.schema
    .createTable('service_assessment_point')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('assessment_id', 'uuid', (c) => c.notNull().references('service_assessment.id').onDelete('cascade'))
    .addColumn('point', 'integer', (c) => c.notNull())
    .addColumn('met', 'boolean', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('actions', 'text', (c) => c.notNull().defaultTo(''))
    .addPrimaryKeyConstraint('service_assessment_point_pk', ['assessment_id', 'point'])
    .addCheckConstraint('service_assessment_point_range', sql`point between 1 and 14`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['service_assessment_point', 'service_assessment', 'raci_assignment', 'decision_link', 'decision', 'board_oversight', 'board_member', 'board']) {
    await db.schema.dropTable(table).execute();
  }
}
