import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import type { TestClient } from '../../../test/support/client.ts';
import { makeOrganisation, makeToken, makeUser } from '../../../test/support/factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { rememberSecret } from '../../../test/support/secrets-ledger.ts';
import { assertAllowed } from '../../platform/access/policy.ts';
import { ForbiddenError } from '../../platform/errors.ts';
import type { Organisation } from '../organisations/organisations.service.ts';
import { authenticateToken } from './tokens.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

async function adminOfNewOrg(): Promise<{ org: Organisation; client: TestClient; email: string }> {
  const org = await makeOrganisation(t.db);
  const admin = await makeUser(t.db, org, 'admin');
  return { org, client: await signIn(t.app, admin), email: admin.email };
}

const SECRET = /wmk_[A-Za-z0-9_-]{43}/g;

/** Creates a token through the form and returns the secret shown on the page. */
async function createThroughPage(client: TestClient, org: Organisation, fields: Record<string, string>): Promise<{ secret: string; body: string }> {
  const response = await client.postForm(`/o/${org.slug}/tokens`, fields);
  expect(response.statusCode, response.body.slice(0, 500)).toBe(200);
  const secrets = response.body.match(SECRET) ?? [];
  expect(new Set(secrets).size).toBe(1);
  const secret = secrets[0] ?? '';
  rememberSecret(secret);
  return { secret, body: response.body };
}

function me(secret: string) {
  return t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${secret}` } });
}

async function tokenRow(org: Organisation, name: string) {
  return t.db
    .selectFrom('api_token')
    .select(['id', 'token_hash', 'prefix', 'scopes', 'expires_at', 'revoked_at'])
    .where('organisation_id', '=', org.id)
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
}

function expectProblem401(response: Awaited<ReturnType<typeof me>>): void {
  expect(response.statusCode).toBe(401);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.json()).toMatchObject({ status: 401, code: 'unauthenticated' });
}

describe('creating an API token', () => {
  it('shows the token once, in full, and it works on the API with the chosen access', async () => {
    const { org, client, email } = await adminOfNewOrg();
    const form = await client.get(`/o/${org.slug}/tokens/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Create an API token');

    const { secret, body } = await createThroughPage(client, org, { name: 'Finance feed', scope: 'read,write', expiresInDays: '' });
    expect(body).toContain('API token created');
    expect(body).toContain('You will not be shown it again');
    expect(body).toContain('Read and write');

    const response = await me(secret);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ organisation: { slug: org.slug }, token: { name: 'Finance feed' }, scopes: ['read', 'write'] });

    // Only a hash is stored, and the page never shows the token again.
    const row = await tokenRow(org, 'Finance feed');
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.token_hash).not.toContain(secret.slice(4, 20));
    expect(secret.startsWith(row.prefix)).toBe(true);
    expect(row.expires_at).toBeNull();
    const list = await client.get(`/o/${org.slug}/tokens`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Finance feed');
    expect(list.body).toContain(row.prefix);
    expect(list.body).not.toContain(secret);
    expect(list.body.match(SECRET)).toBeNull();
    expect(list.body).toContain('Never');
    expect(list.body).toContain('Active');

    const event = await t.db
      .selectFrom('audit_event')
      .select(['action', 'actor_label', 'via', 'after'])
      .where('organisation_id', '=', org.id)
      .where('action', '=', 'token.created')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_label: email, via: 'web', after: { name: 'Finance feed', scopes: ['read', 'write'] } });
    expect(JSON.stringify(event.after)).not.toContain(secret);
  });

  it('gives a read-only token read access and no write access', async () => {
    const { org, client } = await adminOfNewOrg();
    const { secret } = await createThroughPage(client, org, { name: 'Dashboard reader', scope: 'read', expiresInDays: '30' });
    const response = await me(secret);
    expect(response.json()).toMatchObject({ scopes: ['read'] });
    const actor = await authenticateToken(t.db, secret, null);
    expect(actor?.scopes).toEqual(['read']);
    if (actor === null) throw new Error('token not accepted');
    expect(() => {
      assertAllowed(actor, 'organisation.read', org.id);
    }).not.toThrow();
    expect(() => {
      assertAllowed(actor, 'organisation.manage', org.id);
    }).toThrow(ForbiddenError);
    const row = await tokenRow(org, 'Dashboard reader');
    const days = ((row.expires_at?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(days).toBeLessThanOrEqual(30);
  });

  it.each([
    ['no name', { name: ' ', scope: 'read', expiresInDays: '' }, 'name', 'Enter a name that says what the token is for'],
    ['no access chosen', { name: 'No scope', scope: '', expiresInDays: '' }, 'scope', 'Choose the token’s access'],
    ['write without read', { name: 'Write only', scope: 'write', expiresInDays: '' }, 'scope', 'Choose the token’s access'],
    ['an expiry that is not a number', { name: 'Soon', scope: 'read', expiresInDays: 'next week' }, 'expiresInDays', 'Expiry must be a whole number of days'],
    ['an expiry of 0 days', { name: 'Zero', scope: 'read', expiresInDays: '0' }, 'expiresInDays', 'Expiry must be a whole number of days'],
    ['an expiry too far away', { name: 'Forever', scope: 'read', expiresInDays: '100000' }, 'expiresInDays', 'Expiry must be a whole number of days'],
  ])('refuses %s with the error summary and creates nothing', async (_case, fields, fieldName, message) => {
    const { org, client } = await adminOfNewOrg();
    const response = await client.postForm(`/o/${org.slug}/tokens`, fields);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('There is a problem');
    expect(response.body).toContain(`href="#${fieldName}"`);
    expect(response.body).toContain(message);
    expect(response.body.match(SECRET)).toBeNull();
    const rows = await t.db.selectFrom('api_token').select('id').where('organisation_id', '=', org.id).execute();
    expect(rows).toEqual([]);
  });

  it('refuses a form posted without the CSRF token, and creates nothing', async () => {
    const { org, client } = await adminOfNewOrg();
    const response = await client.postForm(`/o/${org.slug}/tokens`, { name: 'Cross site', scope: 'read,write' }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(response.body.match(SECRET)).toBeNull();
    const rows = await t.db.selectFrom('api_token').select('id').where('organisation_id', '=', org.id).execute();
    expect(rows).toEqual([]);
  });
});

describe('revoking an API token', () => {
  it('asks first, then the token stops working at once', async () => {
    const { org, client } = await adminOfNewOrg();
    const { secret } = await createThroughPage(client, org, { name: 'Old integration', scope: 'read', expiresInDays: '' });
    expect((await me(secret)).statusCode).toBe(200);
    const row = await tokenRow(org, 'Old integration');

    const confirm = await client.get(`/o/${org.slug}/tokens/${row.id}/revoke`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Revoke the API token “Old integration”?');
    expect((await me(secret)).statusCode).toBe(200);

    const response = await client.postForm(`/o/${org.slug}/tokens/${row.id}/revoke`, {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/o/${org.slug}/tokens`);
    const list = await client.get(`/o/${org.slug}/tokens`);
    expect(list.body).toContain('has been revoked');
    expect(list.body).toContain('Revoked');
    expect(list.body).not.toContain(`/tokens/${row.id}/revoke"`);

    expectProblem401(await me(secret));
    expect((await tokenRow(org, 'Old integration')).revoked_at).not.toBeNull();
    const actions = await t.db.selectFrom('audit_event').select('action').where('organisation_id', '=', org.id).where('entity_id', '=', row.id).orderBy('id').execute();
    expect(actions.map((a) => a.action)).toEqual(['token.created', 'token.revoked']);

    // Visiting the confirmation page again just says so.
    const again = await client.get(`/o/${org.slug}/tokens/${row.id}/revoke`);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('is already revoked');
  });

  it('refuses a form posted without the CSRF token, and the token keeps working', async () => {
    const { org, client } = await adminOfNewOrg();
    const { secret } = await createThroughPage(client, org, { name: 'Keep me', scope: 'read', expiresInDays: '' });
    const row = await tokenRow(org, 'Keep me');
    const response = await client.postForm(`/o/${org.slug}/tokens/${row.id}/revoke`, {}, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect((await me(secret)).statusCode).toBe(200);
  });
});

describe('an expired token', () => {
  it('gets 401 and shows as expired', async () => {
    const { org, client } = await adminOfNewOrg();
    const { secret } = await createThroughPage(client, org, { name: 'Short lived', scope: 'read', expiresInDays: '1' });
    expect((await me(secret)).statusCode).toBe(200);
    const row = await tokenRow(org, 'Short lived');
    await t.db.updateTable('api_token').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', row.id).execute();
    expectProblem401(await me(secret));
    const list = await client.get(`/o/${org.slug}/tokens`);
    expect(list.body).toContain('Expired');
  });
});

describe('who may manage tokens', () => {
  it('refuses viewers, contributors and managers with 403', async () => {
    const org = await makeOrganisation(t.db);
    await makeToken(t.db, org, 'read');
    const row = await tokenRow(org, 'test read');
    for (const role of ['viewer', 'contributor', 'manager'] as const) {
      const client = await signIn(t.app, await makeUser(t.db, org, role));
      for (const url of [`/o/${org.slug}/tokens`, `/o/${org.slug}/tokens/new`, `/o/${org.slug}/tokens/${row.id}/revoke`]) {
        expect((await client.get(url)).statusCode, `${role} GET ${url}`).toBe(403);
      }
      expect((await client.postForm(`/o/${org.slug}/tokens`, { name: 'Sneaky', scope: 'read,write' })).statusCode).toBe(403);
      expect((await client.postForm(`/o/${org.slug}/tokens/${row.id}/revoke`, {})).statusCode).toBe(403);
    }
    expect((await tokenRow(org, 'test read')).revoked_at).toBeNull();
    const names = await t.db.selectFrom('api_token').select('name').where('organisation_id', '=', org.id).execute();
    expect(names).toEqual([{ name: 'test read' }]);
  });

  it('gives an admin of another organisation 404 for this organisation’s tokens, whichever organisation is in the URL', async () => {
    const a = await adminOfNewOrg();
    const b = await adminOfNewOrg();
    const secret = await makeToken(t.db, a.org, 'read');
    const row = await tokenRow(a.org, 'test read');
    for (const slug of [a.org.slug, b.org.slug]) {
      const url = `/o/${slug}/tokens/${row.id}/revoke`;
      expect((await b.client.get(url)).statusCode, url).toBe(404);
      expect((await b.client.postForm(url, {})).statusCode, `POST ${url}`).toBe(404);
    }
    expect((await b.client.get(`/o/${a.org.slug}/tokens`)).statusCode).toBe(404);
    expect((await b.client.get(`/o/${b.org.slug}/tokens`)).body).not.toContain(row.prefix);
    expect((await me(secret)).statusCode).toBe(200);
    expect((await b.client.get(`/o/${b.org.slug}/tokens/not-a-uuid/revoke`)).statusCode).toBe(404);
  });
});
