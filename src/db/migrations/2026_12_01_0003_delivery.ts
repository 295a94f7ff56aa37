import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports app code and must keep running on PGlite and PostgreSQL 15.
// Delivery: projects and programmes linked to objectives, their phases, milestones, monthly
// status reports, benefits, and the claims that stop a late-report reminder going out twice.

const id = sql`gen_random_uuid()`;

export async function up(db: Kysely<any>): Promise<void> {
  // A programme is a project row of type 'programme'; its projects point at it with programme_id.
  await db.schema
    .createTable('project')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('owner_id', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('programme_id', 'uuid', (c) => c.references('project.id').onDelete('set null'))
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('planned_start', 'date')
    .addColumn('planned_end', 'date')
    .addColumn('budget_planned_capital', 'numeric(14, 2)', (c) => c.notNull().defaultTo(0))
    .addColumn('budget_planned_resource', 'numeric(14, 2)', (c) => c.notNull().defaultTo(0))
    .addColumn('budget_actual_capital', 'numeric(14, 2)', (c) => c.notNull().defaultTo(0))
    .addColumn('budget_actual_resource', 'numeric(14, 2)', (c) => c.notNull().defaultTo(0))
    .addColumn('delivery_approach', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('report_frequency', 'text', (c) => c.notNull().defaultTo('monthly'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('project_type', sql`type in ('project', 'programme', 'service_change', 'pilot')`)
    .addCheckConstraint('project_phase', sql`phase in ('discovery', 'alpha', 'beta', 'live', 'retirement')`)
    .addCheckConstraint('project_report_frequency', sql`report_frequency in ('monthly', 'quarterly')`)
    .addCheckConstraint(
      'project_dates',
      sql`planned_end is null or planned_start is null or planned_end >= planned_start`,
    )
    .addCheckConstraint('project_programme_not_self', sql`programme_id is null or programme_id <> id`)
    .execute();
  await db.schema
    .createIndex('project_org_idx')
    .on('project')
    .columns(['organisation_id', 'title'])
    .execute();
  await db.schema.createIndex('project_programme_idx').on('project').column('programme_id').execute();
  await db.schema.createIndex('project_owner_idx').on('project').column('owner_id').execute();

  // The date each phase started, so the history of a project's phases stays readable.
  await db.schema
    .createTable('project_phase')
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('started_on', 'date', (c) => c.notNull())
    .addPrimaryKeyConstraint('project_phase_pk', ['project_id', 'phase'])
    .addCheckConstraint(
      'project_phase_phase',
      sql`phase in ('discovery', 'alpha', 'beta', 'live', 'retirement')`,
    )
    .execute();

  await db.schema
    .createTable('project_objective')
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('objective_id', 'uuid', (c) => c.notNull().references('objective.id').onDelete('cascade'))
    .addColumn('weight', 'numeric(6, 2)', (c) => c.notNull().defaultTo(1))
    .addPrimaryKeyConstraint('project_objective_pk', ['project_id', 'objective_id'])
    .addCheckConstraint('project_objective_weight', sql`weight > 0`)
    .execute();
  await db.schema
    .createIndex('project_objective_objective_idx')
    .on('project_objective')
    .column('objective_id')
    .execute();

  await db.schema
    .createTable('milestone')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('due_on', 'date', (c) => c.notNull())
    .addColumn('completed_on', 'date')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('milestone_project_idx')
    .on('milestone')
    .columns(['project_id', 'due_on'])
    .execute();
  await db.schema
    .createIndex('milestone_org_open_idx')
    .on('milestone')
    .columns(['organisation_id', 'due_on'])
    .where(sql.ref('completed_on'), 'is', null)
    .execute();

  // One report per project and period (the first day of the month it covers).
  await db.schema
    .createTable('status_report')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('period', 'date', (c) => c.notNull())
    .addColumn('overall', 'text', (c) => c.notNull())
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('budget', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('achievements', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('next_steps', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('issues', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('decisions_needed', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('submitted_by', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('status_report_project_period', ['project_id', 'period'])
    .addCheckConstraint('status_report_period_first_day', sql`extract(day from period) = 1`)
    .addCheckConstraint(
      'status_report_rag',
      sql`overall in ('green', 'amber', 'red') and schedule in ('green', 'amber', 'red') and budget in ('green', 'amber', 'red') and scope in ('green', 'amber', 'red')`,
    )
    .execute();
  await db.schema
    .createIndex('status_report_org_idx')
    .on('status_report')
    .columns(['organisation_id', 'project_id', 'period'])
    .execute();

  await db.schema
    .createTable('benefit')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(id))
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('planned_value', 'numeric(14, 2)')
    .addColumn('planned_on', 'date')
    .addColumn('realised_value', 'numeric(14, 2)')
    .addColumn('realised_on', 'date')
    .addColumn('kpi_id', 'uuid', (c) => c.references('kpi.id').onDelete('set null'))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('benefit_type', sql`type in ('cash_saving', 'non_cash_saving', 'quality', 'other')`)
    .addCheckConstraint('benefit_realised_dated', sql`(realised_value is null) = (realised_on is null)`)
    .execute();
  await db.schema
    .createIndex('benefit_project_idx')
    .on('benefit')
    .columns(['organisation_id', 'project_id'])
    .execute();
  await db.schema.createIndex('benefit_kpi_idx').on('benefit').column('kpi_id').execute();

  // A KPI fed by benefits holds their realised cash savings summed per period, as measurements of their own source.
  await sql`alter table measurement drop constraint measurement_source`.execute(db);
  await sql`alter table measurement add constraint measurement_source check (source in ('manual', 'import', 'api', 'feedback', 'formula', 'benefits'))`.execute(
    db,
  );

  // Late-report reminders already claimed, so a project's owner hears once about each late period.
  await db.schema
    .createTable('status_report_reminder')
    .addColumn('organisation_id', 'uuid', (c) =>
      c.notNull().references('organisation.id').onDelete('cascade'),
    )
    .addColumn('project_id', 'uuid', (c) => c.notNull().references('project.id').onDelete('cascade'))
    .addColumn('period', 'date', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('status_report_reminder_pk', ['project_id', 'period'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from measurement where source = 'benefits'`.execute(db);
  await sql`alter table measurement drop constraint measurement_source`.execute(db);
  await sql`alter table measurement add constraint measurement_source check (source in ('manual', 'import', 'api', 'feedback', 'formula'))`.execute(
    db,
  );
  for (const table of [
    'status_report_reminder',
    'benefit',
    'status_report',
    'milestone',
    'project_objective',
    'project_phase',
    'project',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
