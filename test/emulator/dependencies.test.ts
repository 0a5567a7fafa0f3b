import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importYaml, startApi } from './api.js';
import { callFlowYaml } from './fixtures.js';

const consumers = '/api/v2/architect/dependencytracking/consumingresources';
const consumed = '/api/v2/architect/dependencytracking/consumedresources';

test('dependency tracking follows published versions; consumed resources per version; filters; errors', async () => {
  const api = await startApi({ jobMs: 5 });
  try {
    const who = await api.call('GET', `${consumers}?id=mod-log&version=1.0&objectType=COMMONMODULEFLOW`);
    assert.equal(who.status, 200);
    assert.deepEqual(who.body.entities, [{
      id: 'call-1', name: 'Sales_Line_001', type: 'INBOUNDCALLFLOW', version: '2.0',
      deleted: false, updated: false, stateUnknown: false, selfUri: '/api/v2/flows/call-1',
    }]);
    const byType = await api.call('GET', `${consumers}?id=mod-log&version=1.0&objectType=COMMONMODULEFLOW&resourceType=INBOUNDEMAILFLOW,INBOUNDSHORTMESSAGEFLOW`);
    assert.equal(byType.body.total, 0);
    const uses = await api.call('GET', `${consumed}?id=call-1&version=2.0&objectType=INBOUNDCALLFLOW&resourceType=COMMONMODULEFLOW`);
    assert.deepEqual(uses.body.entities.map((d: { id: string; type: string }) => [d.id, d.type]), [['mod-log', 'COMMONMODULEFLOW']]);
    const oldVersion = await api.call('GET', `${consumed}?id=call-1&version=1.0&objectType=INBOUNDCALLFLOW`);
    assert.equal(oldVersion.body.total, 0);

    // A draft that calls the module is not a published consumer, but is one with flowFilter=checkedIn once checked in.
    const job = await importYaml(api, callFlowYaml('Sales_Line_002', [{ module: 'Logger', inputs: { 'Common.reason': 'r' } }]));
    assert.equal(job.status, 'Success');
    const after = await api.call('GET', `${consumers}?id=mod-log&version=1.0&objectType=COMMONMODULEFLOW&flowFilter=published`);
    assert.deepEqual(after.body.entities.map((d: { name: string }) => d.name), ['Sales_Line_001', 'Sales_Line_002']);
    const checkedIn = await api.call('GET', `${consumers}?id=mod-log&version=1.0&objectType=COMMONMODULEFLOW&flowFilter=checkedIn`);
    assert.equal(checkedIn.body.total, 2);

    assert.equal((await api.call('GET', `${consumers}?objectType=COMMONMODULEFLOW&version=1.0`)).status, 400);
    assert.equal((await api.call('GET', `${consumers}?id=mod-log&version=1.0`)).status, 400);
    assert.equal((await api.call('GET', `${consumers}?id=mod-log&version=1.0&objectType=COMMONMODULEFLOW&flowFilter=all`)).status, 400);
    assert.equal((await api.call('GET', `${consumers}?id=nope&version=1.0&objectType=COMMONMODULEFLOW`)).status, 404);
    assert.equal((await api.call('GET', `${consumed}?id=call-1&version=9.0&objectType=INBOUNDCALLFLOW`)).status, 404);
    assert.equal((await api.call('POST', '/api/v2/architect/dependencytracking/build')).status, 202);
  } finally {
    await api.close();
  }
});

test('with dependencyLagMs a publish shows up late: 206 with stale data and BUILDINPROGRESS meanwhile', async () => {
  let now = 50_000_000;
  const api = await startApi({ now: () => now, jobMs: 100, dependencyLagMs: 5_000 });
  try {
    const reg = (await api.call('POST', '/api/v2/flows/jobs')).body;
    await fetch(reg.presignedUrl, { method: 'PUT', headers: reg.headers, body: callFlowYaml('Sales_Line_002', [{ module: 'VoiceOnly' }]) });
    now += 100;
    assert.equal((await api.call('GET', `/api/v2/flows/jobs/${reg.id}`)).body.status, 'Success');
    const flow = (await api.call('GET', '/api/v2/flows/call-2')).body;
    assert.equal(flow.publishedVersion.id, '2.0');

    const stale = await api.call('GET', `${consumers}?id=mod-voice&version=1.0&objectType=COMMONMODULEFLOW`);
    assert.equal(stale.status, 206);
    assert.equal(stale.body.total, 0);
    const staleConsumed = await api.call('GET', `${consumed}?id=call-2&version=2.0&objectType=INBOUNDCALLFLOW`);
    assert.equal(staleConsumed.status, 206);
    assert.equal((await api.call('GET', '/api/v2/architect/dependencytracking/build')).body.status, 'BUILDINPROGRESS');

    now += 5_000;
    const fresh = await api.call('GET', `${consumers}?id=mod-voice&version=1.0&objectType=COMMONMODULEFLOW`);
    assert.equal(fresh.status, 200);
    assert.deepEqual(fresh.body.entities.map((d: { id: string; version: string }) => [d.id, d.version]), [['call-2', '2.0']]);
    assert.equal((await api.call('GET', `${consumed}?id=call-2&version=2.0&objectType=INBOUNDCALLFLOW`)).body.total, 1);
    assert.equal((await api.call('GET', '/api/v2/architect/dependencytracking/build')).body.status, 'OPERATIONAL');
  } finally {
    await api.close();
  }
});
