import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRetryAfter } from '../../src/client/http/parse-retry-after.js';
import { readRateLimitHeaders } from '../../src/client/http/rate-limit-headers.js';
import { ClientOptionsError, REGION_DOMAINS, resolveEnvironment } from '../../src/client/index.js';

test('Retry-After: integer and decimal seconds become ms', () => {
  assert.equal(parseRetryAfter('17', 0), 17_000);
  assert.equal(parseRetryAfter(' 0 ', 0), 0);
  assert.equal(parseRetryAfter('1.5', 0), 1_500);
});

test('Retry-After: an HTTP date becomes the ms until then, never negative', () => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
  assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', now), 0);
});

test('Retry-After: absent or unreadable is undefined', () => {
  assert.equal(parseRetryAfter(null, 0), undefined);
  assert.equal(parseRetryAfter('', 0), undefined);
  assert.equal(parseRetryAfter('-5', 0), undefined);
  assert.equal(parseRetryAfter('soon', 0), undefined);
  assert.equal(parseRetryAfter('12abc', 0), undefined);
});

test('inin-ratelimit headers are read; without them there is no hint', () => {
  const headers = new Headers({ 'inin-ratelimit-count': '12', 'inin-ratelimit-allowed': '300', 'inin-ratelimit-reset': '41' });
  assert.deepEqual(readRateLimitHeaders(headers), { count: 12, allowed: 300, resetMs: 41_000 });
  assert.equal(readRateLimitHeaders(new Headers()), undefined);
});

test('every region domain resolves to login.<env> and api.<env>', () => {
  assert.equal(REGION_DOMAINS.length, 20);
  for (const domain of REGION_DOMAINS) {
    const env = resolveEnvironment(domain);
    assert.equal(env.loginBaseUrl, `https://login.${domain}`);
    assert.equal(env.apiBaseUrl, `https://api.${domain}`);
  }
});

test('SDK and AWS-style region keys resolve to their domains', () => {
  assert.equal(resolveEnvironment('eu_west_1').apiBaseUrl, 'https://api.mypurecloud.ie');
  assert.equal(resolveEnvironment('eu-west-2').loginBaseUrl, 'https://login.euw2.pure.cloud');
  assert.equal(resolveEnvironment('ap_southeast_2').apiBaseUrl, 'https://api.mypurecloud.com.au');
  assert.equal(resolveEnvironment('MyPureCloud.DE').apiBaseUrl, 'https://api.mypurecloud.de');
});

test('a URL serves both login and API; https://api.<region> means the region', () => {
  const local = resolveEnvironment('http://127.0.0.1:8080/');
  assert.deepEqual(local, { loginBaseUrl: 'http://127.0.0.1:8080', apiBaseUrl: 'http://127.0.0.1:8080', label: '127.0.0.1:8080' });
  const regional = resolveEnvironment('https://api.mypurecloud.ie/');
  assert.equal(regional.loginBaseUrl, 'https://login.mypurecloud.ie');
  assert.equal(regional.apiBaseUrl, 'https://api.mypurecloud.ie');
});

test('an unknown region is a clear error naming it', () => {
  assert.throws(() => resolveEnvironment('mypurecloud.xx'), (error: unknown) => {
    assert.ok(error instanceof ClientOptionsError);
    assert.equal(error.code, 'unknown.environment');
    assert.match(error.message, /unknown Genesys Cloud region 'mypurecloud\.xx'/);
    return true;
  });
});
