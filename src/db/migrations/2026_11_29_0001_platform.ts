import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports app code and must keep running on PGlite and PostgreSQL 15.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organisation')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'uuid', (c) => c.references('organisation.id'))
    .addColumn('require_mfa', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('organisation_slug_format', sql`slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`)
    .addCheckConstraint('organisation_not_own_parent', sql`parent_id is null or parent_id <> id`)
    .execute();
  await db.schema.createIndex('organisation_parent_idx').on('organisation').column('parent_id').execute();

  await db.schema
    .createTable('app_user')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('totp_secret', 'text')
    .addColumn('totp_last_step', 'bigint')
    .addColumn('mfa_enabled_at', 'timestamptz')
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('app_user_email_lower', sql`email = lower(email)`)
    .execute();

  await db.schema
    .createTable('membership')
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('deactivated_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('membership_pk', ['user_id', 'organisation_id'])
    .addCheckConstraint('membership_role', sql`role in ('viewer', 'contributor', 'manager', 'admin')`)
    .execute();
  await db.schema.createIndex('membership_org_idx').on('membership').column('organisation_id').execute();

  await db.schema
    .createTable('recovery_code')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('recovery_code_user_idx').on('recovery_code').column('user_id').execute();

  await db.schema
    .createTable('user_invitation')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('session')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('app_user.id').onDelete('cascade'))
    .addColumn('organisation_id', 'uuid', (c) => c.references('organisation.id').onDelete('set null'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('session_stage', sql`stage in ('mfa_pending', 'mfa_setup', 'active')`)
    .execute();
  await db.schema.createIndex('session_user_idx').on('session').column('user_id').execute();

  await db.schema
    .createTable('sign_in_failure')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('sign_in_failure_email_idx').on('sign_in_failure').columns(['email', 'occurred_at']).execute();
  await db.schema.createIndex('sign_in_failure_ip_idx').on('sign_in_failure').columns(['ip', 'occurred_at']).execute();

  await db.schema
    .createTable('api_token')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organisation_id', 'uuid', (c) => c.notNull().references('organisation.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('scopes', sql`text[]`, (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('created_by', 'uuid', (c) => c.references('app_user.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('api_token_org_idx').on('api_token').column('organisation_id').execute();

  // One hash chain per organisation (and one for platform-wide events), so writes in different
  // organisations never queue behind each other. The chain row holds the head, so deleting the
  // newest event is as detectable as editing an old one.
  await db.schema
    .createTable('audit_chain')
    .addColumn('chain_key', 'text', (c) => c.primaryKey())
    .addColumn('last_seq', 'bigint', (c) => c.notNull())
    .addColumn('last_hash', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_event')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('chain_key', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('organisation_id', 'uuid')
    .addColumn('actor_user_id', 'uuid')
    .addColumn('actor_token_id', 'uuid')
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('request_id', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('audit_event_chain_seq', ['chain_key', 'seq'])
    .addCheckConstraint('audit_event_via', sql`via in ('web', 'api', 'cli', 'system')`)
    .execute();
  await db.schema
    .createIndex('audit_event_org_time_idx')
    .on('audit_event')
    .columns(['organisation_id', 'occurred_at'])
    .execute();

  // Append-only: the database itself refuses to change or remove an audit event.
  await sql`
    create function audit_event_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_event is append-only';
    end $$`.execute(db);
  await sql`
    create trigger audit_event_no_change before update or delete on audit_event
    for each row execute function audit_event_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'audit_event',
    'audit_chain',
    'api_token',
    'sign_in_failure',
    'session',
    'user_invitation',
    'recovery_code',
    'membership',
    'app_user',
    'organisation',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function audit_event_append_only()`.execute(db);
}
