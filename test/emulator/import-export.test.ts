import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { importYaml, startApi, until, type TestApi } from './api.js';
import { callFlowYaml, sample, smallOrg } from './fixtures.js';

let api: TestApi;
/** The same org with exports echoing the stored bytes: for the tests that are about the exact text stored. */
let verbatim: TestApi;
before(async () => {
  api = await startApi({ jobMs: 10 });
  verbatim = await startApi({ jobMs: 10, exportMode: 'verbatim' });
});
beforeEach(async () => {
  await api.control('POST', '/reset', { seed: smallOrg() });
  await verbatim.control('POST', '/reset', { seed: smallOrg() });
});
after(async () => {
  await api.close();
  await verbatim.close();
});

const stateOf = async (): Promise<string> => JSON.stringify((await api.control('GET', '/state')).flows);

test('import: success publishes the exact text as a new version (also checked in), supersedes the draft', async () => {
  const yaml = callFlowYaml('Billing, Main', [{ module: 'Logger', inputs: { 'Common.reason': 'billing' } }]).replace(/\n/g, '\r\n');
  const job = await importYaml(verbatim, yaml);
  assert.equal(job.status, 'Success', JSON.stringify(job.messages));
  assert.equal(job.command, 'Publish');
  assert.equal(job.flow.id, 'call-4');
  const flow = (await verbatim.call('GET', '/api/v2/flows/call-4')).body;
  assert.equal(flow.publishedVersion.id, '3.0');
  assert.equal(flow.checkedInVersion.id, '3.0');
  assert.equal(flow.savedVersion, undefined);
  // A verbatim export gives back the uploaded bytes (CRLF and comment included): the import stored the exact text.
  const exported = await exportFlows([{ flow: { id: 'call-4' } }], verbatim);
  assert.equal(exported.text, yaml);
});

test('import: a new name creates a flow in the named division; createStubs body accepted', async () => {
  const reg = await api.call('POST', '/api/v2/flows/jobs', { createStubs: false });
  assert.equal(reg.status, 200);
  assert.equal(reg.body.headers['Content-Type'], 'application/octet-stream');
  assert.ok(Object.keys(reg.body.headers).some((h) => h.toLowerCase().startsWith('x-amz-')));
  assert.equal((await api.call('GET', `/api/v2/flows/jobs/${reg.body.id}`)).body.status, 'Registered');
  const yaml = sample('bp-simple-ivr_inboundcall_simple-financial-ivr.yaml');
  const put = await fetch(reg.body.presignedUrl, { method: 'PUT', headers: reg.body.headers, body: yaml });
  assert.equal(put.status, 200);
  const job = await until(() => api.call('GET', `/api/v2/flows/jobs/${reg.body.id}`), (r) => r.body.status !== 'Started');
  assert.equal(job.body.status, 'Success');
  assert.equal(job.body.messages, undefined, 'messages only with expand=messages');
  const flow = (await api.call('GET', `/api/v2/flows/${job.body.flow.id}`)).body;
  assert.equal(flow.type, 'INBOUNDCALL');
  assert.equal(flow.publishedVersion.id, '1.0');
  assert.equal(flow.division.name, 'Home');
});

test('import failures leave nothing changed and say why', async () => {
  const cases: [string, string, RegExp][] = [
    ['module missing', callFlowYaml('Sales_Line_002', [{ module: 'NoSuchModule' }]), /'NoSuchModule'.*not found/],
    ['module unpublished', callFlowYaml('Sales_Line_002', [{ module: 'NeverPublished' }]), /'NeverPublished' has not been published/],
    ['incompatible type', sample('tf-provider_inboundshortmessage_inboundmessage-flow-example.yaml').replace('"{{flow_name}}"', 'Sales_Chat').replace('"{{home_division_name}}"', 'Home')
      .replace(/actions:\n/, 'actions:\n          - callCommonModule:\n              name: c\n              commonModule:\n                VoiceOnly:\n                  ver_latestPublished:\n'), /'VoiceOnly' is not compatible with flow type 'inboundshortmessage'/],
    ['locked flow', callFlowYaml('Support_Main'), /locked by another entity/],
    ['parse error', 'inboundCall:\n  name: Broken\n  tasks: [\n', /YAML parse error/],
    ['placeholder name', 'inboundCall:\n  name: {{flow_name}}\n', /placeholder \{\{flow_name\}\}/],
    ['two top keys', 'inboundCall:\n  name: A\ninboundChat:\n  name: B\n', /exactly one top-level key/],
    ['unknown type key', 'martianCall:\n  name: A\n', /Unknown flow type key/],
  ];
  const before = await stateOf();
  for (const [label, yaml, pattern] of cases) {
    const job = await importYaml(api, yaml);
    assert.equal(job.status, 'Failure', label);
    assert.equal(job.flow, undefined, label);
    assert.ok(job.messages.length > 0, label);
    assert.equal(job.messages[0].type, 'Error');
    assert.match(job.messages.map((m: { text: string }) => m.text).join('\n'), pattern, label);
  }
  assert.equal(await stateOf(), before, 'no flow, version, lock or draft changed');
});

test('upload: missing or wrong header and bad signature are S3 403s; not rate limited; second upload refused', async () => {
  const reg = (await api.call('POST', '/api/v2/flows/jobs')).body;
  const noHeader = await fetch(reg.presignedUrl, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: 'x' });
  assert.equal(noHeader.status, 403);
  assert.match(await noHeader.text(), /<Code>AccessDenied<\/Code>/);
  const wrongType = await fetch(reg.presignedUrl, { method: 'PUT', headers: { ...reg.headers, 'Content-Type': 'text/plain' }, body: 'x' });
  assert.equal(wrongType.status, 403);
  const forged = await fetch(reg.presignedUrl.replace(/X-Amz-Signature=\w+/, 'X-Amz-Signature=abc'), { method: 'PUT', headers: reg.headers, body: 'x' });
  assert.equal(forged.status, 403);
  assert.equal((await fetch(reg.presignedUrl, { method: 'PUT', headers: reg.headers, body: callFlowYaml('New_Flow') })).status, 200);
  assert.equal((await fetch(reg.presignedUrl, { method: 'PUT', headers: reg.headers, body: callFlowYaml('New_Flow') })).status, 400);
});

async function exportFlows(flows: unknown[], on: TestApi = api): Promise<{ job: any; status: number; contentType: string; text: string; bytes: Uint8Array }> {
  const reg = await on.call('POST', '/api/v2/flows/export/jobs', { flows });
  assert.equal(reg.status, 200, reg.text);
  assert.equal(reg.body.status, 'Started');
  assert.equal(reg.body.totalFlows, flows.length);
  const job = await until(() => on.call('GET', `/api/v2/flows/export/jobs/${reg.body.id}?expand=messages`), (r) => r.body.status !== 'Started');
  if (!job.body.downloadUrl) return { job: job.body, status: 0, contentType: '', text: '', bytes: new Uint8Array() };
  const res = await fetch(job.body.downloadUrl); // presigned: no bearer token
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { job: job.body, status: res.status, contentType: res.headers.get('content-type') ?? '', text: Buffer.from(bytes).toString('utf8'), bytes };
}

test('export (verbatim): one flow by id gives its latest version as YAML byte for byte; by name+type with a version', async () => {
  const one = await exportFlows([{ flow: { id: 'mail-1' } }], verbatim);
  assert.equal(one.job.status, 'Success');
  assert.equal(one.job.command, 'Export');
  assert.deepEqual(one.job.messages, []);
  assert.equal(one.status, 200);
  assert.equal(one.text, sample('bp-email-aws-comprehend_inboundemail_email-comprehend-flow.yaml'));
  const draft = await exportFlows([{ flow: { id: 'call-4' } }], verbatim);
  assert.match(draft.text, /# draft/, 'no version: the latest (here the saved draft)');
  const old = await exportFlows([{ flow: { name: 'Sales_Line_001', type: 'inboundcall', version: '1.0' } }], verbatim);
  assert.doesNotMatch(old.text, /callCommonModule/);
});

test('export: several flows give a zip named <Name>_v<version>.yaml (no flow id) or fileName.yaml; unexportable flows are Error messages; none -> Failure', async () => {
  const many = await exportFlows([
    { flow: { id: 'call-1' } },
    { flow: { id: 'msg-1' }, fileName: 'chat_export' },
    { flow: { id: 'ghost-flow' } },
    { flow: { id: 'call-2', version: '7.0' } },
  ]);
  assert.equal(many.job.status, 'Success');
  assert.equal(many.contentType, 'application/zip');
  const files = unzipSync(many.bytes);
  assert.deepEqual(Object.keys(files).sort(), ['Sales_Line_001_v2-0.yaml', 'chat_export.yaml']);
  assert.match(strFromU8(files['Sales_Line_001_v2-0.yaml'] as Uint8Array), /callCommonModule/);
  const texts = many.job.messages.map((m: { text: string }) => m.text).join('\n');
  assert.match(texts, /ghost-flow/);
  assert.match(texts, /call-2/);
  const none = await exportFlows([{ flow: { id: 'ghost-flow' } }]);
  assert.equal(none.job.status, 'Failure');
  assert.equal(none.job.downloadUrl, undefined);
  assert.equal((await api.call('POST', '/api/v2/flows/export/jobs', { flows: [] })).status, 400);
  assert.equal((await api.call('POST', '/api/v2/flows/export/jobs', { flows: Array.from({ length: 101 }, () => ({ flow: { id: 'call-1' } })) })).status, 400);
  assert.equal((await api.call('GET', '/api/v2/flows/export/jobs/nope')).status, 404);
});
