import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { regenerateExport } from '../../src/emulator/archy/regenerate-export.js';
import { callFlowYaml, CLIENT_ID, CLIENT_SECRET, smallOrg } from './fixtures.js';

/*
 * The official SDK is the independent witness that the emulator speaks the real API (genesys-api.md §11): it reads
 * ~/.genesyscloudjavascript/config when loaded, so HOME points at an empty directory BEFORE it is required.
 */
process.env.HOME = mkdtempSync(join(tmpdir(), 'flowlink-sdk-home-'));
const platformClient = createRequire(import.meta.url)('purecloud-platform-client-v2');

let emu: EmulatorHandle;
let client: any;
let architect: any;

before(async () => {
  emu = await startEmulator({ seed: smallOrg(), jobMs: 10 });
  client = platformClient.ApiClient.instance;
  client.setGateway({ host: '127.0.0.1', protocol: 'http', port: Number(new URL(emu.url).port) });
  await client.loginClientCredentialsGrant(CLIENT_ID, CLIENT_SECRET);
  architect = new platformClient.ArchitectApi();
});
after(async () => {
  client.setReturnExtendedResponses(false);
  await emu.close();
});

async function poll<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 200 && !done(value); i += 1) {
    await new Promise((r) => setTimeout(r, 10));
    value = await read();
  }
  return value;
}

test('SDK: getFlows with array params (comma-joined by the SDK), paging and schemas', async () => {
  const listing = await architect.getFlows({ type: ['inboundcall', 'inboundemail'], pageSize: 2, pageNumber: 1, sortBy: 'name' });
  assert.equal(listing.total, 5);
  assert.equal(listing.pageCount, 3);
  assert.equal(listing.entities.length, 2);
  assert.deepEqual(listing.entities.map((f: any) => f.name), ['Billing, Main', 'Sales_Line_001']);
  assert.equal(listing.entities[0].type, 'INBOUNDCALL');
  const modules = await architect.getFlows({ type: ['commonmodule'], name: 'Logger', includeSchemas: true });
  assert.equal(modules.entities[0].inputSchema.properties['Common.reason'].required, true);
  assert.equal(modules.entities[0].inputSchema.properties['Common.reason'].$ref, '#/definitions/archString');
  assert.deepEqual(modules.entities[0].compatibleFlowTypes, ['inboundcall', 'inboundshortmessage']);
  const lookup = await architect.getFlowsLookup(['call-1', 'msg-1']);
  assert.equal(lookup.total, 2);
});

test('SDK: getFlow, versions, configurations, checkout', async () => {
  const flow = await architect.getFlow('call-4');
  assert.equal(flow.savedVersion.id, '2.0');
  assert.equal(flow.lockedUser, undefined);
  const versions = await architect.getFlowVersions('call-1', {});
  assert.deepEqual(versions.entities.map((v: any) => v.id), ['2.0', '1.0']);
  const config = await architect.getFlowVersionConfiguration('call-1', '1.0', {});
  assert.equal(config.inboundCall.name, 'Sales_Line_001');
  const latest = await architect.getFlowLatestconfiguration('call-4', {});
  assert.equal(latest.inboundCall.name, 'Billing, Main');
  const locked = await architect.postFlowsActionsCheckout('call-2');
  assert.equal(locked.lockedClient.id, CLIENT_ID);
});

test('SDK: errors reject with the ErrorBody; extended responses carry status and rate-limit headers', async () => {
  await assert.rejects(architect.getFlow('missing-flow'), (error: any) => error.code === 'not.found' && error.status === 404);
  client.setReturnExtendedResponses(true);
  try {
    const ok = await architect.getFlows({ pageSize: 1 });
    assert.equal(ok.status, 200);
    assert.ok(Number(ok.headers['inin-ratelimit-count']) >= 1);
    assert.equal(ok.headers['inin-ratelimit-allowed'], '300');
    await assert.rejects(architect.getFlows({ type: ['martian'] }), (error: any) => error.status === 400 && error.body.code === 'invalid.query.param.value');
  } finally {
    client.setReturnExtendedResponses(false);
  }
});

test('SDK: import job (register, presigned PUT, poll with expand=messages) and export job', async () => {
  const reg = await architect.postFlowsJobs({});
  assert.ok(reg.presignedUrl && reg.headers);
  const put = await fetch(reg.presignedUrl, { method: 'PUT', headers: reg.headers, body: callFlowYaml('Sales_Line_002', [{ module: 'VoiceOnly' }]) });
  assert.equal(put.status, 200);
  const job = await poll(() => architect.getFlowsJob(reg.id, { expand: ['messages'] }), (j: any) => j.status === 'Success' || j.status === 'Failure');
  assert.equal(job.status, 'Success');
  assert.equal(job.flow.id, 'call-2');
  assert.deepEqual(job.messages, []);

  const failing = await architect.postFlowsJobs({});
  await fetch(failing.presignedUrl, { method: 'PUT', headers: failing.headers, body: callFlowYaml('Sales_Line_002', [{ module: 'NeverPublished' }]) });
  const failed = await poll(() => architect.getFlowsJob(failing.id, { expand: ['messages'] }), (j: any) => j.status !== 'Started');
  assert.equal(failed.status, 'Failure');
  assert.match(failed.messages[0].text, /'NeverPublished' has not been published/);

  const exportJob = await architect.postFlowsExportJobs({ flows: [{ flow: { id: 'call-2' }, exportType: 'Yaml' }] });
  assert.equal(exportJob.status, 'Started');
  const done = await poll(() => architect.getFlowsExportJob(exportJob.id, { expand: ['messages'] }), (j: any) => j.status !== 'Started');
  assert.equal(done.status, 'Success');
  const download = await fetch(done.downloadUrl);
  // Exports are regenerated from the stored version (regenerate-export.ts), as Genesys Cloud writes new YAML.
  assert.equal(await download.text(), regenerateExport(callFlowYaml('Sales_Line_002', [{ module: 'VoiceOnly' }])));
});

test('SDK: dependency tracking consumers (resourceType array) and consumed resources; build status', async () => {
  const consumers = await architect.getArchitectDependencytrackingConsumingresources('mod-log', 'COMMONMODULEFLOW', {
    version: '1.0', resourceType: ['INBOUNDCALLFLOW', 'INBOUNDSHORTMESSAGEFLOW'], flowFilter: 'published', pageSize: 100,
  });
  assert.deepEqual(consumers.entities.map((d: any) => [d.id, d.type, d.version]), [['call-1', 'INBOUNDCALLFLOW', '2.0']]);
  const consumed = await architect.getArchitectDependencytrackingConsumedresources('call-1', '2.0', 'INBOUNDCALLFLOW', { resourceType: ['COMMONMODULEFLOW'] });
  assert.deepEqual(consumed.entities.map((d: any) => d.name), ['Logger']);
  const build = await architect.getArchitectDependencytrackingBuild();
  assert.equal(build.status, 'OPERATIONAL');
});
