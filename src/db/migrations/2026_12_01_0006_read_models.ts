import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports app code and must keep running on PGlite and PostgreSQL 15.
// Two things for reads and bulk writes (docs/performance.md):
//
// 1. `organisation_change`: the database notes, in the writing transaction, which organisations'
//    KPI data a statement changed (one row per statement and organisation, with the writer's
//    transaction id). An app instance that keeps a computed list of an organisation's KPIs asks
//    "has a transaction changed this organisation's KPI data since my snapshot?" with one index
//    probe, so a change made through any instance, any write path or plain SQL is seen. Rows are
//    only ever inserted, so writers never wait for each other on them; the server deletes those
//    older than two days (a kept list is used only on the day it was read, so never needs them).
// 2. One composite foreign key (kpi_id, organisation_id) → kpi instead of two (kpi_id → kpi and
//    organisation_id → organisation): a measurement now also cannot name another organisation
//    than its KPI's, and each inserted row costs one key check instead of two (an import of a
//    million rows pays a million). Deleting an organisation still removes its measurements,
//    through its KPIs.

/** The tables whose rows carry the KPI lists' data, each with an organisation_id column. */
const KPI_DATA_TABLES = ['kpi', 'measurement', 'kpi_objective'] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create table organisation_change (
    organisation_id uuid not null,
    txid xid8 not null default pg_current_xact_id(),
    noted_at timestamptz not null default now()
  )`.execute(db);
  await sql`create index organisation_change_org_txid on organisation_change (organisation_id, txid)`.execute(db);

  // Statement-level: a million-row import adds one row, not a million.
  await sql`create function note_organisation_change() returns trigger language plpgsql as $$
    begin
      insert into organisation_change (organisation_id) select distinct organisation_id from changed_rows;
      return null;
    end $$`.execute(db);
  for (const table of KPI_DATA_TABLES) {
    // A trigger with transition tables handles one kind of event, hence three.
    for (const [event, transition] of [
      ['insert', 'new'],
      ['update', 'new'],
      ['delete', 'old'],
    ] as const) {
      await sql`create trigger ${sql.raw(`${table}_${event}_noted`)} after ${sql.raw(event)} on ${sql.table(table)}
        referencing ${sql.raw(transition)} table as changed_rows
        for each statement execute function note_organisation_change()`.execute(db);
    }
  }
  // KPI lists show their owners' names: renaming a user changes the lists of the organisations
  // where they own a KPI.
  await sql`create function note_owner_change() returns trigger language plpgsql as $$
    begin
      insert into organisation_change (organisation_id)
        select distinct k.organisation_id from kpi k join changed_rows u on u.id = k.owner_id;
      return null;
    end $$`.execute(db);
  await sql`create trigger app_user_update_noted after update on app_user
    referencing new table as changed_rows
    for each statement execute function note_owner_change()`.execute(db);

  await sql`alter table kpi add constraint kpi_id_organisation unique (id, organisation_id)`.execute(db);
  await sql`alter table measurement
    add constraint measurement_kpi_organisation_fkey foreign key (kpi_id, organisation_id)
      references kpi (id, organisation_id) on delete cascade,
    drop constraint measurement_kpi_id_fkey,
    drop constraint measurement_organisation_id_fkey`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table measurement
    add constraint measurement_kpi_id_fkey foreign key (kpi_id) references kpi (id) on delete cascade,
    add constraint measurement_organisation_id_fkey foreign key (organisation_id) references organisation (id) on delete cascade,
    drop constraint measurement_kpi_organisation_fkey`.execute(db);
  await sql`alter table kpi drop constraint kpi_id_organisation`.execute(db);
  await sql`drop trigger app_user_update_noted on app_user`.execute(db);
  for (const table of KPI_DATA_TABLES) {
    for (const event of ['insert', 'update', 'delete']) {
      await sql`drop trigger ${sql.raw(`${table}_${event}_noted`)} on ${sql.table(table)}`.execute(db);
    }
  }
  await sql`drop function note_owner_change()`.execute(db);
  await sql`drop function note_organisation_change()`.execute(db);
  await sql`drop table organisation_change`.execute(db);
}
