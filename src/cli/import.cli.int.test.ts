import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cliWorkspace } from '../../test/support/cli.ts';
import { testDatabaseKind } from '../../test/support/db.ts';
import { makeOrganisation } from '../../test/support/factories.ts';
import { importFootprint, storedMeasurements, xlsxOf } from '../../test/support/import-fixtures.ts';
import { makeKpi } from '../../test/support/kpi-factories.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { Organisation } from '../modules/organisations/organisations.service.ts';

/**
 * `waymark import measurements` run as a subprocess, the way an operator runs it, on the embedded
 * data folder (or the PostgreSQL test database in the postgres project).
 */
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const kind = testDatabaseKind();
const { run: waymark, withDb, writeFile, workDir, remove } = cliWorkspace('import-cli');

let org: Organisation;
let monthly: string;
beforeAll(async () => {
  ({ org, monthly } = await withDb(async (db) => {
    await migrateToLatest(db);
    const org = await makeOrganisation(db);
    return { org, monthly: (await makeKpi(db, org)).key };
  }));
});
afterAll(() => {
  remove();
});

/** Runs a command expected to be refused before it reads a row: exit 1 and one line on stderr, returned. */
async function oneLineRefusal(args: readonly string[]): Promise<string> {
  const result = await waymark(args);
  expect(result.code).toBe(1);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe(`waymark import measurements (${kind})`, () => {
  it('imports a good CSV with a summary line and exit 0; again changes nothing', async () => {
    const file = writeFile('good.csv', `kpi,period,value,note\n${monthly},2026-01,61.5,January\n${monthly},2026-02,62,\n`);
    const first = await waymark(['import', 'measurements', file, '--org', org.slug]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^Imported 2 rows from good\.csv in [\d.]+s: 2 new, 0 updated, 0 unchanged\.\n$/);
    const before = await withDb((db) => importFootprint(db, org.id));
    const again = await waymark(['import', 'measurements', file, '--org', org.slug]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/2 rows .*: 0 new, 0 updated, 2 unchanged\./);
    expect(await withDb((db) => importFootprint(db, org.id))).toEqual(before);
  });

  it('prints every problem as "line N: message" on stderr, exits 1 and writes nothing', async () => {
    const before = await withDb((db) => importFootprint(db, org.id));
    const file = writeFile(
      'bad.csv',
      `kpi,period,value\n${monthly},2026-03,1\nnope,2026-03,1\n${monthly},2026-03,2\n${monthly},2026-04\n${monthly},2026-04,1,000\n`,
    );
    const result = await waymark(['import', 'measurements', file, '--org', org.slug]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([
      'line 3: there is no KPI with the key "nope"',
      `line 4: Line 4 repeats line 2: both give ${monthly} a value for the period starting 2026-03-01. Keep one of them`,
      'line 5: Line 5 has 2 fields; expected 3',
      'line 6: Line 6 has 4 fields; expected 3',
      'Nothing was imported: 4 problems in bad.csv. Fix them and run the command again.',
    ]);
    expect(await withDb((db) => importFootprint(db, org.id))).toEqual(before);
  });

  it('imports an XLSX workbook', async () => {
    const file = writeFile('book.xlsx', await xlsxOf([['kpi', 'period', 'value'], [monthly, '2026-05', 5]]));
    const result = await waymark(['import', 'measurements', file, '--org', org.slug]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Imported 1 rows from book\.xlsx/);
    const stored = await withDb((db) => storedMeasurements(db, org.id));
    expect(stored.find(([, period]) => period === '2026-05-01')).toEqual([monthly, '2026-05-01', '5', null, 'import']);
  });

  it('refuses other file types, missing files and unknown organisations in one line', async () => {
    const text = writeFile('figures.txt', 'kpi,period,value\n');
    const cases: [string[], RegExp][] = [
      [['import', 'measurements', text, '--org', org.slug], /figures\.txt is not a \.csv or \.xlsx file/],
      [['import', 'measurements', path.join(workDir, 'missing.csv'), '--org', org.slug], /there is no such file/],
      [['import', 'measurements', writeFile('x.csv', 'kpi,period,value\n'), '--org', 'no-such-org'], /no organisation with the slug "no-such-org"/],
    ];
    for (const [args, reason] of cases) {
      const line = await oneLineRefusal(args);
      expect(line).toMatch(/^waymark: /);
      expect(line).toMatch(reason);
    }
  });

  it('explains the format in --help', async () => {
    const result = await waymark(['import', 'measurements', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: waymark import measurements');
    expect(result.stdout).toContain('--org');
    expect(result.stdout).toContain('line N: message');
  });
});

describe(`waymark import risks (${kind})`, () => {
  const HEADER = 'Title,Category,Owner,Inherent likelihood,Inherent impact,Current likelihood,Current impact,Target likelihood,Target impact,Response';

  async function riskTitles(organisationId: string): Promise<string[]> {
    return withDb(async (db) => {
      const rows = await db.selectFrom('risk').select('title').where('organisation_id', '=', organisationId).orderBy('title').execute();
      return rows.map((r) => r.title);
    });
  }

  it('imports a register from CSV and XLSX with a summary line and exit 0, audited', async () => {
    const registerOrg = await withDb((db) => makeOrganisation(db));
    const csv = writeFile('register.csv', `${HEADER}\nPhishing,cybersecurity,,4,5,high,medium,2,very low,treat\nData breach,Data privacy,,very high,5,3,3,1,2,Tolerate\n`);
    const first = await waymark(['import', 'risks', csv, '--org', registerOrg.slug]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('Imported 2 risks from register.csv.\n');
    const book = writeFile('register.xlsx', await xlsxOf([HEADER.split(','), ['Supplier failure', 'cybersecurity', '', 2, 3, 2, 3, 1, 1, 'treat']]));
    const second = await waymark(['import', 'risks', book, '--org', registerOrg.slug]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe('Imported 1 risk from register.xlsx.\n');
    expect(await riskTitles(registerOrg.id)).toEqual(['Data breach', 'Phishing', 'Supplier failure']);
    const audited = await withDb((db) =>
      db.selectFrom('audit_event').select('actor_label').where('organisation_id', '=', registerOrg.id).where('entity_type', '=', 'risk').execute(),
    );
    expect(audited).toHaveLength(3);
    expect(audited.every((event) => event.actor_label.startsWith('cli:'))).toBe(true);
  });

  it('prints every problem as "line N: message", exits 1 and writes nothing; the same file twice is refused', async () => {
    const registerOrg = await withDb((db) => makeOrganisation(db));
    const bad = writeFile('bad-register.csv', `${HEADER}\nOne,cybersecurity,,0,6,3,3,1,1,treat\nTwo,weather,,3,3,3,3,1,1,treat\nFine,cybersecurity,,3,3,3,3,1,1,treat\n`);
    const result = await waymark(['import', 'risks', bad, '--org', registerOrg.slug]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines.slice(0, -1).every((line) => /^line [23]: /.test(line))).toBe(true);
    expect(lines.some((line) => line.startsWith('line 3: ') && line.includes('weather'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^Nothing was imported: \d+ problems in bad-register\.csv\. Fix them and run the command again\.$/);
    expect(await riskTitles(registerOrg.id)).toEqual([]);

    const good = writeFile('good-register.csv', `${HEADER}\nFine,cybersecurity,,3,3,3,3,1,1,treat\n`);
    expect((await waymark(['import', 'risks', good, '--org', registerOrg.slug])).code).toBe(0);
    const again = await waymark(['import', 'risks', good, '--org', registerOrg.slug]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^line 2: /);
    expect(await riskTitles(registerOrg.id)).toEqual(['Fine']);
  });

  it('refuses a file over the size limit, another file type and an unknown organisation in one line', async () => {
    const cases: [string[], RegExp][] = [
      [['import', 'risks', writeFile('huge.csv', Buffer.alloc(2 * 1024 * 1024 + 1, 'a')), '--org', org.slug], /huge\.csv is larger than 2 MB, the most a register file may be/],
      [['import', 'risks', writeFile('register.txt', HEADER), '--org', org.slug], /register\.txt is not a \.csv or \.xlsx file/],
      [['import', 'risks', writeFile('r.csv', `${HEADER}\n`), '--org', 'no-such-org'], /no organisation with the slug "no-such-org"/],
    ];
    for (const [args, reason] of cases) expect(await oneLineRefusal(args)).toMatch(reason);
  });

  it('explains the columns in --help', async () => {
    const result = await waymark(['import', 'risks', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: waymark import risks');
    expect(result.stdout).toContain('inherent_likelihood');
    expect(result.stdout).toContain('line N: message');
  });
});
