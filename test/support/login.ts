import type { FastifyInstance } from 'fastify';
import { currentTotp } from '../../src/modules/auth/totp.ts';
import { TestClient } from './client.ts';

/**
 * Signs in through the real pages (password, then the TOTP code when the user has MFA) and
 * returns a client holding the session cookie.
 */
export async function signIn(
  app: FastifyInstance,
  user: { email: string; password: string; totpSecret?: string | null },
): Promise<TestClient> {
  const client = new TestClient(app);
  const response = await client.postForm('/sign-in', { email: user.email, password: user.password });
  if (response.statusCode !== 303) throw new Error(`Sign-in failed with ${response.statusCode}: ${response.body.slice(0, 300)}`);
  if (response.headers.location?.startsWith('/sign-in/code')) {
    if (user.totpSecret == null) throw new Error('The user needs a TOTP secret to finish signing in');
    const code = await currentTotp(user.totpSecret);
    const second = await client.postForm('/sign-in/code', { code });
    if (second.statusCode !== 303) throw new Error(`Code step failed with ${second.statusCode}: ${second.body.slice(0, 300)}`);
  }
  return client;
}
