import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { TestClient } from '../../../test/support/client.ts';
import { makeOrganisation, makeUser } from '../../../test/support/factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { rememberSecret } from '../../../test/support/secrets-ledger.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import { addUser } from './users.service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

function linkToken(body: string): string {
  const token = /\/invitation\?token=([A-Za-z0-9_-]{40,})/.exec(body)?.[1];
  if (token === undefined) throw new Error('no invitation link on the page');
  rememberSecret(token);
  return token;
}

async function invitationCount(userId: string): Promise<number> {
  const row = await t.db
    .selectFrom('user_invitation')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.n;
}

describe('a new invitation link from an admin', () => {
  it('replaces a lost invitation: the old link stops working and the new one sets a password', async () => {
    const org = await makeOrganisation(t.db);
    const admin = await signIn(t.app, await makeUser(t.db, org, 'admin'));
    const added = await admin.postForm(`/o/${org.slug}/users`, { email: 'lost.link@example.org', name: 'Lost Link', role: 'viewer' });
    const firstToken = linkToken(added.body);
    const userId = /\/users\/([0-9a-f-]{36})/.exec(added.body)?.[1] ?? '';

    const reissued = await admin.postForm(`/o/${org.slug}/users/${userId}/invitation`, {});
    expect(reissued.statusCode).toBe(200);
    expect(reissued.body).toContain('New invitation link for Lost Link');
    const secondToken = linkToken(reissued.body);
    expect(secondToken).not.toBe(firstToken);

    const visitor = new TestClient(t.app);
    expect((await visitor.get(`/invitation?token=${firstToken}`)).statusCode).toBe(404);
    const password = 'a brand new long passphrase';
    rememberSecret(password);
    const accepted = await visitor.postForm('/invitation', { token: secondToken, password, confirmPassword: password });
    expect(accepted.statusCode).toBe(303);
    await signIn(t.app, { email: 'lost.link@example.org', password });
  });

  it('resets a forgotten password of someone in this organisation only, signing out their sessions', async () => {
    const org = await makeOrganisation(t.db);
    const admin = await signIn(t.app, await makeUser(t.db, org, 'admin'));
    const person = await makeUser(t.db, org, 'contributor');
    const theirSession = await signIn(t.app, person);
    const reissued = await admin.postForm(`/o/${org.slug}/users/${person.id}/invitation`, {});
    const token = linkToken(reissued.body);
    const password = 'another long new passphrase';
    rememberSecret(password);
    await new TestClient(t.app).postForm('/invitation', { token, password, confirmPassword: password });
    const after = await theirSession.get(`/o/${org.slug}`);
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toMatch(/^\/sign-in/);
    await signIn(t.app, { email: person.email, password });
  });

  it('refuses for someone with a password who also belongs to another organisation, creating no link', async () => {
    const org = await makeOrganisation(t.db);
    const elsewhere = await makeOrganisation(t.db);
    const admin = await signIn(t.app, await makeUser(t.db, org, 'admin'));
    const person = await makeUser(t.db, elsewhere, 'admin');
    await addUser(t.db, cliOperator(), org.id, { email: person.email, name: person.name, role: 'viewer' });
    const before = await invitationCount(person.id);
    const refused = await admin.postForm(`/o/${org.slug}/users/${person.id}/invitation`, {});
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('govuk-error-summary');
    expect(refused.body).toContain('also belongs to other organisations');
    expect(await invitationCount(person.id)).toBe(before);
  });
});
