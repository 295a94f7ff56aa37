/** Paging of every list the services offer: a page number from 1 and a capped page size. */

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export interface Paging {
  /** 1-based; default 1. */
  page?: number | undefined;
  /** Default 50, capped at 200. */
  pageSize?: number | undefined;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

/** Options of a change: `expectedVersion` refuses it (412) when the item has changed since it was read. */
export interface ChangeOptions {
  expectedVersion?: number | undefined;
}

/** The page asked for, within bounds, as a query's limit and offset. */
export function paging(input: Paging = {}): { page: number; pageSize: number; limit: number; offset: number } {
  const page = Math.max(1, Math.floor(input.page ?? 1));
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(input.pageSize ?? DEFAULT_PAGE_SIZE)));
  return { page, pageSize, limit: pageSize, offset: (page - 1) * pageSize };
}
