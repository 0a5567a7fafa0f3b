import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ApiError, createClient } from '../../src/client/index.js';
import { fakeTransport, json, virtualClock } from './fakes.js';

const SECRET = 'redaction-test-client-secret-9f8e7d';

test('no secret, token or Basic value reaches an error message, its JSON, its inspection or a log line', async () => {
  const clock = virtualClock();
  const lines: string[] = [];
  const logger = {
    debug: (m: string, d?: unknown) => lines.push(m + JSON.stringify(d ?? {})),
    info: (m: string, d?: unknown) => lines.push(m + JSON.stringify(d ?? {})),
    warn: (m: string, d?: unknown) => lines.push(m + JSON.stringify(d ?? {})),
    error: (m: string, d?: unknown) => lines.push(m + JSON.stringify(d ?? {})),
  };
  let calls = 0;
  // A misbehaving server that echoes the request's Authorization header back in its error bodies.
  const transport = fakeTransport((call) => {
    calls += 1;
    const echoed = call.headers.get('authorization') ?? '';
    if (calls === 1) return json(401, { message: `token ${echoed.slice(7)} expired`, code: 'credentials.expired' });
    if (calls === 2) return json(429, { message: `slow down, ${echoed}` }, { 'retry-after': '1' });
    return json(409, { message: `conflict for ${echoed}; secret was ${SECRET}`, code: 'architect.flow.locked.by.user', details: [echoed] });
  }, clock);
  const client = createClient({ environment: 'http://127.0.0.1:9', clientId: 'redaction-client', clientSecret: SECRET, transport, clock, logger });

  let caught: unknown;
  try {
    await client.request({ method: 'GET', path: '/api/v2/flows/x' });
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ApiError);
  assert.equal(caught.status, 409);
  const basic = Buffer.from(`redaction-client:${SECRET}`).toString('base64');
  const texts = [caught.message, JSON.stringify(caught), inspect(caught, { depth: 5 }), String(caught.stack), ...lines];
  assert.ok(transport.tokensIssued.length >= 2, 'two tokens were issued (the 401 forced a new one)');
  assert.ok(lines.length > 0, 'the client logged its retries');
  for (const text of texts) {
    assert.ok(!text.includes(SECRET), `client secret leaked: ${text}`);
    assert.ok(!text.includes(basic), `Basic value leaked: ${text}`);
    for (const token of transport.tokensIssued) assert.ok(!text.includes(token), `token leaked: ${text}`);
  }
  assert.match(caught.message, /\[REDACTED\]/);
});

test('a token endpoint failure that echoes the Basic header is redacted too', async () => {
  const clock = virtualClock();
  const secret = 'another-secret-for-login-failure';
  const transport = fakeTransport(() => json(200, {}), clock, 3600, (call) =>
    json(401, { error: 'invalid_client', description: `rejected ${call.headers.get('authorization')}` }));
  const client = createClient({ environment: 'http://127.0.0.1:9', clientId: 'cid', clientSecret: secret, transport, clock });
  const error = await client.authenticate().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ApiError);
  const basic = Buffer.from(`cid:${secret}`).toString('base64');
  for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 5 })]) {
    assert.ok(!text.includes(basic));
    assert.ok(!text.includes(secret));
  }
});
