import type { FastifyInstance } from 'fastify';

export async function usersWebRoutes(_app: FastifyInstance): Promise<void> {
  // Filled in by the admin pages work.
}
