import { ApiError } from '../errors.js';
import type { Clock } from '../http/types.js';

/** How to wait for something asynchronous: first interval, growth, ceiling and overall deadline. */
export interface PollOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_POLL: Required<Omit<PollOptions, 'signal'>> = {
  initialMs: 500,
  maxMs: 5_000,
  factor: 1.5,
  timeoutMs: 10 * 60_000,
};

/**
 * Calls `read` with growing pauses until `done` says so. Each read is a normal request (throttled, retried);
 * the back-off keeps a long job from spending the token's budget on polls.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  clock: Clock,
  options: PollOptions = {},
): Promise<T> {
  const { initialMs, maxMs, factor, timeoutMs } = { ...DEFAULT_POLL, ...definedOnly(options) };
  const deadline = clock.now() + timeoutMs;
  let interval = initialMs;
  for (;;) {
    await clock.sleep(interval, options.signal);
    const value = await read();
    if (done(value)) return value;
    if (clock.now() >= deadline) {
      throw new ApiError(`${what} did not finish within ${Math.round(timeoutMs / 1000)} s`, {
        status: 0,
        kind: 'operation',
        code: 'operation.timeout',
      });
    }
    interval = Math.min(maxMs, interval * factor);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
