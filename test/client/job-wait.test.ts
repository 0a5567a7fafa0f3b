import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, createClient } from '../../src/client/index.js';
import { poll, pollUntil } from '../../src/client/resources/poll.js';
import { rolloutApiFromClient } from '../../src/rollout/client-adapter.js';
import { DEFAULT_JOB_TIMEOUT_MS, withJobTimeout } from '../../src/rollout/job-timeout.js';
import { fakeTransport, json, virtualClock, type SeenCall } from './fakes.js';

// One deadline per job (issue 13 item 6): the client waits for a job until it ends or until the deadline it is
// given, and a deadline reached is an answer (the job as last seen, timedOut), never an exception. Virtual time:
// the client's clock jumps forward on every pause, so waits of many minutes take milliseconds.

const MINUTE = 60_000;
const JOB = /^\/api\/v2\/flows\/jobs\/([^/]+)$/;
const EXPORT_JOB = /^\/api\/v2\/flows\/export\/jobs\/([^/]+)$/;

/** Import jobs that end at a time of the client's clock (or never), answered with what a real org says. */
function setup(ends: Record<string, number | 'never' | 'failure'>) {
  const clock = virtualClock();
  const transport = fakeTransport((call) => {
    const id = JOB.exec(call.url.pathname)?.[1];
    if (call.method === 'GET' && id !== undefined && id in ends) {
      const end = ends[id];
      if (end === 'failure') return json(200, { id, status: 'Failure', messages: [{ type: 'Error', text: 'bad YAML' }] });
      const done = typeof end === 'number' && call.at >= end;
      return json(200, done ? { id, status: 'Success', flow: { id: `flow-${id}` }, messages: [] } : { id, status: 'Started' });
    }
    const exportId = EXPORT_JOB.exec(call.url.pathname)?.[1];
    if (call.method === 'GET' && exportId !== undefined) return json(200, { id: exportId, status: 'Started' });
    if (call.method === 'POST' && call.url.pathname === '/api/v2/flows/export/jobs') return json(200, { id: 'export-1', status: 'Started' });
    return undefined;
  }, clock);
  const client = createClient({ environment: 'http://127.0.0.1:9', clientId: 'id', clientSecret: 'wait-secret', transport, clock });
  const looks = (id: string): number[] => transport.apiCalls().filter((c: SeenCall) => c.method === 'GET' && c.url.pathname === `/api/v2/flows/jobs/${id}`).map((c) => c.at);
  return { clock, client, transport, looks };
}

test('a job that runs 15 minutes of the client clock is waited for: the client has no limit of its own', async () => {
  const start = virtualClock().now();
  const { clock, client, looks } = setup({ long: start + 15 * MINUTE });
  const result = await client.importJobs.wait('long');
  assert.equal(result.status, 'Success');
  assert.equal(result.flowId, 'flow-long');
  assert.equal(result.timedOut, undefined);
  const at = looks('long');
  assert.ok(at.at(-1)! >= start + 15 * MINUTE, 'looked until the job ended');
  assert.ok(clock.now() - start <= 15 * MINUTE + 5_000, 'and no later than one pause after');
  const pauses = at.slice(1).map((t, i) => t - at[i]!);
  assert.equal(Math.max(...pauses), 5_000, 'pauses grow to 5 s at most');
});

test('a deadline reached: the job as last seen, Started and timedOut, not an exception; the last look is at the deadline', async () => {
  const { clock, client, looks } = setup({ hung: 'never' });
  const start = clock.now();
  const deadline = start + 2 * MINUTE;
  const result = await client.importJobs.wait('hung', { deadline, firstLookMs: 1000 });
  assert.equal(result.status, 'Started');
  assert.equal(result.timedOut, true);
  assert.equal(result.jobId, 'hung');
  const at = looks('hung');
  assert.equal(at.at(-1), deadline, 'the last look is taken at the deadline');
  assert.equal(clock.now(), deadline, 'and nothing waits past it');
  // First look, then a quarter of it, then ×1.5 up to 5 s.
  assert.deepEqual(at.slice(0, 4).map((t) => t - start), [1000, 1250, 1625, 2187.5]);
});

test('a deadline already passed: one look and no pause; a job that is done then is done, not timed out', async () => {
  const { clock, client, looks } = setup({ hung: 'never', done: 0 });
  const start = clock.now();
  const late = await client.importJobs.wait('hung', { deadline: start - 1 });
  assert.deepEqual([late.status, late.timedOut], ['Started', true]);
  assert.deepEqual(looks('hung'), [start]);
  const done = await client.importJobs.wait('done', { deadline: start });
  assert.deepEqual([done.status, done.timedOut], ['Success', undefined]);
  assert.deepEqual(looks('done'), [start]);
});

test('a Failure ends the wait with its messages', async () => {
  const { client } = setup({ bad: 'failure' });
  const result = await client.importJobs.wait('bad', { deadline: virtualClock().now() + MINUTE });
  assert.equal(result.status, 'Failure');
  assert.deepEqual(result.errors, ['bad YAML']);
  assert.equal(result.timedOut, undefined);
});

test('the first look is reported once, hit or miss, with the pause before it', async () => {
  const { client } = setup({ quick: 0, slow: virtualClock().now() + 3_000 });
  const heard: [string, boolean, number][] = [];
  await client.importJobs.wait('quick', { firstLookMs: 800, onFirstLook: (done, ms) => heard.push(['quick', done, ms]) });
  await client.importJobs.wait('slow', { firstLookMs: 800, onFirstLook: (done, ms) => heard.push(['slow', done, ms]) });
  assert.deepEqual(heard, [['quick', true, 800], ['slow', false, 800]]);
  // A deadline nearer than the first look shortens it, and the pause reported is the one taken.
  const { client: other, clock: otherClock } = setup({ hung: 'never' });
  const shortened: number[] = [];
  const result = await other.importJobs.wait('hung', { deadline: otherClock.now() + 300, firstLookMs: 800, onFirstLook: (_done, ms) => shortened.push(ms) });
  assert.equal(result.timedOut, true);
  assert.deepEqual(shortened, [300]);
});

test('export jobs use the same policy: a deadline reached is timedOut from wait, and exportFlows fails the flows without an exception', async () => {
  const { clock, client } = setup({});
  const start = clock.now();
  const state = await client.exportJobs.wait('export-9', { deadline: start + 30_000 });
  assert.deepEqual([state.status, state.timedOut], ['Started', true]);
  assert.equal(clock.now(), start + 30_000);
  // exportFlows gives a job 10 minutes unless told otherwise: its flows fail, the caller decides.
  const [result] = await client.exportJobs.exportFlows([{ id: 'f1', version: '1.0' }]);
  assert.equal(result?.ok, false);
  assert.match(result && !result.ok ? result.error : '', /export job export-1 did not finish within 600 s/);
  assert.ok(clock.now() - start <= 30_000 + 10 * MINUTE + 5_000);
});

test('pollUntil (flow operations) still answers a deadline with operation.timeout; poll answers it with done: false', async () => {
  const clock = virtualClock();
  const read = async () => 'running';
  const polled = await poll(read, (v) => v === 'done', clock, { deadline: clock.now() + 10_000 });
  assert.deepEqual(polled, { value: 'running', done: false });
  await assert.rejects(
    pollUntil(read, (v) => v === 'done', 'operation x', clock, { deadline: clock.now() + 10_000 }),
    (error: unknown) => error instanceof ApiError && error.code === 'operation.timeout' && /within 10 s/.test(error.message),
  );
});

test('the adapter learns its first look from hits and misses, without exceptions', async () => {
  // a: done at once (hit at 1000 ms) → the next first look is 2 % sooner (980 ms); b: runs 1.1 s (a miss at 980 ms)
  // → the next first look is 25 % later (1225 ms), and b's second look comes then too.
  const { clock, looks, client } = setup({ a: 0, b: Number.POSITIVE_INFINITY, c: 0 });
  const api = rolloutApiFromClient(client);
  const firstLook = async (id: string): Promise<number> => {
    const before = clock.now();
    const result = await api.waitImport(id, id === 'b' ? { deadline: before + 1_225 } : {});
    assert.ok(result.status === 'Success' || result.timedOut, `${id}: ${JSON.stringify(result)}`);
    return looks(id)[0]! - before;
  };
  assert.equal(await firstLook('a'), 1000);
  assert.equal(await firstLook('b'), 980);
  assert.deepEqual(looks('b').map((t) => t - looks('b')[0]!), [0, 245], 'the second look after a quarter of the first');
  assert.equal(await firstLook('c'), 1225);
});

test('the adapter: a timedOut wait keeps the job Started and says so; a Success maps flowId and messages', async () => {
  const { clock, client } = setup({ hung: 'never', ok: 0, bad: 'failure' });
  const api = rolloutApiFromClient(client);
  const hung = await api.waitImport('hung', { deadline: clock.now() + 5_000 });
  assert.equal(hung.status, 'Started');
  assert.equal(hung.timedOut, true);
  assert.match(hung.messages.join(' '), /import job hung was still Started at its deadline/);
  assert.deepEqual(await api.waitImport('ok'), { status: 'Success', flowId: 'flow-ok', messages: [] });
  assert.deepEqual(await api.waitImport('bad'), { status: 'Failure', messages: ['bad YAML'] });
});

test('--job-timeout is the deadline passed down: 1200 s waits out a job of 11 minutes; the default 600 s gives it up at 600 s, timedOut', async () => {
  const long = setup({ job: virtualClock().now() + 11 * MINUTE });
  const patient = withJobTimeout(rolloutApiFromClient(long.client), 1_200_000, long.clock.now);
  const done = await patient.waitImport('job');
  assert.deepEqual(done, { status: 'Success', flowId: 'flow-job', messages: [] });

  const short = setup({ job: virtualClock().now() + 11 * MINUTE });
  const start = short.clock.now();
  assert.equal(DEFAULT_JOB_TIMEOUT_MS, 600_000);
  const given = await withJobTimeout(rolloutApiFromClient(short.client), undefined, short.clock.now).waitImport('job');
  assert.equal(given.status, 'Started');
  assert.equal(given.timedOut, true);
  assert.match(given.messages.join(' '), /did not finish within 600 s \(--job-timeout\)/);
  assert.equal(short.looks('job').at(-1), start + DEFAULT_JOB_TIMEOUT_MS, 'last look at the deadline');
  assert.equal(short.clock.now(), start + DEFAULT_JOB_TIMEOUT_MS);

  // A caller's earlier deadline wins, and its timedOut answer is passed on as it is.
  const third = setup({ job: 'never' });
  const own = third.clock.now() + 30_000;
  const early = await withJobTimeout(rolloutApiFromClient(third.client), 1_200_000, third.clock.now).waitImport('job', { deadline: own });
  assert.equal(early.timedOut, true);
  assert.equal(third.clock.now(), own);
  assert.match(early.messages.join(' '), /at its deadline/);
});
