import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteSummary } from '../../src/app.ts';
import type { Organisation } from '../../src/modules/organisations/organisations.service.ts';
import { listTokens } from '../../src/modules/tokens/tokens.service.ts';
import { cliOperator } from '../../src/platform/access/actor.ts';
import { ROLES, roleAtLeast, type Role } from '../../src/platform/access/roles.ts';
import { buildTestApp, type TestApp } from '../support/build-test-app.ts';
import type { TestClient } from '../support/client.ts';
import { makeOrganisation, makeToken, makeUser } from '../support/factories.ts';
import { routeFixtureIds } from '../support/route-fixtures.ts';
import { signIn } from '../support/login.ts';

/**
 * Walks every registered route, so a new route is covered the day it is added:
 * - as a signed-in member of another organisation, and with another organisation's ids in
 *   the URL: 404, never the data;
 * - as each role of the organisation: 403 below the route's declared role, never 403/404
 *   at or above it, never a 500;
 * - signed out / without a token: sent to sign in, or 401.
 * A route with a path parameter this file has no fixture for fails the walk: add one.
 */

interface Fixtures {
  org: Organisation;
  ids: Record<string, string>;
}

let t: TestApp;
let home: Fixtures;
let other: Fixtures;
const clients = new Map<Role, TestClient>();
let otherAdmin: TestClient;
let otherToken: string;

async function fixtures(): Promise<Fixtures> {
  const org = await makeOrganisation(t.db);
  const target = await makeUser(t.db, org, 'viewer');
  await makeToken(t.db, org, 'read');
  const [token] = await listTokens(t.db, cliOperator(), org.id);
  if (token === undefined) throw new Error('no token');
  return { org, ids: await routeFixtureIds(t.db, org, { userId: target.id, tokenId: token.id }) };
}

function fill(url: string, ids: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    const value = ids[name];
    if (value === undefined) throw new Error(`The route walk has no fixture for :${name} in ${url}: add one to test/support/route-fixtures.ts`);
    return value;
  });
}

function walkable(route: RouteSummary): boolean {
  if (route.method === 'HEAD' || route.method === 'OPTIONS') return false;
  return !route.url.startsWith('/assets/') && !route.url.includes('*');
}

function clientFor(role: Role): TestClient {
  const client = clients.get(role);
  if (client === undefined) throw new Error(`no client for ${role}`);
  return client;
}

function send(client: TestClient, method: string, url: string): Promise<LightMyRequestResponse> {
  if (method === 'GET') return client.get(url);
  return client.postForm(url, {});
}

beforeAll(async () => {
  t = await buildTestApp();
  home = await fixtures();
  other = await fixtures();
  for (const role of ROLES) clients.set(role, await signIn(t.app, await makeUser(t.db, home.org, role)));
  otherAdmin = await signIn(t.app, await makeUser(t.db, other.org, 'admin'));
  otherToken = await makeToken(t.db, other.org, 'read,write');
});

afterAll(async () => {
  await t.app.close();
});

describe('every route', () => {
  it('has routes to walk', () => {
    expect(t.app.routeInventory.filter(walkable).length).toBeGreaterThan(10);
  });

  it('gives 404 to a member of another organisation, whatever ids are in the URL', async () => {
    const failures: string[] = [];
    for (const route of t.app.routeInventory.filter(walkable)) {
      if (!route.url.includes(':')) continue;
      const hasIds = /:(?!org\b)[A-Za-z]+/.test(route.url);
      const urls =
        route.url.startsWith('/api/') || !hasIds
          ? [fill(route.url, home.ids)]
          : [fill(route.url, home.ids), fill(route.url, { ...home.ids, org: other.org.slug })];
      for (const url of urls) {
        const response = route.url.startsWith('/api/')
          ? await t.app.inject({ method: route.method as 'GET', url, headers: { authorization: `Bearer ${otherToken}` } })
          : await send(otherAdmin, route.method, url);
        if (response.statusCode !== 404) failures.push(`${route.method} ${url} → ${response.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('gives 404 for another organisation’s ids under the person’s own organisation', async () => {
    const failures: string[] = [];
    for (const route of t.app.routeInventory.filter(walkable)) {
      const params = [...route.url.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]).filter((p) => p !== 'org');
      if (params.length === 0 || route.url.startsWith('/api/')) continue;
      const url = fill(route.url, { ...other.ids, org: home.org.slug });
      const response = await send(clientFor('admin'), route.method, url);
      if (response.statusCode !== 404) failures.push(`${route.method} ${url} → ${response.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it('enforces each route’s role and never fails with a 500', async () => {
    const failures: string[] = [];
    const routes = t.app.routeInventory.filter((r) => walkable(r) && r.access !== 'public' && r.access !== 'token' && !r.url.startsWith('/api/'));
    // Every role reads before anyone writes: the POSTs change the fixtures (publishing a
    // strategy moves its version on), and reads must see them as they were made.
    const passes = [routes.filter((r) => r.method === 'GET'), routes.filter((r) => r.method !== 'GET')];
    for (const [role, route] of passes.flatMap((pass) => ROLES.flatMap((role) => pass.map((route) => [role, route] as const)))) {
      {
        const url = fill(route.url, home.ids);
        const response = await send(clientFor(role), route.method, url);
        const needed = route.role ?? 'viewer';
        const status = response.statusCode;
        if (status >= 500) failures.push(`${role} ${route.method} ${url} → ${status}`);
        else if (route.url.startsWith('/o/:org') && !roleAtLeast(role, needed) && status !== 403) {
          failures.push(`${role} ${route.method} ${url} → ${status}, expected 403 (needs ${needed})`);
        } else if (roleAtLeast(role, needed) && (status === 403 || status === 404)) {
          failures.push(`${role} ${route.method} ${url} → ${status}, expected access`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('sends people who are not signed in to sign in, and refuses API calls without a token', async () => {
    const failures: string[] = [];
    for (const route of t.app.routeInventory.filter((r) => walkable(r) && r.access !== 'public')) {
      const url = fill(route.url, home.ids);
      const response = await t.app.inject({ method: route.method as 'GET', url });
      const status = response.statusCode;
      const ok = route.url.startsWith('/api/')
        ? status === 401 && String(response.headers['content-type']).startsWith('application/problem+json')
        : (status === 303 && String(response.headers.location).startsWith('/sign-in')) ||
          (route.method !== 'GET' && (status === 401 || status === 403));
      if (!ok) failures.push(`${route.method} ${url} → ${status}`);
    }
    expect(failures).toEqual([]);
  });
});
