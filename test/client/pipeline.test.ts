import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, createClient, type ClientOptions } from '../../src/client/index.js';
import { connectionError, fakeTransport, json, type Reply, type SeenCall, virtualClock } from './fakes.js';

const BASE = 'http://127.0.0.1:9';

function setup(
  route: (call: SeenCall) => Reply | undefined,
  extra: Partial<ClientOptions> = {},
  tokenTtlSec = 3600,
  tokenRoute?: (call: SeenCall) => Reply | undefined,
) {
  const clock = virtualClock();
  const transport = fakeTransport(route, clock, tokenTtlSec, tokenRoute);
  const client = createClient({
    environment: BASE,
    clientId: 'pipeline-client',
    clientSecret: 'pipeline-secret-value',
    transport,
    clock,
    ...extra,
  });
  return { client, transport, clock };
}

/** Answers with `replies` in order, then with the last one forever. */
function sequence(...replies: Reply[]): () => Reply {
  let index = 0;
  return () => replies[Math.min(index++, replies.length - 1)]!;
}

test('a 429 is retried after its Retry-After (plus jitter), then succeeds', async () => {
  const next = sequence(json(429, { message: 'Rate limit exceeded', code: 'too.many.requests' }, { 'retry-after': '3' }), json(200, { id: 'f1' }));
  const { client, transport, clock } = setup(() => next());
  const response = await client.request<{ id: string }>({ method: 'GET', path: '/api/v2/flows/f1' });
  assert.equal(response.data.id, 'f1');
  assert.equal(transport.apiCalls().length, 2);
  const [first, second] = transport.apiCalls();
  assert.ok(second!.at - first!.at >= 3000, `waited ${second!.at - first!.at} ms`);
  const stats = client.stats();
  assert.equal(stats.rateLimited, 1);
  assert.equal(stats.retries, 1);
  assert.equal(stats.byStatus[429], 1);
  assert.ok(clock.slept.some((ms) => ms >= 3000));
});

test('a 429 whose Retry-After exceeds the cap fails at once with retryAfterMs', async () => {
  const { client, transport } = setup(() => json(429, { message: 'slow down', code: 'too.many.requests' }, { 'retry-after': '600' }), {
    limits: { maxRetryAfterMs: 60_000 },
  });
  await assert.rejects(client.request({ method: 'GET', path: '/api/v2/flows' }), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterMs, 600_000);
    assert.equal(error.code, 'too.many.requests');
    return true;
  });
  assert.equal(transport.apiCalls().length, 1);
});

for (const status of [400, 403, 404, 409, 422, 500]) {
  test(`a ${status} is never retried, and carries code, message and correlation id`, async () => {
    const { client, transport } = setup(() => json(status, { message: `failure ${status}`, code: `code.${status}`, status }));
    await assert.rejects(client.request({ method: 'GET', path: '/api/v2/flows/x' }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, status);
      assert.equal(error.code, `code.${status}`);
      assert.equal(error.correlationId, `corr-${status}`);
      assert.match(error.message, new RegExp(`failure ${status}`));
      return true;
    });
    assert.equal(transport.apiCalls().length, 1);
    assert.equal(client.stats().retries, 0);
  });
}

test('a run of 503s is retried with growing back-off until it clears', async () => {
  const next = sequence(json(503, { message: 'down' }), json(503, { message: 'down' }), json(502, {}), json(200, { ok: true }));
  const { client, transport, clock } = setup(() => next());
  await client.request({ method: 'POST', path: '/api/v2/flows/actions/publish', query: { flow: 'f' } });
  assert.equal(transport.apiCalls().length, 4);
  const waits = clock.slept.filter((ms) => ms > 0);
  assert.equal(waits.length, 3);
  assert.ok(waits[0]! < waits[1]! && waits[1]! < waits[2]!, `back-off grows: ${waits.join(', ')}`);
});

test('attempts are bounded: a permanent 503 fails after maxAttempts', async () => {
  const { client, transport } = setup(() => json(503, { message: 'down', code: 'service.unavailable' }), { limits: { maxAttempts: 4 } });
  await assert.rejects(client.request({ method: 'GET', path: '/api/v2/flows' }), { status: 503 });
  assert.equal(transport.apiCalls().length, 4);
});

test('a connection reset is retried for a GET but not for a publish (it may have happened)', async () => {
  const get = sequence(connectionError('ECONNRESET'), json(200, { id: 'f' }));
  const a = setup(() => get());
  await a.client.request({ method: 'GET', path: '/api/v2/flows/f' });
  assert.equal(a.transport.apiCalls().length, 2);
  assert.equal(a.client.stats().networkErrors, 1);

  const b = setup(() => connectionError('ECONNRESET'));
  await assert.rejects(b.client.request({ method: 'POST', path: '/api/v2/flows/actions/publish', query: { flow: 'f' } }), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 0);
    assert.equal(error.kind, 'network');
    assert.equal(error.code, 'ECONNRESET');
    assert.match(error.message, /cannot reach 127\.0\.0\.1:9/);
    return true;
  });
  assert.equal(b.transport.apiCalls().length, 1);
});

test('a refused connection is retried even for a POST: the request never left', async () => {
  const next = sequence(connectionError('ECONNREFUSED'), json(200, { id: 'op' }));
  const { client, transport } = setup(() => next());
  await client.request({ method: 'POST', path: '/api/v2/flows/actions/checkin', query: { flow: 'f' } });
  assert.equal(transport.apiCalls().length, 2);
});

test('a 504 is retried only for idempotent calls', async () => {
  const a = setup(sequence(json(504, {}), json(200, {})));
  await a.client.request({ method: 'GET', path: '/api/v2/flows' });
  assert.equal(a.transport.apiCalls().length, 2);
  const b = setup(() => json(504, {}));
  await assert.rejects(b.client.request({ method: 'POST', path: '/api/v2/flows/actions/checkout' }), { status: 504 });
  assert.equal(b.transport.apiCalls().length, 1);
});

test('concurrent first calls share one token request (single flight)', async () => {
  const { client, transport } = setup(() => json(200, {}));
  await Promise.all(Array.from({ length: 12 }, () => client.request({ method: 'GET', path: '/api/v2/flows' })));
  assert.equal(transport.tokenCalls().length, 1);
  assert.equal(transport.apiCalls().length, 12);
  const token = transport.tokenCalls()[0]!;
  assert.equal(token.body, 'grant_type=client_credentials');
  assert.equal(token.headers.get('content-type'), 'application/x-www-form-urlencoded');
  assert.equal(token.headers.get('authorization'), `Basic ${Buffer.from('pipeline-client:pipeline-secret-value').toString('base64')}`);
  for (const call of transport.apiCalls()) assert.equal(call.headers.get('authorization'), `Bearer ${transport.tokensIssued[0]}`);
});

test('the token is reused until shortly before it expires, then renewed', async () => {
  const { client, transport, clock } = setup(() => json(200, {}), {}, 100);
  await client.request({ method: 'GET', path: '/api/v2/flows' });
  clock.advance(80_000);
  await client.request({ method: 'GET', path: '/api/v2/flows' });
  assert.equal(transport.tokenCalls().length, 1);
  clock.advance(15_000); // 95 s of 100: inside the renewal margin
  await client.request({ method: 'GET', path: '/api/v2/flows' });
  assert.equal(transport.tokenCalls().length, 2);
});

test('a 401 gets one new token and one resend; a second 401 is final', async () => {
  let rejectFirstToken = true;
  const { client, transport } = setup((call) => {
    const bearer = call.headers.get('authorization');
    if (rejectFirstToken && bearer?.includes('tok-1-')) return json(401, { message: 'expired', code: 'credentials.expired' });
    return json(200, { ok: bearer });
  });
  const response = await client.request<{ ok: string }>({ method: 'GET', path: '/api/v2/flows' });
  assert.match(response.data.ok, /tok-2-/);
  assert.equal(transport.tokenCalls().length, 2);
  assert.equal(transport.apiCalls().length, 2);

  rejectFirstToken = false;
  const always = setup(() => json(401, { message: 'no', code: 'bad.credentials' }));
  await assert.rejects(always.client.request({ method: 'GET', path: '/api/v2/flows' }), { status: 401 });
  assert.equal(always.transport.apiCalls().length, 2);
  assert.equal(always.transport.tokenCalls().length, 2);
});

test('wrong credentials: the token endpoint 401 is one clear error, sent once', async () => {
  const { client, transport } = setup(() => json(200, {}), {}, 3600, () => json(401, { error: 'invalid_client', description: 'bad client' }));
  await assert.rejects(client.request({ method: 'GET', path: '/api/v2/flows' }), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 401);
    assert.equal(error.code, 'invalid_client');
    assert.match(error.message, /authentication failed at 127\.0\.0\.1:9 for client id pipeline-client/);
    return true;
  });
  assert.equal(transport.tokenCalls().length, 1);
  assert.equal(transport.apiCalls().length, 0);
});

test('aborting during a Retry-After wait stops the call without another attempt', async () => {
  const controller = new AbortController();
  const { client, transport } = setup(() => {
    controller.abort(new Error('user pressed Ctrl-C'));
    return json(429, { message: 'wait' }, { 'retry-after': '5' });
  }, { signal: controller.signal });
  await assert.rejects(client.request({ method: 'GET', path: '/api/v2/flows' }), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.kind, 'aborted');
    return true;
  });
  assert.equal(transport.apiCalls().length, 1);
});

test('the throttle keeps to the budget per window and to the concurrency cap', async () => {
  let inFlight = 0;
  let maxInFlight = 0;
  const { client, transport } = setup(async () => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight -= 1;
    return json(200, {});
  }, { limits: { requestsPerMinute: 10, rateWindowMs: 1000, concurrency: 3 } });
  await Promise.all(Array.from({ length: 35 }, () => client.request({ method: 'GET', path: '/api/v2/flows' })));
  const times = transport.apiCalls().map((c) => c.at);
  assert.equal(times.length, 35);
  assert.ok(maxInFlight <= 3, `max in flight ${maxInFlight}`);
  for (let i = 0; i + 10 < times.length; i += 1) {
    assert.ok(times[i + 10]! - times[i]! >= 1000, `11 starts within one window at index ${i}`);
  }
});

test('the throttle stops before a 429 when the server reports the budget spent', async () => {
  let count = 0;
  const { client, transport } = setup(() => {
    count += 1;
    return json(200, {}, { 'inin-ratelimit-count': String(Math.min(count, 5)), 'inin-ratelimit-allowed': '5', 'inin-ratelimit-reset': '30' });
  }, { limits: { concurrency: 1 } });
  for (let i = 0; i < 7; i += 1) await client.request({ method: 'GET', path: '/api/v2/flows' });
  const times = transport.apiCalls().map((c) => c.at);
  // The 5th answer says 5 of 5 used: the 6th call waits for the reported reset (30 s).
  assert.ok(times[5]! - times[4]! >= 30_000, `gap ${times[5]! - times[4]!}`);
});

/**
 * A server's rate limit over virtual time, with Genesys' headers: `fixed` windows start with the first request and
 * reset whole (what the emulator models); `sliding` windows count the last `windowMs`, and their reset is when the
 * oldest request in the window leaves it. Over the limit: a 429 that does not count.
 */
function rateLimitedServer(kind: 'fixed' | 'sliding', allowed: number, windowMs: number) {
  const accepted: number[] = [];
  let windowStart = -Infinity;
  let limited = 0;
  const answer = (call: SeenCall): Response => {
    const now = call.at;
    let count: number;
    let resetMs: number;
    if (kind === 'fixed') {
      if (now >= windowStart + windowMs) windowStart = now;
      count = accepted.filter((at) => at >= windowStart).length;
      resetMs = windowStart + windowMs - now;
    } else {
      const inWindow = accepted.filter((at) => at > now - windowMs);
      count = inWindow.length;
      resetMs = count > 0 ? inWindow[0]! + windowMs - now : windowMs;
    }
    const headers = (used: number) => ({
      'inin-ratelimit-count': String(used), 'inin-ratelimit-allowed': String(allowed), 'inin-ratelimit-reset': String(Math.max(1, Math.ceil(resetMs / 1000))),
    });
    if (count >= allowed) {
      limited += 1;
      return json(429, { message: 'Rate limit exceeded', code: 'too.many.requests' }, { 'retry-after': String(Math.ceil(resetMs / 1000)), ...headers(count) });
    }
    accepted.push(now);
    return json(200, {}, headers(count + 1));
  };
  return { answer, accepted, limited: () => limited };
}

test('the server\'s count paces a sliding window too: past the reported reset, one request learns the count, and no 429 comes', async () => {
  // The emulator's window is fixed (docs/emulator.md); a server whose window slides must be just as safe.
  const server = rateLimitedServer('sliding', 50, 10_000);
  const { client, clock } = setup(server.answer, { limits: { requestsPerMinute: 50, rateWindowMs: 10_000, concurrency: 4 } });
  // The first window's budget spent evenly: when its reset comes, a sliding window frees one request's room at a time.
  for (let i = 0; i < 50; i += 1) {
    await client.request({ method: 'GET', path: '/api/v2/flows' });
    await clock.sleep(100);
  }
  await Promise.all(Array.from({ length: 50 }, () => client.request({ method: 'GET', path: '/api/v2/flows' })));
  assert.equal(server.limited(), 0, 'no 429');
  assert.equal(server.accepted.length, 100);
});

test('one 429 pauses the other callers on the same token too', async () => {
  let first = true;
  const { client, transport } = setup(() => {
    if (first) {
      first = false;
      return json(429, { message: 'slow' }, { 'retry-after': '10' });
    }
    return json(200, {});
  }, { limits: { concurrency: 1 } });
  const started = transport.calls.length;
  await Promise.all(Array.from({ length: 4 }, () => client.request({ method: 'GET', path: '/api/v2/flows' })));
  const api = transport.apiCalls();
  assert.equal(api.length - started + 1, 5 - started + 1); // 4 requests + 1 retry
  assert.equal(api.length, 5);
  for (const call of api.slice(1)) assert.ok(call.at - api[0]!.at >= 10_000, 'no call during the pause');
});
