import { randomInt } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { rememberSecret } from './secrets-ledger.ts';

/**
 * A browser-like client over `app.inject`: keeps cookies between requests and fills in the
 * CSRF token on form posts, so HTTP tests go through the same checks as a person would.
 */
export class TestClient {
  readonly cookies = new Map<string, string>();
  private csrf: string | undefined;
  private readonly app: FastifyInstance;
  /**
   * Each client comes from its own address, as separate people do: sign-in throttling counts
   * failures per address, and test files sharing one PostgreSQL must not add up to a lock-out.
   */
  readonly remoteAddress = `10.${randomInt(256)}.${randomInt(256)}.${1 + randomInt(254)}`;

  constructor(app: FastifyInstance) {
    this.app = app;
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private absorb(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = cookie.value === '' || cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now());
      if (expired) this.cookies.delete(cookie.name);
      else {
        this.cookies.set(cookie.name, cookie.value);
        rememberSecret(cookie.value);
      }
    }
    const token = /name="(?:_csrf|csrf-token)" (?:value|content)="([^"]+)"/.exec(response.body)?.[1];
    if (token !== undefined) this.csrf = token;
  }

  async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({
      remoteAddress: this.remoteAddress,
      ...options,
      headers: { ...(options.headers ?? {}), ...(this.cookies.size > 0 ? { cookie: this.cookieHeader() } : {}) },
    });
    this.absorb(response);
    return response;
  }

  get(url: string): Promise<LightMyRequestResponse> {
    return this.request({ method: 'GET', url });
  }

  /** A CSRF token valid for this client's cookie, fetching a page to get one if needed. */
  async csrfToken(): Promise<string> {
    if (this.csrf === undefined) await this.get('/privacy');
    if (this.csrf === undefined) throw new Error('No CSRF token found on /privacy');
    return this.csrf;
  }

  /** Posts a form as a browser would, with the CSRF token unless `csrf: false`. */
  async postForm(url: string, fields: Record<string, string>, options: { csrf?: boolean } = {}): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams(fields);
    if (options.csrf !== false) body.set('_csrf', await this.csrfToken());
    return this.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: body.toString(),
    });
  }
}
