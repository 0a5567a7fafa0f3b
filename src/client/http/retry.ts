import { ApiError, TLS_CERTIFICATE_CODES } from '../errors.js';
import type { ClientStats } from '../stats.js';
import { abortError, combineSignals, throwIfAborted } from './clock.js';
import type { Clock, Logger, RequestOptions, RequestWrapper } from './types.js';
import { isIdempotent } from './types.js';

export interface RetryConfig {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** A Retry-After above this fails at once instead of blocking (Genesys has been seen asking for 58 s). */
  maxRetryAfterMs: number;
  /** First back-off for 5xx and network errors; doubles per attempt. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  clock: Clock;
  stats: ClientStats;
  logger: Logger;
  signal?: AbortSignal | undefined;
}

/** Network codes that prove the request never reached the server, so even a non-idempotent call may be resent. */
const NEVER_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);
const REFUSED_ATTEMPTS = 3;
/** Network codes that will not heal by waiting (certificate failures among them: TLS_CERTIFICATE_CODES). */
const PERMANENT = new Set(['ENOTFOUND', 'aborted', 'ERR_INVALID_URL', 'ERR_FETCH_REJECTED', 'ERR_SSL_WRONG_VERSION_NUMBER', ...TLS_CERTIFICATE_CODES]);

/**
 * Outermost wrapper: repeats a failed attempt when waiting can help, and only then (style-guide §5.4, §5.6).
 * 429 is always retried (Genesys did not process it) after `Retry-After` plus jitter; 502/503 likewise with
 * exponential back-off; 504 and connection resets only for idempotent calls, because the server may have acted.
 * 400/401/403/404/409/422 and every other status are never retried here (401 is the auth wrapper's business).
 */
export function retryWrapper(config: RetryConfig): RequestWrapper {
  return (next) =>
    async function retrying<T>(options: RequestOptions) {
      const signal = combineSignals(config.signal, options.signal);
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await next<T>(options);
        } catch (error) {
          if (!(error instanceof ApiError) || attempt >= config.maxAttempts) throw error;
          const waitMs = retryDelay(error, options, attempt, config);
          if (waitMs === undefined) throw error;
          config.logger.info?.(
            `retrying ${options.method} ${error.url ?? options.path} in ${Math.round(waitMs)} ms ` +
              `(attempt ${attempt + 1} of ${config.maxAttempts}): ${error.status || error.code}`,
            { status: error.status, code: error.code, correlationId: error.correlationId },
          );
          config.stats.retries += 1;
          config.stats.waitedMs += waitMs;
          try {
            await config.clock.sleep(waitMs, signal);
          } catch (sleepError) {
            throw signal?.aborted ? abortError(signal) : sleepError;
          }
          throwIfAborted(signal);
        }
      }
    };
}

/** How long to wait before the next attempt, or undefined when this error must not be retried. */
export function retryDelay(error: ApiError, options: RequestOptions, attempt: number, config: RetryConfig): number | undefined {
  const backoff = Math.min(config.maxBackoffMs, config.baseBackoffMs * 2 ** (attempt - 1));
  const jittered = (ms: number): number => ms / 2 + config.clock.random() * (ms / 2);
  const idempotent = isIdempotent(options);
  if (error.status === 429) {
    if (error.retryAfterMs !== undefined) {
      if (error.retryAfterMs > config.maxRetryAfterMs) return undefined;
      // Jitter after the server's wait so that parallel callers do not all come back in the same millisecond.
      return error.retryAfterMs + config.clock.random() * Math.min(1000, Math.max(50, error.retryAfterMs * 0.2));
    }
    return Math.max(backoff, 1000) + config.clock.random() * 500; // never hammer a 429 at once
  }
  if (error.status === 502 || error.status === 503) {
    if (error.retryAfterMs !== undefined && error.retryAfterMs <= config.maxRetryAfterMs) {
      return Math.max(error.retryAfterMs, jittered(backoff));
    }
    return jittered(backoff);
  }
  if (error.status === 504) return idempotent ? jittered(backoff) : undefined;
  if (error.status === 0) {
    const code = error.code ?? '';
    if (PERMANENT.has(code)) return undefined;
    // Nothing listening: worth a short second look (a restarting gateway), not the full run of attempts.
    if (code === 'ECONNREFUSED' && attempt >= REFUSED_ATTEMPTS) return undefined;
    if (NEVER_SENT.has(code) || idempotent) return jittered(backoff);
  }
  return undefined;
}
