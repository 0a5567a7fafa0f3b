import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { memoryHost } from '../helpers/cli-host.js';
import { CLIENT_ID, CLIENT_SECRET, callFlowYaml, smallOrg } from './fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Spawns `flowlink emulator` as a real process and resolves with its first stdout line (the URL). */
async function spawnEmulator(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'emulator', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator did not print its URL in time')), 20_000);
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`emulator exited early (${code})`)));
  });
  return { child, url };
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function login(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}` },
    body: 'grant_type=client_credentials',
  });
  const { access_token: token } = (await res.json()) as { access_token: string };
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

function dataDirWithSeed(): { dir: string; seedFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'flowlink-emu-data-'));
  const seedFile = join(dir, 'seed.json');
  writeFileSync(seedFile, JSON.stringify(smallOrg()));
  return { dir: join(dir, 'state'), seedFile };
}

test('kill -9 loses nothing acknowledged: locks, imports, control-plane changes and tokens survive a restart', async () => {
  const { dir, seedFile } = dataDirWithSeed();
  const first = await spawnEmulator(['--data', dir, '--seed', seedFile, '--job-ms', '10']);
  let second: ChildProcess | undefined;
  try {
    const auth = await login(first.url);
    assert.equal((await fetch(`${first.url}/api/v2/flows/actions/checkout?flow=call-2`, { method: 'POST', headers: auth })).status, 200);
    const reg = (await (await fetch(`${first.url}/api/v2/flows/jobs`, { method: 'POST', headers: auth })).json()) as any;
    const yaml = callFlowYaml('Brand_New_Flow', [{ module: 'VoiceOnly' }]);
    assert.equal((await fetch(reg.presignedUrl, { method: 'PUT', headers: reg.headers, body: yaml })).status, 200);
    let job: any;
    for (let i = 0; i < 200; i += 1) {
      job = await (await fetch(`${first.url}/api/v2/flows/jobs/${reg.id}`, { headers: auth })).json();
      if (job.status !== 'Started') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(job.status, 'Success');
    await fetch(`${first.url}/__emulator/flows/call-1/state`, { method: 'POST', body: JSON.stringify({ lock: { kind: 'user', id: 'u9', name: 'Night Shift' } }) });

    // A burst of concurrent checkouts; the process dies while some are still in flight.
    const ids = ['call-4', 'msg-1', 'mail-1', 'mod-log', 'mod-voice', 'mod-draft'];
    const acknowledged: string[] = [];
    const burst = ids.map((id) => fetch(`${first.url}/api/v2/flows/actions/checkout?flow=${id}`, { method: 'POST', headers: auth })
      .then((res) => { if (res.status === 200) acknowledged.push(id); }, () => undefined));
    await Promise.race([Promise.all(burst), new Promise((r) => setTimeout(r, 15))]);
    first.child.kill('SIGKILL');
    await exited(first.child);
    await Promise.all(burst);
    const ackedBeforeKill = [...acknowledged];

    // --export verbatim: the check below is that the imported text survived the restart byte for byte.
    const restarted = await spawnEmulator(['--data', dir, '--seed', 'empty', '--export', 'verbatim']);
    second = restarted.child;
    const state = (await (await fetch(`${restarted.url}/__emulator/state`)).json()) as any;
    const byId = new Map(state.flows.map((f: any) => [f.id, f]));
    assert.equal((byId.get('call-2') as any).lock.id, CLIENT_ID);
    assert.equal((byId.get('call-1') as any).lock.name, 'Night Shift');
    for (const id of ackedBeforeKill) assert.equal((byId.get(id) as any).lock?.id, CLIENT_ID, `acknowledged checkout of ${id}`);
    assert.equal(state.importJobs.find((j: any) => j.id === reg.id).status, 'Success');

    // The old token still works after the restart (tokens are persisted as hashes), and the import is intact.
    const list = (await (await fetch(`${restarted.url}/api/v2/flows?name=Brand_New_Flow`, { headers: auth })).json()) as any;
    assert.equal(list.total, 1);
    const exportJob = (await (await fetch(`${restarted.url}/api/v2/flows/export/jobs`, {
      method: 'POST', headers: auth, body: JSON.stringify({ flows: [{ flow: { id: list.entities[0].id } }] }),
    })).json()) as any;
    let exported: any;
    for (let i = 0; i < 200; i += 1) {
      exported = await (await fetch(`${restarted.url}/api/v2/flows/export/jobs/${exportJob.id}`, { headers: auth })).json();
      if (exported.status !== 'Started') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(await (await fetch(exported.downloadUrl)).text(), yaml);

    // Graceful stop: SIGTERM persists and exits 0.
    second.kill('SIGTERM');
    assert.equal(await exited(second), 0);
    second = undefined;
  } finally {
    if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
    if (second && second.exitCode === null) second.kill('SIGKILL');
  }
});

test('CLI: bad flag values are usage errors (exit 2) and nothing is served', async () => {
  for (const args of [['--port', 'abc'], ['--port', '70000'], ['--rate-limit', '0'], ['--latency', '-5'], ['--job-ms', '1.5'], ['--seed', '/no/such/seed.json']]) {
    const io = memoryHost();
    const code = await main(['emulator', ...args], io.host);
    assert.equal(code, 2, args.join(' '));
    assert.equal(io.stdout(), '', args.join(' '));
    assert.match(io.stderr(), /flowlink: /);
  }
});

test('CLI in process: prints the URL first, serves, stops on abort', async () => {
  const io = memoryHost();
  const controller = new AbortController();
  const running = main(['emulator', '--port', '0', '--rate-limit', '50'], io.host, controller.signal);
  let url = '';
  for (let i = 0; i < 200 && !url; i += 1) {
    await new Promise((r) => setTimeout(r, 10));
    url = io.stdout().split('\n')[0] ?? '';
  }
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${url}/api/v2/flows`, { headers: await login(url) });
  assert.equal(res.headers.get('inin-ratelimit-allowed'), '50');
  controller.abort();
  assert.equal(await running, 0);
});

test('replay ignores a torn last line (an unacknowledged write) and rejects corruption in the middle', async () => {
  const { Persistence } = await import('../../src/emulator/state/persistence.js');
  const { appendFileSync, readFileSync: read } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'flowlink-emu-log-'));
  const p = new Persistence(dir);
  p.append([{ t: 'division', division: { id: 'd1', name: 'One' } }]);
  p.append([{ t: 'division', division: { id: 'd2', name: 'Two' } }]);
  p.close();
  appendFileSync(join(dir, 'log.jsonl'), '{"seq":3,"ev":[{"t":"division","division":{"id":"d3"');
  const state = new Persistence(dir).load();
  assert.deepEqual([...state!.divisions.keys()], ['d1', 'd2']);
  const lines = read(join(dir, 'log.jsonl'), 'utf8').split('\n');
  writeFileSync(join(dir, 'log.jsonl'), [lines[0], 'garbage', lines[1], ''].join('\n'));
  assert.throws(() => new Persistence(dir).load(), /corrupt at line 2/);
});
