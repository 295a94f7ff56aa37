import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CurrentSession } from '../../modules/auth/auth.service.ts';
import type { Organisation } from '../../modules/organisations/organisations.service.ts';
import type { Actor, TokenScope } from '../access/actor.ts';
import type { Role } from '../access/roles.ts';
import { UnauthenticatedError } from '../errors.ts';
import { cookieNames, cookieOptions } from './cookies.ts';

/** Who may reach a route, checked centrally before the handler runs (services check again). */
export type RouteAccess =
  /** Anyone, signed in or not. */
  | 'public'
  /** Between password and code: only the code page. */
  | 'mfa-pending'
  /** Signed in with a password, MFA set up or not (the MFA set-up pages). */
  | 'mfa-setup'
  /** Fully signed in (the default for pages). */
  | 'signed-in'
  /** A bearer API token (the default under /api/v1). */
  | 'token';

export interface OrganisationContext {
  organisation: Organisation;
  role: Role;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** Least role needed for pages under /o/:org (default viewer). */
    role?: Role;
    /** Scope a token needs for API routes (default: read for GET, write otherwise). */
    scope?: TokenScope;
    /** True on the few pages that take file uploads; other routes refuse multipart bodies. */
    multipart?: boolean;
  }
  interface FastifyRequest {
    session: CurrentSession | null;
    sessionExpired: boolean;
    /** Set on routes under /o/:org once membership is checked. */
    orgContext: OrganisationContext | null;
    /** Set on API routes once the bearer token is checked. */
    tokenActor: Extract<Actor, { kind: 'token' }> | null;
  }
}

/** The signed-in person as a service actor, acting in the organisation of the URL if any. */
export function webActor(request: FastifyRequest): Actor {
  const session = request.session;
  if (session === null) throw new UnauthenticatedError();
  return {
    kind: 'user',
    userId: session.user.id,
    label: session.user.email,
    organisationId: request.orgContext?.organisation.id ?? null,
    role: request.orgContext?.role ?? null,
    via: 'web',
    requestId: request.id,
  };
}

export function apiActor(request: FastifyRequest): Actor {
  if (request.tokenActor === null) throw new UnauthenticatedError('Send an API token in the Authorization header');
  return request.tokenActor;
}

export function requireOrg(request: FastifyRequest): OrganisationContext {
  if (request.orgContext === null) throw new Error('Route is not under /o/:org');
  return request.orgContext;
}

export function requireSession(request: FastifyRequest): CurrentSession {
  if (request.session === null) throw new UnauthenticatedError();
  return request.session;
}

/** Post/redirect/get: after a change, send the browser on with a one-off confirmation message. */
export function redirectWithFlash(reply: FastifyReply, url: string, message: string): FastifyReply {
  const config = reply.server.config;
  reply.setCookie(cookieNames(config).flash, message, { ...cookieOptions(config), signed: true, maxAge: 60 });
  return reply.redirect(url, 303);
}
