import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../platform/errors.ts';
import { redirectWithFlash, requireOrg, webActor } from '../../platform/http/context.ts';
import { field, formFields, withFormErrors } from '../../platform/http/forms.ts';
import { createToken, getToken, listTokens, revokeToken } from './tokens.service.ts';
import { type ApiToken, MAX_EXPIRY_DAYS, tokenState } from './tokens.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function tokenIdParam(request: FastifyRequest): string {
  const id = (request.params as { tokenId?: string }).tokenId ?? '';
  if (!UUID.test(id)) throw new NotFoundError();
  return id;
}

/** "" means no expiry; anything else is passed on as a number for the service to check. */
function expiryDays(value: string): number | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  return /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

function scopeLabel(scopes: readonly string[]): string {
  return scopes.includes('write') ? 'Read and write' : 'Read only';
}

function tokenView(token: ApiToken, now: Date) {
  return { ...token, state: tokenState(token, now), access: scopeLabel(token.scopes) };
}

/**
 * API tokens, for an organisation's admins: the list, creating one (shown in full once, in
 * the response to the form: never in a URL or a cookie) and revoking one.
 */
export async function tokensWebRoutes(app: FastifyInstance): Promise<void> {
  const adminOnly = { config: { role: 'admin' as const }, schema: { hide: true } };
  const newTokenPage = 'tokens/views/new.njk';

  app.get('/o/:org/tokens', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const now = new Date();
    const tokens = (await listTokens(app.db, webActor(request), organisation.id)).map((t) => tokenView(t, now));
    return reply.page('tokens/views/list.njk', { pageTitle: 'API tokens', organisation, tokens });
  });

  app.get('/o/:org/tokens/new', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    return reply.page(newTokenPage, { pageTitle: 'Create an API token', organisation, values: {}, maxDays: MAX_EXPIRY_DAYS });
  });

  app.post('/o/:org/tokens', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const fields = formFields(request);
    const values = { name: field(fields, 'name'), scope: field(fields, 'scope'), expiresInDays: field(fields, 'expiresInDays') };
    const data = { pageTitle: 'Create an API token', organisation, values, maxDays: MAX_EXPIRY_DAYS };
    return withFormErrors(reply, newTokenPage, data, async () => {
      const { token, secret } = await createToken(app.db, webActor(request), organisation.id, {
        name: values.name,
        scope: values.scope,
        expiresInDays: expiryDays(values.expiresInDays),
      });
      // The only time the full token is shown; only its hash is kept.
      return reply.page('tokens/views/created.njk', {
        pageTitle: 'API token created',
        organisation,
        token: tokenView(token, new Date()),
        secret,
      });
    });
  });

  app.get('/o/:org/tokens/:tokenId/revoke', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const token = await getToken(app.db, webActor(request), organisation.id, tokenIdParam(request));
    return reply.page('tokens/views/revoke.njk', {
      pageTitle: `Revoke the API token ${token.name}`,
      organisation,
      token: tokenView(token, new Date()),
    });
  });

  app.post('/o/:org/tokens/:tokenId/revoke', adminOnly, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const actor = webActor(request);
    const token = await getToken(app.db, actor, organisation.id, tokenIdParam(request));
    await revokeToken(app.db, actor, organisation.id, token.id);
    return redirectWithFlash(reply, `/o/${organisation.slug}/tokens`, `The API token “${token.name}” has been revoked: it no longer works`);
  });
}
