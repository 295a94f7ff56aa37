import type { FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, TooManyRequestsError, ValidationError } from '../errors.ts';
import type { PageData } from './render.ts';

/** A submitted form as plain strings: missing fields are '', repeated fields keep the first value. */
export function formFields(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  const fields: Record<string, string> = {};
  if (body === null || typeof body !== 'object') return fields;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') fields[key] = first;
  }
  return fields;
}

export function field(fields: Record<string, string>, name: string): string {
  return fields[name] ?? '';
}

/**
 * Runs a form's action; when it is refused for a reason the person can fix (validation, or
 * too many attempts), shows the same page again with the GOV.UK error summary and what they
 * typed, with status 400 (or 429). Anything else goes to the error funnel.
 */
export async function withFormErrors(
  reply: FastifyReply,
  template: string,
  data: PageData,
  action: () => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ValidationError) return reply.page(template, { ...data, errors: error.errors }, 400);
    if (error instanceof TooManyRequestsError) {
      reply.header('retry-after', String(error.retryAfterSeconds));
      const errors: FieldError[] = [{ field: (data.errorField as string | undefined) ?? 'email', message: error.message }];
      return reply.page(template, { ...data, errors }, 429);
    }
    throw error;
  }
}

/** Only same-site paths: a `next` parameter must never send someone to another website. */
export function safeNextPath(next: unknown): string | null {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  return next;
}
