import type { ApiResponse, QueryValue, RequestFn } from './http/types.js';
import type { EntityListing } from './types.js';

export interface Page<T> {
  entities: T[];
  pageNumber: number;
  /** undefined when the server did not say (then the walk ends at the first short page). */
  pageCount: number | undefined;
  total: number | undefined;
  /** HTTP 206: the server answered with what it had (dependency tracking while its build lags). */
  partial: boolean;
}

export interface PageOptions {
  pageSize?: number;
  /** Pages requested ahead of the consumer once the page count is known (default 1: no look-ahead). */
  prefetch?: number;
  signal?: AbortSignal;
  operation?: string;
}

/**
 * Normalises one `*EntityListing` response (genesys-api.md §3.3-3.4). Genesys omits absent fields, so `nextUri`
 * missing proves nothing: the page count decides, and without it a short or empty page ends the walk.
 */
export function normalizeListing<T>(response: ApiResponse<EntityListing<T> | undefined>, requestedPage: number): Page<T> {
  const data = response.data ?? {};
  const entities = Array.isArray(data.entities) ? data.entities : [];
  const pageNumber = typeof data.pageNumber === 'number' ? data.pageNumber : requestedPage;
  let pageCount = typeof data.pageCount === 'number' ? data.pageCount : undefined;
  if (pageCount === undefined && typeof data.total === 'number' && typeof data.pageSize === 'number' && data.pageSize > 0) {
    pageCount = Math.ceil(data.total / data.pageSize);
  }
  return {
    entities,
    pageNumber,
    pageCount,
    total: typeof data.total === 'number' ? data.total : undefined,
    partial: response.status === 206,
  };
}

function isLastPage(page: Page<unknown>, pageNumber: number, pageSize: number): boolean {
  if (page.pageCount !== undefined) return pageNumber >= page.pageCount;
  return page.entities.length < pageSize || page.entities.length === 0;
}

/**
 * Every page of a paged GET, in order, as an async iterator (octokit's paginate.iterator). Page numbers are
 * computed (1..pageCount) rather than following `nextUri`; with `prefetch` > 1 later pages are fetched in
 * parallel once page 1 has told how many there are (the per-token throttle still paces them).
 */
export async function* pages<T>(
  request: RequestFn,
  path: string,
  query: Record<string, QueryValue> = {},
  options: PageOptions = {},
): AsyncGenerator<Page<T>, void, undefined> {
  const pageSize = options.pageSize ?? 100;
  const fetchPage = async (pageNumber: number): Promise<Page<T>> => {
    const response = await request<EntityListing<T>>({
      method: 'GET',
      path,
      query: { ...query, pageSize, pageNumber },
      signal: options.signal,
      operation: options.operation,
    });
    return normalizeListing(response, pageNumber);
  };

  const first = await fetchPage(1);
  yield first;
  if (isLastPage(first, 1, pageSize)) return;

  const prefetch = Math.max(1, options.prefetch ?? 1);
  if (first.pageCount === undefined || prefetch === 1) {
    for (let pageNumber = 2; ; pageNumber += 1) {
      const page = await fetchPage(pageNumber);
      yield page;
      if (isLastPage(page, pageNumber, pageSize) || (first.pageCount !== undefined && pageNumber >= first.pageCount)) return;
    }
  }

  const lastPage = first.pageCount;
  const inFlight = new Map<number, Promise<Page<T>>>();
  let nextToRequest = 2;
  const fill = (): void => {
    while (inFlight.size < prefetch && nextToRequest <= lastPage) {
      const promise = fetchPage(nextToRequest);
      promise.catch(() => undefined); // surfaced when awaited; silenced if the consumer stopped early
      inFlight.set(nextToRequest, promise);
      nextToRequest += 1;
    }
  };
  try {
    for (let pageNumber = 2; pageNumber <= lastPage; pageNumber += 1) {
      fill();
      const page = await inFlight.get(pageNumber)!;
      inFlight.delete(pageNumber);
      yield page;
    }
  } finally {
    inFlight.clear();
  }
}

/** The entities of every page, flattened. */
export async function* items<T>(
  request: RequestFn,
  path: string,
  query: Record<string, QueryValue> = {},
  options: PageOptions = {},
): AsyncGenerator<T, void, undefined> {
  for await (const page of pages<T>(request, path, query, options)) yield* page.entities;
}

/** All entities of a paged GET plus whether any page was partial (206). */
export async function collect<T>(
  request: RequestFn,
  path: string,
  query: Record<string, QueryValue> = {},
  options: PageOptions = {},
): Promise<{ items: T[]; partial: boolean }> {
  const all: T[] = [];
  let partial = false;
  for await (const page of pages<T>(request, path, query, options)) {
    all.push(...page.entities);
    partial ||= page.partial;
  }
  return { items: all, partial };
}
