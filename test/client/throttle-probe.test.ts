import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenLimiter } from '../../src/client/http/throttle.js';
import type { Clock } from '../../src/client/index.js';
import { emptyStats } from '../../src/client/stats.js';

/** A clock that moves only when told: sleepers wake when their time comes, or when their signal aborts. */
function manualClock() {
  let now = 0;
  const sleepers: { until: number; wake: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: (ms, signal) => new Promise<void>((resolve, reject) => {
      const sleeper = { until: now + ms, wake: resolve };
      sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        sleepers.splice(sleepers.indexOf(sleeper), 1);
        reject(new Error('aborted'));
      }, { once: true });
    }),
    random: () => 0.5,
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    clock,
    async advance(ms: number): Promise<void> {
      now += ms;
      for (const sleeper of sleepers.filter((s) => s.until <= now)) {
        sleepers.splice(sleepers.indexOf(sleeper), 1);
        sleeper.wake();
      }
      await settle();
      await settle();
    },
    settle,
  };
}

const budget = (count: number, allowed: number, resetSeconds: number): Headers =>
  new Headers({ 'inin-ratelimit-count': String(count), 'inin-ratelimit-allowed': String(allowed), 'inin-ratelimit-reset': String(resetSeconds) });

test('past the reset the server reported, one request goes alone; its answer (the new count) lets the others go', async () => {
  const { clock, advance, settle } = manualClock();
  const limiter = new TokenLimiter({ requestsPerWindow: 300, windowMs: 60_000, concurrency: 8, clock, stats: emptyStats(), logger: {} });
  await limiter.acquire();
  limiter.observe(budget(300, 300, 10)); // the window's budget spent; it resets in 10 s
  limiter.release();

  const started: number[] = [];
  for (let i = 0; i < 4; i += 1) void limiter.acquire().then(() => started.push(i));
  await advance(5000);
  assert.equal(started.length, 0, 'nothing before the reset');
  await advance(5000);
  assert.deepEqual(started, [0], 'one request past the reset, alone');
  await advance(500);
  assert.equal(started.length, 1, 'the others wait for its answer');
  limiter.observe(budget(1, 300, 60)); // a window that started afresh
  limiter.release();
  await settle();
  await settle();
  assert.deepEqual(started, [0, 1, 2, 3]);
});

test('a probe whose answer says the window is still full (a sliding window) holds the others until the new reset', async () => {
  const { clock, advance } = manualClock();
  const limiter = new TokenLimiter({ requestsPerWindow: 300, windowMs: 60_000, concurrency: 8, clock, stats: emptyStats(), logger: {} });
  await limiter.acquire();
  limiter.observe(budget(300, 300, 10));
  limiter.release();
  const started: number[] = [];
  for (let i = 0; i < 3; i += 1) void limiter.acquire().then(() => started.push(i));
  await advance(10_000);
  assert.deepEqual(started, [0]);
  limiter.observe(budget(300, 300, 2)); // one place freed, taken by the probe; the next frees in 2 s
  limiter.release();
  await advance(1000);
  assert.deepEqual(started, [0], 'no request while the count says none is left');
  await advance(1000);
  assert.deepEqual(started, [0, 1], 'past the new reset: the next probe');
});
