/**
 * Genesys limits client-credentials tokens per token per minute (300 by default). A fixed window per token that
 * starts with the token's first request: requests 1..limit pass, the next one in the window is rejected and does
 * not consume budget.
 */
export interface RateDecision {
  allowed: boolean;
  count: number;
  limit: number;
  /** Whole seconds until the window resets (at least 1 while a window is open). */
  resetSeconds: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly limit: number, private readonly windowMs: number) {}

  take(key: string, now: number): RateDecision {
    let window = this.windows.get(key);
    if (!window || now >= window.start + this.windowMs) {
      window = { start: now, count: 0 };
      this.windows.set(key, window);
    }
    const resetSeconds = Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
    if (window.count >= this.limit) return { allowed: false, count: window.count, limit: this.limit, resetSeconds };
    window.count += 1;
    return { allowed: true, count: window.count, limit: this.limit, resetSeconds };
  }

  /** Headers for a request that carried no usable token. */
  idle(): RateDecision {
    return { allowed: true, count: 0, limit: this.limit, resetSeconds: Math.max(1, Math.ceil(this.windowMs / 1000)) };
  }

  clear(): void {
    this.windows.clear();
  }
}

export function rateHeaders(decision: RateDecision): Record<string, string> {
  return {
    'inin-ratelimit-count': String(decision.count),
    'inin-ratelimit-allowed': String(decision.limit),
    'inin-ratelimit-reset': String(decision.resetSeconds),
  };
}
