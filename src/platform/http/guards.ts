import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { resolveSession } from '../../modules/auth/auth.service.ts';
import { findOrganisationBySlug } from '../../modules/organisations/organisations.service.ts';
import { authenticateToken } from '../../modules/tokens/tokens.service.ts';
import { roleAtLeast } from '../access/roles.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError, UnsupportedMediaTypeError } from '../errors.ts';
import type { RouteAccess } from './context.ts';
import { cookieNames, cookieOptions } from './cookies.ts';

export const ORG_PREFIX = '/o/:org';

export function isApiPath(url: string): boolean {
  return url.startsWith('/api/');
}

function routeAccess(request: FastifyRequest): RouteAccess {
  // Static files (@fastify/static cannot declare `access`): public, and no session is read for them.
  if (request.is404 || request.url.startsWith('/assets/')) return 'public';
  const declared = request.routeOptions.config.access;
  if (declared !== undefined) return declared;
  return (request.routeOptions.url ?? '').startsWith('/api/v1/') ? 'token' : 'signed-in';
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class SessionExpiredError extends UnauthenticatedError {
  constructor() {
    super('Your session has ended because you were inactive or signed in for a long time. Sign in again to continue.');
  }
}

/** Sends people who are not fully signed in to the step they need next. */
function redirectToNextStep(request: FastifyRequest, reply: FastifyReply): FastifyReply | null {
  const session = request.session;
  if (session === null) {
    if (request.sessionExpired) throw new SessionExpiredError();
    if (request.method !== 'GET') throw new UnauthenticatedError();
    const next = encodeURIComponent(request.url);
    return reply.redirect(`/sign-in?next=${next}`, 303);
  }
  if (session.stage === 'mfa_pending') return reply.redirect('/sign-in/code', 303);
  if (session.stage === 'mfa_setup') return reply.redirect('/account/two-factor', 303);
  return null;
}

async function checkToken(app: FastifyInstance, request: FastifyRequest): Promise<void> {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const actor = match?.[1] === undefined ? null : await authenticateToken(app.db, match[1], request.id);
  if (actor === null) throw new UnauthenticatedError('Send a valid, unexpired API token as "Authorization: Bearer <token>"');
  const scope = request.routeOptions.config.scope ?? (request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'write');
  if (!actor.scopes.includes(scope)) throw new ForbiddenError(`This API token does not have the "${scope}" scope`);
  request.tokenActor = actor;
}

/** Resolves the organisation in the URL; 'needs-mfa' when its policy requires MFA the person lacks. */
async function checkOrganisation(app: FastifyInstance, request: FastifyRequest): Promise<'ok' | 'needs-mfa'> {
  const session = request.session;
  const slug = (request.params as { org?: string }).org ?? '';
  const membership = session?.memberships.find((m) => m.slug === slug);
  // Someone outside the organisation learns nothing about it, not even that it exists.
  if (session === null || membership === undefined) throw new NotFoundError();
  const organisation = await findOrganisationBySlug(app.db, slug);
  if (organisation === undefined) throw new NotFoundError();
  if (organisation.requireMfa && !session.user.mfaEnabled) return 'needs-mfa';
  request.orgContext = { organisation, role: membership.role };
  const needed = request.routeOptions.config.role ?? 'viewer';
  if (!roleAtLeast(membership.role, needed)) throw new ForbiddenError();
  return 'ok';
}

/**
 * Every request passes here: the session cookie is read; each route's declared access (or
 * its default) is enforced; forms are checked for the CSRF token. Handlers can rely on
 * `request.session`, `request.orgContext` and `request.tokenActor` being set as declared.
 */
export function registerGuards(app: FastifyInstance): void {
  const names = cookieNames(app.config);
  app.decorateRequest('session', null);
  app.decorateRequest('sessionExpired', false);
  app.decorateRequest('orgContext', null);
  app.decorateRequest('tokenActor', null);

  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/assets/') || isApiPath(request.url)) return;
    const raw = request.cookies[names.session];
    if (raw === undefined || raw === '') return;
    const found = await resolveSession(app.db, raw, {
      idleSeconds: app.config.sessionIdleSeconds,
      absoluteSeconds: app.config.sessionAbsoluteSeconds,
    });
    if (found.status === 'ok') {
      request.session = found.session;
    } else {
      request.sessionExpired = found.status === 'expired';
      reply.clearCookie(names.session, cookieOptions(app.config));
    }
  });

  // preValidation: who may call a route is settled before its body is validated, so a caller
  // without access learns nothing from validation errors (401/404 come first).
  app.addHook('preValidation', async (request, reply) => {
    if (request.isMultipart() && request.routeOptions.config.multipart !== true) throw new UnsupportedMediaTypeError();
    const access = routeAccess(request);
    if (access === 'token') {
      await checkToken(app, request);
      return;
    }
    if (access === 'mfa-pending' && request.session?.stage !== 'mfa_pending') return reply.redirect('/sign-in', 303);
    if (access === 'mfa-setup' && (request.session === null || request.session.stage === 'mfa_pending')) {
      const sent = redirectToNextStep(request, reply);
      if (sent !== null) return sent;
    }
    if (access === 'signed-in') {
      const sent = redirectToNextStep(request, reply);
      if (sent !== null) return sent;
      if ((request.routeOptions.url ?? '').startsWith(ORG_PREFIX)) {
        if ((await checkOrganisation(app, request)) === 'needs-mfa') return reply.redirect('/account/two-factor?required=1', 303);
      }
    }
  });

  // Callback style on purpose: on a bad token the plugin answers itself and never calls done.
  app.addHook('preHandler', (request, reply, done) => {
    if (STATE_CHANGING.has(request.method) && !isApiPath(request.url) && routeAccess(request) !== 'token') {
      app.csrfProtection(request, reply, done);
      return;
    }
    done();
  });
}
