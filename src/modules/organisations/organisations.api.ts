import type { FastifyInstance } from 'fastify';
import { apiActor } from '../../platform/http/context.ts';
import { NotFoundError } from '../../platform/errors.ts';
import { ProblemSchema } from '../../platform/http/problem.schema.ts';
import { MeSchema } from './organisations.schemas.ts';
import { findOrganisationById } from './organisations.service.ts';

export async function organisationsApiRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/v1/me',
    {
      schema: {
        summary: 'The organisation and scopes of the API token used',
        tags: ['platform'],
        response: { 200: MeSchema, 401: ProblemSchema },
      },
    },
    async (request) => {
      const actor = apiActor(request);
      if (actor.kind !== 'token') throw new NotFoundError();
      const organisation = await findOrganisationById(app.db, actor.organisationId);
      if (organisation === undefined) throw new NotFoundError();
      return {
        organisation: { id: organisation.id, slug: organisation.slug, name: organisation.name },
        token: { id: actor.tokenId, name: actor.tokenName },
        scopes: [...actor.scopes],
      };
    },
  );
}
