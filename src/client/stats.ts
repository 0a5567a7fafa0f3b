/** Request counters that benchmarks and tests read (`client.stats()`). */
export interface ClientStats {
  /** Every HTTP exchange attempted (API, OAuth, uploads, downloads), including retries. */
  requests: number;
  /** Of which to the OAuth token endpoint. */
  tokenRequests: number;
  /** Responses by HTTP status; network failures under 0. */
  byStatus: Record<number, number>;
  /** Attempts that were repeats of an earlier failed attempt. */
  retries: number;
  /** 429 responses received. */
  rateLimited: number;
  /** Connection errors (reset, refused, timeout). */
  networkErrors: number;
  /** Total time requests waited in the throttle or in back-off, ms. */
  waitedMs: number;
}

export function emptyStats(): ClientStats {
  return { requests: 0, tokenRequests: 0, byStatus: {}, retries: 0, rateLimited: 0, networkErrors: 0, waitedMs: 0 };
}

export function cloneStats(stats: ClientStats): ClientStats {
  return { ...stats, byStatus: { ...stats.byStatus } };
}
