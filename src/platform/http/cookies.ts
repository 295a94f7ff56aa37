import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from '../../config/config.ts';

/**
 * Cookie names and options. In production the `__Host-` prefix makes browsers insist on
 * Secure, Path=/ and no Domain, so a sibling subdomain cannot plant or read them.
 */
export function cookieNames(config: Pick<Config, 'env'>): { session: string; csrf: string; flash: string; mfaSetup: string } {
  const prefix = config.env === 'production' ? '__Host-' : '';
  return {
    session: `${prefix}waymark_session`,
    csrf: `${prefix}waymark_csrf`,
    flash: `${prefix}waymark_flash`,
    mfaSetup: `${prefix}waymark_mfa_setup`,
  };
}

export function cookieOptions(config: Pick<Config, 'env'>): CookieSerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: config.env === 'production' };
}
