import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { importYaml, startApi, type TestApi } from './api.js';
import { callFlowYaml, moduleYaml, smallOrg } from './fixtures.js';

/* Where the emulator is as strict as a real org (genesys-api.md §15 items 3-6; docs/emulator.md). */

const consumers = '/api/v2/architect/dependencytracking/consumingresources';
const consumed = '/api/v2/architect/dependencytracking/consumedresources';

// A clock that moves 1 ms per reading (so jobs finish), and that a test can move on to order publishes.
let now = 70_000_000;
let api: TestApi;
before(async () => {
  api = await startApi({ now: () => (now += 1), jobMs: 10 });
});
beforeEach(async () => {
  now += 60_000;
  await api.control('POST', '/reset', { seed: smallOrg() });
  await api.login();
});
after(() => api.close());

const ids = (body: { entities: { id: string }[] }): string[] => body.entities.map((d) => d.id);

test('consumingresources without version: 400 "Query parameter \'version\' is missing or empty" as an ErrorBody', async () => {
  for (const query of ['id=mod-log&objectType=COMMONMODULEFLOW', 'id=mod-log&objectType=COMMONMODULEFLOW&version=', 'id=mod-log&objectType=COMMONMODULEFLOW&version=%20']) {
    const answer = await api.call('GET', `${consumers}?${query}`);
    assert.equal(answer.status, 400, query);
    assert.equal(answer.body.message, "Query parameter 'version' is missing or empty");
    assert.equal(answer.body.status, 400);
    assert.equal(typeof answer.body.code, 'string');
    assert.equal(typeof answer.body.contextId, 'string');
    assert.equal(answer.body.contextId, answer.headers.get('inin-correlation-id'));
    assert.deepEqual(answer.body.messageParams, { name: 'version' });
    assert.deepEqual([answer.body.details, answer.body.errors], [[], []]);
  }
  const consumedWithout = await api.call('GET', `${consumed}?id=call-1&objectType=INBOUNDCALLFLOW`);
  assert.equal(consumedWithout.status, 400);
  assert.equal(consumedWithout.body.message, "Query parameter 'version' is missing or empty");
});

test('consumingresources: LATEST and unknown versions are 404 "Could not find the dependency object with specified ID and version"', async () => {
  for (const version of ['LATEST', 'latest', '9.0', 'abc']) {
    const answer = await api.call('GET', `${consumers}?id=mod-log&objectType=COMMONMODULEFLOW&version=${version}`);
    assert.equal(answer.status, 404, version);
    assert.equal(answer.body.message, 'Could not find the dependency object with specified ID and version.');
    assert.equal(answer.body.code, 'architect.dependency.object.not.found');
  }
  assert.equal((await api.call('GET', `${consumers}?id=mod-log&objectType=COMMONMODULEFLOW&version=1.0`)).status, 200);
});

test('consumer lists are per module version: a flow consumes the module version published when it was', async () => {
  const state = (flowId: string, body: unknown) => api.control('POST', `/flows/${flowId}/state`, body);
  // VoiceOnly is at 1.0. Consumer A publishes while 1.0 is live.
  now += 1_000;
  await state('call-2', { publish: callFlowYaml('Sales_Line_002', [{ module: 'VoiceOnly' }]) });
  // The module publishes 2.0; consumer B publishes after it.
  now += 1_000;
  await state('mod-voice', { publish: moduleYaml('VoiceOnly', ['inboundcall'], [], ['Common.extra']) });
  now += 1_000;
  await state('call-4', { publish: callFlowYaml('Billing, Main', [{ module: 'VoiceOnly' }]) });

  const at = async (version: string) => (await api.call('GET', `${consumers}?id=mod-voice&objectType=COMMONMODULEFLOW&version=${version}`)).body;
  assert.deepEqual(ids(await at('1.0')), ['call-2'], 'A only: it snapshotted 1.0');
  assert.deepEqual(ids(await at('2.0')), ['call-4'], 'B only');
  assert.deepEqual(ids(await at('2')), ['call-4'], '"2" names version 2.0');
  // Each consumer's version says which module version it consumes.
  const uses = async (flowId: string) => {
    const version = (await api.call('GET', `/api/v2/flows/${flowId}`)).body.publishedVersion.id;
    return (await api.call('GET', `${consumed}?id=${flowId}&objectType=INBOUNDCALLFLOW&version=${version}&resourceType=COMMONMODULEFLOW`)).body;
  };
  assert.deepEqual((await uses('call-2')).entities.map((d: { id: string; version: string }) => [d.id, d.version]), [['mod-voice', '1.0']]);
  assert.deepEqual((await uses('call-4')).entities.map((d: { id: string; version: string }) => [d.id, d.version]), [['mod-voice', '2.0']]);

  // Republishing A moves it to 2.0 (Architect: "you must republish the consuming flow").
  now += 1_000;
  await state('call-2', { publish: callFlowYaml('Sales_Line_002', [{ module: 'VoiceOnly' }], '          # again') });
  assert.deepEqual(ids(await at('1.0')), []);
  assert.deepEqual(ids(await at('2.0')), ['call-4', 'call-2'], 'by name: Billing, Main; Sales_Line_002');
  // A checked-in filter follows the same rule.
  assert.deepEqual(ids((await api.call('GET', `${consumers}?id=mod-voice&objectType=COMMONMODULEFLOW&version=2.0&flowFilter=checkedIn`)).body), ['call-4', 'call-2']);
});

test('an import that leaves module inputs unmapped succeeds, a required-marked one included (they take their initial values)', async () => {
  const none = await importYaml(api, callFlowYaml('Sales_Line_002', [{ module: 'Logger' }]));
  assert.equal(none.status, 'Success', JSON.stringify(none.messages));
  assert.deepEqual(none.messages, []);
  const partly = await importYaml(api, callFlowYaml('Billing, Main', [{ module: 'Logger', inputs: { 'Common.tag': 'x' } }]));
  assert.equal(partly.status, 'Success', JSON.stringify(partly.messages));
  // The Logger module does mark Common.reason required: the schema says so, the import does not enforce it.
  const logger = (await api.call('GET', '/api/v2/flows/mod-log')).body;
  assert.equal(logger.inputSchema.properties['Common.reason'].required, true);
});

test('module schemas have the real shape: $ref to arch* definitions with archDataTypeId, per-property name and required', async () => {
  const yaml = [
    'commonModule:',
    '  name: Typed',
    '  division: Home',
    '  variables:',
    '    - integerVariable:',
    '        name: Common.count',
    '        description: How many',
    '        initialValue:',
    '          lit: 3',
    '        isInput: true',
    '        isOutput: false',
    '    - stringCollectionVariable:',
    '        name: Common.tags',
    '        initialValue:',
    '          noValue: true',
    '        isInput: true',
    '        isRequired: true',
    '        isOutput: true',
    '    - decimalVariable:',
    '        name: Common.score',
    '        initialValue:',
    '          lit: 0.5',
    '        isInput: false',
    '        isOutput: true',
    '  settingsCommonModule:',
    '    compatibleFlowTypes:',
    '      - flowType: inboundcall',
    '  startUpTaskActions:',
    '    - endTask:',
    '        name: Done',
    '',
  ].join('\n');
  const job = await importYaml(api, yaml);
  assert.equal(job.status, 'Success', JSON.stringify(job.messages));
  const listed = (await api.call('GET', '/api/v2/flows?type=commonmodule&name=Typed&includeSchemas=true')).body.entities[0];
  const input = listed.inputSchema;
  assert.equal(input.$schema, 'http://json-schema.org/draft-07/schema#');
  assert.equal(input.type, 'object');
  assert.equal(input.additionalProperties, false);
  assert.match(input.description, /If you do not supply a property value for an input variable, the variable value will be set to the initial value/);
  assert.equal(input.required, undefined);
  assert.deepEqual(input.properties['Common.count'], { description: 'How many', $ref: '#/definitions/archInteger', name: 'Common.count', required: false });
  assert.deepEqual(input.properties['Common.tags'], { $ref: '#/definitions/archStringCollection', name: 'Common.tags', required: true });
  assert.equal(input.definitions.archInteger.archDataTypeId, 'int');
  assert.equal(input.definitions.archString.archDataTypeId, 'str', 'a collection brings its item definition');
  assert.equal(input.definitions.archStringCollection.archDataTypeId, 'str[]');
  assert.deepEqual(Object.keys(listed.outputSchema.properties).sort(), ['Common.score', 'Common.tags']);
  assert.equal(listed.outputSchema.properties['Common.score'].$ref, '#/definitions/archDecimal');
  assert.equal(listed.outputSchema.properties['Common.tags'].required, false, 'required is an input notion');
  assert.equal(listed.outputSchema.title, 'Flow output schema');
});

test('an API POST without Content-Type: application/json is 415 (after auth and routing); JSON with a charset is fine', async () => {
  const post = (path: string, headers: Record<string, string>, body?: string) =>
    fetch(`${api.emu.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${api.token}`, ...headers }, ...(body === undefined ? {} : { body }) });

  const bare = await post('/api/v2/flows/actions/checkout?flow=call-2', {});
  assert.equal(bare.status, 415);
  const error = (await bare.json()) as { status: number; code: string; message: string; contextId: string };
  assert.equal(error.status, 415);
  assert.equal(error.code, 'unsupported.media.type');
  assert.match(error.message, /application\/json/);
  assert.equal(error.contextId, bare.headers.get('inin-correlation-id'));

  assert.equal((await post('/api/v2/flows/jobs', { 'content-type': 'text/plain' }, '{}')).status, 415);
  assert.equal((await post('/api/v2/flows/export/jobs', {}, JSON.stringify({ flows: [{ flow: { id: 'call-2' } }] }))).status, 415, 'a JSON body without the header');
  assert.equal((await post('/api/v2/architect/dependencytracking/build', {})).status, 415);
  const flow = (await api.call('GET', '/api/v2/flows/call-2')).body;
  assert.equal(flow.lockedClient, undefined, 'the refused checkout changed nothing');

  assert.equal((await post('/api/v2/flows/actions/checkout?flow=call-2', { 'Content-Type': 'application/json; charset=UTF-8' })).status, 200);
  assert.equal((await post('/api/v2/architect/dependencytracking/build', { 'content-type': 'application/json' })).status, 202);
  assert.equal((await post('/api/v2/no/such/thing', {})).status, 404, 'routing first');
  assert.equal((await fetch(`${api.emu.url}/api/v2/flows/jobs`, { method: 'POST' })).status, 401, 'auth first');
  assert.equal((await fetch(`${api.emu.url}/api/v2/flows/call-2`, { headers: { authorization: `Bearer ${api.token}` } })).status, 200, 'GET needs no Content-Type');

  // Not API calls: the form token request and the presigned upload keep their own content types.
  assert.equal(typeof (await api.login()), 'string');
  const job = await importYaml(api, callFlowYaml('Sales_Line_002'));
  assert.equal(job.status, 'Success');
  const statuses = (await api.control('GET', '/requests')).requests
    .filter((r: { kind: string }) => r.kind === 'oauth' || r.kind === 'upload')
    .map((r: { status: number }) => r.status);
  assert.ok(statuses.length >= 2 && statuses.every((s: number) => s === 200), JSON.stringify(statuses));
});
