import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { importYaml, startApi, type TestApi } from './api.js';
import { callFlowYaml, smallOrg } from './fixtures.js';

let api: TestApi;
before(async () => {
  api = await startApi({ jobMs: 5 });
});
beforeEach(async () => {
  await api.control('POST', '/reset', { seed: smallOrg() });
});
after(() => api.close());

test('status fault with Retry-After, limited by count and skip, matched by method and glob', async () => {
  const { id } = await api.control('POST', '/faults', { method: 'GET', path: '/api/v2/flows/*', status: 503, retryAfter: 7, skip: 1, count: 2 });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const res = await api.call('GET', '/api/v2/flows/call-1');
    statuses.push(res.status);
    if (res.status === 503) {
      assert.equal(res.headers.get('retry-after'), '7');
      assert.equal(res.body.code, 'service.unavailable');
      assert.equal(res.body.status, 503);
    }
  }
  assert.deepEqual(statuses, [200, 503, 503, 200, 200]);
  assert.equal((await api.call('GET', '/api/v2/flows')).status, 200, 'the glob needs a segment after /flows/');
  assert.equal((await api.call('POST', '/api/v2/flows/actions/checkout?flow=call-2')).status, 200, 'other methods pass');
  const listed = (await api.control('GET', '/faults')).faults.find((f: { id: string }) => f.id === id);
  assert.equal(listed.hits, 2);
  assert.equal(listed.matched, 5);
});

test('429 fault with a custom body; regex paths; delete one rule', async () => {
  const { id } = await api.control('POST', '/faults', { path: 're:^/api/v2/flows/(call|msg)-1$', status: 429, retryAfter: 2, body: { message: 'slow down', code: 'too.many.requests', status: 429 } });
  const res = await api.call('GET', '/api/v2/flows/msg-1');
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '2');
  assert.equal(res.body.message, 'slow down');
  assert.equal((await api.call('GET', '/api/v2/flows/call-2')).status, 200);
  await fetch(`${api.emu.url}/__emulator/faults/${id}`, { method: 'DELETE' });
  assert.equal((await api.call('GET', '/api/v2/flows/msg-1')).status, 200);
});

test('connection reset and added latency', async () => {
  await api.control('POST', '/faults', { path: '/api/v2/flows/call-1', reset: true, count: 1 });
  await assert.rejects(fetch(`${api.emu.url}/api/v2/flows/call-1`, { headers: { authorization: `Bearer ${api.token}` } }));
  assert.equal((await api.call('GET', '/api/v2/flows/call-1')).status, 200, 'count 1: only the first request is reset');
  await api.control('POST', '/faults', { path: '/api/v2/flows/call-2', latencyMs: 150 });
  const started = Date.now();
  assert.equal((await api.call('GET', '/api/v2/flows/call-2')).status, 200);
  // A lower bound only (setTimeout never fires early): proves the delay was applied, says nothing about speed.
  assert.ok(Date.now() - started >= 140, 'the response waited for the injected latency');
  const log = (await api.control('GET', '/requests')).requests;
  assert.ok(log.some((r: { path: string; status: number }) => r.path === '/api/v2/flows/call-1' && r.status === 0));
});

test('probability faults are seeded and repeatable', async () => {
  const run = async (): Promise<number[]> => {
    await api.control('POST', '/reset', { seed: smallOrg() });
    await api.control('POST', '/faults', { path: '/api/v2/flows', status: 500, probability: 0.5 });
    const out: number[] = [];
    for (let i = 0; i < 12; i += 1) out.push((await api.call('GET', '/api/v2/flows')).status);
    return out;
  };
  const first = await run();
  assert.ok(first.includes(500) && first.includes(200));
  assert.deepEqual(await run(), first);
});

test('jobFailure and jobHang for a flow name', async () => {
  await api.control('POST', '/faults', { jobFailure: { flowName: 'Sales_Line_002', message: 'Archy failed: exit code 107' }, count: 1 });
  const failed = await importYaml(api, callFlowYaml('Sales_Line_002'));
  assert.equal(failed.status, 'Failure');
  assert.equal(failed.messages[0].text, 'Archy failed: exit code 107');
  assert.equal((await importYaml(api, callFlowYaml('Sales_Line_002'))).status, 'Success', 'count 1: the next job passes');

  await api.control('POST', '/faults', { jobHang: { flowName: 'Sales_Line_001' } });
  const reg = (await api.call('POST', '/api/v2/flows/jobs')).body;
  await fetch(reg.presignedUrl, { method: 'PUT', headers: reg.headers, body: callFlowYaml('Sales_Line_001') });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await api.call('GET', `/api/v2/flows/jobs/${reg.id}`)).body.status, 'Started');
});

test('control plane: flow state (lock by client, draft, unpublish, publish as someone else), seed by id, request log', async () => {
  let flow = (await api.control('POST', '/flows/call-2/state', { lock: { kind: 'client', id: 'other-client', name: 'Other Tool' }, draft: callFlowYaml('Sales_Line_002', [], '# new draft') }));
  assert.equal(flow.lockedClient.name, 'Other Tool');
  assert.equal(flow.savedVersion.id, '2.0');
  const conflict = await api.call('POST', '/api/v2/flows/actions/checkout?flow=call-2');
  assert.equal(conflict.status, 409);
  assert.match(conflict.body.message, /Other Tool/);
  flow = await api.control('POST', '/flows/call-2/state', { lock: null, draft: null, unpublish: true });
  assert.equal(flow.lockedClient, undefined);
  assert.equal(flow.savedVersion, undefined);
  assert.equal(flow.publishedVersion, undefined);
  flow = await api.control('POST', '/flows/call-2/state', { publish: callFlowYaml('Sales_Line_002', [{ module: 'VoiceOnly' }]) });
  assert.equal(flow.publishedVersion.id, '3.0');
  assert.equal(flow.publishedVersion.createdBy.name, 'Someone Else');

  await api.control('POST', '/seed', { divisions: [], flows: [{ id: 'call-2', type: 'inboundcall', name: 'Renamed', divisionId: 'div-home', published: [callFlowYaml('Renamed')] }] });
  const replaced = (await api.call('GET', '/api/v2/flows/call-2')).body;
  assert.equal(replaced.name, 'Renamed');
  assert.equal(replaced.publishedVersion.id, '1.0');

  await api.control('DELETE', '/requests');
  await api.call('GET', '/api/v2/flows?pageSize=2');
  await api.control('GET', '/state');
  const log = (await api.control('GET', '/requests')).requests;
  assert.equal(log.length, 1, 'control-plane calls are not logged');
  assert.equal(log[0].method, 'GET');
  assert.equal(log[0].path, '/api/v2/flows');
  assert.equal(log[0].query, 'pageSize=2');
  assert.equal(log[0].kind, 'api');
  assert.equal(typeof log[0].tokenId, 'string');
});

test('bad input: malformed JSON, unknown route, wrong method, oversized bodies; the server keeps serving', async () => {
  const malformed = await api.call('POST', '/api/v2/flows/export/jobs', '{"flows": [');
  assert.equal(malformed.status, 400);
  assert.equal(malformed.body.code, 'bad.request');
  assert.ok(malformed.body.contextId);
  assert.deepEqual(malformed.body.details, []);
  const unknown = await api.call('GET', '/api/v2/nothing/here');
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.status, 404);
  assert.equal((await api.call('GET', '/totally/elsewhere')).status, 404);
  const wrongMethod = await api.call('PATCH', '/api/v2/flows/jobs');
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.body.status, 405);
  const big = await api.call('POST', '/api/v2/flows/export/jobs', JSON.stringify({ flows: [], pad: 'x'.repeat(1024 * 1024 + 10) }));
  assert.equal(big.status, 413);
  assert.equal(big.body.code, 'response.entity.too.large');
  const reg = (await api.call('POST', '/api/v2/flows/jobs')).body;
  const hugeUpload = await fetch(reg.presignedUrl, { method: 'PUT', headers: reg.headers, body: Buffer.alloc(16 * 1024 * 1024 + 1, 97) });
  assert.equal(hugeUpload.status, 413);
  const badEncoding = await api.call('GET', '/api/v2/flows/%E0%A4%A');
  assert.equal(badEncoding.status, 404);
  const badFault = await fetch(`${api.emu.url}/__emulator/faults`, { method: 'POST', body: '{"path": "re:("' });
  assert.equal(badFault.status, 400);
  assert.equal((await api.call('GET', '/api/v2/flows')).status, 200, 'still serving');
});
