import { intParam } from './query.js';

export interface PageRequest {
  pageNumber: number;
  pageSize: number;
}

export const MAX_PAGE_SIZE = 500;

export function pageRequest(query: URLSearchParams, defaultSize = 25): PageRequest {
  return {
    pageSize: intParam(query, 'pageSize', defaultSize, 1, MAX_PAGE_SIZE),
    pageNumber: intParam(query, 'pageNumber', 1, 1, 1_000_000),
  };
}

/**
 * The `*EntityListing` envelope with relative URIs carrying the request's own query; `nextUri` is omitted on the
 * last page and `previousUri` on the first, as real listings omit absent fields.
 */
export function pageOf<T>(items: T[], page: PageRequest, path: string, query: URLSearchParams): Record<string, unknown> {
  const total = items.length;
  const pageCount = Math.max(1, Math.ceil(total / page.pageSize));
  const start = (page.pageNumber - 1) * page.pageSize;
  const uri = (n: number): string => {
    const q = new URLSearchParams(query);
    q.set('pageSize', String(page.pageSize));
    q.set('pageNumber', String(n));
    return `${path}?${q.toString()}`;
  };
  const listing: Record<string, unknown> = {
    entities: items.slice(start, start + page.pageSize),
    pageSize: page.pageSize,
    pageNumber: page.pageNumber,
    total,
    pageCount,
    firstUri: uri(1),
    selfUri: uri(page.pageNumber),
    lastUri: uri(pageCount),
  };
  if (page.pageNumber < pageCount) listing.nextUri = uri(page.pageNumber + 1);
  if (page.pageNumber > 1) listing.previousUri = uri(Math.min(page.pageNumber - 1, pageCount));
  return listing;
}
