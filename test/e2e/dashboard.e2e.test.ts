import { beforeAll, describe, expect, it } from 'vitest';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import type { CheckedPage } from '../support/browser.ts';
import { makeOrganisation, makeUser, type TestUser } from '../support/factories.ts';
import { journeyForFile } from '../support/journey.ts';
import { recordValues } from '../support/kpi-factories.ts';
import { makeKpiWithStatus, plannedForExpected } from '../support/status-factories.ts';
import { makeGoal, makeObjective, makeStrategy } from '../support/strategy-factories.ts';

/**
 * A board member reads the organisation dashboard, follows a status count to the KPI list, goes
 * down the golden thread to a KPI and downloads the values: axe on every page visited.
 */

const journey = journeyForFile();
let council: Organisation;

beforeAll(async () => {
  council = await makeOrganisation(journey.t.db, { name: 'North Marsh District Council' });
});

function signedIn(user: TestUser): Promise<CheckedPage> {
  return journey.signedIn(user);
}

describe('reading the dashboard', () => {
  it('goes from the dashboard to the KPIs by status, the golden thread and a KPI', async () => {
    const owner = await makeUser(journey.t.db, council, 'contributor');
    const strategy = await makeStrategy(journey.t.db, council, { title: 'Digital by default', status: 'published' });
    const goal = await makeGoal(journey.t.db, council, strategy, { title: 'Services people prefer' });
    const online = await makeObjective(journey.t.db, council, goal, { title: 'Online first', ownerId: owner.id });
    const planned = plannedForExpected();
    const takeUp = await makeKpiWithStatus(journey.t.db, council, 'on_track', { name: 'Digital take-up', previous: planned - 4, objectiveIds: [online.id], ownerId: owner.id });
    await makeKpiWithStatus(journey.t.db, council, 'off_track', { name: 'Completion rate', previous: planned, objectiveIds: [online.id] });
    await makeKpiWithStatus(journey.t.db, council, 'overdue', { name: 'Calls answered', ownerId: owner.id });
    await makeKpiWithStatus(journey.t.db, council, 'no_data', { name: 'Homes online' });
    // History from before the baseline: the KPI page shows the plan's time and offers the rest.
    await recordValues(journey.t.db, council, takeUp.key, [['1990-01', 10]]);

    const page = await signedIn(await makeUser(journey.t.db, council, 'viewer'));
    await page.visit(`/o/${council.slug}`);
    const main = page.page.locator('main');
    await expect(main.getByRole('heading', { level: 2, name: 'Overdue values' }).isVisible()).resolves.toBe(true);
    expect(await page.page.locator('#overdue').textContent()).toContain('Calls answered');
    expect(await page.page.locator('#improving').textContent()).toContain('Digital take-up');
    expect(await page.page.locator('#worsening').textContent()).toContain('Completion rate');
    expect(await page.page.locator('#objectives-at-risk').textContent()).toContain('Online first');

    await page.submit(page.page.locator('#count-off_track a'));
    expect(await page.page.locator('#kpi-filter').textContent()).toContain('Showing the 1 KPI with the status off track');

    await page.visit(`/o/${council.slug}`);
    await page.submit(page.page.getByRole('link', { name: /Digital by default/ }));
    expect(await page.page.getByRole('heading', { level: 1 }).textContent()).toContain('Digital by default');
    await page.page.getByText('How status is worked out').click();
    await page.check();

    await page.submit(page.page.getByRole('link', { name: 'Digital take-up' }));
    expect(await page.page.locator('#earlier-values').textContent()).toContain('Earlier values are in the download');
    await page.page.context().close();
  });
});
