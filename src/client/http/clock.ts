import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from './types.js';
import { ApiError } from '../errors.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  async sleep(ms, signal) {
    if (ms <= 0) {
      throwIfAborted(signal);
      return;
    }
    try {
      await delay(ms, undefined, signal ? { signal } : undefined);
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw error;
    }
  },
  random: () => Math.random(),
};

export function abortError(signal?: AbortSignal): ApiError {
  const reason = signal?.reason instanceof Error ? signal.reason.message : 'the operation was aborted';
  return new ApiError(`aborted: ${reason}`, { status: 0, code: 'aborted', cause: signal?.reason });
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Both the client's signal and the call's; either aborts. */
export function combineSignals(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}
