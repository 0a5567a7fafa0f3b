import type { Faults } from './core/faults.js';
import type { RateLimiter } from './core/rate-limit.js';
import type { RequestLog } from './core/request-log.js';
import type { ResolvedOptions } from './options.js';
import type { Store } from './state/store.js';
import type { Lock } from './state/types.js';

/** The running emulator as services see it (moto's backend): state, options and the cross-cutting parts. */
export interface Emulator {
  store: Store;
  options: ResolvedOptions;
  faults: Faults;
  limiter: RateLimiter;
  requestLog: RequestLog;
  /** The configured OAuth client as a lock holder (`lockedClient`). */
  client: Lock;
  /** The URL the server listens on (for requests without a Host header). */
  baseUrl(): string;
}
