import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/build-test-app.ts';
import { makeOrganisation, makeToken, makeUser } from '../support/factories.ts';
import { signIn } from '../support/login.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

describe('smoke', () => {
  it('answers /health after checking the database', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('signs in a user without MFA and shows their organisation', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'admin');
    const client = await signIn(t.app, user);
    const home = await client.get('/');
    expect(home.statusCode).toBe(303);
    expect(home.headers.location).toBe(`/o/${org.slug}`);
    const page = await client.get(`/o/${org.slug}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(org.name);
  });

  it('signs in a user with MFA through the code page', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer', { mfa: true });
    const client = await signIn(t.app, user);
    const page = await client.get(`/o/${org.slug}`);
    expect(page.statusCode).toBe(200);
  });

  it('returns the token’s organisation from /api/v1/me', async () => {
    const org = await makeOrganisation(t.db);
    const token = await makeToken(t.db, org, 'read');
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ organisation: { slug: org.slug }, scopes: ['read'] });
  });
});
