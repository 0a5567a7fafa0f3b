import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type Flow, type GenesysClient } from '../../src/client/index.js';
import { emulatorHarness, on, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await emulatorHarness({ jobMs: 50 });
});
after(async () => {
  await h.close();
});
beforeEach(async () => {
  await h.reset();
});

const FAST = { initialMs: 30, maxMs: 200 };

async function inboundCalls(client: GenesysClient): Promise<Flow[]> {
  const flows: Flow[] = [];
  for await (const flow of client.flows.list({ type: ['inboundcall'] })) flows.push(flow);
  return flows;
}

async function publishedYaml(client: GenesysClient, flow: Flow): Promise<string> {
  const [result] = await client.exportJobs.exportFlows([{ id: flow.id, version: flow.publishedVersion!.id }], { poll: FAST });
  assert.ok(result?.ok, `exported ${flow.name}`);
  return result.yaml;
}

function plain(flows: Flow[]): Flow {
  const flow = flows.find((f) => f.publishedVersion && !f.lockedUser && !f.lockedClient && !f.savedVersion && f.name.startsWith('Sales_Line_'));
  assert.ok(flow, 'an unlocked published flow without a draft');
  return flow;
}

test('import job: register, upload with the returned headers and no bearer, poll to Success; a new version is published', async () => {
  const client = h.client();
  const flow = plain(await inboundCalls(client));
  const yaml = await publishedYaml(client, flow);
  await h.clearRequests();
  const result = await client.importJobs.importFlowYaml(yaml, FAST);
  assert.equal(result.status, 'Success', result.errors.join('; '));
  assert.equal(result.flowId, flow.id);
  const after = await client.flows.get(flow.id);
  assert.notEqual(after.publishedVersion?.id, flow.publishedVersion?.id);
  const requests = await h.requests();
  assert.equal(on(requests, 'POST', '/api/v2/flows/jobs').length, 1);
  const uploads = requests.filter((r) => r.kind === 'upload');
  assert.equal(uploads.length, 1);
  assert.equal(uploads[0]!.status, 200);
  assert.equal(uploads[0]!.tokenId, null, 'no bearer token on the presigned upload');
});

test('a failing import job: Failure with its messages surfaced; nothing is registered or uploaded twice', async () => {
  const client = h.client();
  const flow = plain(await inboundCalls(client));
  const yaml = await publishedYaml(client, flow);
  await h.fault({ jobFailure: { flowName: flow.name } });
  await h.clearRequests();
  const result = await client.importJobs.importFlowYaml(yaml, FAST);
  assert.equal(result.status, 'Failure');
  assert.ok(result.errors.some((text) => text.includes(flow.name)), `messages: ${result.errors.join('; ')}`);
  const requests = await h.requests();
  assert.equal(on(requests, 'POST', '/api/v2/flows/jobs').length, 1);
  assert.equal(requests.filter((r) => r.kind === 'upload').length, 1);
  assert.equal((await client.flows.get(flow.id)).publishedVersion?.id, flow.publishedVersion?.id, 'nothing published');
});

test('the upload is retried after a 503 from the storage URL, with the same headers', async () => {
  const client = h.client();
  const flow = plain(await inboundCalls(client));
  const yaml = await publishedYaml(client, flow);
  await h.fault({ method: 'PUT', path: '/__presigned/uploads/*', status: 503, count: 2 });
  await h.clearRequests();
  const registration = await client.importJobs.register();
  await client.importJobs.upload(registration, yaml);
  const result = await client.importJobs.wait(registration.id, FAST);
  assert.equal(result.status, 'Success');
  const uploads = (await h.requests()).filter((r) => r.kind === 'upload');
  assert.deepEqual(uploads.map((r) => r.status), [503, 503, 200]);
});

test('checkout, checkin and publish wait on their Operations by polling the flow', async () => {
  const client = h.client();
  const flows = await inboundCalls(client);
  const drafted = flows.find((f) => f.savedVersion && f.publishedVersion && !f.lockedUser && !f.lockedClient);
  assert.ok(drafted, 'a flow with an unpublished draft');
  const locked = await client.flows.checkout(drafted.id);
  assert.equal(locked.id, drafted.id);
  const checkedIn = await client.flows.checkinAndWait(drafted.id, FAST);
  assert.equal(checkedIn.checkedInVersion?.id, drafted.savedVersion!.id);
  const published = await client.flows.publishAndWait(drafted.id, FAST);
  assert.equal(published.publishedVersion?.id, drafted.savedVersion!.id);
  assert.equal(published.currentOperation?.actionStatus, 'SUCCESS');
});

test('a publish that the server refuses (not checked in) is a 409 sent once', async () => {
  const client = h.client();
  const never = (await inboundCalls(client)).find((f) => !f.publishedVersion && !f.checkedInVersion && !f.lockedUser && !f.lockedClient);
  assert.ok(never, 'a never-published flow');
  await h.clearRequests();
  await assert.rejects(client.flows.publish(never.id), (error: unknown) => error instanceof ApiError && error.status === 409);
  assert.equal(on(await h.requests(), 'POST', '/api/v2/flows/actions/publish').length, 1);
});

test('dependency tracking: consumers of a module, what a flow consumes, build status', async () => {
  const client = h.client();
  const module = await client.flows.findByName('Global_Exception_Handler', 'commonmodule');
  assert.ok(module);
  const consumers = await client.dependencies.consumers(module.id, { version: module.publishedVersion!.id, resourceTypes: ['INBOUNDCALLFLOW'] });
  assert.equal(consumers.partial, false);
  assert.ok(consumers.items.length > 0, 'the demo org has callers');
  const caller = await client.flows.get(consumers.items[0]!.id);
  const consumed = await client.dependencies.consumed(caller.id, {
    version: caller.publishedVersion!.id, objectType: 'INBOUNDCALLFLOW', resourceTypes: ['COMMONMODULEFLOW'],
  });
  assert.ok(consumed.items.some((d) => d.id === module.id), 'the caller consumes the module');
  assert.equal((await client.dependencies.buildStatus()).status, 'OPERATIONAL');
});

test('dependency tracking that lags behind a publish answers 206: flagged partial', async () => {
  const lagging = await emulatorHarness({ jobMs: 50, dependencyLagMs: 60_000 });
  try {
    const client = lagging.client();
    const flow = plain(await inboundCalls(client));
    const [exported] = await client.exportJobs.exportFlows([{ id: flow.id, version: flow.publishedVersion!.id }], { poll: FAST });
    assert.ok(exported?.ok);
    assert.equal((await client.importJobs.importFlowYaml(exported.yaml, FAST)).status, 'Success');
    const module = (await client.flows.findByName('Global_Exception_Handler', 'commonmodule'))!;
    const consumers = await client.dependencies.consumers(module.id, { version: module.publishedVersion!.id });
    assert.equal(consumers.partial, true);
    assert.notEqual((await client.dependencies.buildStatus()).status, 'OPERATIONAL');
  } finally {
    await lagging.close();
  }
});

test('export in chunks: 120 flows take two jobs, every flow accounted for', async () => {
  const client = h.client();
  const flows = (await inboundCalls(client)).filter((f) => f.publishedVersion).slice(0, 120);
  assert.equal(flows.length, 120);
  await h.clearRequests();
  const results = await client.exportJobs.exportFlows(flows.map((f) => ({ id: f.id, version: f.publishedVersion!.id })), { poll: FAST });
  assert.deepEqual(results.map((r) => r.flowId), flows.map((f) => f.id));
  assert.ok(results.every((r) => r.ok));
  assert.equal(on(await h.requests(), 'POST', '/api/v2/flows/export/jobs').length, 2);
});

test('aborting the client stops a poll at once', async () => {
  const controller = new AbortController();
  const client = h.client({ signal: controller.signal });
  const flow = plain(await inboundCalls(client));
  const yaml = await publishedYaml(client, flow);
  await h.fault({ jobHang: { flowName: flow.name } });
  const pending = client.importJobs.importFlowYaml(yaml, FAST);
  setTimeout(() => controller.abort(new Error('stop')), 150);
  await assert.rejects(pending, (error: unknown) => error instanceof ApiError && error.kind === 'aborted');
});
