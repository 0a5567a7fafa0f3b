/**
 * Genesys reports the token's budget on every response (genesys-api.md §9.2): `inin-ratelimit-count` (used in the
 * window), `inin-ratelimit-allowed` (the limit) and `inin-ratelimit-reset` (seconds until the window resets).
 */
export interface RateLimitHint {
  count: number;
  allowed: number;
  resetMs: number;
}

export function readRateLimitHeaders(headers: Headers): RateLimitHint | undefined {
  const count = Number(headers.get('inin-ratelimit-count'));
  const allowed = Number(headers.get('inin-ratelimit-allowed'));
  const reset = Number(headers.get('inin-ratelimit-reset'));
  if (!headers.has('inin-ratelimit-allowed') || !Number.isFinite(count) || !Number.isFinite(allowed) || allowed <= 0) {
    return undefined;
  }
  return { count, allowed, resetMs: Number.isFinite(reset) && reset > 0 ? reset * 1000 : 60_000 };
}
