import type { FastifyInstance } from 'fastify';

export async function tokensWebRoutes(_app: FastifyInstance): Promise<void> {
  // Filled in by the admin pages work.
}
