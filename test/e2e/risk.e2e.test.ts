import { describe, expect, it } from 'vitest';
import type { CheckedPage } from '../support/browser.ts';
import { makeOrganisation, makeUser } from '../support/factories.ts';
import { journeyForFile } from '../support/journey.ts';
import { makeRisk, makeRiskAction } from '../support/risk-factories.ts';

/**
 * A risk manager imports a register from a spreadsheet with mistakes, fixes it and imports it
 * again, sets the cybersecurity appetite so a risk goes outside it, escalates that risk to the
 * central body and reads the heat maps; the central body then reads the escalated risk. Axe runs
 * on every page visited.
 */

const journey = journeyForFile();

async function upload(page: CheckedPage, name: string, csv: string): Promise<void> {
  await page.page
    .getByLabel('Upload a file')
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await page.submit(page.page.getByRole('button', { name: 'Import risks' }));
}

const HEADER =
  'title,category,owner,inherent likelihood,inherent impact,current likelihood,current impact,target likelihood,target impact,response';

describe('managing the risk register', () => {
  it('imports a register, fixes its mistakes, sets appetite, escalates a risk outside it and reads the heat map', async () => {
    const central = await makeOrganisation(journey.t.db, { name: 'Department for Coastal Towns' });
    const council = await makeOrganisation(journey.t.db, {
      name: 'Saltmere Borough Council',
      parent: central,
    });
    const manager = await makeUser(journey.t.db, council, 'manager');
    const page = await journey.signedIn(manager);

    await page.visit(`/o/${council.slug}/risks`);
    expect(await page.page.locator('#no-risks').textContent()).toContain('There are no open risks yet.');

    await page.submit(page.page.getByRole('button', { name: 'Add a risk' }));
    await page.submit(page.page.getByRole('button', { name: 'Add risk' }));
    expect(await page.page.locator('.govuk-error-summary').textContent()).toContain(
      'Enter a title for the risk',
    );

    await page.visit(`/o/${council.slug}/risks`);
    await page.submit(page.page.getByRole('button', { name: 'Import from a file' }));
    await upload(
      page,
      'register.csv',
      [
        HEADER,
        `Ransomware attack,cybersecurity,${manager.email},4,5,3,2,2,2,treat`,
        'Flooded depot,weather,,3,3,2,2,1,1,tolerate',
        'Ransomware attack,cybersecurity,,6,5,3,2,2,2,treat',
      ].join('\n'),
    );
    const summary = (await page.page.locator('.govuk-error-summary').textContent()) ?? '';
    expect(summary).toContain('Line 3: category “weather” is not one of the organisation’s categories');
    expect(summary).toContain('Line 4: inherent likelihood must be 1 to 5');
    expect(summary).toContain('Line 4: the title “Ransomware attack” is also on line 2');

    await upload(
      page,
      'register.csv',
      [
        HEADER,
        `Ransomware attack,cybersecurity,${manager.email},4,5,3,2,2,2,treat`,
        'Flooded depot,property,,3,4,2,4,1,3,tolerate',
        'Laptop refresh delayed,Technology obsolescence,,very high,high,medium,medium,low,low,treat',
      ].join('\n'),
    );
    expect(await page.page.locator('.govuk-notification-banner').textContent()).toContain(
      '3 risks imported from register.csv',
    );
    expect(await page.page.locator('#risks').textContent()).toContain('Add a contingency plan');

    await page.submit(page.page.getByRole('link', { name: 'Risk appetite' }));
    await page.submit(page.page.getByRole('link', { name: 'Change the appetite for Cybersecurity' }));
    await page.page.getByLabel('Averse').check();
    await page.page.getByLabel('Maximum acceptable score').fill('4');
    await page.submit(page.page.getByRole('button', { name: 'Save appetite' }));
    expect(await page.page.locator('.govuk-notification-banner').textContent()).toContain(
      'up to a score of 4',
    );

    await page.visit(`/o/${council.slug}/risks?appetite=outside`);
    await page.submit(page.page.getByRole('link', { name: 'Ransomware attack' }));
    expect(await page.page.locator('#appetite-breach').textContent()).toContain(
      'current score of 6 is above',
    );
    await page.submit(
      page.page
        .locator('#appetite-breach')
        .getByRole('link', { name: 'Escalate it to the parent organisation' }),
    );
    await page.page
      .getByLabel('Why are you escalating it? (optional)')
      .fill('Shared network with the department');
    await page.submit(page.page.getByRole('button', { name: 'Escalate risk' }));
    expect(await page.page.locator('.govuk-notification-banner').textContent()).toContain(
      'has been escalated',
    );

    await page.visit(`/o/${council.slug}/risks/heat-map`);
    expect(await page.page.locator('#heat-table-current').textContent()).toContain('Likelihood 3 (medium)');
    await page.submit(
      page.page
        .locator('#heat-table-current')
        .getByRole('link', { name: /risk with likelihood 3 and impact 2/ }),
    );
    expect(await page.page.locator('#cell-filter').textContent()).toContain(
      'current likelihood 3 (medium), impact 2 (low): 1 risk',
    );
    await page.page.context().close();

    const centralPage = await journey.signedIn(await makeUser(journey.t.db, central, 'viewer'));
    await centralPage.visit(`/o/${central.slug}/risks`);
    expect(await centralPage.page.locator('#escalated-risks').textContent()).toContain(
      'Saltmere Borough Council',
    );
    await centralPage.submit(
      centralPage.page.locator('#escalated-risks').getByRole('link', { name: 'Ransomware attack' }),
    );
    expect(await centralPage.page.locator('#escalated-source').textContent()).toContain(
      'Shared network with the department',
    );
    await centralPage.page.context().close();
  });

  it('closes a contingency-plan gap in one click, records a review and an action, and lists overdue actions', async () => {
    const council = await makeOrganisation(journey.t.db, { name: 'Brackwater Town Council' });
    const owner = await makeUser(journey.t.db, council, 'contributor');
    const risk = await makeRisk(journey.t.db, council, {
      title: 'Payroll system outage',
      category: 'operations',
      current: { likelihood: 2, impact: 4 },
      ownerId: owner.id,
    });
    expect(risk.lacksContingencyPlan).toBe(true);
    const page = await journey.signedIn(owner);

    await page.visit(`/o/${council.slug}/risks?plan=missing`);
    await page.submit(
      page.page.getByRole('link', { name: 'Add a contingency plan for Payroll system outage' }),
    );
    await page.page.getByLabel('Trigger').fill('Payroll cannot run two days before pay day');
    await page.page
      .getByLabel('Plan', { exact: true })
      .fill('Pay last month’s amounts and correct them next month');
    await page.submit(page.page.getByRole('button', { name: 'Save contingency plan' }));
    expect(await page.page.locator('#contingency + dl').textContent()).toContain('Payroll cannot run');

    await page.submit(page.page.getByRole('button', { name: 'Record a review' }));
    await page.page.getByLabel('Note (optional)').fill('Second supplier contracted');
    await page.submit(page.page.getByRole('button', { name: 'Save review' }));
    expect(await page.page.locator('#history').textContent()).toContain('Second supplier contracted');

    await page.submit(page.page.getByRole('link', { name: 'Add an action' }));
    await page.page.getByLabel('Action').fill('Test the manual payroll run');
    await page.page.getByLabel('Due date').fill('2020-01-31');
    await page.submit(page.page.getByRole('button', { name: 'Add action' }));
    expect(await page.page.locator('#actions').textContent()).toContain('Overdue');

    await page.submit(page.page.getByRole('button', { name: 'Change' }));
    await page.page.getByLabel('Title').fill('');
    await page.submit(page.page.getByRole('button', { name: 'Save changes' }));
    expect(await page.page.locator('.govuk-error-summary').textContent()).toContain(
      'Enter a title for the risk',
    );

    await page.visit(`/o/${council.slug}/risks/actions`);
    expect(await page.page.locator('#overdue-actions').textContent()).toContain(
      'Test the manual payroll run',
    );
    await page.page.context().close();
  });
  it('changes an action, deletes it and then the risk, each after confirming', async () => {
    const council = await makeOrganisation(journey.t.db, { name: 'Fernhollow District Council' });
    const manager = await makeUser(journey.t.db, council, 'manager');
    const risk = await makeRisk(journey.t.db, council, { title: 'Ageing library kiosks' });
    await makeRiskAction(journey.t.db, council, risk, {
      description: 'Replace the kiosks',
      dueOn: '2027-06-30',
    });
    const page = await journey.signedIn(manager);

    await page.visit(`/o/${council.slug}/risks/${risk.id}`);
    await page.submit(page.page.getByRole('link', { name: 'Change Replace the kiosks' }));
    await page.page.getByLabel('Due date').fill('2027-06-31');
    await page.page.getByLabel('In progress').check();
    await page.submit(page.page.getByRole('button', { name: 'Save changes' }));
    expect(await page.page.locator('.govuk-error-summary').textContent()).toContain('There is a problem');
    await page.page.getByLabel('Due date').fill('2027-06-30');
    await page.submit(page.page.getByRole('button', { name: 'Save changes' }));
    expect(await page.page.locator('#actions').textContent()).toContain('In progress');

    await page.submit(page.page.getByRole('link', { name: 'Delete Replace the kiosks' }));
    await page.submit(page.page.getByRole('button', { name: 'Continue' }));
    expect(await page.page.locator('.govuk-error-summary').textContent()).toContain(
      'Select yes if you want to delete this action',
    );
    await page.page.getByLabel('Yes, delete it').check();
    await page.submit(page.page.getByRole('button', { name: 'Continue' }));
    expect(await page.page.locator('#actions').textContent()).toContain('No actions yet.');

    await page.submit(page.page.getByRole('button', { name: 'Delete' }));
    await page.page.getByLabel('Yes, delete it').check();
    await page.submit(page.page.getByRole('button', { name: 'Continue' }));
    expect(await page.page.locator('.govuk-notification-banner').textContent()).toContain(
      'Ageing library kiosks has been deleted',
    );
    await page.page.context().close();
  });
});
