import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApi, type TestApi } from './api.js';

let api: TestApi;
let now = 10_000_000;
before(async () => {
  api = await startApi({ now: () => now, jobMs: 500 });
});
after(() => api.close());

const names = (body: { entities: { name: string }[] }): string[] => body.entities.map((e) => e.name);

test('list: type filter comma-joined and repeated, unknown type 400, uppercase response types', async () => {
  const comma = await api.call('GET', '/api/v2/flows?type=inboundshortmessage,inboundemail&sortBy=name');
  const repeated = await api.call('GET', '/api/v2/flows?type=inboundshortmessage&type=inboundemail&sortBy=name');
  assert.deepEqual(names(comma.body), ['Sales_Chat', 'Support_Mail']);
  assert.deepEqual(names(repeated.body), names(comma.body));
  assert.deepEqual(comma.body.entities.map((e: { type: string }) => e.type), ['INBOUNDSHORTMESSAGE', 'INBOUNDEMAIL']);
  const bad = await api.call('GET', '/api/v2/flows?type=inboundcall,nonsense');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.code, 'invalid.query.param.value');
});

test('list: name is a case-insensitive substring with * wildcards and is never split on commas', async () => {
  assert.deepEqual(names((await api.call('GET', '/api/v2/flows?name=sales_line&sortBy=name')).body), ['Sales_Line_001', 'Sales_Line_002']);
  assert.deepEqual(names((await api.call('GET', '/api/v2/flows?name=Sales*002')).body), ['Sales_Line_002']);
  assert.deepEqual(names((await api.call('GET', `/api/v2/flows?name=${encodeURIComponent('Billing, Main')}`)).body), ['Billing, Main']);
  assert.deepEqual(names((await api.call('GET', '/api/v2/flows?name=Billing,+Main')).body), ['Billing, Main']);
});

test('list: id (comma and repeated) ignores other filters; divisionId; lockedBy; lookup', async () => {
  const byId = await api.call('GET', '/api/v2/flows?id=call-2,msg-1&type=inboundemail');
  assert.deepEqual(names(byId.body).sort(), ['Sales_Chat', 'Sales_Line_002']);
  const repeated = await api.call('GET', '/api/v2/flows?id=call-2&id=msg-1');
  assert.equal(repeated.body.total, 2);
  const sales = await api.call('GET', '/api/v2/flows?divisionId=div-sales&sortBy=name');
  assert.deepEqual(names(sales.body), ['Sales_Chat', 'Sales_Line_001', 'Sales_Line_002']);
  assert.ok(sales.body.entities.every((e: { division: { name: string } }) => e.division.name === 'Sales'));
  const locked = await api.call('GET', '/api/v2/flows?lockedBy=user-jane');
  assert.deepEqual(names(locked.body), ['Support_Main']);
  assert.deepEqual(locked.body.entities[0].lockedUser, { id: 'user-jane', name: 'Jane Doe', selfUri: '/api/v2/users/user-jane' });
  const lookup = await api.call('GET', '/api/v2/flows/lookup?id=call-1');
  assert.deepEqual(names(lookup.body), ['Sales_Line_001']);
  assert.equal((await api.call('GET', '/api/v2/flows/lookup')).status, 400);
});

test('list: paging envelope, pageSize bounds, sort order', async () => {
  const first = await api.call('GET', '/api/v2/flows?pageSize=4&sortBy=name&sortOrder=desc');
  assert.equal(first.body.total, 9);
  assert.equal(first.body.pageCount, 3);
  assert.equal(first.body.pageNumber, 1);
  assert.equal(first.body.previousUri, undefined);
  assert.match(first.body.nextUri, /^\/api\/v2\/flows\?.*pageNumber=2/);
  assert.match(first.body.lastUri, /pageNumber=3/);
  assert.equal(names(first.body)[0], 'VoiceOnly');
  const last = await api.call('GET', first.body.lastUri);
  assert.equal(last.body.entities.length, 1);
  assert.equal(last.body.nextUri, undefined);
  assert.match(last.body.previousUri, /pageNumber=2/);
  for (const bad of ['pageSize=0', 'pageSize=501', 'pageSize=abc', 'pageNumber=0', 'sortBy=color', 'deleted=maybe']) {
    const res = await api.call('GET', `/api/v2/flows?${bad}`);
    assert.equal(res.status, 400, bad);
    assert.equal(res.body.code, 'invalid.query.param.value');
  }
  assert.equal((await api.call('GET', '/api/v2/flows?pageSize=500')).status, 200);
});

test('common modules: real-shaped schemas from the YAML (required = isRequired), compatibleFlowTypes; schemas only with includeSchemas on lists', async () => {
  const plain = await api.call('GET', '/api/v2/flows?type=commonmodule&name=Logger');
  assert.equal(plain.body.entities[0].inputSchema, undefined);
  assert.deepEqual(plain.body.entities[0].compatibleFlowTypes, ['inboundcall', 'inboundshortmessage']);
  const withSchemas = await api.call('GET', '/api/v2/flows?type=commonmodule&name=Logger&includeSchemas=true');
  const module = withSchemas.body.entities[0];
  assert.equal(module.inputSchema.required, undefined, 'no top-level required array');
  assert.deepEqual(Object.keys(module.inputSchema.properties).sort(), ['Common.reason', 'Common.tag']);
  assert.deepEqual(module.inputSchema.properties['Common.reason'], { $ref: '#/definitions/archString', name: 'Common.reason', required: true });
  assert.deepEqual(module.inputSchema.properties['Common.tag'], { $ref: '#/definitions/archString', name: 'Common.tag', required: false });
  assert.equal(module.inputSchema.definitions.archString.archDataTypeId, 'str');
  assert.deepEqual(module.outputSchema.properties['Common.ok'], { $ref: '#/definitions/archBoolean', name: 'Common.ok', required: false });
  assert.equal(module.outputSchema.definitions.archBoolean.archDataTypeId, 'bln');
  const single = await api.call('GET', '/api/v2/flows/mod-log');
  assert.equal(single.body.inputSchema.properties['Common.reason'].required, true);
});

test('flow object: versions, draft, configuration; 404s', async () => {
  const flow = (await api.call('GET', '/api/v2/flows/call-4')).body;
  assert.equal(flow.publishedVersion.id, '1.0');
  assert.equal(flow.savedVersion.id, '2.0');
  assert.equal(flow.savedVersion.type, 'SAVE');
  assert.equal(typeof flow.publishedVersion.dateCreated, 'number');
  assert.ok(!Number.isNaN(Date.parse(flow.publishedVersion.datePublished)));
  const versions = await api.call('GET', '/api/v2/flows/call-1/versions');
  assert.deepEqual(versions.body.entities.map((v: { id: string }) => v.id), ['2.0', '1.0']);
  assert.equal((await api.call('GET', '/api/v2/flows/call-1/versions/1.0')).body.id, '1.0');
  const config = await api.call('GET', '/api/v2/flows/call-1/versions/2.0/configuration');
  assert.equal(config.body.inboundCall.name, 'Sales_Line_001');
  const latest = await api.call('GET', '/api/v2/flows/call-4/LatestConfiguration');
  assert.equal(latest.status, 200, 'routing is case-insensitive');
  assert.equal(latest.body.inboundCall.name, 'Billing, Main');
  const missing = await api.call('GET', '/api/v2/flows/no-such-flow');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'not.found');
  assert.equal((await api.call('GET', '/api/v2/flows/call-1/versions/9.0')).status, 404);
});

test('lock rules: checkout, save, checkin and publish as Operations, unlock, revert', async () => {
  const post = (action: string, id: string, body?: unknown) => api.call('POST', `/api/v2/flows/actions/${action}?flow=${id}`, body);

  const lockedByJane = await post('checkout', 'call-3');
  assert.equal(lockedByJane.status, 409);
  assert.equal(lockedByJane.body.code, 'architect.flow.locked.by.user');
  assert.match(lockedByJane.body.message, /Jane Doe/);
  assert.equal((await api.call('POST', '/api/v2/flows/call-3/versions', { a: 1 })).status, 409);

  // Save without the lock is refused; checkin without a save is a 400.
  assert.equal((await api.call('POST', '/api/v2/flows/call-2/versions', { a: 1 })).body.code, 'architect.flow.not.locked');
  const out = await post('checkout', 'call-2');
  assert.equal(out.status, 200);
  assert.equal(out.body.lockedClient.id, 'flowlink-demo');
  assert.equal((await post('checkout', 'call-2')).status, 200, 'checking out again is a no-op');
  const noSave = await post('checkin', 'call-2');
  assert.equal(noSave.status, 400);
  assert.equal(noSave.body.code, 'architect.flow.cannot.checkin.missing.config');
  assert.equal((await api.call('POST', '/api/v2/flows/call-2/versions', '[1,2]')).status, 400);

  const saved = await api.call('POST', '/api/v2/flows/call-2/versions', { inboundCall: { name: 'Sales_Line_002', note: 'edited' } });
  assert.equal(saved.status, 200);
  assert.equal(saved.body.type, 'SAVE');
  assert.equal(saved.body.id, '2.0');

  const checkin = await post('checkin', 'call-2');
  assert.equal(checkin.status, 200);
  assert.equal(checkin.body.actionName, 'CHECKIN');
  assert.equal(checkin.body.complete, false);
  let flow = (await api.call('GET', '/api/v2/flows/call-2')).body;
  assert.equal(flow.currentOperation.id, checkin.body.id);
  assert.equal(flow.currentOperation.complete, false);
  assert.equal((await post('publish', 'call-2')).body.code, 'architect.operation.already.in.progress');
  now += 500;
  flow = (await api.call('GET', '/api/v2/flows/call-2')).body;
  assert.equal(flow.currentOperation.complete, true);
  assert.equal(flow.currentOperation.actionStatus, 'SUCCESS');
  assert.equal(flow.checkedInVersion.id, '2.0');
  assert.equal(flow.lockedClient, undefined, 'checkin releases the lock');
  assert.equal(flow.publishedVersion.id, '1.0');

  const publish = await post('publish', 'call-2');
  assert.equal(publish.body.actionName, 'PUBLISH');
  now += 500;
  flow = (await api.call('GET', '/api/v2/flows/call-2')).body;
  assert.equal(flow.currentOperation.actionStatus, 'SUCCESS');
  assert.equal(flow.publishedVersion.id, '2.0');
  assert.equal(flow.publishedVersion.type, 'PUBLISH');

  // Publish needs a checked-in version: a never-published module with only a draft cannot be published.
  const neverCheckedIn = await post('publish', 'mod-draft');
  assert.equal(neverCheckedIn.body.code, 'architect.flow.not.checked.in');

  // Revert discards the draft; unlock releases anyone's lock.
  const reverted = await post('revert', 'call-4');
  assert.equal(reverted.status, 200);
  assert.equal(reverted.body.savedVersion, undefined);
  assert.equal(reverted.body.publishedVersion.id, '1.0');
  const unlocked = await post('unlock', 'call-3');
  assert.equal(unlocked.body.lockedUser, undefined);
  assert.equal((await post('checkout', 'no-such-flow')).status, 404);
  assert.equal((await api.call('POST', '/api/v2/flows/actions/checkout')).status, 400, 'flow parameter missing');
});

test('lockedByClientId finds our own lock', async () => {
  await api.call('POST', '/api/v2/flows/actions/checkout?flow=msg-1');
  const mine = await api.call('GET', '/api/v2/flows?lockedByClientId=flowlink-demo');
  assert.deepEqual(names(mine.body), ['Sales_Chat']);
  await api.call('POST', '/api/v2/flows/actions/unlock?flow=msg-1');
});
