import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { acceptInvitation, checkInvitation } from '../users/users.service.ts';
import { field, formFields, safeNextPath, withFormErrors } from '../../platform/http/forms.ts';
import { cookieNames, cookieOptions } from '../../platform/http/cookies.ts';
import { redirectWithFlash } from '../../platform/http/context.ts';
import { completeMfa, signIn, signOut } from './auth.service.ts';
import type { SessionStage } from './auth.table.ts';

function setSessionCookie(app: FastifyInstance, reply: FastifyReply, sessionId: string): void {
  reply.setCookie(cookieNames(app.config).session, sessionId, cookieOptions(app.config));
}

function pathAfterStage(stage: SessionStage, next: string | null): string {
  if (stage === 'mfa_pending') return next === null ? '/sign-in/code' : `/sign-in/code?next=${encodeURIComponent(next)}`;
  if (stage === 'mfa_setup') return '/account/two-factor?required=1';
  return next ?? '/';
}

function queryString(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Sign-in (password, then code), sign-out and accepting an invitation. */
export async function authWebRoutes(app: FastifyInstance): Promise<void> {
  const signInPage = 'auth/views/sign-in.njk';
  const codePage = 'auth/views/code.njk';
  const invitationPage = 'auth/views/invitation.njk';

  app.get('/sign-in', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (request.session?.stage === 'active') return reply.redirect(safeNextPath(queryString(request, 'next')) ?? '/', 303);
    return reply.page(signInPage, { pageTitle: 'Sign in', next: safeNextPath(queryString(request, 'next')), values: {} });
  });

  app.post('/sign-in', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const fields = formFields(request);
    const next = safeNextPath(field(fields, 'next'));
    const data = { pageTitle: 'Sign in', next, values: { email: field(fields, 'email') }, errorField: 'email' };
    return withFormErrors(reply, signInPage, data, async () => {
      const result = await signIn(app.db, {
        email: field(fields, 'email'),
        password: field(fields, 'password'),
        ip: request.ip,
        requestId: request.id,
      });
      if (request.session !== null) await signOut(app.db, request.session);
      setSessionCookie(app, reply, result.sessionId);
      return reply.redirect(pathAfterStage(result.stage, next), 303);
    });
  });

  app.get('/sign-in/code', { config: { access: 'mfa-pending' }, schema: { hide: true } }, async (request, reply) =>
    reply.page(codePage, { pageTitle: 'Enter your security code', next: safeNextPath(queryString(request, 'next')) }),
  );

  app.post('/sign-in/code', { config: { access: 'mfa-pending' }, schema: { hide: true } }, async (request, reply) => {
    const fields = formFields(request);
    const next = safeNextPath(field(fields, 'next'));
    const session = request.session;
    if (session === null) return reply.redirect('/sign-in', 303);
    return withFormErrors(reply, codePage, { pageTitle: 'Enter your security code', next, errorField: 'code' }, async () => {
      const sessionId = await completeMfa(app.db, session, { code: field(fields, 'code'), ip: request.ip, requestId: request.id });
      setSessionCookie(app, reply, sessionId);
      return reply.redirect(next ?? '/', 303);
    });
  });

  app.post('/sign-out', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    if (request.session !== null) await signOut(app.db, request.session);
    reply.clearCookie(cookieNames(app.config).session, cookieOptions(app.config));
    request.session = null;
    return reply.page('auth/views/signed-out.njk', { pageTitle: 'You have signed out' });
  });

  app.get('/invitation', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const token = queryString(request, 'token') ?? '';
    const state = await checkInvitation(app.db, token);
    if (state.status !== 'valid') {
      return reply.page('auth/views/invitation-invalid.njk', { pageTitle: 'This invitation link does not work', state: state.status }, 404);
    }
    return reply.page(invitationPage, { pageTitle: 'Create your password', token, invitee: state });
  });

  app.post('/invitation', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const fields = formFields(request);
    const token = field(fields, 'token');
    const state = await checkInvitation(app.db, token);
    if (state.status !== 'valid') {
      return reply.page('auth/views/invitation-invalid.njk', { pageTitle: 'This invitation link does not work', state: state.status }, 404);
    }
    return withFormErrors(reply, invitationPage, { pageTitle: 'Create your password', token, invitee: state }, async () => {
      await acceptInvitation(app.db, {
        token,
        password: field(fields, 'password'),
        confirmPassword: field(fields, 'confirmPassword'),
        requestId: request.id,
      });
      return redirectWithFlash(reply, '/sign-in', 'Your password is set. Sign in with your email address and new password.');
    });
  });
}
