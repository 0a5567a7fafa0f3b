import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type Flow } from '../../src/client/index.js';
import { emulatorHarness, on, pageOf, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await emulatorHarness();
});
after(async () => {
  await h.close();
});
beforeEach(async () => {
  await h.reset();
});

const INBOUND = ['inboundcall', 'inboundchat', 'inboundemail', 'inboundshortmessage'];
const PAGE = 50;

async function walk(client = h.client(), prefetch = 1): Promise<string[]> {
  const ids: string[] = [];
  for await (const flow of client.flows.list({ type: INBOUND }, { pageSize: PAGE, prefetch })) ids.push(flow.id);
  return ids;
}

async function flowNamed(name: string): Promise<Flow> {
  const flow = await h.client().flows.findByName(name, 'inboundcall');
  assert.ok(flow, `${name} exists in the demo org`);
  return flow;
}

/** Every page of the walk answered 200 exactly once. */
function assertEachPageOnce(requests: Awaited<ReturnType<Harness['requests']>>, pages: number): void {
  const ok = on(requests, 'GET', '/api/v2/flows').filter((r) => r.status === 200).map(pageOf).sort((a, b) => a - b);
  assert.deepEqual(ok, Array.from({ length: pages }, (_, i) => i + 1));
}

test('the paged walk sees every inbound flow once, with one request per page', async () => {
  const ids = await walk();
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.length >= 300, `demo org has ${ids.length} inbound flows`);
  const pages = Math.ceil(ids.length / PAGE);
  const requests = await h.requests();
  assert.equal(on(requests, 'GET', '/api/v2/flows').length, pages);
  assert.equal(on(requests, 'POST', '/oauth/token').length, 1);
  assertEachPageOnce(requests, pages);
});

test('a 429 storm with Retry-After: the walk completes, each 429 is followed by one retry after the wait', async () => {
  const expected = await walk();
  await h.reset();
  await h.fault({ method: 'GET', path: '/api/v2/flows', status: 429, retryAfter: 1, count: 2, skip: 1 });
  const client = h.client();
  const ids = await walk(client);
  assert.deepEqual(ids, expected);
  const requests = on(await h.requests(), 'GET', '/api/v2/flows');
  const pages = Math.ceil(expected.length / PAGE);
  assert.equal(requests.length, pages + 2, 'no request beyond one retry per 429');
  assertEachPageOnce(requests, pages);
  const limited = requests.filter((r) => r.status === 429);
  assert.equal(limited.length, 2);
  for (const hit of limited) {
    const nextCall = requests.find((r) => r.seq > hit.seq)!;
    assert.ok(nextCall.time - hit.time >= 990, `Retry-After honoured (${nextCall.time - hit.time} ms)`);
  }
  assert.equal(client.stats().rateLimited, 2);
  assert.equal(client.stats().retries, 2);
});

test('parallel pages all hit by 429 wait together and are each retried once', async () => {
  const expected = await walk();
  await h.reset();
  await h.fault({ method: 'GET', path: '/api/v2/flows', status: 429, retryAfter: 0, count: 4, skip: 1 });
  const ids = await walk(h.client({ limits: { concurrency: 4, baseBackoffMs: 10, maxBackoffMs: 100 } }), 4);
  assert.deepEqual(ids, expected);
  const requests = on(await h.requests(), 'GET', '/api/v2/flows');
  assert.equal(requests.length, Math.ceil(expected.length / PAGE) + 4);
  assertEachPageOnce(requests, Math.ceil(expected.length / PAGE));
});

test('a run of 503s on one flow: retried with back-off until it answers', async () => {
  const flow = await flowNamed('Sales_Line_001');
  await h.clearRequests();
  await h.fault({ method: 'GET', path: `/api/v2/flows/${flow.id}`, status: 503, count: 3 });
  const got = await h.client().flows.get(flow.id);
  assert.equal(got.name, 'Sales_Line_001');
  const requests = on(await h.requests(), 'GET', `/api/v2/flows/${flow.id}`);
  assert.deepEqual(requests.map((r) => r.status), [503, 503, 503, 200]);
});

test('connection resets during the walk are retried (GET is idempotent); nothing is lost or doubled', async () => {
  const expected = await walk();
  await h.reset();
  await h.fault({ method: 'GET', path: '/api/v2/flows', reset: true, count: 2, skip: 2 });
  const client = h.client();
  const ids = await walk(client);
  assert.deepEqual(ids, expected);
  assert.equal(client.stats().networkErrors, 2);
  assertEachPageOnce(await h.requests(), Math.ceil(expected.length / PAGE));
});

test('a connection reset on publish is not resent blindly: one request, a network ApiError', async () => {
  const flow = await flowNamed('Sales_Line_001');
  await h.clearRequests();
  await h.fault({ method: 'POST', path: '/api/v2/flows/actions/publish', reset: true, count: 1 });
  await assert.rejects(h.client().flows.publish(flow.id), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.kind, 'network');
    assert.equal(error.status, 0);
    return true;
  });
  assert.equal(on(await h.requests(), 'POST', '/api/v2/flows/actions/publish').length, 1);
});

test('a token that expires mid-walk: one 401, one new token, the page is sent again once', async () => {
  const expected = await walk();
  await h.reset();
  const client = h.client();
  const ids: string[] = [];
  let pagesSeen = 0;
  for await (const page of client.flows.pages({ type: INBOUND }, { pageSize: PAGE })) {
    ids.push(...page.entities.map((f) => f.id));
    pagesSeen += 1;
    if (pagesSeen === 2) await h.expireTokens();
  }
  assert.deepEqual(ids, expected);
  const requests = await h.requests();
  assert.equal(on(requests, 'POST', '/oauth/token').length, 2);
  const walkRequests = on(requests, 'GET', '/api/v2/flows');
  const unauthorized = walkRequests.filter((r) => r.status === 401);
  assert.equal(unauthorized.length, 1);
  assert.equal(pageOf(unauthorized[0]!), 3);
  assert.equal(walkRequests.length, Math.ceil(expected.length / PAGE) + 1);
  assertEachPageOnce(requests, Math.ceil(expected.length / PAGE));
});

test('404 and 409 are sent once and reported with their Genesys code', async () => {
  const client = h.client();
  // A flow someone else has locked: checkout conflicts.
  let lockedFlow: Flow | undefined;
  for await (const flow of client.flows.list({ type: ['inboundcall'] })) {
    if (flow.lockedUser) {
      lockedFlow = flow;
      break;
    }
  }
  assert.ok(lockedFlow, 'the demo org has a flow locked by a user');
  await h.clearRequests();
  await assert.rejects(client.flows.get('00000000-0000-4000-8000-00000000dead'), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 404);
    assert.ok(error.code, 'has a Genesys code');
    assert.ok(error.correlationId, 'has a correlation id');
    return true;
  });
  await assert.rejects(client.flows.checkout(lockedFlow.id), (error: unknown) => {
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 409);
    assert.equal(error.code, 'architect.flow.locked.by.user');
    return true;
  });
  const requests = await h.requests();
  assert.equal(on(requests, 'GET', '/api/v2/flows/00000000-0000-4000-8000-00000000dead').length, 1);
  assert.equal(on(requests, 'POST', '/api/v2/flows/actions/checkout').length, 1);
});

for (const status of [400, 403, 422]) {
  test(`an injected ${status} is sent once`, async () => {
    await h.fault({ method: 'GET', path: '/api/v2/flows', status, count: 5 });
    await assert.rejects(walk(), { status });
    assert.equal(on(await h.requests(), 'GET', '/api/v2/flows').length, 1);
  });
}

test('the throttle follows the server budget from inin-ratelimit headers: no 429 even with a larger own budget', async () => {
  const tight = await emulatorHarness({ rateLimit: 6, rateWindowMs: 1000 });
  try {
    const client = tight.client({ limits: { requestsPerMinute: 1000, concurrency: 3, baseBackoffMs: 10, maxBackoffMs: 100 } });
    const flow = (await client.flows.findByName('Sales_Line_001', 'inboundcall'))!;
    await Promise.all(Array.from({ length: 11 }, () => client.flows.get(flow.id)));
    const requests = await tight.requests();
    const limited = requests.filter((r) => r.status === 429).length;
    assert.equal(limited, 0, `429s: ${limited}`);
    assert.equal(on(requests, 'GET', `/api/v2/flows/${flow.id}`).length, 11);
  } finally {
    await tight.close();
  }
});

/**
 * Against the emulator's window of 20 requests per 2 s (fixed, starting with the token's first request: Genesys'
 * `inin-ratelimit-reset` counts down to it), one request, a pause of 1.5 s, then 29 more: the first window's
 * budget is spent late in it.
 */
async function lateInTheWindow(ownPerWindow: number): Promise<{ t0: number; ok: number[]; limited: number }> {
  const tight = await emulatorHarness({ rateLimit: 20, rateWindowMs: 2000 });
  try {
    const client = tight.client({ limits: { requestsPerMinute: ownPerWindow, rateWindowMs: 2000, concurrency: 4, baseBackoffMs: 10, maxBackoffMs: 100 } });
    const flow = (await client.flows.findByName('Sales_Line_001', 'inboundcall'))!;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await Promise.all(Array.from({ length: 29 }, () => client.flows.get(flow.id)));
    const api = (await tight.requests()).filter((r) => r.kind === 'api');
    const ok = api.filter((r) => r.status === 200).map((r) => r.time);
    return { t0: ok[0]!, ok, limited: api.filter((r) => r.status === 429).length };
  } finally {
    await tight.close();
  }
}

test('the server\'s count paces once known: when its window resets, the whole new budget follows at once, no 429', async () => {
  const { t0, ok, limited } = await lateInTheWindow(20);
  assert.equal(limited, 0, `429s: ${limited}`);
  assert.equal(ok.length, 30);
  // Our own sliding window (20 per 2 s) would free no room before 3.5 s but the first request's (at 2 s): the
  // requests of the second window come at its start instead, not 2 s after the first window's late ones.
  const secondWindowEarly = ok.filter((at) => at >= t0 + 2000 && at < t0 + 3400).length;
  assert.ok(secondWindowEarly >= 9, `${secondWindowEarly} requests in the second window before 3.4 s`);
});

test('our own budget paces when it is the smaller (room left on the token for others), whatever the server counts', async () => {
  const { ok, limited } = await lateInTheWindow(8);
  assert.equal(limited, 0);
  assert.equal(ok.length, 30);
  // Nine starts within 2 s would break our budget of 8 (arrival times may bunch by a few ms, hence 1900).
  for (let i = 0; i + 8 < ok.length; i += 1) assert.ok(ok[i + 8]! - ok[i]! >= 1900, `nine requests within ${ok[i + 8]! - ok[i]!} ms at ${i}`);
});

test('export: many flows in one job, YAML per flow from the zip, an unexportable flow reported by id', async () => {
  const client = h.client();
  const names = ['Sales_Line_001', 'Sales_Line_002', 'Sales_Line_003'];
  const flows = await Promise.all(names.map(flowNamed));
  const missing = '00000000-0000-4000-8000-0000000000aa';
  await h.clearRequests();
  const results = await client.exportJobs.exportFlows(
    [...flows.map((f) => ({ id: f.id, version: f.publishedVersion!.id })), { id: missing }],
    { poll: { initialMs: 50 } },
  );
  assert.equal(results.length, 4);
  for (const [i, flow] of flows.entries()) {
    const result = results[i]!;
    assert.equal(result.flowId, flow.id);
    assert.ok(result.ok, `exported ${flow.name}`);
    assert.match(result.yaml, new RegExp(names[i]!));
  }
  const failed = results[3]!;
  assert.equal(failed.ok, false);
  assert.ok(!failed.ok && failed.error.includes(missing), 'the failure names the flow');
  const requests = await h.requests();
  assert.equal(on(requests, 'POST', '/api/v2/flows/export/jobs').length, 1, 'one job for four flows');
  assert.equal(requests.filter((r) => r.kind === 'download').length, 1);
});
