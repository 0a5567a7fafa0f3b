import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '../../src/client/index.js';
import { publishedVersionIds } from '../../src/client/resources/dependencies.js';
import { moduleInfoFromFlow, schemaType } from '../../src/flow/module-info.js';
import { fakeTransport, json, type SeenCall, virtualClock } from './fakes.js';
import { emulatorHarness, on, type Harness } from './harness.js';

/* flowlink's client and readers against the real shapes (genesys-api.md §15 items 3-7). */

function setup(route: (call: SeenCall) => Response | undefined) {
  const clock = virtualClock();
  const transport = fakeTransport(route, clock);
  const client = createClient({ environment: 'http://127.0.0.1:9', clientId: 'id', clientSecret: 'strict-secret', transport, clock });
  return { client, transport };
}

let h: Harness;
before(async () => {
  h = await emulatorHarness();
});
after(() => h.close());

test('every API POST carries Content-Type: application/json, body or not; GETs, the token request and uploads do not get it', async () => {
  const { client, transport } = setup((call) => {
    if (call.url.pathname === '/api/v2/flows/actions/checkin') return json(200, { id: 'op-1', complete: false });
    if (call.url.pathname === '/api/v2/architect/dependencytracking/build') return new Response(null, { status: 202 });
    if (call.url.pathname === '/api/v2/flows/jobs') return json(200, { id: 'job-1', presignedUrl: 'http://127.0.0.1:9/upload/x', headers: { 'Content-Type': 'application/octet-stream' } });
    if (call.url.pathname === '/upload/x') return new Response(null, { status: 200 });
    if (call.url.pathname.startsWith('/api/v2/flows/')) return json(200, { id: 'f', name: 'F', type: 'INBOUNDCALL' });
    return undefined;
  });
  await client.flows.checkin('f');
  await client.dependencies.rebuild();
  const registration = await client.importJobs.register();
  await client.importJobs.upload(registration, 'inboundCall:\n  name: F\n');
  await client.flows.get('f');

  const posts = transport.apiCalls().filter((c) => c.method === 'POST');
  assert.deepEqual(posts.map((c) => c.url.pathname), ['/api/v2/flows/actions/checkin', '/api/v2/architect/dependencytracking/build', '/api/v2/flows/jobs']);
  for (const call of posts) {
    assert.equal(call.headers.get('content-type'), 'application/json', call.url.pathname);
    assert.equal(call.body, '', `${call.url.pathname} has no body`);
  }
  assert.equal(transport.apiCalls().find((c) => c.method === 'GET')?.headers.get('content-type'), null);
  assert.equal(transport.apiCalls().find((c) => c.method === 'PUT')?.headers.get('content-type'), 'application/octet-stream', 'the presigned headers as issued');
  assert.equal(transport.tokenCalls()[0]?.headers.get('content-type'), 'application/x-www-form-urlencoded');
});

test('against the emulator (which answers 415 without it) body-less POSTs go through', async () => {
  await h.reset();
  const client = h.client();
  const flow = (await client.flows.findByName('Global_Exception_Handler', 'commonmodule'))!;
  await client.dependencies.rebuild();
  const registration = await client.importJobs.register();
  assert.ok(registration.id);
  const checkedOut = await client.flows.checkout(flow.id);
  assert.ok(checkedOut.lockedClient, 'checkout without a body worked');
  await client.flows.unlock(flow.id);
  const posts = (await h.requests()).filter((r) => r.method === 'POST');
  assert.ok(posts.length >= 4);
  assert.deepEqual(posts.filter((r) => r.status === 415), []);
});

test('consumers sends the module version; consumersOfAnyVersion asks per version and merges (dedupe, partial if any)', async () => {
  const answers: Record<string, { status: number; ids: string[] }> = {
    '1.0': { status: 200, ids: ['a', 'c'] },
    '2.0': { status: 206, ids: ['c', 'b'] },
    '3.0': { status: 200, ids: [] },
  };
  const { client, transport } = setup((call) => {
    if (!call.url.pathname.endsWith('/consumingresources')) return undefined;
    const answer = answers[call.url.searchParams.get('version') ?? ''];
    if (!answer) return json(400, { message: "Query parameter 'version' is missing or empty", code: 'bad.request', status: 400 });
    return new Response(JSON.stringify({ entities: answer.ids.map((id) => ({ id, name: id.toUpperCase(), type: 'INBOUNDCALLFLOW' })), pageNumber: 1, pageCount: 1 }), {
      status: answer.status, headers: { 'content-type': 'application/json' },
    });
  });
  const one = await client.dependencies.consumers('mod-1', { version: '1.0', flowFilter: 'published' });
  assert.deepEqual(one.items.map((d) => d.id), ['a', 'c']);
  assert.equal(one.partial, false);

  const merged = await client.dependencies.consumersOfAnyVersion('mod-1', ['1.0', '2.0', '3.0', '1.0'], { resourceTypes: ['INBOUNDCALLFLOW'], flowFilter: 'published' });
  assert.deepEqual(merged.items.map((d) => d.id), ['a', 'c', 'b']);
  assert.equal(merged.partial, true, '2.0 answered 206');
  const asked = transport.apiCalls().slice(1).map((c) => c.url.searchParams);
  assert.deepEqual(asked.map((q) => q.get('version')).sort(), ['1.0', '2.0', '3.0'], 'each version once');
  for (const q of asked) {
    assert.equal(q.get('id'), 'mod-1');
    assert.equal(q.get('objectType'), 'COMMONMODULEFLOW');
    assert.equal(q.get('resourceType'), 'INBOUNDCALLFLOW');
    assert.equal(q.get('flowFilter'), 'published');
  }
  assert.deepEqual(await client.dependencies.consumersOfAnyVersion('mod-1', []), { items: [], partial: false });
});

test('publishedVersionIds: the versions a listing marks published, the current one first; all when none is marked', () => {
  assert.deepEqual(publishedVersionIds([
    { id: '4.0', type: 'SAVE' }, { id: '3.0', type: 'PUBLISH' }, { id: '2.0', type: 'CHECKIN' }, { id: '1.0', datePublished: '2026-01-01T00:00:00Z' },
  ], '3.0'), ['3.0', '1.0']);
  assert.deepEqual(publishedVersionIds([{ id: '2.0' }, { id: '1.0' }], '2.0'), ['2.0', '1.0']);
  assert.deepEqual(publishedVersionIds([], '5.0'), ['5.0']);
});

test('consumers of one version vs any version, against the emulator', async () => {
  await h.reset();
  const client = h.client();
  const module = (await client.flows.findByName('Global_Exception_Handler', 'commonmodule'))!;
  const versions = await client.flows.versions(module.id);
  const current = await client.dependencies.consumers(module.id, { version: module.publishedVersion!.id, resourceTypes: ['INBOUNDCALLFLOW'] });
  assert.ok(current.items.length > 0);
  const any = await client.dependencies.consumersOfAnyVersion(module.id, publishedVersionIds(versions, module.publishedVersion!.id), { resourceTypes: ['INBOUNDCALLFLOW'] });
  assert.deepEqual(new Set(any.items.map((d) => d.id)), new Set(current.items.map((d) => d.id)), 'the seeded callers all snapshotted the current version');
  await assert.rejects(
    client.dependencies.consumers(module.id, { version: 'LATEST' }),
    (error: { status?: number }) => error.status === 404,
  );
});

test('flows.lookup: GET /api/v2/flows/lookup?id=… in chunks of 100, each flow once', async () => {
  const { client, transport } = setup((call) => {
    if (call.url.pathname !== '/api/v2/flows/lookup') return undefined;
    const wanted = (call.url.searchParams.get('id') ?? '').split(',');
    return json(200, { entities: wanted.filter((id) => !id.startsWith('gone')).map((id) => ({ id, name: id, type: 'INBOUNDCALL' })), pageNumber: 1, pageCount: 1 });
  });
  const ids = [...Array.from({ length: 149 }, (_, i) => `f${i}`), 'gone-1', 'f0'];
  const flows = await client.flows.lookup(ids);
  assert.equal(flows.length, 149);
  const calls = transport.apiCalls();
  assert.deepEqual(calls.map((c) => c.url.searchParams.get('id')!.split(',').length), [100, 50]);
  assert.ok(calls.every((c) => c.url.pathname === '/api/v2/flows/lookup' && c.url.searchParams.get('pageSize') === '100'));

  await h.reset();
  const live = h.client();
  const module = (await live.flows.findByName('Global_Exception_Handler', 'commonmodule'))!;
  await h.clearRequests();
  const found = await live.flows.lookup([module.id, 'no-such-flow']);
  assert.deepEqual(found.map((f) => f.id), [module.id]);
  assert.equal(on(await h.requests(), 'GET', '/api/v2/flows/lookup').length, 1);
});

test('module schemas: the real shape is read back from the emulator (types from $ref, required per property)', async () => {
  await h.reset();
  const client = h.client();
  const compliance = (await client.flows.findByName('Compliance_Logging', 'commonmodule', { includeSchemas: true }))!;
  const info = moduleInfoFromFlow(compliance);
  assert.deepEqual(info.inputs.map((p) => [p.name, p.type, p.required]), [
    ['Common.reason', 'string', true],
    ['Common.retentionDays', 'integer', false],
  ]);
  assert.deepEqual(info.outputs.map((p) => [p.name, p.type, p.required]), [['Common.auditId', 'string', false]]);
  const handler = moduleInfoFromFlow((await client.flows.findByName('Global_Exception_Handler', 'commonmodule', { includeSchemas: true }))!);
  assert.deepEqual(handler.inputs.filter((p) => p.required), [], 'no required input');
  assert.deepEqual(handler.outputs.map((p) => [p.name, p.type]), [['Common.handled', 'boolean']]);
});

test('module schemas: the shape of a real export, archDataTypeId, and the old JSON-schema shape are all read', () => {
  // Trimmed from the flow object in BP-merge's export (uiMetaData.commonModuleFlows[0].inputSchema).
  const real = {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: {
      'Common.conversationId': { $ref: '#/definitions/archString', name: 'Common.conversationId', required: false },
      'Common.identifierType': { description: 'The type of identifier', $ref: '#/definitions/archString', name: 'Common.identifierType', required: true },
    },
    additionalProperties: false,
    definitions: { archString: { archDataTypeId: 'str', oneOf: [{ type: 'null' }, { type: 'string', maxLength: 32000 }] } },
  };
  const outputs = {
    properties: {
      'Common.success': { $ref: '#/definitions/archBoolean', name: 'Common.success', required: false },
      'Common.byId': { $ref: '#/definitions/somethingElse', name: 'Common.byId', required: false },
    },
    definitions: { somethingElse: { archDataTypeId: 'int' } },
  };
  const info = moduleInfoFromFlow({ name: 'Resolve Contact', inputSchema: real, outputSchema: outputs });
  assert.deepEqual(info.inputs, [
    { name: 'Common.conversationId', type: 'string', required: false },
    { name: 'Common.identifierType', type: 'string', required: true },
  ]);
  assert.deepEqual(info.outputs.map((p) => p.type), ['boolean', 'integer'], 'a $ref name it does not know falls back to the definition\'s archDataTypeId');
  assert.deepEqual(info.compatibleFlowTypes, [], 'the real module object has no compatibleFlowTypes');

  assert.equal(schemaType({ $ref: '#/definitions/archDecimal' }), 'decimal');
  assert.equal(schemaType({ $ref: '#/definitions/archStringCollection' }), 'stringCollection');
  assert.equal(schemaType({ $ref: '#/definitions/archDateTime' }), 'dateTime');
  assert.equal(schemaType({ archDataTypeId: 'bln' }), 'boolean');
  assert.equal(schemaType({ archDataTypeId: 'int[]' }), 'integerCollection');
  assert.equal(schemaType({ archDataTypeId: 'que' }), undefined, 'unknown ids stay unknown');
  // The older, plain JSON-schema shape still reads, including a top-level required array.
  const old = moduleInfoFromFlow({
    name: 'Old',
    inputSchema: { type: 'object', properties: { 'Common.n': { type: 'integer' }, 'Common.xs': { type: 'array', items: { type: 'string' } } }, required: ['Common.n'] },
  });
  assert.deepEqual(old.inputs, [
    { name: 'Common.n', type: 'integer', required: true },
    { name: 'Common.xs', type: 'stringCollection', required: false },
  ]);
});
