import type { Clock, Logger, Transport } from './http/types.js';

export interface ClientLimits {
  /** Request budget per token per rate window (Genesys: 300 a minute for client credentials). */
  requestsPerMinute: number;
  /** Length of the rate window, ms (60 000; the emulator can be run with a shorter one). */
  rateWindowMs: number;
  /** Requests in flight at once per token. */
  concurrency: number;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** A Retry-After longer than this fails the call at once instead of blocking. */
  maxRetryAfterMs: number;
  /** First back-off for 5xx and network errors; doubles per attempt up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** Per-attempt timeout. */
  requestTimeoutMs: number;
  /** A response body larger than this is refused (never buffered whole): a broken or hostile server cannot exhaust memory. */
  maxResponseBytes: number;
}

export const DEFAULT_LIMITS: ClientLimits = {
  requestsPerMinute: 300,
  rateWindowMs: 60_000,
  concurrency: 8,
  maxAttempts: 6,
  maxRetryAfterMs: 120_000,
  baseBackoffMs: 250,
  maxBackoffMs: 30_000,
  requestTimeoutMs: 60_000,
  maxResponseBytes: 64 * 1024 * 1024,
};

export interface ClientOptions {
  /**
   * Region domain (`mypurecloud.com`, `mypurecloud.ie`, `euw2.pure.cloud`), region key (`eu_west_1`,
   * `eu-west-1`), or an `http(s)://host:port` URL serving both `/oauth/token` and `/api/v2` (the emulator).
   * Default `mypurecloud.com`.
   */
  environment?: string;
  clientId: string;
  clientSecret: string;
  /** fetch-compatible function; default globalThis.fetch (undici: keep-alive connection reuse by default). */
  transport?: Transport;
  /** Receives redacted lines only. */
  logger?: Logger;
  /** Aborts every call, wait and poll of this client. */
  signal?: AbortSignal;
  limits?: Partial<ClientLimits>;
  /** Injectable time (tests run back-off and pacing in virtual time). */
  clock?: Partial<Clock>;
}
