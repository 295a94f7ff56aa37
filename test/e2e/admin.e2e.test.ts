import { beforeAll, describe, expect, it } from 'vitest';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { checkedPage, type CheckedPage, newPage } from '../support/browser.ts';
import { makeOrganisation, makeUser, type TestUser } from '../support/factories.ts';
import { journeyForFile } from '../support/journey.ts';
import { rememberSecret } from '../support/secrets-ledger.ts';

/**
 * An organisation admin's journeys in Chromium, with axe on every page visited: invite a
 * person (who then creates a password and signs in), change their role, deactivate them,
 * create and revoke an API token, and read the audit trail of it all.
 */

const journey = journeyForFile();
let council: Organisation;

beforeAll(async () => {
  council = await makeOrganisation(journey.t.db, { name: 'East Fen Borough Council' });
});

function signedIn(user: TestUser): Promise<CheckedPage> {
  return journey.signedIn(user);
}

const heading = (page: CheckedPage) => page.page.getByRole('heading', { level: 1 }).textContent();

describe('admin journeys', () => {
  it('invites a person who then sets a password and signs in; changes their role; deactivates them', async () => {
    const admin = await makeUser(journey.t.db, council, 'admin', { mfa: true });
    const page = await signedIn(admin);
    await page.submit(page.page.getByRole('link', { name: 'Users' }).first());
    expect(await heading(page)).toContain('Users');
    await page.submit(page.page.getByRole('button', { name: 'Add a user' }));
    await page.submit(page.page.getByRole('button', { name: 'Add user' }));
    const summary = await page.page.locator('.govuk-error-summary').textContent();
    expect(summary).toContain('Enter an email address');
    expect(summary).toContain('Enter the person’s full name');
    await page.page.getByLabel('Email address').fill('ada.lovelace@example.org');
    await page.page.getByLabel('Full name').fill('Ada Lovelace');
    await page.page.getByLabel('Contributor').check();
    await page.submit(page.page.getByRole('button', { name: 'Add user' }));
    const link = await page.page.getByLabel('Invitation link for ada.lovelace@example.org').inputValue();
    rememberSecret(new URL(link).searchParams.get('token') ?? '');
    expect(link).toContain('/invitation?token=');

    const invitee = checkedPage(await newPage(journey.browser, { baseURL: journey.baseURL }));
    await invitee.visit(new URL(link).pathname + new URL(link).search);
    expect(await heading(invitee)).toContain('Create your password');
    const password = 'a long and memorable passphrase';
    rememberSecret(password);
    await invitee.page.getByLabel('Password', { exact: true }).fill(password);
    await invitee.page.getByLabel('Confirm password').fill(password);
    await invitee.submit(invitee.page.getByRole('button', { name: 'Create password' }));
    await invitee.page.getByLabel('Email address').fill('ada.lovelace@example.org');
    await invitee.page.getByLabel('Password', { exact: true }).fill(password);
    await invitee.submit(invitee.page.getByRole('button', { name: 'Sign in' }));
    expect(await heading(invitee)).toContain('East Fen Borough Council');

    await page.visit(`/o/${council.slug}/users`);
    await page.submit(page.page.getByRole('link', { name: 'Ada Lovelace' }));
    await page.page.getByLabel('Manager').check();
    await page.submit(page.page.getByRole('button', { name: 'Change role' }));
    expect(await page.page.textContent('main')).toContain('Manager');
    await page.submit(page.page.getByRole('button', { name: 'Deactivate Ada Lovelace' }));
    await page.submit(page.page.getByRole('button', { name: 'Yes, deactivate Ada Lovelace' }));
    expect(await page.page.textContent('main')).toContain('Deactivated');

    // Deactivation ended the invitee's session on the server.
    await invitee.visit(`/o/${council.slug}`);
    expect(new URL(invitee.page.url()).pathname).not.toBe(`/o/${council.slug}`);
    await invitee.page.context().close();
    await page.page.context().close();
  });

  it('creates an API token that works once copied, then revokes it', async () => {
    const admin = await makeUser(journey.t.db, council, 'admin', { mfa: true });
    const page = await signedIn(admin);
    await page.visit(`/o/${council.slug}/tokens`);
    await page.submit(page.page.getByRole('button', { name: 'Create an API token' }));
    await page.page.getByLabel('Name').fill('Finance KPI feed');
    await page.page.getByLabel('Read only').check();
    await page.submit(page.page.getByRole('button', { name: 'Create token' }));
    const token = await page.page.getByLabel('Your new API token').inputValue();
    rememberSecret(token);
    const me = await fetch(`${journey.baseURL}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { organisation: { slug: string } }).organisation.slug).toBe(council.slug);

    await page.visit(`/o/${council.slug}/tokens`);
    expect(await page.page.textContent('main')).not.toContain(token);
    await page.submit(page.page.getByRole('link', { name: 'Revoke Finance KPI feed' }));
    await page.submit(page.page.getByRole('button', { name: 'Yes, revoke this token' }));
    expect(await page.page.textContent('main')).toContain('Revoked');
    const after = await fetch(`${journey.baseURL}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    expect(after.headers.get('content-type')).toContain('application/problem+json');

    await page.visit(`/o/${council.slug}/audit`);
    const trail = (await page.page.textContent('main')) ?? '';
    expect(trail).toContain('token.created');
    expect(trail).toContain('token.revoked');
    await page.page.context().close();
  });
});
