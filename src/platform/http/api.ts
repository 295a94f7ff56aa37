import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../access/actor.ts';
import { NotFoundError, PreconditionFailedError, PreconditionRequiredError } from '../errors.ts';
import { ProblemSchema } from './problem.schema.ts';

/** Conventions every /api/v1 module shares: ETags, If-Match, the token's organisation, errors. */

export const API_ERRORS = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };

/** A strong ETag naming the item and its version: `"<id>.<version>"`. */
export function etagOf(item: { id: string; version: number }): string {
  return `"${item.id}.${item.version}"`;
}

/** Sets the item's ETag on the reply and passes the body through. */
export function withEtag<T>(reply: FastifyReply, item: { id: string; version: number }, body: T): T {
  void reply.header('etag', etagOf(item));
  return body;
}

/**
 * The version an `If-Match` header holds for this item. Missing → 428; an ETag of another
 * item, or one that cannot be read, can never match → 412. `*` matches any version.
 */
export function expectedVersion(header: string | string[] | undefined, id: string): number | undefined {
  const raw = [header ?? []].flat().join(',').trim();
  if (raw === '') throw new PreconditionRequiredError();
  const tags = raw.split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes('*')) return undefined;
  for (const tag of tags) {
    const match = /^"([0-9a-f-]{36})\.(\d{1,9})"$/i.exec(tag);
    if (match?.[1]?.toLowerCase() === id.toLowerCase()) return Number(match[2]);
  }
  throw new PreconditionFailedError();
}

/** The organisation an API call acts in: always the token's own. */
export function organisationOf(actor: Actor): string {
  if (actor.kind !== 'token') throw new NotFoundError();
  return actor.organisationId;
}

/**
 * For routes with `attachValidation`: schema problems are answered only after the item is known
 * to exist for the caller, and an id that is not an id is simply not found.
 */
export function rejectInvalid(request: FastifyRequest): void {
  const error = request.validationError;
  if (error === undefined) return;
  if ((error as { validationContext?: string }).validationContext === 'params') throw new NotFoundError();
  throw error;
}
