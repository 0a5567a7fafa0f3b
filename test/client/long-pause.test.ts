import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/client/index.js';
import { emulatorHarness, on, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await emulatorHarness();
});
after(async () => h.close());

test('a Retry-After past the cap fails the waiting requests at once instead of holding them for minutes', { timeout: 20_000 }, async () => {
  await h.reset();
  // One request at a time: the others queue in the throttle behind the one that gets the 429.
  const client = h.client({ limits: { concurrency: 1, maxRetryAfterMs: 60_000 } });
  await client.authenticate();
  await h.fault({ method: 'GET', path: '/api/v2/flows/*', status: 429, retryAfter: 600, count: 1 });
  await h.clearRequests();
  const ids = ['a', 'b', 'c', 'd'].map((s) => `00000000-0000-4000-8000-00000000000${s}`);
  const outcomes = await Promise.allSettled(ids.map((id) => client.flows.get(id)));
  for (const outcome of outcomes) {
    assert.equal(outcome.status, 'rejected');
    const error = (outcome as PromiseRejectedResult).reason as ApiError;
    assert.ok(ApiError.is(error), String(error));
    assert.equal(error.status, 429);
    assert.ok((error.retryAfterMs ?? 0) > 60_000, `retryAfterMs ${error.retryAfterMs}`);
  }
  // Only the first request reached the server; the queued ones were not sent, and nothing was retried.
  assert.equal(on(await h.requests(), 'GET', /^\/api\/v2\/flows\//).length, 1);
  // Later calls on the same token fail at once too, until the pause is over.
  await assert.rejects(client.flows.get(ids[0] as string), (error: unknown) => ApiError.is(error) && error.status === 429);
  assert.equal(on(await h.requests(), 'GET', /^\/api\/v2\/flows\//).length, 1);
});
