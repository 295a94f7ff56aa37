import { beforeAll, describe, expect, it } from 'vitest';
import { getKpiWithMeasurements } from '../../src/modules/kpis/kpis.service.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { cliOperator } from '../../src/platform/access/actor.ts';
import type { CheckedPage } from '../support/browser.ts';
import { makeOrganisation, makeUser, type TestUser } from '../support/factories.ts';
import { journeyForFile } from '../support/journey.ts';

/**
 * A strategy manager sets up a strategy and its first KPI in the browser, records a value,
 * uploads a file with mistakes, fixes it and uploads it again, then reads the dashboard: axe on
 * every page visited.
 */

const journey = journeyForFile();
let council: Organisation;

beforeAll(async () => {
  council = await makeOrganisation(journey.t.db, { name: 'Fen Edge Borough Council' });
});

function signedIn(user: TestUser): Promise<CheckedPage> {
  return journey.signedIn(user);
}

async function fillDate(page: CheckedPage, legend: string, day: string, month: string, year: string): Promise<void> {
  const group = page.page.getByRole('group', { name: legend });
  await group.getByLabel('Day').fill(day);
  await group.getByLabel('Month').fill(month);
  await group.getByLabel('Year').fill(year);
}

async function upload(page: CheckedPage, name: string, csv: string): Promise<void> {
  await page.page.getByLabel('Upload a file').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await page.submit(page.page.getByRole('button', { name: 'Import measurements' }));
}

describe('setting up a strategy and its KPIs', () => {
  it('creates a strategy, adds a KPI from the library, records a value, imports a file after fixing it and reads the dashboard', async () => {
    const manager = await makeUser(journey.t.db, council, 'manager');
    const page = await signedIn(manager);
    const heading = page.page.getByRole('heading', { level: 1 });

    // The strategy, a goal and an objective.
    await page.submit(page.page.getByRole('link', { name: 'Strategy', exact: true }));
    await page.submit(page.page.getByRole('button', { name: 'Create a strategy' }));
    await page.submit(page.page.getByRole('button', { name: 'Create strategy' }));
    expect(await page.page.locator('.govuk-error-summary').textContent()).toContain('Enter a title');
    await page.page.getByLabel('Title').fill('Digital Fen Edge 2026 to 2029');
    await fillDate(page, 'Start of the period', '1', '4', '2026');
    await fillDate(page, 'End of the period', '31', '3', '2029');
    await page.submit(page.page.getByRole('button', { name: 'Create strategy' }));
    expect(await heading.textContent()).toContain('Digital Fen Edge 2026 to 2029');

    await page.submit(page.page.getByRole('button', { name: 'Add a goal' }));
    await page.page.getByLabel('Title').fill('Services people prefer to use');
    await page.submit(page.page.getByRole('button', { name: 'Add goal' }));
    await page.submit(page.page.getByRole('link', { name: 'Add an objective to Services people prefer to use' }));
    await page.page.getByLabel('Title').fill('Move most transactions online');
    await page.submit(page.page.getByRole('button', { name: 'Add objective' }));
    expect(await page.page.locator('main').textContent()).toContain('Move most transactions online');

    // A KPI from the library, linked to the objective.
    await page.submit(page.page.getByRole('link', { name: 'KPIs', exact: true }));
    await page.submit(page.page.getByRole('button', { name: 'Add a KPI' }));
    await page.page.getByLabel('Digital take-up').check();
    await page.submit(page.page.getByRole('button', { name: 'Continue' }));
    expect(await page.page.getByLabel('Name').inputValue()).toBe('Digital take-up');
    await page.page.getByLabel('Baseline value').fill('40');
    await page.page.getByLabel('Baseline date').fill('2026-04-01');
    await page.page.getByLabel('Target value').fill('80');
    await page.page.getByLabel('Target date').fill('2029-03-01');
    await page.page.getByLabel('Move most transactions online').check();
    await page.submit(page.page.getByRole('button', { name: 'Add KPI' }));
    expect(await heading.textContent()).toContain('Digital take-up');
    const key = new URL(page.page.url()).pathname.split('/').at(-1) ?? '';

    // One value by hand: a mistake first, then the value.
    await page.submit(page.page.getByRole('button', { name: 'Record a value' }));
    await page.page.getByLabel('Period').fill('April 2026');
    await page.page.locator('#value').fill('41');
    await page.submit(page.page.getByRole('button', { name: 'Save value' }));
    expect(await page.page.locator('.govuk-error-summary').textContent()).toMatch(/period/i);
    await page.page.getByLabel('Period').fill('2026-04');
    await page.submit(page.page.getByRole('button', { name: 'Save value' }));
    expect(await page.page.locator('main table').last().textContent()).toContain('41');

    // A file with two bad rows: every problem by line, nothing imported.
    await page.submit(page.page.getByRole('link', { name: 'KPIs', exact: true }));
    await page.submit(page.page.getByRole('button', { name: 'Import values from a file' }));
    await upload(page, 'values.csv', `kpi,period,value,note\n${key},2026-05,43,\n${key},2026-13,44,\nno_such_kpi,2026-06,45,\n`);
    const summary = await page.page.locator('.govuk-error-summary').textContent();
    expect(summary).toContain('Line 3: Period "2026-13" is not a real month');
    expect(summary).toContain('Line 4: there is no KPI with the key "no_such_kpi"');
    expect((await getKpiWithMeasurements(journey.t.db, cliOperator(), council.id, key)).measurements.map((m) => m.period)).toEqual(['2026-04-01']);

    // Fixed, it goes in whole.
    await upload(page, 'values.csv', `kpi,period,value,note\n${key},2026-05,43,\n${key},2026-06,44,New online form\n`);
    expect(await page.page.locator('main').textContent()).toMatch(/New measurements\s*2/);
    const stored = await getKpiWithMeasurements(journey.t.db, cliOperator(), council.id, key);
    expect(stored.measurements.map((m) => [m.period, m.value])).toEqual([
      ['2026-04-01', 41],
      ['2026-05-01', 43],
      ['2026-06-01', 44],
    ]);

    // The dashboard counts it by its status and offers the KPIs behind the count.
    await page.submit(page.page.getByRole('link', { name: 'Overview', exact: true }));
    expect(await heading.textContent()).toContain('Fen Edge Borough Council');
    const count = page.page.locator(`#count-${stored.kpi.status}`);
    expect(await count.textContent()).toContain('1');
    await page.submit(count.locator('a'));
    expect(await page.page.locator('main').textContent()).toContain('Digital take-up');
    await page.page.context().close();
  });
});
