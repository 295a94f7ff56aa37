import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config/config.ts';
import type { DatabaseHandle, Db } from './db/database.ts';
import { accountWebRoutes } from './modules/auth/account.web.ts';
import { authWebRoutes } from './modules/auth/auth.web.ts';
import { kpisApiRoutes } from './modules/kpis/kpis.api.ts';
import { kpiExportsWebRoutes } from './modules/kpis/exports.web.ts';
import { kpisWebRoutes } from './modules/kpis/kpis.web.ts';
import { deliveryApiRoutes } from './modules/delivery/delivery.api.ts';
import { deliveryWebRoutes } from './modules/delivery/delivery.web.ts';
import { portfolioWebRoutes } from './modules/delivery/portfolio.web.ts';
import { governanceApiRoutes } from './modules/governance/governance.api.ts';
import { governanceWebRoutes } from './modules/governance/governance.web.ts';
import { importApiRoutes } from './modules/measurements/import.api.ts';
import { WEB_IMPORT_LIMITS } from './modules/measurements/import-format.ts';
import { importWebRoutes } from './modules/measurements/import.web.ts';
import { organisationsApiRoutes } from './modules/organisations/organisations.api.ts';
import { organisationsWebRoutes } from './modules/organisations/organisations.web.ts';
import { strategyApiRoutes } from './modules/strategy/strategy.api.ts';
import { strategyWebRoutes } from './modules/strategy/strategy.web.ts';
import { riskApiRoutes } from './modules/risk/risk.api.ts';
import { riskImportWebRoutes } from './modules/risk/risk-import.web.ts';
import { riskWebRoutes } from './modules/risk/risk.web.ts';
import { threadWebRoutes } from './modules/thread/thread.web.ts';
import { tokensWebRoutes } from './modules/tokens/tokens.web.ts';
import { usersWebRoutes } from './modules/users/users.web.ts';
import { auditWebRoutes } from './platform/audit/audit.web.ts';
import { registerAssets } from './platform/http/assets.ts';
import { cookieNames, cookieOptions } from './platform/http/cookies.ts';
import { registerErrorFunnel } from './platform/http/errors.ts';
import { registerGuards } from './platform/http/guards.ts';
import { platformRoutes } from './platform/http/platform.routes.ts';
import { registerRendering } from './platform/http/render.ts';
import { registerSecurityHeaders } from './platform/http/security.ts';
import { createViewEnvironment } from './platform/http/views.ts';
import type { Logger } from './platform/logger.ts';
import type { RouteAccess } from './platform/http/context.ts';
import type { Role } from './platform/access/roles.ts';

export interface AppDeps {
  config: Config;
  database: DatabaseHandle;
  logger: Logger;
}

export interface RouteSummary {
  method: string;
  url: string;
  access: RouteAccess | undefined;
  role: Role | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Db;
    database: DatabaseHandle;
    /** Every route registered, so tests can walk them all (tenant isolation, roles). */
    routeInventory: readonly RouteSummary[];
  }
}

/** JSON and form bodies above this are refused with 413 (file uploads set their own limits). */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the whole application without listening, so tests drive it with `inject`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app = Fastify({
    loggerInstance,
    genReqId: () => randomUUID(),
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: deps.config.trustProxy,
    ajv: { customOptions: { allErrors: true, coerceTypes: false, removeAdditional: false } },
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('config', deps.config);
  app.decorate('database', deps.database);
  app.decorate('db', deps.database.db);
  const routeInventory: RouteSummary[] = [];
  app.decorate('routeInventory', routeInventory);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      routeInventory.push({ method, url: route.url, access: route.config?.access, role: route.config?.role });
    }
  });

  await app.register(fastifyCookie, { secret: deps.config.sessionSecret });
  await app.register(fastifyFormbody, { bodyLimit: BODY_LIMIT_BYTES });
  // File uploads (the measurement import page): one file, within the web import limit.
  await app.register(fastifyMultipart, { limits: { fileSize: WEB_IMPORT_LIMITS.maxFileBytes, files: 1, fields: 5, fieldSize: 1_000 } });
  await app.register(fastifyCsrf, {
    cookieKey: cookieNames(deps.config).csrf,
    cookieOpts: { ...cookieOptions(deps.config), signed: true },
    getToken: (request) => (request.body as { _csrf?: string } | undefined)?._csrf,
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Waymark API',
        version: '1',
        description:
          'Read and write an organisation’s data with a bearer API token created by an organisation admin. ' +
          'Errors are application/problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: { bearerToken: { type: 'http', scheme: 'bearer', description: 'An API token: wmk_…' } },
      },
      security: [{ bearerToken: [] }],
    },
  });

  await registerSecurityHeaders(app);
  registerRendering(app, createViewEnvironment());
  registerErrorFunnel(app);
  registerGuards(app);
  await registerAssets(app);

  await app.register(platformRoutes);
  await app.register(authWebRoutes);
  await app.register(accountWebRoutes);
  await app.register(organisationsWebRoutes);
  await app.register(organisationsApiRoutes);
  await app.register(usersWebRoutes);
  await app.register(tokensWebRoutes);
  await app.register(auditWebRoutes);
  await app.register(kpisWebRoutes);
  await app.register(kpiExportsWebRoutes);
  await app.register(kpisApiRoutes);
  await app.register(strategyWebRoutes);
  await app.register(strategyApiRoutes);
  await app.register(threadWebRoutes);
  await app.register(deliveryWebRoutes);
  await app.register(deliveryApiRoutes);
  await app.register(portfolioWebRoutes);
  await app.register(riskWebRoutes);
  await app.register(riskApiRoutes);
  await app.register(riskImportWebRoutes);
  await app.register(importWebRoutes);
  await app.register(importApiRoutes);
  await app.register(governanceWebRoutes);
  await app.register(governanceApiRoutes);
  return app;
}
