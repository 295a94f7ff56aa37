import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports app code and must keep running on PGlite and PostgreSQL 15.
// Risk management (Orange Book shape): categories with the board's appetite, risks with inherent,
// current and target likelihood × impact, every re-assessment, links to objectives, KPIs and
// projects, mitigating actions, contingency plans, escalation to the parent organisation and
// the claims that stop a review reminder going out twice.

const id = sql`gen_random_uuid()`;

/** The categories every organisation starts with (as of this migration), with a default appetite. */
const DEFAULT_CATEGORIES: readonly [key: string, label: string, level: string, maxScore: number][] = [
  ['strategy', 'Strategy', 'open', 12],
  ['governance', 'Governance', 'cautious', 9],
  ['operations', 'Operations', 'cautious', 9],
  ['legal', 'Legal', 'averse', 4],
  ['property', 'Property', 'cautious', 9],
  ['financial', 'Financial', 'minimal', 6],
  ['commercial', 'Commercial', 'cautious', 9],
  ['people', 'People', 'cautious', 9],
  ['technology', 'Technology', 'open', 12],
  ['information', 'Information', 'minimal', 6],
  ['security', 'Security', 'averse', 4],
  ['project', 'Project and programme', 'open', 12],
  ['reputational', 'Reputational', 'cautious', 9],
  ['cybersecurity', 'Cybersecurity', 'minimal', 6],
  ['data_privacy', 'Data privacy', 'averse', 4],
  ['technology_obsolescence', 'Technology obsolescence', 'cautious', 9],
  ['workforce_skills', 'Workforce skills', 'open', 12],
];

const score = (column: string) => sql.raw(`${column} between 1 and 5`);

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('risk_category')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('appetite_level', 'text', (c) => c.notNull())
    .addColumn('appetite_max_score', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('risk_category_org_key', ['organisation_id', 'key'])
    .addCheckConstraint('risk_category_key_format', sql`key ~ '^[a-z][a-z0-9_]*$'`)
    .addCheckConstraint(
      'risk_category_appetite_level',
      sql`appetite_level in ('averse', 'minimal', 'cautious', 'open', 'eager')`,
    )
    .addCheckConstraint('risk_category_appetite_max', sql`appetite_max_score between 1 and 25`)
    .execute();

  // Existing organisations get the default categories here; new ones when they are created.
  const organisations = await db.selectFrom('organisation').select('id').execute();
  const rows = organisations.flatMap((o: { id: string }) =>
    DEFAULT_CATEGORIES.map(([key, label, level, maxScore], position) => ({
      organisation_id: o.id,
      key,
      label,
      appetite_level: level,
      appetite_max_score: maxScore,
      position,
    })),
  );
  if (rows.length > 0) await db.insertInto('risk_category').values(rows).execute();

  await db.schema
    .createTable('risk')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('event', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('consequence', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('category_id', 'uuid', (c) => c.notNull().references('risk_category.id').onDelete('restrict'))
    .addColumn('owner_id', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('proximity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('inherent_likelihood', 'integer', (c) => c.notNull())
    .addColumn('inherent_impact', 'integer', (c) => c.notNull())
    .addColumn('current_likelihood', 'integer', (c) => c.notNull())
    .addColumn('current_impact', 'integer', (c) => c.notNull())
    .addColumn('target_likelihood', 'integer', (c) => c.notNull())
    .addColumn('target_impact', 'integer', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('review_frequency', 'text', (c) => c.notNull().defaultTo('quarterly'))
    .addColumn('last_reviewed_on', 'date', (c) => c.notNull())
    .addColumn('next_review_on', 'date', (c) => c.notNull())
    .addColumn('escalated_to_id', 'uuid', (c) => c.references('organisation.id').onDelete('set null'))
    .addColumn('escalated_at', 'timestamptz')
    .addColumn('escalation_note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('risk_status', sql`status in ('open', 'closed')`)
    .addCheckConstraint('risk_response', sql`response in ('tolerate', 'treat', 'transfer', 'terminate')`)
    .addCheckConstraint(
      'risk_proximity',
      sql`proximity in ('imminent', 'within_6_months', 'within_a_year', 'beyond_a_year')`,
    )
    .addCheckConstraint(
      'risk_review_frequency',
      sql`review_frequency in ('monthly', 'quarterly', 'half_yearly', 'annual')`,
    )
    .addCheckConstraint('risk_inherent_likelihood', score('inherent_likelihood'))
    .addCheckConstraint('risk_inherent_impact', score('inherent_impact'))
    .addCheckConstraint('risk_current_likelihood', score('current_likelihood'))
    .addCheckConstraint('risk_current_impact', score('current_impact'))
    .addCheckConstraint('risk_target_likelihood', score('target_likelihood'))
    .addCheckConstraint('risk_target_impact', score('target_impact'))
    .execute();
  // Titles are unique per organisation whatever their case, so imports can refuse duplicates.
  await db.schema
    .createIndex('risk_org_title_idx')
    .on('risk')
    .unique()
    .columns(['organisation_id', sql`lower(title)`])
    .execute();
  await db.schema.createIndex('risk_category_idx').on('risk').column('category_id').execute();
  await db.schema
    .createIndex('risk_escalated_idx')
    .on('risk')
    .column('escalated_to_id')
    .where(sql.ref('escalated_to_id'), 'is not', null)
    .execute();

  // Every assessment, the first included: the score history.
  await db.schema
    .createTable('risk_assessment')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('risk_id', 'uuid', (c) => c.notNull().references('risk.id').onDelete('cascade'))
    .addColumn('assessed_on', 'date', (c) => c.notNull())
    .addColumn('inherent_likelihood', 'integer', (c) => c.notNull())
    .addColumn('inherent_impact', 'integer', (c) => c.notNull())
    .addColumn('current_likelihood', 'integer', (c) => c.notNull())
    .addColumn('current_impact', 'integer', (c) => c.notNull())
    .addColumn('target_likelihood', 'integer', (c) => c.notNull())
    .addColumn('target_impact', 'integer', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('assessed_by', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('risk_assessment_risk_idx')
    .on('risk_assessment')
    .columns(['risk_id', 'assessed_on'])
    .execute();

  for (const [table, column, target] of [
    ['risk_objective', 'objective_id', 'objective.id'],
    ['risk_kpi', 'kpi_id', 'kpi.id'],
    ['risk_project', 'project_id', 'project.id'],
  ] as const) {
    await db.schema
      .createTable(table)
      .addColumn('organisation_id', 'uuid', (c) =>
        c.notNull().references('organisation.id').onDelete('cascade'),
      )
      .addColumn('risk_id', 'uuid', (c) => c.notNull().references('risk.id').onDelete('cascade'))
      .addColumn(column, 'uuid', (c) => c.notNull().references(target).onDelete('cascade'))
      .addPrimaryKeyConstraint(`${table}_pk`, ['risk_id', column])
      .execute();
    await db.schema.createIndex(`${table}_item_idx`).on(table).column(column).execute();
  }

  await db.schema
    .createTable('risk_action')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('risk_id', 'uuid', (c) => c.notNull().references('risk.id').onDelete('cascade'))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner_id', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('planned'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('risk_action_status', sql`status in ('planned', 'in_progress', 'done')`)
    .execute();
  await db.schema
    .createIndex('risk_action_risk_idx')
    .on('risk_action')
    .columns(['risk_id', 'due_on'])
    .execute();

  // One contingency plan per risk: what sets it off, and what is then done.
  await db.schema
    .createTable('contingency_plan')
    .addColumn('risk_id', 'uuid', (c) => c.primaryKey().references('risk.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Review reminders already sent, so an owner hears once about each review date.
  await db.schema
    .createTable('risk_review_reminder')
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('risk_id', 'uuid', (c) => c.notNull().references('risk.id').onDelete('cascade'))
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('risk_review_reminder_pk', ['risk_id', 'due_on'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'risk_review_reminder',
    'contingency_plan',
    'risk_action',
    'risk_project',
    'risk_kpi',
    'risk_objective',
    'risk_assessment',
    'risk',
    'risk_category',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
