/**
 * The benchmark's real-world assumptions and its time scale. Every figure the benchmarks print is for these
 * real-world values; the runs themselves go `factor` times faster so that `npm run bench` fits in minutes.
 *
 * How the scaling is done: both the emulator and the flowlink client read time from a clock that runs `factor`
 * times faster than the wall clock (`scaledClock`). So the rate window (60 s), the import/export job duration,
 * Retry-After, the client's poll intervals, back-offs and pacing all keep their real-world values and ratios, and
 * each passes in 1/factor of the wall time: with factor 10 the window of 300 requests lasts 6 s and a 1.5 s job
 * 150 ms. Emulator latency is a real sleep, so it is divided by the factor directly. What cannot be scaled is the
 * CPU and disk work of both processes (parsing, splicing, fsync): it counts `factor` times heavier in the
 * scaled-back figures than it would in a real run, which makes them slightly pessimistic.
 */
import type { Clock } from '../../src/client/index.js';
import { abortError } from '../../src/client/http/clock.js';

export interface BenchSettings {
  /** Time scale: wall time x factor = real-world time. */
  factor: number;
  /** Rate-limited API requests per token per minute (Genesys: 300 for client credentials). */
  budgetPerMinute: number;
  /** Real-world latency of each API answer, ms. */
  latencyMs: number;
  /** Real-world duration of an import or export job, ms. */
  jobMs: number;
}

export const DEFAULT_SETTINGS: BenchSettings = {
  factor: 10,
  budgetPerMinute: 300,
  latencyMs: 30,
  jobMs: 1500,
};

/** A clock running `factor` times faster than the wall clock, from now on (aborts as the client's own clock does). */
export function scaledClock(factor: number): Clock {
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) * factor,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(abortError(signal));
        const timer = setTimeout(done, Math.max(0, ms / factor));
        function done(): void {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
        function onAbort(): void {
          clearTimeout(timer);
          reject(abortError(signal));
        }
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    random: () => Math.random(),
  };
}

/** Wall milliseconds -> real-world milliseconds. */
export const toRealMs = (wallMs: number, settings: BenchSettings): number => wallMs * settings.factor;

/** One line that says what was assumed and how it was scaled, for the table and results.json. */
export function describeSettings(settings: BenchSettings): string {
  const f = settings.factor;
  return (
    `real world: ${settings.budgetPerMinute} requests/min per token, ${settings.latencyMs} ms per API answer, ` +
    `${settings.jobMs / 1000} s per import/export job; run ${f}x faster (window ${60 / f} s, job ${settings.jobMs / f} ms, ` +
    `latency ${settings.latencyMs / f} ms of wall time)`
  );
}
