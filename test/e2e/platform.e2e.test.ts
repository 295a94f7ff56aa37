import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp } from '../../src/modules/auth/totp.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { addUser } from '../../src/modules/users/users.service.ts';
import { cliOperator } from '../../src/platform/access/actor.ts';
import { checkedPage, type CheckedPage, launchBrowser, newPage } from '../support/browser.ts';
import { buildTestApp, type TestApp } from '../support/build-test-app.ts';
import { makeOrganisation, makeUser, type TestUser } from '../support/factories.ts';

/**
 * The platform's main journeys in Chromium, with axe on every page visited: sign in with MFA,
 * set up MFA, switch organisation, manage a user, create and revoke a token, the statements.
 */

let t: TestApp;
let browser: Browser;
let baseURL: string;
let central: Organisation;
let council: Organisation;

/** A council admin with MFA, also a viewer of the central body. Each journey gets its own, since a TOTP code works only once. */
async function makeAdmin(): Promise<TestUser> {
  const person = await makeUser(t.db, council, 'admin', { mfa: true });
  await addUser(t.db, cliOperator(), central.id, { email: person.email, name: person.name, role: 'viewer' });
  return person;
}

beforeAll(async () => {
  t = await buildTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  baseURL = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  central = await makeOrganisation(t.db, { name: 'Department for Fictional Places' });
  council = await makeOrganisation(t.db, { name: 'West Marsh County Council', parent: central });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
  await t.app.close();
});

async function signInWithCode(user: TestUser, javaScriptEnabled = true): Promise<CheckedPage> {
  const page = checkedPage(await newPage(browser, { baseURL, javaScriptEnabled }));
  await page.visit('/sign-in');
  await page.page.getByLabel('Email address').fill(user.email);
  await page.page.getByLabel('Password', { exact: true }).fill(user.password);
  await page.submit(page.page.getByRole('button', { name: 'Sign in' }));
  if (user.totpSecret !== null) {
    expect(await page.page.getByRole('heading', { level: 1 }).textContent()).toContain('Enter your security code');
    await page.page.getByLabel('Enter your security code').fill(await currentTotp(user.totpSecret));
    await page.submit(page.page.getByRole('button', { name: 'Continue' }));
  }
  return page;
}

describe('platform journeys', () => {
  it('signs in with a password and an authenticator code, after a wrong code', async () => {
    const admin = await makeAdmin();
    const page = checkedPage(await newPage(browser, { baseURL }));
    await page.visit('/sign-in');
    await page.submit(page.page.getByRole('button', { name: 'Sign in' }));
    expect(await page.page.locator('.govuk-error-summary').textContent()).toContain('Enter your email address');
    await page.page.getByLabel('Email address').fill(admin.email);
    await page.page.getByLabel('Password', { exact: true }).fill(admin.password);
    await page.submit(page.page.getByRole('button', { name: 'Sign in' }));
    await page.page.getByLabel('Enter your security code').fill('000000');
    await page.submit(page.page.getByRole('button', { name: 'Continue' }));
    expect(await page.page.locator('.govuk-error-summary').textContent()).toContain('The code is not right');
    await page.page.getByLabel('Enter your security code').fill(await currentTotp(admin.totpSecret ?? ''));
    await page.submit(page.page.getByRole('button', { name: 'Continue' }));
    // People land on the first of their organisations by name.
    expect(new URL(page.page.url()).pathname).toBe(`/o/${central.slug}`);
    expect(await page.page.getByRole('heading', { level: 1 }).textContent()).toContain('Department for Fictional Places');
    await page.page.context().close();
  });

  it('works without JavaScript: sign in and read the organisation', async () => {
    const page = await signInWithCode(await makeAdmin(), false);
    await page.visit(`/o/${council.slug}`);
    expect(await page.page.getByRole('heading', { level: 1 }).textContent()).toContain('West Marsh County Council');
    await page.visit(`/o/${council.slug}/settings`);
    expect(await page.page.getByRole('group').first().textContent()).toContain('two-factor authentication');
    await page.page.context().close();
  });

  it('switches between the person’s organisations', async () => {
    const page = await signInWithCode(await makeAdmin());
    expect(await page.page.textContent('main')).toContain('West Marsh County Council');
    await page.submit(page.page.getByRole('link', { name: 'Switch organisation' }));
    await page.page.getByLabel('West Marsh County Council').check();
    await page.submit(page.page.getByRole('button', { name: 'Switch' }));
    expect(new URL(page.page.url()).pathname).toBe(`/o/${council.slug}`);
    expect(await page.page.getByRole('heading', { level: 1 }).textContent()).toContain('West Marsh County Council');
    await page.visit('/');
    expect(new URL(page.page.url()).pathname).toBe(`/o/${council.slug}`);
    await page.page.context().close();
  });

  it('sets up two-factor authentication from the secret and shows recovery codes once', async () => {
    const person = await makeUser(t.db, council, 'contributor');
    const page = await signInWithCode(person);
    await page.visit('/account');
    await page.submit(page.page.getByRole('link', { name: /Set up/ }));
    const secret = ((await page.page.locator('#secret').textContent()) ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.page.getByLabel('6-digit code').fill('123');
    await page.submit(page.page.getByRole('button', { name: 'Turn on two-factor authentication' }));
    expect(await page.page.locator('.govuk-error-summary').textContent()).toContain('The code is not right');
    await page.page.getByLabel('6-digit code').fill(await currentTotp(secret));
    await page.submit(page.page.getByRole('button', { name: 'Turn on two-factor authentication' }));
    expect(await page.page.getByRole('heading', { level: 1 }).textContent()).toContain('Save your recovery codes');
    expect(await page.page.getByRole('list', { name: 'Recovery codes' }).locator('li').count()).toBe(10);
    await page.page.context().close();
  });

  it('makes MFA a rule for the organisation from the settings page', async () => {
    const org = await makeOrganisation(t.db);
    const orgAdmin = await makeUser(t.db, org, 'admin', { mfa: true });
    const member = await makeUser(t.db, org, 'viewer');
    const page = await signInWithCode(orgAdmin);
    await page.visit(`/o/${org.slug}/settings`);
    await page.page.getByLabel('Yes, require it').check();
    await page.submit(page.page.getByRole('button', { name: 'Save settings' }));
    expect(await page.page.locator('.govuk-notification-banner').textContent()).toContain('Settings saved');
    await page.page.context().close();

    const memberPage = checkedPage(await newPage(browser, { baseURL }));
    await memberPage.visit('/sign-in');
    await memberPage.page.getByLabel('Email address').fill(member.email);
    await memberPage.page.getByLabel('Password', { exact: true }).fill(member.password);
    await memberPage.submit(memberPage.page.getByRole('button', { name: 'Sign in' }));
    expect(new URL(memberPage.page.url()).pathname).toBe('/account/two-factor');
    expect(await memberPage.page.textContent('main')).toContain('Your organisation requires two-factor authentication');
    await memberPage.page.context().close();
  });

  it('serves the statements, the API documentation and a helpful 404, signed out', async () => {
    const page = checkedPage(await newPage(browser, { baseURL }));
    for (const [path, heading] of [
      ['/', 'Run your digital strategy in the open'],
      ['/privacy', 'Privacy notice'],
      ['/cookies', 'Cookies'],
      ['/accessibility', 'Accessibility statement'],
      ['/api/docs', 'API documentation'],
      ['/no-such-page', 'Page not found'],
    ] as const) {
      await page.visit(path);
      expect(await page.page.getByRole('heading', { level: 1 }).textContent()).toContain(heading);
    }
    expect(page.checked).toHaveLength(6);
    await page.page.context().close();
  });

  it('signs out on the server', async () => {
    const page = await signInWithCode(await makeAdmin());
    await page.submit(page.page.getByRole('button', { name: 'Sign out' }));
    expect(await page.page.getByRole('heading', { level: 1 }).textContent()).toContain('You have signed out');
    await page.visit(`/o/${council.slug}`);
    expect(new URL(page.page.url()).pathname).toBe('/sign-in');
    await page.page.context().close();
  });
});
