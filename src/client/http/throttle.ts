import { ApiError } from '../errors.js';
import type { ClientStats } from '../stats.js';
import { abortError, combineSignals } from './clock.js';
import { readRateLimitHeaders } from './rate-limit-headers.js';
import type { Clock, Logger, RequestOptions, RequestWrapper } from './types.js';

export interface ThrottleConfig {
  /** Requests per window per token (Genesys: 300 a minute for client credentials, genesys-api.md §9.1). */
  requestsPerWindow: number;
  windowMs: number;
  /** Requests in flight at once per token. */
  concurrency: number;
  clock: Clock;
  stats: ClientStats;
  logger: Logger;
  signal?: AbortSignal | undefined;
  /** Which token the next request will use; each token has its own budget. */
  keyOf: () => Promise<string>;
  /**
   * A pause longer than this (a Retry-After past the retry cap) fails the queued and the next requests at once
   * with that 429, instead of holding them for minutes: the retry wrapper gives up on it anyway.
   */
  maxPauseMs?: number;
}

interface Ticket {
  resolve: () => void;
  reject: (error: unknown) => void;
  signal?: AbortSignal | undefined;
  onAbort?: () => void;
}

/**
 * Paces one token's requests: a concurrency cap, a pause after a 429 (every caller waits the Retry-After, not only
 * the one that got it), and a budget. The budget is the server's own `inin-ratelimit-*` count while its answers
 * carry one: it slows the pace as the remaining budget runs low and stops it at zero before a 429 comes, and once
 * the reported reset has passed, one request goes alone to learn the new count (a window that starts afresh then
 * gives its whole budget at once; one that slides gives what its count says). Without that count (none yet, or an
 * answer without the headers), or when our own budget is the smaller (`requestsPerMinute` below the server's
 * `allowed`, to leave room for other users of the token), our own sliding window paces.
 * Hand-written rather than bottleneck/p-queue: those know nothing of server-reported budgets, and the whole policy
 * is ~150 lines that run on an injectable clock.
 */
export class TokenLimiter {
  private readonly starts: number[] = [];
  private readonly queue: Ticket[] = [];
  private active = 0;
  private pausedUntil = 0;
  /** From the last rate-limit headers: how many more starts the server allows before `hintResetAt`. */
  private hintRemaining = Infinity;
  private hintResetAt = 0;
  private startsSinceHint = 0;
  /** The server's limit from the last answer that carried one; 0 when the last answer carried none. */
  private hintAllowed = 0;
  /** A request sent after the reported reset, whose answer will carry the new count: the others wait for it. */
  private probing = false;
  private spacingMs = 0;
  private lastStart = -Infinity;
  private pumping = false;
  private wakePump: (() => void) | undefined;
  private pumpSleep: AbortController | undefined;

  constructor(private readonly config: Omit<ThrottleConfig, 'keyOf'>) {}

  get idle(): boolean {
    return this.active === 0 && this.queue.length === 0;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal);
    const paused = this.pausedUntil - this.config.clock.now();
    if (this.config.maxPauseMs !== undefined && paused > this.config.maxPauseMs) throw pausedError(paused);
    await new Promise<void>((resolve, reject) => {
      const ticket: Ticket = { resolve, reject, signal };
      if (signal) {
        ticket.onAbort = () => {
          const index = this.queue.indexOf(ticket);
          if (index >= 0) this.queue.splice(index, 1);
          if (this.queue.length === 0) this.pumpSleep?.abort();
          reject(abortError(signal));
        };
        signal.addEventListener('abort', ticket.onAbort, { once: true });
      }
      this.queue.push(ticket);
      this.pump();
    });
  }

  release(): void {
    this.active -= 1;
    // The probe is answered (or failed without a count: the next request becomes the probe).
    if (this.probing) {
      this.probing = false;
      this.pumpSleep?.abort();
    }
    this.wake();
  }

  /** The server said 429: nobody on this token starts again before the wait is over. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.config.clock.now() + ms);
    if (this.config.maxPauseMs === undefined || ms <= this.config.maxPauseMs) return;
    for (const ticket of this.queue.splice(0)) {
      if (ticket.onAbort) ticket.signal?.removeEventListener('abort', ticket.onAbort);
      ticket.reject(pausedError(ms));
    }
    this.pumpSleep?.abort();
  }

  observe(headers: Headers): void {
    const hint = readRateLimitHeaders(headers);
    this.hintAllowed = hint?.allowed ?? 0;
    if (!hint) return;
    // What a window's reset looks like on this org (README: first run against a sandbox org).
    if (this.probing) this.config.logger.debug?.(`rate limit: past the reported reset the server counts ${hint.count} of ${hint.allowed} (next reset in ${Math.round(hint.resetMs / 1000)} s)`);
    const now = this.config.clock.now();
    // Calls already in flight (other than the one answering) will land in the server's count too.
    this.hintRemaining = Math.max(0, hint.allowed - hint.count - Math.max(0, this.active - 1));
    this.hintResetAt = now + hint.resetMs;
    this.startsSinceHint = 0;
    // Spread the last tenth of the budget over the time left rather than spending it in a burst.
    const lowWater = Math.max(this.config.concurrency, Math.ceil(hint.allowed * 0.1));
    this.spacingMs = this.hintRemaining > 0 && this.hintRemaining <= lowWater ? hint.resetMs / this.hintRemaining : 0;
    this.pumpSleep?.abort();
    this.wake();
  }

  /** ms until another request may start (0: now). */
  private delay(now: number): number {
    while (this.starts.length > 0 && (this.starts[0] ?? 0) <= now - this.config.windowMs) this.starts.shift();
    const budget = this.config.requestsPerWindow;
    const serverCounts = this.hintAllowed > 0;
    let wait = Math.max(0, this.pausedUntil - now);
    if ((!serverCounts || budget < this.hintAllowed) && this.starts.length >= budget) {
      wait = Math.max(wait, (this.starts[0] ?? now) + this.config.windowMs - now);
    }
    if (now < this.hintResetAt) {
      if (this.startsSinceHint >= this.hintRemaining) wait = Math.max(wait, this.hintResetAt - now);
      else if (this.spacingMs > 0) wait = Math.max(wait, this.lastStart + this.spacingMs - now);
    } else if (serverCounts && this.probing) {
      wait = Math.max(wait, PROBE_WAIT_MS); // cut short by the probe's answer
    }
    return wait;
  }

  private wake(): void {
    const wake = this.wakePump;
    this.wakePump = undefined;
    wake?.();
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    void this.run().finally(() => {
      this.pumping = false;
      if (this.queue.length > 0) this.pump();
    });
  }

  private async run(): Promise<void> {
    const { clock } = this.config;
    while (this.queue.length > 0) {
      if (this.active >= this.config.concurrency) {
        await new Promise<void>((resolve) => (this.wakePump = resolve));
        continue;
      }
      const now = clock.now();
      const wait = this.delay(now);
      if (wait > 0) {
        this.pumpSleep = new AbortController();
        this.config.stats.waitedMs += wait;
        await clock.sleep(wait, this.pumpSleep.signal).catch(() => undefined);
        this.pumpSleep = undefined;
        continue;
      }
      const ticket = this.queue.shift();
      if (!ticket) break;
      if (ticket.onAbort) ticket.signal?.removeEventListener('abort', ticket.onAbort);
      this.active += 1;
      // Past the reported reset: this request learns the new count before any other is sent.
      if (this.hintAllowed > 0 && now >= this.hintResetAt) this.probing = true;
      this.starts.push(now);
      this.startsSinceHint += 1;
      this.lastStart = now;
      ticket.resolve();
    }
  }
}

/** How long the others wait for a probe's answer at most before looking again (the answer cuts it short). */
const PROBE_WAIT_MS = 1000;

function pausedError(ms: number): ApiError {
  const seconds = Math.ceil(ms / 1000);
  return new ApiError(`rate limited: Genesys asked this token to wait ${seconds} s, longer than the client waits; not sent`, {
    status: 429, code: 'too.many.requests', retryAfterMs: ms,
  });
}

/** The throttle wrapper: one TokenLimiter per token; calls without auth (OAuth, presigned URLs) pass straight through. */
export function throttleWrapper(config: ThrottleConfig): RequestWrapper {
  const limiters = new Map<string, TokenLimiter>();
  const limiterFor = (key: string): TokenLimiter => {
    let limiter = limiters.get(key);
    if (!limiter) {
      for (const [oldKey, old] of limiters) if (old.idle) limiters.delete(oldKey);
      limiter = new TokenLimiter(config);
      limiters.set(key, limiter);
    }
    return limiter;
  };
  return (next) =>
    async function throttled<T>(options: RequestOptions) {
      if (options.auth === false) return next<T>(options);
      const limiter = limiterFor(await config.keyOf());
      await limiter.acquire(combineSignals(config.signal, options.signal));
      try {
        const response = await next<T>(options);
        limiter.observe(response.headers);
        return response;
      } catch (error) {
        if (error instanceof ApiError && error.status === 429) {
          const wait = error.retryAfterMs ?? 1000;
          config.logger.warn?.(`rate limited by Genesys; pausing this token's requests for ${wait} ms`);
          limiter.pause(wait);
        }
        throw error;
      } finally {
        limiter.release();
      }
    };
}
