import { beforeAll, describe, expect, it } from 'vitest';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { makeProject, makeStatusReport } from '../support/delivery-factories.ts';
import { makeOrganisation, makeUser } from '../support/factories.ts';
import { makeBoard } from '../support/governance-factories.ts';
import { journeyForFile } from '../support/journey.ts';
import { makeGoal, makeObjective, makeStrategy } from '../support/strategy-factories.ts';

/**
 * A manager runs a board: opens it from the navigation, sees a project's request on the agenda,
 * records a decision (first with a mistake), sets who is accountable for an objective, records a
 * Service Standard assessment, and produces the board pack: axe on every page visited.
 */

const journey = journeyForFile();
let council: Organisation;

beforeAll(async () => {
  council = await makeOrganisation(journey.t.db, { name: 'East Fen Borough Council' });
});

describe('running a board', () => {
  it('adds a decision and produces a board pack', async () => {
    const manager = await makeUser(journey.t.db, council, 'manager');
    const strategy = await makeStrategy(journey.t.db, council, { title: 'Digital East Fen', status: 'published' });
    const objective = await makeObjective(journey.t.db, council, await makeGoal(journey.t.db, council, strategy), { title: 'Services online first' });
    const project = await makeProject(journey.t.db, council, { title: 'Online council tax', objectives: [{ objectiveId: objective.id }] });
    await makeStatusReport(journey.t.db, council, project, { period: '2026-10-01', overall: 'amber', decisionsNeeded: 'Agree the go-live date' });
    const board = await makeBoard(journey.t.db, council, { name: 'Digital board', chairId: manager.id, oversees: [{ type: 'project', id: project.id }] });

    const page = await journey.signedIn(manager);
    const p = page.page;
    await page.visit(`/o/${council.slug}`);
    await page.submit(p.getByRole('link', { name: 'Boards', exact: true }));
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Boards');
    await page.submit(p.getByRole('link', { name: 'Digital board' }));
    expect(await p.locator('main').textContent()).toContain('Agree the go-live date');

    await page.submit(p.getByRole('button', { name: 'Record a decision' }));
    await p.getByLabel('Title').fill('Go live with online council tax in March');
    await p.getByLabel('Day').fill('12');
    await p.getByLabel('Month').fill('11');
    await p.getByLabel('Year').fill('2026');
    await p.getByRole('radio', { name: 'Made' }).check();
    await page.submit(p.getByRole('button', { name: 'Record decision' }));
    expect(await p.locator('.govuk-error-summary').textContent()).toContain('Enter what was decided');

    await p.getByLabel('The decision').fill('Go live on 1 March, after the annual bills are sent');
    await p.getByLabel('Rationale (optional)').fill('The team needs February to test with residents');
    await p.getByRole('checkbox', { name: 'Project: Online council tax' }).check();
    await page.submit(p.getByRole('button', { name: 'Record decision' }));
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Go live with online council tax in March');
    expect(await p.locator('main').textContent()).toContain('Project: Online council tax');

    await page.visit(`/o/${council.slug}/decisions`);
    expect(await p.locator('main').textContent()).toContain('Go live with online council tax in March');

    await page.visit(`/o/${council.slug}/raci/objective/${objective.id}`);
    await p.getByLabel('Accountable').selectOption({ label: `Test manager (${manager.email})` });
    await page.submit(p.getByRole('button', { name: 'Save responsibilities' }));
    await page.submit(p.locator('main').getByRole('link', { name: 'Test manager', exact: true }));
    expect(await p.locator('main').textContent()).toContain('Objective: Services online first');

    await page.visit(`/o/${council.slug}/assessments/new?projectId=${project.id}`);
    await p.getByRole('group', { name: 'Phase assessed' }).getByRole('radio', { name: 'Alpha' }).check();
    await p.getByLabel('Day').fill('2');
    await p.getByLabel('Month').fill('3');
    await p.getByLabel('Year').fill('2026');
    for (let point = 1; point <= 14; point++) await p.locator(`#point-${point}`).check();
    await p.getByRole('group', { name: 'Overall outcome' }).getByRole('radio', { name: 'Met', exact: true }).check();
    await page.submit(p.getByRole('button', { name: 'Record assessment' }));
    expect(await p.locator('main').textContent()).toContain('History across phases');

    await page.visit(`/o/${council.slug}/boards/${board.id}`);
    await page.submit(p.getByRole('link', { name: /Board pack/ }));
    await p.getByLabel('Date of the meeting').fill('2026-11-12');
    await page.submit(p.getByRole('button', { name: 'Show the pack for this date' }));
    const pack = await p.locator('main').textContent();
    expect(pack).toContain('Digital board: board pack');
    expect(pack).toContain('Online council tax');
    expect(pack).toContain('Agree the go-live date');
    const download = p.waitForEvent('download');
    await p.getByRole('link', { name: 'Download the pack as a PDF' }).click();
    expect((await download).suggestedFilename()).toBe('digital-board-pack-2026-11-12.pdf');
    await p.context().close();
  });

  it('adds a board, with its errors shown first, and shows the other governance pages', async () => {
    const manager = await makeUser(journey.t.db, council, 'manager');
    const page = await journey.signedIn(manager);
    const p = page.page;
    await page.visit(`/o/${council.slug}/boards/new`);
    await page.submit(p.getByRole('button', { name: 'Add board' }));
    expect(await p.locator('.govuk-error-summary').textContent()).toContain('Enter a name for the board');
    await p.getByLabel('Name').fill('Audit and assurance board');
    await p.getByRole('radio', { name: 'Quarterly' }).check();
    await p.getByRole('checkbox', { name: `Test manager (${manager.email})` }).check();
    await page.submit(p.getByRole('button', { name: 'Add board' }));
    expect(await p.getByRole('heading', { level: 1 }).textContent()).toBe('Audit and assurance board');
    await page.submit(p.getByRole('button', { name: 'Change the board' }));
    await page.submit(p.getByRole('button', { name: 'Save board' }));
    await page.visit(`/o/${council.slug}/assessments`);
    await page.visit(`/o/${council.slug}/assessments/new`);
    await page.submit(p.getByRole('button', { name: 'Record assessment' }));
    expect(await p.locator('.govuk-error-summary').textContent()).toContain('Select whether point 1 is met or not met');
    await p.context().close();
  });
});
