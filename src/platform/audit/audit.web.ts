import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FieldError } from '../errors.ts';
import { requireOrg, webActor } from '../http/context.ts';
import { AUDIT_PAGE_SIZE, listAuditEvents } from './audit.service.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

function queryValue(request: FastifyRequest, name: string): string {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.trim() : '';
}

/** A YYYY-MM-DD date as UTC midnight, or null when it is not a real date in that form. */
export function parseDay(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (match === null) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date;
}

export interface AuditFilters {
  values: { action: string; actor: string; from: string; to: string };
  from: Date | undefined;
  /** Exclusive: the day after the `to` date, so the whole of that day is included. */
  toExclusive: Date | undefined;
  page: number;
  errors: FieldError[];
}

/** Reads the filter form; a date that cannot be used is reported and left out of the search. */
export function parseAuditFilters(get: (name: string) => string): AuditFilters {
  const values = { action: get('action'), actor: get('actor'), from: get('from'), to: get('to') };
  const errors: FieldError[] = [];
  const day = (name: 'from' | 'to', label: string): Date | undefined => {
    if (values[name] === '') return undefined;
    const parsed = parseDay(values[name]);
    if (parsed === null) errors.push({ field: name, message: `${label} date must be a real date in the form YYYY-MM-DD, like 2026-11-30` });
    return parsed ?? undefined;
  };
  let from = day('from', 'The from');
  let to = day('to', 'The to');
  if (from !== undefined && to !== undefined && to.getTime() < from.getTime()) {
    errors.push({ field: 'to', message: 'The to date must be the same as or after the from date' });
    from = undefined;
    to = undefined;
  }
  const pageText = get('page');
  const page = /^\d{1,6}$/.test(pageText) && Number(pageText) >= 1 ? Number(pageText) : 1;
  return { values, from, toExclusive: to === undefined ? undefined : new Date(to.getTime() + DAY_MS), page, errors };
}

type PageItem = { number: number; href: string; current: boolean } | { ellipsis: true };

/** The numbered links GOV.UK pagination shows: first, last, and the pages around the current one. */
export function paginationItems(current: number, count: number, href: (page: number) => string): PageItem[] {
  const items: PageItem[] = [];
  let gap = false;
  for (let n = 1; n <= count; n++) {
    if (n === 1 || n === count || Math.abs(n - current) <= 1) {
      items.push({ number: n, href: href(n), current: n === current });
      gap = false;
    } else if (!gap) {
      items.push({ ellipsis: true });
      gap = true;
    }
  }
  return items;
}

/** The audit trail for an organisation's admins: newest first, filtered, 50 to a page. */
export async function auditWebRoutes(app: FastifyInstance): Promise<void> {
  app.get('/o/:org/audit', { config: { role: 'admin' }, schema: { hide: true } }, async (request, reply) => {
    const { organisation } = requireOrg(request);
    const filters = parseAuditFilters((name) => queryValue(request, name));
    const result = await listAuditEvents(app.db, webActor(request), organisation.id, {
      action: filters.values.action || undefined,
      actor: filters.values.actor || undefined,
      from: filters.from,
      to: filters.toExclusive,
      page: filters.page,
    });
    const base = `/o/${organisation.slug}/audit`;
    const href = (page: number): string => {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(filters.values)) if (value !== '') params.set(name, value);
      if (page > 1) params.set('page', String(page));
      const query = params.toString();
      return query === '' ? base : `${base}?${query}`;
    };
    const page = filters.page;
    const first = result.total === 0 ? 0 : (page - 1) * AUDIT_PAGE_SIZE + 1;
    return reply.page(
      'audit/list.njk',
      {
        pageTitle: 'Audit trail',
        organisation,
        filters: filters.values,
        filtered: Object.values(filters.values).some((v) => v !== ''),
        errors: filters.errors,
        actions: result.actions,
        events: result.events,
        total: result.total,
        first,
        last: Math.min(result.total, first + result.events.length - 1),
        pagination:
          result.pageCount > 1
            ? {
                items: paginationItems(page, result.pageCount, href),
                previous: page > 1 ? { href: href(Math.min(page - 1, result.pageCount)) } : undefined,
                next: page < result.pageCount ? { href: href(page + 1) } : undefined,
              }
            : null,
      },
      filters.errors.length > 0 ? 400 : 200,
    );
  });
}
