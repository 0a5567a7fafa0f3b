import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startApi } from './api.js';
import { CLIENT_ID } from './fixtures.js';

const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

test('token endpoint: good credentials, wrong secret, unknown client, bad grant', async () => {
  const api = await startApi();
  try {
    const post = (auth: string | undefined, body: string) => fetch(`${api.emu.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) },
      body,
    });
    const ok = await post(basic(CLIENT_ID, 'flowlink-demo-secret'), 'grant_type=client_credentials');
    assert.equal(ok.status, 200);
    const token = (await ok.json()) as Record<string, unknown>;
    assert.equal(token.token_type, 'bearer');
    assert.equal(token.expires_in, 86400);
    assert.equal(typeof token.access_token, 'string');

    for (const auth of [basic(CLIENT_ID, 'wrong'), basic('someone-else', 'flowlink-demo-secret'), undefined]) {
      const res = await post(auth, 'grant_type=client_credentials');
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { error: string }).error, 'invalid_client');
    }
    for (const body of ['grant_type=password', '']) {
      const res = await post(basic(CLIENT_ID, 'flowlink-demo-secret'), body);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: string }).error, 'unsupported_grant_type');
    }
  } finally {
    await api.close();
  }
});

test('API calls: no token, unknown token, expired token (TTL and control-plane expiry)', async () => {
  let now = 1_000_000;
  const api = await startApi({ now: () => now, tokenTtlSec: 300 });
  try {
    assert.equal((await api.call('GET', '/api/v2/flows')).status, 200);
    const saved = api.token;
    api.token = '';
    const none = await api.call('GET', '/api/v2/flows');
    assert.equal(none.status, 401);
    assert.equal(none.body.code, 'authentication.required');
    assert.ok(none.headers.get('inin-correlation-id'));
    api.token = 'not-a-token';
    assert.equal((await api.call('GET', '/api/v2/flows')).body.code, 'authentication.required');
    api.token = saved;

    now += 299_000;
    assert.equal((await api.call('GET', '/api/v2/flows')).status, 200);
    now += 1_000;
    const expired = await api.call('GET', '/api/v2/flows');
    assert.equal(expired.status, 401);
    assert.equal(expired.body.code, 'credentials.expired');

    await api.login();
    assert.equal((await api.call('GET', '/api/v2/flows')).status, 200);
    await api.control('POST', '/tokens/expire');
    assert.equal((await api.call('GET', '/api/v2/flows')).body.code, 'credentials.expired');
  } finally {
    await api.close();
  }
});

test('rate limit: requests 1..N pass, request N+1 is the first 429; rejected requests use no budget; window resets', async () => {
  let now = 5_000_000;
  const api = await startApi({ now: () => now, rateLimit: 5, rateWindowMs: 10_000 });
  try {
    const statuses: number[] = [];
    const counts: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const res = await api.call('GET', '/api/v2/flows?pageSize=1');
      statuses.push(res.status);
      counts.push(res.headers.get('inin-ratelimit-count') ?? '');
      assert.equal(res.headers.get('inin-ratelimit-allowed'), '5');
      if (res.status === 429) {
        assert.equal(res.body.code, 'too.many.requests');
        assert.equal(res.body.status, 429);
        assert.match(res.body.message, /^Rate limit exceeded the maximum\. Retry the request in \[\d+\] seconds$/);
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
      }
      now += 100;
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    assert.equal(statuses.indexOf(429), 5, 'the sixth request is the first one rejected');
    assert.deepEqual(counts.slice(0, 6), ['1', '2', '3', '4', '5', '5']);
    now += 10_000;
    const fresh = await api.call('GET', '/api/v2/flows?pageSize=1');
    assert.equal(fresh.status, 200);
    assert.equal(fresh.headers.get('inin-ratelimit-count'), '1');
    const log = await api.control('GET', '/requests');
    assert.equal(log.requests.filter((r: { status: number }) => r.status === 429).length, 3);
  } finally {
    await api.close();
  }
});

test('rate limit is per token: a second token has its own budget', async () => {
  const api = await startApi({ rateLimit: 2 });
  try {
    await api.call('GET', '/api/v2/flows');
    await api.call('GET', '/api/v2/flows');
    assert.equal((await api.call('GET', '/api/v2/flows')).status, 429);
    await api.login();
    assert.equal((await api.call('GET', '/api/v2/flows')).status, 200);
  } finally {
    await api.close();
  }
});
