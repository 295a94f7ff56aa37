import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { TestClient } from '../../../test/support/client.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { rememberSecret } from '../../../test/support/secrets-ledger.ts';
import type { Organisation } from '../organisations/organisations.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

function uniqueEmail(prefix: string): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.org`;
}

async function countAuditEvents(org: Organisation): Promise<number> {
  const row = await t.db
    .selectFrom('audit_event')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', org.id)
    .executeTakeFirstOrThrow();
  return row.n;
}

async function countMemberships(org: Organisation): Promise<number> {
  const row = await t.db
    .selectFrom('membership')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organisation_id', '=', org.id)
    .executeTakeFirstOrThrow();
  return row.n;
}

async function userExists(email: string): Promise<boolean> {
  return (await t.db.selectFrom('app_user').select('id').where('email', '=', email.toLowerCase()).executeTakeFirst()) !== undefined;
}

async function membership(org: Organisation, userId: string) {
  return t.db
    .selectFrom('membership')
    .select(['role', 'deactivated_at'])
    .where('organisation_id', '=', org.id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

async function auditActions(org: Organisation): Promise<string[]> {
  const rows = await t.db.selectFrom('audit_event').select('action').where('organisation_id', '=', org.id).orderBy('id').execute();
  return rows.map((r) => r.action);
}

/** A signed-in admin of a fresh organisation. */
async function adminOfNewOrg(): Promise<{ org: Organisation; admin: Awaited<ReturnType<typeof makeUser>>; client: TestClient }> {
  const org = await makeOrganisation(t.db);
  const admin = await makeUser(t.db, org, 'admin');
  return { org, admin, client: await signIn(t.app, admin) };
}

/** The page's error summary text, or '' when there is none. */
function errorSummary(html: string): string {
  const match = /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(html);
  return match === null ? '' : match[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

/** The flash message a redirect leaves, read from the page it leads to. */
async function followRedirect(client: TestClient, response: { statusCode: number; headers: Record<string, unknown> }): Promise<string> {
  expect(response.statusCode).toBe(303);
  const page = await client.get(String(response.headers.location));
  expect(page.statusCode).toBe(200);
  return page.body;
}

describe('the users list', () => {
  it('lists every member with name, email, role, status and two-factor state', async () => {
    const { org, client } = await adminOfNewOrg();
    const viewer = await makeUser(t.db, org, 'viewer', { mfa: true });
    const manager = await makeUser(t.db, org, 'manager');
    const other = await makeOrganisation(t.db);
    const outsider = await makeUser(t.db, other, 'viewer');

    const page = await client.get(`/o/${org.slug}/users`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1 class="govuk-heading-l">Users</h1>');
    expect(page.body).toContain('3 people in');
    const rows = page.body.split('<tr class="govuk-table__row">').slice(2);
    const viewerRow = rows.find((r) => r.includes(viewer.email)) ?? '';
    expect(viewerRow).toContain('Viewer');
    expect(viewerRow).toContain('Active');
    expect(viewerRow).toMatch(/>On</);
    const managerRow = rows.find((r) => r.includes(manager.email)) ?? '';
    expect(managerRow).toContain('Manager');
    expect(managerRow).toMatch(/>Off</);
    expect(managerRow).toContain(`/o/${org.slug}/users/${manager.id}`);
    expect(page.body).not.toContain(outsider.email);
  });

  it('refuses viewers, contributors and managers with 403', async () => {
    const org = await makeOrganisation(t.db);
    const target = await makeUser(t.db, org, 'viewer');
    for (const role of ['viewer', 'contributor', 'manager'] as const) {
      const client = await signIn(t.app, await makeUser(t.db, org, role));
      for (const url of [`/o/${org.slug}/users`, `/o/${org.slug}/users/new`, `/o/${org.slug}/users/${target.id}`, `/o/${org.slug}/users/${target.id}/deactivate`]) {
        expect((await client.get(url)).statusCode, `${role} GET ${url}`).toBe(403);
      }
      const post = await client.postForm(`/o/${org.slug}/users`, { email: uniqueEmail('x'), name: 'X', role: 'admin' });
      expect(post.statusCode).toBe(403);
      const promote = await client.postForm(`/o/${org.slug}/users/${target.id}/role`, { role: 'admin' });
      expect(promote.statusCode).toBe(403);
    }
    expect((await membership(org, target.id))?.role).toBe('viewer');
  });
});

describe('adding a user', () => {
  it('shows a one-time invitation link that lets the new person set a password and sign in', async () => {
    const { org, admin, client } = await adminOfNewOrg();
    const form = await client.get(`/o/${org.slug}/users/new`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Add a user');
    expect(form.body).toContain('Manages users, roles, sign-in policy, API tokens and settings');

    const email = uniqueEmail('Invited');
    const added = await client.postForm(`/o/${org.slug}/users`, { email, name: 'Iris Invited', role: 'contributor' });
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain('Iris Invited has been added');
    expect(added.body).toContain('You will not be shown it again');
    const link = new RegExp(`${t.config.publicUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/invitation\\?token=([A-Za-z0-9_-]{40,})`).exec(added.body);
    expect(link).not.toBeNull();
    const token = link?.[1] ?? '';
    rememberSecret(token);

    // Shown once: the list and the user's page never show it again.
    const list = await client.get(`/o/${org.slug}/users`);
    expect(list.body).toContain(email.toLowerCase());
    expect(list.body).not.toContain(token);
    const row = await t.db.selectFrom('app_user').select('id').where('email', '=', email.toLowerCase()).executeTakeFirstOrThrow();
    expect((await client.get(`/o/${org.slug}/users/${row.id}`)).body).not.toContain(token);
    expect((await membership(org, row.id))?.role).toBe('contributor');

    const invitee = new TestClient(t.app);
    const invitation = await invitee.get(`/invitation?token=${token}`);
    expect(invitation.statusCode).toBe(200);
    expect(invitation.body).toContain('Create your password');
    const password = `Lantern-${randomBytes(6).toString('hex')}-harbour`;
    rememberSecret(password);
    const accepted = await invitee.postForm('/invitation', { token, password, confirmPassword: password });
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe('/sign-in');

    const signedIn = await signIn(t.app, { email, password });
    const home = await signedIn.get(`/o/${org.slug}`);
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain(org.name);
    // Contributors do not manage users.
    expect((await signedIn.get(`/o/${org.slug}/users`)).statusCode).toBe(403);
    // The link works once.
    expect((await new TestClient(t.app).get(`/invitation?token=${token}`)).statusCode).toBe(404);

    const events = await t.db
      .selectFrom('audit_event')
      .select(['action', 'actor_label', 'via', 'entity_id'])
      .where('organisation_id', '=', org.id)
      .where('action', '=', 'user.added')
      .where('entity_id', '=', row.id)
      .execute();
    expect(events).toEqual([{ action: 'user.added', actor_label: admin.email, via: 'web', entity_id: row.id }]);
  });

  it('gives an existing account access without an invitation', async () => {
    const { org, client } = await adminOfNewOrg();
    const elsewhere = await makeUser(t.db, await makeOrganisation(t.db), 'manager');
    const added = await client.postForm(`/o/${org.slug}/users`, { email: elsewhere.email.toUpperCase(), name: 'Someone', role: 'viewer' });
    expect(added.statusCode).toBe(200);
    expect(added.body).toContain(`${elsewhere.name} now has access`);
    expect(added.body).toContain('already had a Waymark account');
    expect(added.body).not.toContain('/invitation?token=');
    expect((await membership(org, elsewhere.id))?.role).toBe('viewer');
    const theirs = await signIn(t.app, elsewhere);
    expect((await theirs.get(`/o/${org.slug}`)).statusCode).toBe(200);
  });

  it.each([
    ['a bad email address', { email: 'not-an-email', name: 'Bad Email', role: 'viewer' }, 'Enter an email address in the correct format'],
    ['an empty name', { email: uniqueEmail('noname'), name: '   ', role: 'viewer' }, 'Enter the person’s full name'],
    ['no role', { email: uniqueEmail('norole'), name: 'No Role', role: '' }, 'Choose a role'],
    ['a made-up role', { email: uniqueEmail('superuser'), name: 'Super User', role: 'owner' }, 'Choose a role'],
  ])('refuses %s with the error summary and writes nothing', async (_case, fields, message) => {
    const { org, client } = await adminOfNewOrg();
    const [membersBefore, eventsBefore] = [await countMemberships(org), await countAuditEvents(org)];
    const response = await client.postForm(`/o/${org.slug}/users`, fields);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<title>Error: Add a user');
    expect(errorSummary(response.body)).toContain('There is a problem');
    expect(errorSummary(response.body)).toContain(message);
    // What was typed is kept.
    expect(response.body).toContain(`value="${fields.email}"`);
    expect(await userExists(fields.email)).toBe(false);
    expect(await countMemberships(org)).toBe(membersBefore);
    expect(await countAuditEvents(org)).toBe(eventsBefore);
  });

  it('lists every problem at once', async () => {
    const { org, client } = await adminOfNewOrg();
    const response = await client.postForm(`/o/${org.slug}/users`, { email: '', name: '', role: '' });
    expect(response.statusCode).toBe(400);
    const summary = errorSummary(response.body);
    expect(summary).toContain('Enter an email address');
    expect(summary).toContain('Enter the person’s full name');
    expect(summary).toContain('Choose a role');
    expect(response.body).toContain('href="#email"');
    expect(response.body).toContain('href="#role"');
  });

  it('says clearly when the person is already a member, and changes nothing', async () => {
    const { org, client } = await adminOfNewOrg();
    const member = await makeUser(t.db, org, 'viewer');
    const eventsBefore = await countAuditEvents(org);
    const response = await client.postForm(`/o/${org.slug}/users`, { email: member.email, name: 'Again', role: 'admin' });
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toContain(`${member.email} already has access to this organisation`);
    expect((await membership(org, member.id))?.role).toBe('viewer');
    expect(await countAuditEvents(org)).toBe(eventsBefore);
  });

  it('refuses a form posted without the CSRF token, and adds no one', async () => {
    const { org, client } = await adminOfNewOrg();
    const email = uniqueEmail('csrf');
    const response = await client.postForm(`/o/${org.slug}/users`, { email, name: 'Cross Site', role: 'admin' }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This form has expired');
    expect(await userExists(email)).toBe(false);
  });
});

describe('changing a role', () => {
  it('changes the role, says so, and records it in the audit trail', async () => {
    const { org, client } = await adminOfNewOrg();
    const member = await makeUser(t.db, org, 'viewer');
    const page = await client.get(`/o/${org.slug}/users/${member.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(member.email);
    expect(page.body).toContain('Change role');

    const response = await client.postForm(`/o/${org.slug}/users/${member.id}/role`, { role: 'manager' });
    expect(response.headers.location).toBe(`/o/${org.slug}/users/${member.id}`);
    expect(await followRedirect(client, response)).toContain('role is now Manager');
    expect((await membership(org, member.id))?.role).toBe('manager');
    const event = await t.db
      .selectFrom('audit_event')
      .select(['before', 'after'])
      .where('organisation_id', '=', org.id)
      .where('action', '=', 'user.role_changed')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ before: { role: 'viewer' }, after: { role: 'manager' } });
    // The new role takes effect on their next request.
    const theirs = await signIn(t.app, member);
    expect((await theirs.get(`/o/${org.slug}`)).body).toContain('Manager');
  });

  it('refuses a role that does not exist', async () => {
    const { org, client } = await adminOfNewOrg();
    const member = await makeUser(t.db, org, 'viewer');
    const response = await client.postForm(`/o/${org.slug}/users/${member.id}/role`, { role: 'superuser' });
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toContain('Choose a role');
    expect((await membership(org, member.id))?.role).toBe('viewer');
  });

  it('refuses to demote the only admin, and allows it once there is another', async () => {
    const { org, admin, client } = await adminOfNewOrg();
    await makeUser(t.db, org, 'manager');
    const refused = await client.postForm(`/o/${org.slug}/users/${admin.id}/role`, { role: 'manager' });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toContain('This is the organisation’s only admin');
    expect((await membership(org, admin.id))?.role).toBe('admin');

    await makeUser(t.db, org, 'admin');
    const allowed = await client.postForm(`/o/${org.slug}/users/${admin.id}/role`, { role: 'manager' });
    // Demoting yourself sends you to the organisation's overview: the users pages are no longer yours.
    expect(allowed.headers.location).toBe(`/o/${org.slug}`);
    expect(await followRedirect(client, allowed)).toContain('Your role is now Manager');
    expect((await client.get(`/o/${org.slug}/users`)).statusCode).toBe(403);
  });

  it('refuses a form posted without the CSRF token, and changes nothing', async () => {
    const { org, client } = await adminOfNewOrg();
    const member = await makeUser(t.db, org, 'viewer');
    const response = await client.postForm(`/o/${org.slug}/users/${member.id}/role`, { role: 'admin' }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect((await membership(org, member.id))?.role).toBe('viewer');
  });
});

describe('deactivating and reactivating', () => {
  it('asks first, then removes access and ends every session of the person at once', async () => {
    const { org, client } = await adminOfNewOrg();
    const member = await makeUser(t.db, org, 'manager');
    const theirs = await signIn(t.app, member);
    const other = await signIn(t.app, member);
    expect((await theirs.get(`/o/${org.slug}`)).statusCode).toBe(200);

    const confirm = await client.get(`/o/${org.slug}/users/${member.id}/deactivate`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain(`Deactivate ${member.name}?`);
    expect((await membership(org, member.id))?.deactivated_at).toBeNull();

    const response = await client.postForm(`/o/${org.slug}/users/${member.id}/deactivate`, {});
    expect(await followRedirect(client, response)).toContain('has been deactivated and signed out everywhere');
    expect((await membership(org, member.id))?.deactivated_at).not.toBeNull();

    // Both their sessions are over: back to sign in.
    for (const session of [theirs, other]) {
      const after = await session.get(`/o/${org.slug}`);
      expect(after.statusCode).toBe(303);
      expect(after.headers.location).toMatch(/^\/sign-in/);
    }
    // Signing in again gets them nowhere in this organisation.
    const again = await signIn(t.app, member);
    expect((await again.get(`/o/${org.slug}`)).statusCode).toBe(404);
    expect((await again.get('/')).body).toContain('You do not have access to an organisation yet');

    const list = await client.get(`/o/${org.slug}/users`);
    const row = list.body.split('<tr class="govuk-table__row">').find((r) => r.includes(member.email)) ?? '';
    expect(row).toContain('Deactivated');

    const event = await t.db
      .selectFrom('audit_event')
      .select(['after'])
      .where('organisation_id', '=', org.id)
      .where('action', '=', 'user.deactivated')
      .executeTakeFirstOrThrow();
    expect(event.after).toEqual({ active: false, sessionsEnded: 2 });

    // Reactivating gives access back.
    const reactivated = await client.postForm(`/o/${org.slug}/users/${member.id}/reactivate`, {});
    expect(await followRedirect(client, reactivated)).toContain(`can use ${org.name} again`);
    const back = await signIn(t.app, member);
    expect((await back.get(`/o/${org.slug}`)).statusCode).toBe(200);
    expect((await auditActions(org)).slice(-2)).toEqual(['user.deactivated', 'user.reactivated']);
  });

  it('refuses to deactivate the only admin', async () => {
    const { org, admin, client } = await adminOfNewOrg();
    const response = await client.postForm(`/o/${org.slug}/users/${admin.id}/deactivate`, {});
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toContain('This is the organisation’s only admin');
    expect(response.body).toContain('href="#deactivate"');
    expect(response.body).toContain('id="deactivate"');
    expect((await membership(org, admin.id))?.deactivated_at).toBeNull();
    expect((await client.get(`/o/${org.slug}/users`)).statusCode).toBe(200);
  });

  it('refuses a form posted without the CSRF token, and leaves the person signed in', async () => {
    const { org, client } = await adminOfNewOrg();
    const member = await makeUser(t.db, org, 'viewer');
    const theirs = await signIn(t.app, member);
    const response = await client.postForm(`/o/${org.slug}/users/${member.id}/deactivate`, {}, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect((await membership(org, member.id))?.deactivated_at).toBeNull();
    expect((await theirs.get(`/o/${org.slug}`)).statusCode).toBe(200);
  });
});

describe('another organisation’s users', () => {
  it('are not found, whichever organisation is in the URL', async () => {
    const a = await adminOfNewOrg();
    const b = await adminOfNewOrg();
    const victim = await makeUser(t.db, a.org, 'viewer');
    for (const slug of [a.org.slug, b.org.slug]) {
      const base = `/o/${slug}/users/${victim.id}`;
      for (const url of [base, `${base}/deactivate`]) expect((await b.client.get(url)).statusCode, url).toBe(404);
      for (const [url, fields] of [
        [`${base}/role`, { role: 'admin' }],
        [`${base}/deactivate`, {}],
        [`${base}/reactivate`, {}],
      ] as const) {
        expect((await b.client.postForm(url, fields)).statusCode, `POST ${url}`).toBe(404);
      }
    }
    expect(await membership(a.org, victim.id)).toEqual({ role: 'viewer', deactivated_at: null });
    expect((await b.client.get(`/o/${b.org.slug}/users`)).body).not.toContain(victim.email);
  });

  it('gives 404 for ids that are not user ids', async () => {
    const { org, client } = await adminOfNewOrg();
    expect((await client.get(`/o/${org.slug}/users/not-a-uuid`)).statusCode).toBe(404);
    expect((await client.get(`/o/${org.slug}/users/00000000-0000-4000-8000-000000000000`)).statusCode).toBe(404);
    expect((await client.postForm(`/o/${org.slug}/users/not-a-uuid/role`, { role: 'viewer' })).statusCode).toBe(404);
  });
});
