import { randomInt } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test/support/build-test-app.ts';
import { TestClient } from '../../../test/support/client.ts';
import { makeOrganisation, makeUser, type TestUser } from '../../../test/support/factories.ts';
import { signIn } from '../../../test/support/login.ts';
import { rememberSecret } from '../../../test/support/secrets-ledger.ts';
import { sha256 } from '../../platform/crypto.ts';
import { addUser } from '../users/users.service.ts';
import { cliOperator } from '../../platform/access/actor.ts';
import { currentTotp } from './totp.ts';

/**
 * Sign-in, MFA, throttling and sessions through the real pages and the database.
 *
 * Every request that fails a sign-in comes from its own made-up address: failures are counted
 * per address too, and on PostgreSQL every test file shares one database, so failures from the
 * default 127.0.0.1 would add up and throttle other files' sign-ins.
 */

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => {
  await t.app.close();
});

const BAD_CREDENTIALS = 'Enter a correct email address and password';
const SESSION_COOKIE = 'waymark_session';

function uniqueIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** Posts a form with the client's cookies and CSRF token, from the given address. */
async function postFrom(client: TestClient, ip: string, url: string, fields: Record<string, string>): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams({ ...fields, _csrf: await client.csrfToken() });
  return client.request({
    method: 'POST',
    url,
    remoteAddress: ip,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: body.toString(),
  });
}

function passwordStep(email: string, password: string, ip = uniqueIp()): Promise<{ client: TestClient; response: LightMyRequestResponse }> {
  const client = new TestClient(t.app);
  return postFrom(client, ip, '/sign-in', { email, password }).then((response) => ({ client, response }));
}

function sessionsOf(userId: string) {
  return t.db.selectFrom('session').selectAll().where('user_id', '=', userId).execute();
}

async function failuresFor(email: string): Promise<number> {
  const row = await t.db
    .selectFrom('sign_in_failure')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.n;
}

function sessionCookie(client: TestClient): string {
  const value = client.cookies.get(SESSION_COOKIE);
  if (value === undefined) throw new Error('The client has no session cookie');
  return value;
}

/** A request carrying only the given session cookie, as someone holding an old copy would send it. */
function withSessionCookie(value: string, url: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url, cookies: { [SESSION_COOKIE]: value } });
}

function errorSummary(body: string): string {
  return /<div class="govuk-error-summary"[\s\S]*?<\/ul>/.exec(body)?.[0] ?? '';
}

function wrongCode(code: string): string {
  return String((Number(code) + 500_000) % 1_000_000).padStart(6, '0');
}

function recoveryCodesOn(body: string): string[] {
  const list = /<ul class="govuk-list app-recovery-codes"[^>]*>([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? '';
  const codes = [...list.matchAll(/<li>([^<]+)<\/li>/g)].map((m) => (m[1] ?? '').trim());
  codes.forEach(rememberSecret);
  return codes;
}

describe('password step', () => {
  it('refuses a wrong password with the error summary, creates no session and counts the failure', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    const ip = uniqueIp();
    const { response } = await passwordStep(user.email, 'not the right password', ip);
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('<title>Error: Sign in – Waymark</title>');
    expect(errorSummary(response.body)).toContain(BAD_CREDENTIALS);
    expect(response.body).toContain(`value="${user.email}"`);
    expect(response.body).not.toContain('not the right password');
    expect(response.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    expect(await sessionsOf(user.id)).toEqual([]);
    const failures = await t.db.selectFrom('sign_in_failure').select(['email', 'ip']).where('email', '=', user.email).execute();
    expect(failures).toEqual([{ email: user.email, ip }]);
  });

  it('gives the same message for an unknown email and for an invited person with no password yet', async () => {
    const org = await makeOrganisation(t.db);
    const unknown = await passwordStep(`nobody-${randomInt(1e9)}@example.org`, 'some long password 1');
    expect(unknown.response.statusCode).toBe(400);
    expect(errorSummary(unknown.response.body)).toContain(BAD_CREDENTIALS);

    const { user: invited } = await addUser(t.db, cliOperator(), org.id, { email: `invited-${randomInt(1e9)}@example.org`, name: 'Invited', role: 'viewer' });
    const noPassword = await passwordStep(invited.email, 'some long password 1');
    expect(noPassword.response.statusCode).toBe(400);
    expect(errorSummary(noPassword.response.body)).toContain(BAD_CREDENTIALS);
    expect(await sessionsOf(invited.id)).toEqual([]);
  });

  it('asks for the missing fields when the form is sent empty', async () => {
    const { response } = await passwordStep('', '');
    expect(response.statusCode).toBe(400);
    expect(errorSummary(response.body)).toContain('Enter your email address');
    expect(errorSummary(response.body)).toContain('Enter your password');
  });

  it('allows pasting into the password field and tells password managers what it is', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/sign-in' });
    const input = /<input[^>]*name="password"[^>]*>/.exec(page.body)?.[0] ?? '';
    expect(input).toContain('type="password"');
    expect(input).toContain('autocomplete="current-password"');
    expect(input).not.toMatch(/onpaste|oncopy|autocomplete="off"|maxlength/i);
  });

  it('ignores a `next` that points to another site', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    const client = new TestClient(t.app);
    for (const next of ['//evil.example', 'https://evil.example/', '/\\evil.example']) {
      const response = await postFrom(client, '127.0.0.1', '/sign-in', { email: user.email, password: user.password, next });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/');
    }
  });
});

describe('throttling', () => {
  it('refuses an account after 5 failures, even with the right password and from another address', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    const attackerIp = uniqueIp();
    for (let i = 0; i < 5; i++) {
      const { response } = await passwordStep(user.email, `wrong password number ${i}`, attackerIp);
      expect(response.statusCode).toBe(400);
    }
    const { response } = await passwordStep(user.email, user.password, uniqueIp());
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('900');
    expect(errorSummary(response.body)).toContain(
      'There have been too many failed sign-in attempts for this account. Wait 15 minutes, then try again.',
    );
    expect(response.cookies.find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    expect(await sessionsOf(user.id)).toEqual([]);
  });

  it('refuses an address after 30 failures across different accounts, but not other addresses', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    const ip = uniqueIp();
    // Five at a time: each failure costs a full scrypt hash.
    for (let batch = 0; batch < 6; batch++) {
      const responses = await Promise.all(
        Array.from({ length: 5 }, (_, i) => passwordStep(`guess-${batch}-${i}-${randomInt(1e9)}@example.org`, 'password guess 123', ip)),
      );
      expect(responses.map((r) => r.response.statusCode)).toEqual([400, 400, 400, 400, 400]);
    }
    const blocked = await passwordStep(user.email, user.password, ip);
    expect(blocked.response.statusCode).toBe(429);
    expect(blocked.response.headers['retry-after']).toBe('900');
    expect(errorSummary(blocked.response.body)).toContain('There have been too many failed sign-in attempts from your network');
    expect(await sessionsOf(user.id)).toEqual([]);

    const elsewhere = await passwordStep(user.email, user.password, uniqueIp());
    expect(elsewhere.response.statusCode).toBe(303);
    expect(await sessionsOf(user.id)).toHaveLength(1);
  }, 180_000);

  it('clears an account’s failures after a successful sign-in', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    for (let i = 0; i < 4; i++) await passwordStep(user.email, `wrong password number ${i}`);
    expect(await failuresFor(user.email)).toBe(4);
    expect((await passwordStep(user.email, user.password)).response.statusCode).toBe(303);
    expect(await failuresFor(user.email)).toBe(0);
  }, 60_000);
});

describe('two-factor sign-in', () => {
  async function mfaUser(): Promise<TestUser & { totpSecret: string }> {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer', { mfa: true });
    if (user.totpSecret === null) throw new Error('no secret');
    return { ...user, totpSecret: user.totpSecret };
  }

  it('asks for the code after the password, and keeps every other page behind it until done', async () => {
    const user = await mfaUser();
    const ip = uniqueIp();
    const { client, response } = await passwordStep(user.email, user.password, ip);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in/code');
    expect((await sessionsOf(user.id)).map((s) => s.stage)).toEqual(['mfa_pending']);

    for (const url of [`/o/${user.organisation.slug}`, '/account', '/account/password', '/organisations']) {
      const page = await client.get(url);
      expect(page.statusCode, url).toBe(303);
      expect(page.headers.location, url).toBe('/sign-in/code');
    }
    const code = await client.get('/sign-in/code');
    expect(code.statusCode).toBe(200);
    expect(code.body).toContain('Enter your security code');

    const right = await currentTotp(user.totpSecret);
    const wrong = await postFrom(client, ip, '/sign-in/code', { code: wrongCode(right) });
    expect(wrong.statusCode).toBe(400);
    expect(errorSummary(wrong.body)).toContain('The code is not right or has already been used');
    expect((await sessionsOf(user.id)).map((s) => s.stage)).toEqual(['mfa_pending']);

    const ok = await postFrom(client, ip, '/sign-in/code', { code: right });
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe('/');
    expect((await sessionsOf(user.id)).map((s) => s.stage)).toEqual(['active']);
    expect((await client.get(`/o/${user.organisation.slug}`)).statusCode).toBe(200);
  });

  it('refuses a code that was already used to sign in (replay)', async () => {
    const user = await mfaUser();
    const code = await currentTotp(user.totpSecret);
    const first = await passwordStep(user.email, user.password);
    expect((await first.client.postForm('/sign-in/code', { code })).statusCode).toBe(303);

    const ip = uniqueIp();
    const second = await passwordStep(user.email, user.password, ip);
    expect(second.response.headers.location).toBe('/sign-in/code');
    const replay = await postFrom(second.client, ip, '/sign-in/code', { code });
    expect(replay.statusCode).toBe(400);
    expect(errorSummary(replay.body)).toContain('already been used');
    expect((await sessionsOf(user.id)).map((s) => s.stage).sort()).toEqual(['active', 'mfa_pending']);
    expect((await second.client.get(`/o/${user.organisation.slug}`)).headers.location).toBe('/sign-in/code');
  });

  it('accepts each recovery code once, however it is typed', async () => {
    const user = await mfaUser();
    const owner = await signIn(t.app, user);
    const page = await owner.postForm('/account/recovery-codes', {});
    expect(page.statusCode).toBe(200);
    const codes = recoveryCodesOn(page.body);
    expect(codes).toHaveLength(10);
    const [first = '', second = ''] = codes;

    const withCode = await passwordStep(user.email, user.password);
    const used = await withCode.client.postForm('/sign-in/code', { code: first });
    expect(used.statusCode).toBe(303);
    expect((await withCode.client.get(`/o/${user.organisation.slug}`)).statusCode).toBe(200);
    const rows = await t.db.selectFrom('recovery_code').select(['code_hash', 'used_at']).where('user_id', '=', user.id).execute();
    expect(rows.filter((r) => r.used_at !== null).map((r) => r.code_hash)).toEqual([sha256(first.replace('-', ''))]);

    const ip = uniqueIp();
    const again = await passwordStep(user.email, user.password, ip);
    const reused = await postFrom(again.client, ip, '/sign-in/code', { code: first });
    expect(reused.statusCode).toBe(400);
    expect(errorSummary(reused.body)).toContain('already been used');

    const typed = await passwordStep(user.email, user.password);
    const loose = ` ${second.replace('-', ' ').toUpperCase()} `;
    expect((await typed.client.postForm('/sign-in/code', { code: loose })).statusCode).toBe(303);
    expect((await owner.get('/account/two-factor')).body).toContain('You have 8 unused recovery codes');
  });
});

describe('setting up two-factor authentication', () => {
  function secretOn(body: string): string {
    const text = /<p class="govuk-body app-code" id="secret">([^<]+)<\/p>/.exec(body)?.[1];
    if (text === undefined) throw new Error('No secret on the page');
    const secret = text.replace(/\s/g, '');
    rememberSecret(secret);
    return secret;
  }

  it('shows a QR code and the key as text, and turns MFA on with a code from the app', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    const client = await signIn(t.app, user);

    const page = await client.get('/account/two-factor');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<div class="app-qr" role="img" aria-label="[^"]+"><svg [^>]*viewBox=/);
    const secret = secretOn(page.body);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // Opening the page stores nothing: the pending key travels in a signed cookie until confirmed.
    const stored = await t.db.selectFrom('app_user').select(['totp_secret', 'mfa_enabled_at']).where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored).toEqual({ totp_secret: null, mfa_enabled_at: null });
    // Reloading shows the same key, so a half-finished set-up in the app still works.
    expect(secretOn((await client.get('/account/two-factor')).body)).toBe(secret);

    const right = await currentTotp(secret);
    const wrong = await client.postForm('/account/two-factor', { code: wrongCode(right) });
    expect(wrong.statusCode).toBe(400);
    expect(errorSummary(wrong.body)).toContain('The code is not right');
    expect((await t.db.selectFrom('app_user').select('mfa_enabled_at').where('id', '=', user.id).executeTakeFirstOrThrow()).mfa_enabled_at).toBeNull();

    const done = await client.postForm('/account/two-factor', { code: right });
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('Two-factor authentication is on');
    expect(done.body).toContain('Save your recovery codes');
    const codes = recoveryCodesOn(done.body);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);

    const after = await t.db.selectFrom('app_user').select(['mfa_enabled_at', 'totp_secret']).where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(after.mfa_enabled_at).toBeInstanceOf(Date);
    expect(after.totp_secret).toBe(secret);
    const hashes = await t.db.selectFrom('recovery_code').select(['code_hash', 'used_at']).where('user_id', '=', user.id).execute();
    expect(hashes.map((h) => h.code_hash).sort()).toEqual(codes.map((c) => sha256(c.replace('-', ''))).sort());
    expect(hashes.every((h) => h.used_at === null)).toBe(true);

    // The code used to confirm cannot be used again to sign in.
    const ip = uniqueIp();
    const next = await passwordStep(user.email, user.password, ip);
    expect(next.response.headers.location).toBe('/sign-in/code');
    expect((await postFrom(next.client, ip, '/sign-in/code', { code: right })).statusCode).toBe(400);
  });

  it('lets an organisation admin require MFA, sending members without it to set it up', async () => {
    const org = await makeOrganisation(t.db);
    const admin = await makeUser(t.db, org, 'admin', { mfa: true });
    const member = await makeUser(t.db, org, 'viewer');
    const memberBefore = await signIn(t.app, member);
    expect((await memberBefore.get(`/o/${org.slug}`)).statusCode).toBe(200);

    const adminClient = await signIn(t.app, admin);
    const saved = await adminClient.postForm(`/o/${org.slug}/settings`, { requireMfa: 'yes' });
    expect(saved.statusCode).toBe(303);
    expect((await t.db.selectFrom('organisation').select('require_mfa').where('id', '=', org.id).executeTakeFirstOrThrow()).require_mfa).toBe(true);
    expect((await adminClient.get(`/o/${org.slug}`)).statusCode).toBe(200);

    // Already signed in: the organisation's pages now send the member to set MFA up.
    for (const url of [`/o/${org.slug}`, `/o/${org.slug}/settings`]) {
      const page = await memberBefore.get(url);
      expect(page.statusCode, url).toBe(303);
      expect(page.headers.location, url).toBe('/account/two-factor?required=1');
    }
    const setup = await memberBefore.get('/account/two-factor?required=1');
    expect(setup.body).toContain('Your organisation requires two-factor authentication');

    // Signing in afresh lands in the set-up stage; nothing else opens until it is done.
    const { client, response } = await passwordStep(member.email, member.password);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/account/two-factor?required=1');
    const fresh = (await sessionsOf(member.id)).find((s) => s.id_hash === sha256(sessionCookie(client)));
    expect(fresh?.stage).toBe('mfa_setup');
    for (const url of [`/o/${org.slug}`, '/account', '/account/password']) {
      const page = await client.get(url);
      expect(page.statusCode, url).toBe(303);
      expect(page.headers.location, url).toBe('/account/two-factor');
    }

    const pendingId = sessionCookie(client);
    const page = await client.get('/account/two-factor');
    const secret = /id="secret">([^<]+)</.exec(page.body)?.[1]?.replace(/\s/g, '') ?? '';
    rememberSecret(secret);
    const done = await client.postForm('/account/two-factor', { code: await currentTotp(secret) });
    expect(done.statusCode).toBe(200);
    recoveryCodesOn(done.body);
    expect(sessionCookie(client)).not.toBe(pendingId);
    expect((await withSessionCookie(pendingId, `/o/${org.slug}`)).statusCode).toBe(303);
    expect((await client.get(`/o/${org.slug}`)).statusCode).toBe(200);
  });

  it('does not let an admin without MFA require it (they would lock themselves out)', async () => {
    const org = await makeOrganisation(t.db);
    const admin = await makeUser(t.db, org, 'admin');
    const client = await signIn(t.app, admin);
    const refused = await client.postForm(`/o/${org.slug}/settings`, { requireMfa: 'yes' });
    expect(refused.statusCode).toBe(400);
    expect(errorSummary(refused.body)).toContain('Set up two-factor authentication for your own account first');
    expect((await t.db.selectFrom('organisation').select('require_mfa').where('id', '=', org.id).executeTakeFirstOrThrow()).require_mfa).toBe(false);
  });
});

describe('sessions', () => {
  it('ends the session on the server at sign-out, so an old copy of the cookie no longer works', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    const client = await signIn(t.app, user);
    const id = sessionCookie(client);
    expect((await withSessionCookie(id, `/o/${org.slug}`)).statusCode).toBe(200);

    const out = await client.postForm('/sign-out', {});
    expect(out.statusCode).toBe(200);
    expect(out.body).toContain('You have signed out');
    const cleared = out.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cleared?.value).toBe('');
    expect(await sessionsOf(user.id)).toEqual([]);

    const replayed = await withSessionCookie(id, `/o/${org.slug}`);
    expect(replayed.statusCode).toBe(303);
    expect(replayed.headers.location).toBe(`/sign-in?next=${encodeURIComponent(`/o/${org.slug}`)}`);
  });

  it('uses random ids of at least 128 bits and stores only their SHA-256 hash', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    const [a, b] = [await signIn(t.app, user), await signIn(t.app, user)];
    const ids = [sessionCookie(a), sessionCookie(b)];
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(ids[0]).not.toBe(ids[1]);
    const rows = await sessionsOf(user.id);
    expect(rows.map((r) => r.id_hash).sort()).toEqual(ids.map(sha256).sort());
    for (const row of rows) {
      for (const id of ids) expect(Object.values(row).map(String)).not.toContain(id);
    }
  });

  it('gives a new id at sign-in and ends the session held before (no fixation)', async () => {
    const org = await makeOrganisation(t.db);
    const first = await makeUser(t.db, org, 'viewer');
    const second = await makeUser(t.db, org, 'viewer');
    const client = new TestClient(t.app);
    // An id planted before sign-in (one the server never issued) is replaced, not adopted.
    const planted = 'planted-by-an-attacker-0123456789abcdef';
    client.cookies.set(SESSION_COOKIE, planted);
    expect((await client.postForm('/sign-in', { email: first.email, password: first.password })).statusCode).toBe(303);
    const firstId = sessionCookie(client);
    expect(firstId).not.toBe(planted);
    expect(await t.db.selectFrom('session').select('id_hash').where('id_hash', '=', sha256(planted)).execute()).toEqual([]);

    // Signing in again from the same browser (as someone else) gets a new id; the old one dies.
    expect((await client.postForm('/sign-in', { email: second.email, password: second.password })).statusCode).toBe(303);
    const secondId = sessionCookie(client);
    expect(secondId).not.toBe(firstId);
    expect(await sessionsOf(first.id)).toEqual([]);
    expect((await withSessionCookie(firstId, `/o/${org.slug}`)).statusCode).toBe(303);
    expect((await withSessionCookie(secondId, `/o/${org.slug}`)).statusCode).toBe(200);
  });

  it('replaces the half-signed-in id after the code, so it cannot be used afterwards', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer', { mfa: true });
    const { client } = await passwordStep(user.email, user.password);
    const pendingId = sessionCookie(client);
    expect((await client.postForm('/sign-in/code', { code: await currentTotp(user.totpSecret ?? '') })).statusCode).toBe(303);
    const activeId = sessionCookie(client);
    expect(activeId).not.toBe(pendingId);
    const stale = await withSessionCookie(pendingId, '/sign-in/code');
    expect(stale.statusCode).toBe(303);
    expect(stale.headers.location).toBe('/sign-in');
    expect((await withSessionCookie(pendingId, `/o/${org.slug}`)).statusCode).toBe(303);
    expect((await sessionsOf(user.id)).map((s) => s.id_hash)).toEqual([sha256(activeId)]);
  });

  async function ageSession(id: string, ages: { createdSecondsAgo: number; lastSeenSecondsAgo: number }): Promise<void> {
    const now = Date.now();
    await sql`update session set created_at = ${new Date(now - ages.createdSecondsAgo * 1000)},
      last_seen_at = ${new Date(now - ages.lastSeenSecondsAgo * 1000)} where id_hash = ${sha256(id)}`.execute(t.db);
  }

  function expectSessionEnded(response: LightMyRequestResponse): void {
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('Your session has ended');
    expect(response.cookies.find((c) => c.name === SESSION_COOKIE)?.value).toBe('');
  }

  it('ends a session idle for more than 30 minutes, on a page view and on a form post', async () => {
    const org = await makeOrganisation(t.db);
    const admin = await makeUser(t.db, org, 'admin', { mfa: true });
    const client = await signIn(t.app, admin);
    const token = await client.csrfToken();
    const id = sessionCookie(client);

    await ageSession(id, { createdSecondsAgo: 60 * 60, lastSeenSecondsAgo: 29 * 60 });
    expect((await client.get(`/o/${org.slug}`)).statusCode).toBe(200);
    const touched = (await sessionsOf(admin.id))[0]?.last_seen_at;
    expect(Date.now() - (touched?.getTime() ?? 0)).toBeLessThan(60_000);

    await ageSession(id, { createdSecondsAgo: 60 * 60, lastSeenSecondsAgo: 31 * 60 });
    const post = await client.request({
      method: 'POST',
      url: `/o/${org.slug}/settings`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ requireMfa: 'yes', _csrf: token }).toString(),
    });
    expectSessionEnded(post);
    expect((await t.db.selectFrom('organisation').select('require_mfa').where('id', '=', org.id).executeTakeFirstOrThrow()).require_mfa).toBe(false);
    expect(await sessionsOf(admin.id)).toEqual([]);

    const viewer = await makeUser(t.db, org, 'viewer');
    const viewerClient = await signIn(t.app, viewer);
    await ageSession(sessionCookie(viewerClient), { createdSecondsAgo: 40 * 60, lastSeenSecondsAgo: 31 * 60 });
    expectSessionEnded(await viewerClient.get(`/o/${org.slug}`));
    // The cookie is gone, so the next visit is an ordinary sign-in prompt.
    const later = await viewerClient.get(`/o/${org.slug}`);
    expect(later.statusCode).toBe(303);
    expect(later.headers.location).toMatch(/^\/sign-in\?next=/);
  });

  it('ends a session 12 hours after sign-in however active it was', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    const client = await signIn(t.app, user);
    await ageSession(sessionCookie(client), { createdSecondsAgo: 11 * 60 * 60 + 59 * 60, lastSeenSecondsAgo: 10 });
    expect((await client.get(`/o/${org.slug}`)).statusCode).toBe(200);
    await ageSession(sessionCookie(client), { createdSecondsAgo: 12 * 60 * 60 + 60, lastSeenSecondsAgo: 10 });
    expectSessionEnded(await client.get(`/o/${org.slug}`));
    expect(await sessionsOf(user.id)).toEqual([]);
  });

  it('takes the timeouts from the configuration', async () => {
    const short = await buildTestApp({ sessionIdleSeconds: 1, sessionAbsoluteSeconds: 3600 });
    try {
      const org = await makeOrganisation(t.db);
      const user = await makeUser(t.db, org, 'viewer');
      const client = await signIn(short.app, user);
      const id = sessionCookie(client);
      await ageSession(id, { createdSecondsAgo: 5, lastSeenSecondsAgo: 5 });
      // Five idle seconds are nothing to the default app, but too many for this one.
      expect((await withSessionCookie(id, `/o/${org.slug}`)).statusCode).toBe(200);
      const ended = await short.app.inject({ method: 'GET', url: `/o/${org.slug}`, cookies: { [SESSION_COOKIE]: id } });
      expect(ended.statusCode).toBe(401);
      expect(ended.body).toContain('Your session has ended');
      expect(await sessionsOf(user.id)).toEqual([]);
    } finally {
      await short.app.close();
    }
  });
});

describe('changing password', () => {
  it('refuses a wrong current password or a weak new one, and changes nothing', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    const client = await signIn(t.app, user);
    const before = await t.db.selectFrom('app_user').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();

    const wrong = await client.postForm('/account/password', { currentPassword: 'not my password', newPassword: 'a brand new passphrase 42' });
    expect(wrong.statusCode).toBe(400);
    expect(errorSummary(wrong.body)).toContain('Enter your current password correctly');

    const weak = await client.postForm('/account/password', { currentPassword: user.password, newPassword: 'passwordpassword' });
    expect(weak.statusCode).toBe(400);
    expect(errorSummary(weak.body)).toContain('Password is too common');
    expect(weak.body).not.toContain(user.password);

    const after = await t.db.selectFrom('app_user').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(after.password_hash).toBe(before.password_hash);
  });

  it('changes it and signs out every other session', async () => {
    const org = await makeOrganisation(t.db);
    const user = await makeUser(t.db, org, 'viewer');
    const here = await signIn(t.app, user);
    const elsewhere = await signIn(t.app, user);
    const newPassword = `fresh passphrase ${randomInt(1e9)} for tests`;
    rememberSecret(newPassword);

    const changed = await here.postForm('/account/password', { currentPassword: user.password, newPassword });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe('/account');
    expect((await sessionsOf(user.id)).map((s) => s.id_hash)).toEqual([sha256(sessionCookie(here))]);
    expect((await here.get(`/o/${org.slug}`)).statusCode).toBe(200);
    const other = await elsewhere.get(`/o/${org.slug}`);
    expect(other.statusCode).toBe(303);
    expect(other.headers.location).toMatch(/^\/sign-in/);

    const stored = await t.db.selectFrom('app_user').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(stored.password_hash).not.toContain(newPassword);
    expect((await passwordStep(user.email, user.password)).response.statusCode).toBe(400);
    expect((await passwordStep(user.email, newPassword)).response.statusCode).toBe(303);
  });
});
