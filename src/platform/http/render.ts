import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type nunjucks from 'nunjucks';
import { roleAtLeast } from '../access/roles.ts';
import type { FieldError } from '../errors.ts';
import { cookieNames, cookieOptions } from './cookies.ts';

export interface NavigationItem {
  href: string;
  text: string;
  active?: boolean;
}

/** The service navigation for an organisation's pages; admin links only for admins. */
export function organisationNavigation(request: FastifyRequest): NavigationItem[] {
  const org = request.orgContext;
  if (org === null) return [];
  const base = `/o/${org.organisation.slug}`;
  const items: NavigationItem[] = [
    { href: base, text: 'Overview' },
    { href: `${base}/strategy`, text: 'Strategy' },
    { href: `${base}/kpis`, text: 'KPIs' },
    { href: `${base}/projects`, text: 'Portfolio' },
    { href: `${base}/boards`, text: 'Boards' },
    { href: `${base}/risks`, text: 'Risks' },
  ];
  if (roleAtLeast(org.role, 'admin')) {
    items.push(
      { href: `${base}/users`, text: 'Users' },
      { href: `${base}/tokens`, text: 'API tokens' },
      { href: `${base}/audit`, text: 'Audit trail' },
      { href: `${base}/settings`, text: 'Settings' },
    );
  }
  const path = request.url.split('?')[0] ?? '';
  const current = items.filter((i) => path === i.href || path.startsWith(`${i.href}/`)).sort((a, b) => b.href.length - a.href.length)[0];
  return items.map((i) => ({ ...i, active: i === current }));
}

export interface PageData {
  pageTitle: string;
  errors?: readonly FieldError[] | undefined;
  [key: string]: unknown;
}

declare module 'fastify' {
  interface FastifyReply {
    /** Renders a page inside the layout with the shared context (user, organisation, CSRF token). */
    page(template: string, data: PageData, status?: number): Promise<FastifyReply>;
  }
  interface FastifyInstance {
    views: nunjucks.Environment;
  }
}

export function registerRendering(app: FastifyInstance, views: nunjucks.Environment): void {
  app.decorate('views', views);
  const flashCookie = cookieNames(app.config).flash;
  app.decorateReply('page', async function page(this: FastifyReply, template: string, data: PageData, status = 200) {
    const request = this.request;
    const session = request.session;
    let flash: string | undefined;
    const rawFlash = request.cookies[flashCookie];
    if (rawFlash !== undefined) {
      const unsigned = request.unsignCookie(rawFlash);
      if (unsigned.valid) flash = unsigned.value;
      this.clearCookie(flashCookie, cookieOptions(app.config));
    }
    const html = views.render(template, {
      assetVersion: app.assetVersion,
      csrfToken: this.generateCsrf(),
      signedInUser: session?.stage === 'active' ? session.user : null,
      memberships: session?.memberships ?? [],
      currentOrg: request.orgContext?.organisation ?? null,
      currentRole: request.orgContext?.role ?? null,
      navigation: organisationNavigation(request),
      flash,
      ...data,
    });
    return this.code(status).type('text/html; charset=utf-8').send(html);
  });
}
