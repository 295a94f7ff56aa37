import { type Kysely, sql } from 'kysely';

// Frozen in time: this file never imports app code and must keep running on PGlite and PostgreSQL 15.
//
// "A measurement names a KPI of its own organisation" checked once per statement instead of once
// per row. The composite foreign key (kpi_id, organisation_id) → kpi (migration 0006) ran one
// lookup per inserted row: 3.3–3.6 s of a 9 s COPY of a million rows (docs/performance.md). These
// triggers keep the same rule and the same outcomes:
//
// - After every statement that inserts or updates measurements, the distinct (KPI, organisation)
//   pairs it wrote must all be found in `kpi`; they are locked FOR KEY SHARE, as a foreign key
//   check locks what it finds, so a KPI cannot be deleted (or its key changed) until the writer
//   ends. A pair not found raises SQLSTATE 23503 (foreign_key_violation), as the key did, and the
//   statement is undone.
// - Deleting KPIs deletes their measurements (the key's ON DELETE CASCADE), in the same statement.
//   A delete waits for writers holding the KEY SHARE lock, then removes what they committed. That
//   needs a fresh snapshot for the cascade, which only READ COMMITTED (the default, and what the
//   app uses for writes) gives a trigger; so KPIs are not deleted in REPEATABLE READ or
//   SERIALIZABLE transactions, where a measurement committed meanwhile could be left behind.
// - A KPI's id and organisation never change (no code path does it; the key forbade it while
//   measurements referenced the KPI), so changing them is refused.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create function measurement_kpis_exist() returns trigger language plpgsql as $$
    declare
      named bigint;
      locked bigint;
      missing record;
    begin
      select count(*) into named from (select distinct kpi_id, organisation_id from written_rows) pairs;
      select count(*) into locked from (
        select 1 from kpi k
         where (k.id, k.organisation_id) in (select kpi_id, organisation_id from written_rows)
           for key share of k) found_kpis;
      if locked < named then
        select w.kpi_id, w.organisation_id into missing from written_rows w
         where not exists (select 1 from kpi k where k.id = w.kpi_id and k.organisation_id = w.organisation_id)
         limit 1;
        raise foreign_key_violation using
          message = format('measurement names KPI %s, which is not a KPI of organisation %s', missing.kpi_id, missing.organisation_id),
          table = 'measurement',
          constraint = 'measurement_kpi_organisation';
      end if;
      return null;
    end $$`.execute(db);
  // A trigger with transition tables handles one kind of event, hence two.
  for (const event of ['insert', 'update'] as const) {
    await sql`create trigger ${sql.raw(`measurement_${event}_kpis_exist`)} after ${sql.raw(event)} on measurement
      referencing new table as written_rows
      for each statement execute function measurement_kpis_exist()`.execute(db);
  }

  await sql`create function kpi_delete_measurements() returns trigger language plpgsql as $$
    begin
      if current_setting('transaction_isolation') <> 'read committed' then
        raise object_not_in_prerequisite_state using
          message = 'KPIs are deleted in READ COMMITTED transactions only, so their measurements are deleted with them';
      end if;
      delete from measurement m using deleted_kpis d where m.kpi_id = d.id;
      return null;
    end $$`.execute(db);
  await sql`create trigger kpi_delete_measurements after delete on kpi
    referencing old table as deleted_kpis
    for each statement execute function kpi_delete_measurements()`.execute(db);

  await sql`create function kpi_key_unchanged() returns trigger language plpgsql as $$
    begin
      raise integrity_constraint_violation using message = 'a KPI''s id and organisation cannot change';
    end $$`.execute(db);
  await sql`create trigger kpi_key_unchanged before update of id, organisation_id on kpi
    for each row when (old.id is distinct from new.id or old.organisation_id is distinct from new.organisation_id)
    execute function kpi_key_unchanged()`.execute(db);

  await sql`alter table measurement drop constraint measurement_kpi_organisation_fkey`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table measurement
    add constraint measurement_kpi_organisation_fkey foreign key (kpi_id, organisation_id)
      references kpi (id, organisation_id) on delete cascade`.execute(db);
  await sql`drop trigger kpi_key_unchanged on kpi`.execute(db);
  await sql`drop trigger kpi_delete_measurements on kpi`.execute(db);
  for (const event of ['insert', 'update']) {
    await sql`drop trigger ${sql.raw(`measurement_${event}_kpis_exist`)} on measurement`.execute(db);
  }
  await sql`drop function kpi_key_unchanged()`.execute(db);
  await sql`drop function kpi_delete_measurements()`.execute(db);
  await sql`drop function measurement_kpis_exist()`.execute(db);
}
