import type { FastifyInstance } from 'fastify';

/** The OpenAPI document as committed in docs/openapi.json: stable formatting, trailing newline. */
export function openApiDocumentText(app: FastifyInstance): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}
