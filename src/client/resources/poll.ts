import { ApiError } from '../errors.js';
import type { Clock } from '../http/types.js';

/**
 * How to wait for something asynchronous: the pause before the first look, the pause after it, growth, ceiling,
 * and when to stop looking. The one polling policy of the client (export jobs, import jobs, flow operations).
 */
export interface PollOptions {
  /** The pause before the first look. Default 500 ms. */
  initialMs?: number;
  /** The pause after the first look; each later pause is the one before times `factor`. Default `initialMs × factor`. */
  againMs?: number;
  /** Growth of the pauses after the first look. Default 1.5. */
  factor?: number;
  /** The longest pause after the first look. Default 5 s. */
  maxMs?: number;
  /**
   * When to stop looking: epoch ms on the client's clock. The pause before a look never runs past it, so the last
   * look is taken at the deadline; a deadline already passed still gets one look. None: look until done (or aborted).
   */
  deadline?: number;
  signal?: AbortSignal;
  /** How the first look went, and the pause before it (for a caller that learns when to look first). */
  onFirstLook?: (done: boolean, waitedMs: number) => void;
}

export const DEFAULT_POLL = { initialMs: 500, factor: 1.5, maxMs: 5_000 } as const;

/** What a wait saw last: `done` when `done(value)` held, else the deadline came first. */
export interface Polled<T> {
  value: T;
  done: boolean;
}

/**
 * Calls `read` with growing pauses until `done` says so or the deadline passes; either way the last value read is
 * returned (never an exception for a deadline). Each read is a normal request (throttled, retried); the back-off
 * keeps a long job from spending the token's budget on polls. `onFirstLook` hears how the first look went (for a
 * caller that learns when to look first) and the pause that preceded it.
 */
export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  clock: Clock,
  options: PollOptions = {},
): Promise<Polled<T>> {
  const { initialMs, factor, maxMs } = { ...DEFAULT_POLL, ...definedOnly(options) };
  const { deadline, signal } = options;
  let planned = initialMs;
  for (let look = 0; ; look += 1) {
    const pause = deadline === undefined ? planned : Math.max(0, Math.min(planned, deadline - clock.now()));
    await clock.sleep(pause, signal);
    const value = await read();
    const finished = done(value);
    if (look === 0) options.onFirstLook?.(finished, pause);
    if (finished) return { value, done: true };
    if (deadline !== undefined && clock.now() >= deadline) return { value, done: false };
    planned = look === 0 ? Math.min(maxMs, options.againMs ?? initialMs * factor) : Math.min(maxMs, planned * factor);
  }
}

/** Ten minutes: how long `pollUntil` waits when given no deadline. */
export const DEFAULT_OPERATION_TIMEOUT_MS = 10 * 60_000;

/**
 * `poll` for a caller that wants the value or an error (flow operations): a deadline passed is an `operation.timeout`
 * ApiError. Without a deadline it waits at most DEFAULT_OPERATION_TIMEOUT_MS.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  clock: Clock,
  options: PollOptions = {},
): Promise<T> {
  const started = clock.now();
  const deadline = options.deadline ?? started + DEFAULT_OPERATION_TIMEOUT_MS;
  const result = await poll(read, done, clock, { ...options, deadline });
  if (result.done) return result.value;
  throw new ApiError(`${what} did not finish within ${Math.round((deadline - started) / 1000)} s`, {
    status: 0,
    kind: 'operation',
    code: 'operation.timeout',
  });
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
