import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Static, type TSchema, Type } from 'typebox';
import type { Actor } from '../access/actor.ts';
import { NotFoundError, PreconditionFailedError, PreconditionRequiredError } from '../errors.ts';
import type { Page, Paging } from '../paging.ts';
import { ProblemSchema } from './problem.schema.ts';

/** Conventions every /api/v1 module shares: ETags, If-Match, the token's organisation, errors. */

export const API_ERRORS = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema };
/** The answers of a change to an item with a version: a stale or missing If-Match too. */
export const CHANGE_ERRORS = { ...API_ERRORS, 412: ProblemSchema, 428: ProblemSchema };
/** The ETag header of an item's answer. */
export const ETAG_HEADER = { ETag: { type: 'string', description: 'The item’s version; send it back as If-Match to change or delete it' } } as const;
/** The empty answer of a delete. */
export const DELETED_RESPONSE = { type: 'null', description: 'Deleted' } as const;

export const IfMatchHeadersSchema = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'The ETag from the last GET of this item. Required: a stale one gets 412' })),
});

export const PageQuerySchema = Type.Object({
  page: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'Page number, from 1 (default 1)' })),
  pageSize: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: 'Items per page: default 50, at most 200 (larger values give 200)' })),
});
export type PageQuery = Static<typeof PageQuerySchema>;

/** A page of `item`s as every list endpoint answers. */
export function PageSchema<T extends TSchema>(item: T, description: string) {
  return Type.Object(
    {
      items: Type.Array(item),
      page: Type.Integer({ description: 'This page’s number, from 1' }),
      pageSize: Type.Integer({ description: 'Items per page (at most 200)' }),
      total: Type.Integer({ description: 'Items on all pages' }),
    },
    { description },
  );
}

/** The page a list request asks for (the schema has checked the digits). */
export function pagingOf(query: { page?: string | undefined; pageSize?: string | undefined }): Paging {
  return { page: query.page === undefined ? undefined : Number(query.page), pageSize: query.pageSize === undefined ? undefined : Number(query.pageSize) };
}

/** A service's page as the API answers it. */
export function pageJson<T, J>(result: Page<T>, toJson: (item: T) => J): { items: J[]; page: number; pageSize: number; total: number } {
  return { items: result.items.map(toJson), page: result.page, pageSize: result.pageSize, total: result.total };
}

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
