import { beforeAll, describe, expect, it } from 'vitest';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { makeProject } from '../support/delivery-factories.ts';
import { makeOrganisation, makeUser } from '../support/factories.ts';
import { journeyForFile } from '../support/journey.ts';
import { makeGoal, makeObjective, makeStrategy } from '../support/strategy-factories.ts';

/**
 * A manager adds a project to the portfolio from the navigation, linking it to an objective
 * with a weight; submits an amber status report without a reason and is told to give one; gives
 * it and sees the RAG history; adds a milestone; opens the benefit, edit and import forms; and
 * finds the project on the portfolio, its timeline and the golden thread: axe on every page visited.
 */

const journey = journeyForFile();
let council: Organisation;

beforeAll(async () => {
  council = await makeOrganisation(journey.t.db, { name: 'South Fen District Council' });
});

describe('running the portfolio', () => {
  it('creates a project linked to an objective and reports its status', async () => {
    const manager = await makeUser(journey.t.db, council, 'manager');
    const strategy = await makeStrategy(journey.t.db, council, {
      title: 'Digital South Fen',
      status: 'published',
    });
    const goal = await makeGoal(journey.t.db, council, strategy, { title: 'Services people prefer' });
    const objective = await makeObjective(journey.t.db, council, goal, { title: 'Pay for things online' });
    await makeProject(journey.t.db, council, { title: 'Stray project' });

    const page = await journey.signedIn(manager);
    const p = page.page;
    await page.visit(`/o/${council.slug}`);
    await page.submit(p.getByRole('link', { name: 'Portfolio', exact: true }));
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Portfolio');
    expect(await p.locator('#unaligned ~ ul').first().textContent()).toContain('Stray project');

    await page.submit(p.getByRole('button', { name: 'Add a project' }));
    await page.submit(p.getByRole('button', { name: 'Add project' }));
    expect(await p.locator('.govuk-error-summary').textContent()).toContain('Enter a title for the project');

    await p.getByLabel('Title', { exact: true }).fill('Parking permits online');
    await p.getByRole('radio', { name: 'Service change' }).check();
    await p.getByLabel('Owner').selectOption({ label: `${manager.name} (${manager.email})` });
    await p.getByRole('radio', { name: 'Beta' }).check();
    await p.locator('#plannedStart-day').fill('1');
    await p.locator('#plannedStart-month').fill('4');
    await p.locator('#plannedStart-year').fill('2026');
    await p.locator('#plannedEnd-day').fill('31');
    await p.locator('#plannedEnd-month').fill('3');
    await p.locator('#plannedEnd-year').fill('2027');
    await p.getByLabel('Planned capital').fill('40000');
    await p.getByRole('checkbox', { name: 'Pay for things online' }).check();
    await p.getByLabel('Contribution weight to Pay for things online').fill('2');
    await page.submit(p.getByRole('button', { name: 'Add project' }));
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Parking permits online');
    expect(await p.locator('main').textContent()).toContain('Pay for things online');
    const projectUrl = p.url();

    await page.submit(p.getByRole('button', { name: 'Submit a status report' }));
    await p.getByLabel('Month the report covers').fill('2026-10');
    await p.getByRole('group', { name: 'Overall status' }).getByRole('radio', { name: 'Amber' }).check();
    await p.getByRole('group', { name: 'Schedule' }).getByRole('radio', { name: 'Amber' }).check();
    await p.getByRole('group', { name: 'Budget' }).getByRole('radio', { name: 'Green' }).check();
    await p.getByRole('group', { name: 'Scope' }).getByRole('radio', { name: 'Green' }).check();
    await p.getByLabel('Achievements (optional)').fill('Private beta opened to 200 residents');
    await page.submit(p.getByRole('button', { name: 'Submit report' }));
    expect(await p.locator('.govuk-error-summary').textContent()).toContain(
      'Enter the reason for the amber or red status',
    );
    expect(await p.getByLabel('Achievements (optional)').inputValue()).toBe(
      'Private beta opened to 200 residents',
    );

    await p.getByLabel('Reason (required for amber or red)').fill('The payment provider’s sandbox was late');
    await page.submit(p.getByRole('button', { name: 'Submit report' }));
    expect(p.url()).toContain(projectUrl);
    const history = await p.locator('#reports ~ table').first().textContent();
    expect(history).toContain('October 2026');
    expect(history).toContain('The payment provider’s sandbox was late');

    await page.submit(p.getByRole('link', { name: 'Add a milestone' }));
    await p.getByLabel('Title').fill('Public beta opens');
    await p.locator('#dueOn-day').fill('1');
    await p.locator('#dueOn-month').fill('2');
    await p.locator('#dueOn-year').fill('2026');
    await page.submit(p.getByRole('button', { name: 'Add milestone' }));
    expect(await p.locator('#milestones ~ table').first().textContent()).toContain('Overdue');

    await page.visit(`/o/${council.slug}/projects`);
    expect(await p.locator('#projects').textContent()).toContain('Parking permits online');
    expect(await p.locator('#overdue-milestones ~ ul').first().textContent()).toContain('Public beta opens');
    await p.getByText('The timeline as a table').click();
    await page.check();

    // The other forms a manager uses pass axe too.
    await page.visit(`${projectUrl}/benefits/new`);
    await page.submit(p.getByRole('button', { name: 'Add benefit' }));
    expect(await p.locator('.govuk-error-summary').textContent()).toContain('Describe the benefit');
    await page.visit(`${projectUrl}/edit`);
    await page.visit(`/o/${council.slug}/projects/import`);

    await page.visit(`/o/${council.slug}/strategy/${strategy.id}/thread`);
    expect(await p.locator(`#objective-${objective.id}`).textContent()).toContain('Parking permits online');
    await p.context().close();
  });
});
