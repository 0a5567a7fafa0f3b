import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { main } from '../../src/cli/main.js';
import { generateDemoOrg } from '../../src/emulator/seed/demo.js';
import type { SeedFlow } from '../../src/emulator/seed/types.js';
import { memoryHost } from '../helpers/cli-host.js';
import { CLIENT_ID, CLIENT_SECRET, emulatorHarness, on, type Harness } from '../client/harness.js';

let h: Harness;
before(async () => {
  h = await emulatorHarness();
});
after(async () => {
  await h.close();
});
beforeEach(async () => {
  await h.reset();
});

const env = (extra: Record<string, string | undefined> = {}) => ({
  GENESYS_CLIENT_ID: CLIENT_ID,
  GENESYS_CLIENT_SECRET: CLIENT_SECRET,
  GENESYS_ENVIRONMENT: h.url,
  ...extra,
});

async function run(argv: string[], environment = env()) {
  const io = memoryHost(environment);
  const code = await main(argv, io.host);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

interface Row {
  id: string;
  name: string;
  type: string;
  state: string;
  lockedBy: { kind: string; name?: string } | null;
  draftVersion: string | null;
  publishedVersion: string | null;
  callsModule: boolean | null;
}

/** What the seed says each flow's state is, worked out from the fixture (independently of the classifier). */
function expectedState(flow: SeedFlow, module?: string): string {
  const published = flow.published ?? [];
  if (published.length === 0) return 'NEVER_PUBLISHED';
  if (module && published[published.length - 1]!.includes(module)) return 'ALREADY_CALLS_MODULE';
  if (flow.lockedBy) return 'LOCKED';
  if (flow.draft !== undefined) return 'HAS_UNPUBLISHED_DRAFT';
  return 'ELIGIBLE';
}

const demo = generateDemoOrg();
const salesLine = demo.flows.filter((f) => f.name.startsWith('Sales_Line_')).sort((a, b) => a.name.localeCompare(b.name));

test('list --prefix Sales_Line_ prints exactly the Sales_Line_ flows, one aligned row each, with their states', async () => {
  const { code, stdout, stderr } = await run(['list', '--prefix', 'Sales_Line_']);
  assert.equal(code, 0, stderr);
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^NAME\s+TYPE\s+DIVISION\s+PUBLISHED\s+LOCKED BY\s+DRAFT\s+STATE\s+ID$/);
  const rows = lines.slice(1);
  assert.equal(rows.length, salesLine.length);
  assert.equal(salesLine.length, 40);
  const stateAt = lines[0]!.indexOf('STATE');
  for (const [i, flow] of salesLine.entries()) {
    const row = rows[i]!;
    assert.ok(row.startsWith(flow.name), `row ${i} is ${flow.name}`);
    assert.ok(row.endsWith(flow.id));
    assert.equal(row.slice(stateAt).split(/\s+/)[0], expectedState(flow), flow.name);
  }
  assert.doesNotMatch(stdout, /\x1b\[/, 'no colour off a TTY');
  assert.match(stderr, /^flowlink: 40 flows: /m);
});

test('list --module --json: one object per flow with lock holder, draft, calls and state', async () => {
  const module = 'Global_Exception_Handler';
  const { code, stdout } = await run(['list', '--prefix', 'Sales_Line_', '--module', module, '--json']);
  assert.equal(code, 0);
  const rows = JSON.parse(stdout) as Row[];
  assert.deepEqual(rows.map((r) => r.id), salesLine.map((f) => f.id));
  for (const [i, flow] of salesLine.entries()) {
    const row = rows[i]!;
    assert.equal(row.state, expectedState(flow, module), flow.name);
    assert.equal(row.type, 'inboundcall');
    assert.equal(row.lockedBy?.kind ?? null, flow.lockedBy?.kind ?? null);
    assert.equal(row.lockedBy?.name ?? null, flow.lockedBy?.name ?? null);
    assert.equal(row.publishedVersion, flow.published?.length ? `${flow.published.length}.0` : null);
    assert.equal(row.draftVersion !== null, flow.draft !== undefined, `${flow.name} draft`);
    const published = flow.published ?? [];
    assert.equal(row.callsModule, published.length > 0 && published[published.length - 1]!.includes(module));
  }
  assert.ok(rows.some((r) => r.state === 'ALREADY_CALLS_MODULE'));
  assert.ok(rows.some((r) => r.state === 'LOCKED' && r.lockedBy?.kind === 'user'));
  assert.ok(rows.some((r) => r.state === 'LOCKED' && r.lockedBy?.kind === 'client'));
});

test('the same output under injected 429s and 503s, and no request retried beyond its fault', async () => {
  const clean = await run(['list', '--prefix', 'Sales_Line_', '--module', 'Global_Exception_Handler']);
  await h.reset();
  await h.fault({ method: 'GET', path: '/api/v2/flows', status: 429, retryAfter: 1, count: 1 });
  await h.fault({ method: 'GET', path: '/api/v2/architect/dependencytracking/*', status: 503, count: 2 });
  await h.fault({ method: 'GET', path: '/api/v2/flows', status: 503, count: 1, skip: 2 });
  const faulted = await run(['list', '--prefix', 'Sales_Line_', '--module', 'Global_Exception_Handler']);
  assert.equal(faulted.code, 0, faulted.stderr);
  assert.equal(faulted.stdout, clean.stdout);
  const requests = await h.requests();
  const flows = on(requests, 'GET', '/api/v2/flows');
  assert.equal(flows.filter((r) => r.status === 429).length, 1);
  assert.equal(flows.filter((r) => r.status === 503).length, 1);
  assert.equal(flows.filter((r) => r.status === 200).length, 2, 'the walk page and the module lookup, once each');
  // Consumer lists are per module version: one question per published version of the module, each answered once.
  const moduleVersions = demo.flows.find((f) => f.name === 'Global_Exception_Handler')!.published!.length;
  const deps = on(requests, 'GET', /dependencytracking/);
  assert.deepEqual(deps.map((r) => r.status).sort(), [...Array<number>(moduleVersions).fill(200), 503, 503]);
  assert.equal(new Set(deps.filter((r) => r.status === 200).map((r) => new URLSearchParams(r.query).get('version'))).size, moduleVersions);
  assert.equal(on(requests, 'POST', '/oauth/token').length, 1);
});

test('--exclude, --type and an incompatible module', async () => {
  const excluded = salesLine.find((f) => expectedState(f) === 'ELIGIBLE')!;
  const { stdout } = await run(['list', '--prefix', 'Sales_Line_', '--exclude', excluded.name, '--json']);
  const rows = JSON.parse(stdout) as Row[];
  assert.equal(rows.find((r) => r.id === excluded.id)?.state, 'EXCLUDED');
  assert.equal(rows.length, 40);

  const chats = await run(['list', '--type', 'inboundchat', '--module', 'Fraud_Check_Voice', '--json']);
  const chatRows = JSON.parse(chats.stdout) as Row[];
  assert.ok(chatRows.length > 0);
  for (const row of chatRows) {
    assert.equal(row.type, 'inboundchat');
    if (row.publishedVersion !== null) assert.equal(row.state, 'INCOMPATIBLE_TYPE');
  }
});

test('a never-published module is noted; an unknown module is exit 2', async () => {
  const never = await run(['list', '--prefix', 'Sales_Line_00', '--module', 'Holiday_Check']);
  assert.equal(never.code, 0);
  assert.match(never.stderr, /Holiday_Check has never been published/);
  const missing = await run(['list', '--module', 'No_Such_Module']);
  assert.equal(missing.code, 2);
  assert.equal(missing.stdout, '');
  assert.equal(missing.stderr, "flowlink: common module 'No_Such_Module' not found\n");
});

test('missing credentials: one line naming the variable, exit 5, nothing sent', async () => {
  const noId = await run(['list'], env({ GENESYS_CLIENT_ID: undefined }));
  assert.equal(noId.code, 5);
  assert.equal(noId.stderr, 'flowlink: GENESYS_CLIENT_ID is not set: set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET (and GENESYS_ENVIRONMENT, default mypurecloud.com) in the environment; see "Use against a real org" in the README\n');
  const noSecret = await run(['list'], env({ GENESYS_CLIENT_SECRET: '' }));
  assert.equal(noSecret.code, 5);
  assert.match(noSecret.stderr, /^flowlink: GENESYS_CLIENT_SECRET is not set: set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET .*README\n$/);
  assert.equal((await h.requests()).length, 0);
});

test('wrong credentials: exit 5, one line, the token endpoint asked once', async () => {
  const wrong = await run(['list'], env({ GENESYS_CLIENT_SECRET: 'not-the-right-secret' }));
  assert.equal(wrong.code, 5);
  assert.equal(wrong.stdout, '');
  assert.match(wrong.stderr, /^flowlink: authentication failed at 127\.0\.0\.1:\d+ for client id flowlink-demo: .*\n$/);
  assert.ok(!wrong.stderr.includes('not-the-right-secret'));
  assert.equal(on(await h.requests(), 'POST', '/oauth/token').length, 1);
});

test('an unknown region is exit 2; an unreachable host is exit 5 naming the host; never a stack', async () => {
  const region = await run(['list'], env({ GENESYS_ENVIRONMENT: 'mypurecloud.xx' }));
  assert.equal(region.code, 2);
  assert.match(region.stderr, /^flowlink: GENESYS_ENVIRONMENT: unknown Genesys Cloud region 'mypurecloud\.xx'.*\n$/);

  const port = await closedPort();
  const down = await run(['list', '--json'], env({ GENESYS_ENVIRONMENT: `http://127.0.0.1:${port}` }));
  assert.equal(down.code, 5);
  const doc = JSON.parse(down.stdout) as { error: { message: string; exitCode: number } };
  assert.equal(doc.error.exitCode, 5);
  assert.match(doc.error.message, new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}`));
  assert.doesNotMatch(down.stdout + down.stderr, /\n\s+at /);
});

test('no secret or token appears in any output, even with debug logging and retries', async () => {
  await h.fault({ method: 'GET', path: '/api/v2/flows', status: 429, retryAfter: 0, count: 2 });
  const result = await run(['list', '--prefix', 'Sales_Line_', '--module', 'Global_Exception_Handler'], env({ FLOWLINK_DEBUG: '1' }));
  assert.equal(result.code, 0);
  const text = result.stdout + result.stderr;
  assert.match(result.stderr, /retrying GET/, 'debug lines were written');
  assert.ok(!text.includes(CLIENT_SECRET));
  assert.ok(!text.includes(Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')));
  assert.doesNotMatch(text, /[A-Za-z0-9_-]{43}/, 'nothing shaped like an emulator token');
  assert.doesNotMatch(text, /Bearer (?!\[REDACTED\])/);
});

function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
