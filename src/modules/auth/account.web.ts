import type { FastifyInstance, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { cookieNames, cookieOptions } from '../../platform/http/cookies.ts';
import { redirectWithFlash, requireSession } from '../../platform/http/context.ts';
import { field, formFields, withFormErrors } from '../../platform/http/forms.ts';
import {
  changePassword,
  confirmMfaSetup,
  countUnusedRecoveryCodes,
  newMfaSecret,
  regenerateRecoveryCodes,
} from './auth.service.ts';
import { formatSecretForHumans, totpUri } from './totp.ts';

/** The signed-in person's own account: two-factor authentication, recovery codes, password. */
export async function accountWebRoutes(app: FastifyInstance): Promise<void> {
  app.get('/account', { schema: { hide: true } }, async (request, reply) => {
    const session = requireSession(request);
    const recoveryCodesLeft = session.user.mfaEnabled ? await countUnusedRecoveryCodes(app.db, session.user.id) : 0;
    return reply.page('auth/views/account.njk', { pageTitle: 'Your account', user: session.user, recoveryCodesLeft, memberships: session.memberships });
  });

  const setupCookie = cookieNames(app.config).mfaSetup;
  const setupCookieOptions = { ...cookieOptions(app.config), signed: true, maxAge: 30 * 60 };

  /**
   * The secret being set up travels in a signed cookie until the person confirms it with a
   * code: the page can be reloaded without a new QR code, and GET stores nothing.
   */
  function pendingSecret(request: FastifyRequest): string | null {
    const raw = request.cookies[setupCookie];
    if (raw === undefined) return null;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid ? unsigned.value : null;
  }

  async function setupPage(secret: string, email: string) {
    const uri = totpUri(email, secret);
    const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { pageTitle: 'Set up two-factor authentication', qrSvg, secretText: formatSecretForHumans(secret) };
  }

  app.get('/account/two-factor', { config: { access: 'mfa-setup' }, schema: { hide: true } }, async (request, reply) => {
    const session = requireSession(request);
    const required = (request.query as Record<string, unknown>).required === '1';
    if (session.user.mfaEnabled) {
      const recoveryCodesLeft = await countUnusedRecoveryCodes(app.db, session.user.id);
      return reply.page('auth/views/two-factor-on.njk', { pageTitle: 'Two-factor authentication', recoveryCodesLeft });
    }
    const secret = pendingSecret(request) ?? newMfaSecret();
    reply.setCookie(setupCookie, secret, setupCookieOptions);
    return reply.page('auth/views/two-factor-setup.njk', { ...(await setupPage(secret, session.user.email)), required });
  });

  app.post('/account/two-factor', { config: { access: 'mfa-setup' }, schema: { hide: true } }, async (request, reply) => {
    const session = requireSession(request);
    const fields = formFields(request);
    const secret = pendingSecret(request) ?? newMfaSecret();
    reply.setCookie(setupCookie, secret, setupCookieOptions);
    const data = { ...(await setupPage(secret, session.user.email)), required: session.stage === 'mfa_setup', errorField: 'code' };
    return withFormErrors(reply, 'auth/views/two-factor-setup.njk', data, async () => {
      const result = await confirmMfaSetup(app.db, session, { secret, code: field(fields, 'code'), requestId: request.id });
      reply.clearCookie(setupCookie, cookieOptions(app.config));
      if (result.sessionId !== null) reply.setCookie(cookieNames(app.config).session, result.sessionId, cookieOptions(app.config));
      return reply.page('auth/views/recovery-codes.njk', { pageTitle: 'Save your recovery codes', codes: result.recoveryCodes, justEnabled: true });
    });
  });

  app.post('/account/recovery-codes', { schema: { hide: true } }, async (request, reply) => {
    const session = requireSession(request);
    const codes = await regenerateRecoveryCodes(app.db, session, request.id);
    return reply.page('auth/views/recovery-codes.njk', { pageTitle: 'Save your recovery codes', codes, justEnabled: false });
  });

  const passwordPage = 'auth/views/password.njk';
  app.get('/account/password', { schema: { hide: true } }, async (_request, reply) =>
    reply.page(passwordPage, { pageTitle: 'Change your password' }),
  );

  app.post('/account/password', { schema: { hide: true } }, async (request, reply) => {
    const session = requireSession(request);
    const fields = formFields(request);
    return withFormErrors(reply, passwordPage, { pageTitle: 'Change your password', errorField: 'currentPassword' }, async () => {
      await changePassword(app.db, session, {
        currentPassword: field(fields, 'currentPassword'),
        newPassword: field(fields, 'newPassword'),
        requestId: request.id,
      });
      return redirectWithFlash(reply, '/account', 'Your password has been changed. Any other sessions you had open have been signed out.');
    });
  });
}
