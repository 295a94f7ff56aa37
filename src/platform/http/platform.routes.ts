import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { openApiSummary } from './openapi.ts';

const HealthResponse = Type.Object({ status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]) });

/** Pages and endpoints every installation has: home, health, the statements, API docs. */
export async function platformRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        summary: 'Check the service and its database answer',
        tags: ['platform'],
        security: [],
        response: { 200: HealthResponse, 503: HealthResponse },
      },
    },
    async (request, reply) => {
      try {
        await app.database.ping();
        return { status: 'ok' as const };
      } catch (error) {
        request.log.error({ err: error }, 'health check: database did not answer');
        return reply.code(503).send({ status: 'unavailable' as const });
      }
    },
  );

  app.get('/', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const session = request.session;
    if (session?.stage === 'active') {
      const current = session.memberships.find((m) => m.organisationId === session.organisationId) ?? session.memberships[0];
      if (current !== undefined) return reply.redirect(`/o/${current.slug}`, 303);
      return reply.page('pages/no-organisation.njk', { pageTitle: 'You do not have access to an organisation yet' });
    }
    return reply.page('pages/start.njk', { pageTitle: 'Run your digital strategy in the open' });
  });

  for (const [path, template, title] of [
    ['/privacy', 'pages/privacy.njk', 'Privacy notice'],
    ['/cookies', 'pages/cookies.njk', 'Cookies'],
    ['/accessibility', 'pages/accessibility.njk', 'Accessibility statement'],
  ] as const) {
    app.get(path, { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
      reply.page(template, { pageTitle: title }),
    );
  }

  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  app.get('/api/docs', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) =>
    reply.page('pages/api-docs.njk', { pageTitle: 'API documentation', api: openApiSummary(app.swagger()) }),
  );
}
