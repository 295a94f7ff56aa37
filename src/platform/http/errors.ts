import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type FieldError, NotFoundError } from '../errors.ts';
import { isApiPath, SessionExpiredError } from './guards.ts';

interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: readonly FieldError[];
  retryAfterSeconds?: number;
}

function fromValidation(error: FastifyError): FieldError[] {
  return (error.validation ?? []).map((v) => {
    const missing = (v.params as { missingProperty?: string }).missingProperty;
    const field = missing === undefined ? v.instancePath || '/' : `${v.instancePath}/${missing}`;
    const message = missing === undefined ? `${field} ${v.message ?? 'is not valid'}` : `${field} is required`;
    return { field, message };
  });
}

/** Maps any error to the problem we tell the client; unknown errors become a 500 with no detail. */
export function toProblem(error: FastifyError | AppError | Error): Problem {
  if (error instanceof AppError) {
    return {
      status: error.status,
      code: error.code,
      title: error.title,
      detail: error.message,
      ...('errors' in error ? { errors: error.errors as FieldError[] } : {}),
      ...('retryAfterSeconds' in error ? { retryAfterSeconds: error.retryAfterSeconds as number } : {}),
    };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.validation !== undefined) {
    const errors = fromValidation(fastifyError);
    return { status: 400, code: 'validation_failed', title: 'There is a problem', detail: errors.map((e) => e.message).join('; '), errors };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'payload_too_large', title: 'What you sent is too large', detail: 'The request body is larger than this server accepts' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'malformed_json', title: 'The JSON could not be read', detail: 'The request body is not valid JSON' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported_media_type', title: 'Unsupported content type', detail: 'Send application/json, or a form' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'malformed_body', title: 'The request could not be read', detail: 'The Content-Length does not match the body' };
    case 'FST_CSRF_MISSING_SECRET':
    case 'FST_CSRF_INVALID_TOKEN':
      return {
        status: 403,
        code: 'csrf_invalid',
        title: 'This form has expired',
        detail: 'The form was open too long or came from another site. Go back, reload the page and try again.',
      };
  }
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    return { status: fastifyError.statusCode, code: 'bad_request', title: 'The request could not be read', detail: 'The request was not in a form this server understands' };
  }
  return { status: 500, code: 'internal_error', title: 'Sorry, there is a problem with the service', detail: 'Something went wrong on our side. Try again later.' };
}

function errorTemplate(problem: Problem, error: Error): string {
  if (error instanceof SessionExpiredError) return 'errors/session-expired.njk';
  if ([403, 404, 500].includes(problem.status)) return `errors/${problem.status}.njk`;
  return 'errors/problem.njk';
}

async function respond(request: FastifyRequest, reply: FastifyReply, error: Error): Promise<FastifyReply> {
  const problem = toProblem(error);
  if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ problem: problem.code, status: problem.status }, 'request refused');
  if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds));
  if (problem.status === 401 && isApiPath(request.url)) reply.header('www-authenticate', 'Bearer');
  if (isApiPath(request.url)) {
    return reply
      .code(problem.status)
      .type('application/problem+json')
      .send({
        type: `https://waymark.dev/problems/${problem.code}`,
        title: problem.title,
        status: problem.status,
        detail: problem.detail,
        code: problem.code,
        ...(problem.errors ? { errors: problem.errors } : {}),
      });
  }
  try {
    return await reply.page(errorTemplate(problem, error), { pageTitle: problem.title, problem }, problem.status);
  } catch (renderError) {
    request.log.error({ err: renderError }, 'error page failed to render');
    return reply.code(problem.status).type('text/plain; charset=utf-8').send(problem.title);
  }
}

/** The one error funnel: typed errors to a GOV.UK-style page or application/problem+json; never a stack trace. */
export function registerErrorFunnel(app: FastifyInstance): void {
  app.setErrorHandler(async (error, request, reply) => respond(request, reply, error as Error));
  app.setNotFoundHandler(async (request, reply) => respond(request, reply, new NotFoundError()));
}
