import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports app code and must keep running on PGlite and PostgreSQL 15.
// The strategy tree (strategy → goal → objective), KPIs linked to objectives, and measurements.

const id = sql`gen_random_uuid()`;

export async function up(db: Kysely<any>): Promise<void> {
  // The organisation's own agenda tags, beside the four standard agenda areas held in code.
  await db.schema
    .createTable('agenda_tag')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addUniqueConstraint('agenda_tag_org_key', ['organisation_id', 'key'])
    .execute();

  await db.schema
    .createTable('strategy')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('vision', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('period_start', 'date', (c) => c.notNull())
    .addColumn('period_end', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('strategy_status', sql`status in ('draft', 'published', 'archived')`)
    .addCheckConstraint('strategy_period', sql`period_end >= period_start`)
    .execute();
  await db.schema.createIndex('strategy_org_idx').on('strategy').column('organisation_id').execute();

  // Each time a published strategy is edited, the published state is kept here, readable.
  await db.schema
    .createTable('strategy_version')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('strategy_id', 'uuid', (c) => c.notNull().references('strategy.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('snapshot', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('strategy_version_unique', ['strategy_id', 'version'])
    .execute();

  await db.schema
    .createTable('goal')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('strategy_id', 'uuid', (c) => c.notNull().references('strategy.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('weight', 'numeric(6, 2)', (c) => c.notNull().defaultTo(1))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('goal_strategy_idx').on('goal').columns(['strategy_id', 'position']).execute();

  await db.schema
    .createTable('objective')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('goal_id', 'uuid', (c) => c.notNull().references('goal.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('due_date', 'date')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('weight', 'numeric(6, 2)', (c) => c.notNull().defaultTo(1))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('objective_goal_idx').on('objective').columns(['goal_id', 'position']).execute();

  await db.schema
    .createTable('kpi')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('unit', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('polarity', 'text', (c) => c.notNull())
    .addColumn('frequency', 'text', (c) => c.notNull())
    .addColumn('baseline_value', 'numeric', (c) => c.notNull())
    .addColumn('baseline_date', 'date', (c) => c.notNull())
    .addColumn('target_value', 'numeric', (c) => c.notNull())
    .addColumn('target_date', 'date', (c) => c.notNull())
    .addColumn('tolerance', 'numeric(6, 2)', (c) => c.notNull().defaultTo(10))
    .addColumn('owner_id', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('category', 'text', (c) => c.notNull().defaultTo('other'))
    .addColumn('formula', 'text')
    .addColumn('is_public', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('kpi_org_key', ['organisation_id', 'key'])
    .addCheckConstraint('kpi_key_format', sql`key ~ '^[a-z][a-z0-9_]*$'`)
    .addCheckConstraint('kpi_polarity', sql`polarity in ('higher_is_better', 'lower_is_better')`)
    .addCheckConstraint('kpi_frequency', sql`frequency in ('daily', 'weekly', 'monthly', 'quarterly', 'annual')`)
    .addCheckConstraint('kpi_target_after_baseline', sql`target_date > baseline_date`)
    .execute();

  await db.schema
    .createTable('kpi_objective')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('kpi_id', 'uuid', (c) => c.notNull().references('kpi.id').onDelete('cascade'))
    .addColumn('objective_id', 'uuid', (c) => c.notNull().references('objective.id').onDelete('cascade'))
    .addColumn('weight', 'numeric(6, 2)', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('kpi_objective_pk', ['kpi_id', 'objective_id'])
    .execute();
  await db.schema.createIndex('kpi_objective_objective_idx').on('kpi_objective').column('objective_id').execute();

  // Inputs of a derived KPI's formula, so a change to an input finds the KPIs to recompute.
  await db.schema
    .createTable('kpi_input')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('kpi_id', 'uuid', (c) => c.notNull().references('kpi.id').onDelete('cascade'))
    .addColumn('input_kpi_id', 'uuid', (c) => c.notNull().references('kpi.id').onDelete('restrict'))
    .addPrimaryKeyConstraint('kpi_input_pk', ['kpi_id', 'input_kpi_id'])
    .execute();
  await db.schema.createIndex('kpi_input_input_idx').on('kpi_input').column('input_kpi_id').execute();

  // One current value per KPI and period; earlier values live in the audit trail.
  await db.schema
    .createTable('measurement')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('kpi_id', 'uuid', (c) => c.notNull().references('kpi.id').onDelete('cascade'))
    .addColumn('period', 'date', (c) => c.notNull())
    .addColumn('value', 'numeric', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('measurement_kpi_period', ['kpi_id', 'period'])
    .addCheckConstraint('measurement_source', sql`source in ('manual', 'import', 'api', 'feedback', 'formula')`)
    .execute();
  await db.schema.createIndex('measurement_org_idx').on('measurement').columns(['organisation_id', 'kpi_id', 'period']).execute();

  // Reminders already sent, so an owner hears once about each overdue period.
  await db.schema
    .createTable('kpi_reminder')
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('kpi_id', 'uuid', (c) => c.notNull().references('kpi.id').onDelete('cascade'))
    .addColumn('period', 'date', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('kpi_reminder_pk', ['kpi_id', 'period'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['kpi_reminder', 'measurement', 'kpi_input', 'kpi_objective', 'kpi', 'objective', 'goal', 'strategy_version', 'strategy', 'agenda_tag']) {
    await db.schema.dropTable(table).execute();
  }
}
