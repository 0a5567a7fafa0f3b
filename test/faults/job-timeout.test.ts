import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Clock } from '../../src/client/index.js';
import type { ImportResult, RolloutApi } from '../../src/rollout/api-port.js';
import { applyPlanFile } from '../../src/rollout/apply.js';
import { rolloutApiFromClient } from '../../src/rollout/client-adapter.js';
import { DEFAULT_JOB_TIMEOUT_MS } from '../../src/rollout/job-timeout.js';
import { readPlanFile, runIdForPlan } from '../../src/rollout/plan-file.js';
import { RunDir } from '../../src/rollout/run-dir.js';
import { assertMeans, cli, demoPlan, publishedYaml, sharedEmulator, tempDir, type Harness } from '../rollout/helpers.js';

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 20 });

test('an import job that hangs is given up after --job-timeout; while it still runs no second job is started; once it ends, apply finishes the flow without importing it again', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_0', 'flowlink-faults-');
  const victim = eligible[0];
  assert.ok(victim && eligible.length >= 3);
  const hang = await harness.fault({ jobHang: { flowName: victim.name } });

  const first = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--json', '--job-timeout', '1']);
  assert.equal(first.code, 1, first.stderr);
  const report = JSON.parse(first.stdout) as { flows: { id: string; state: string; error?: string }[] };
  const outcome = report.flows.find((flow) => flow.id === victim.id);
  assert.equal(outcome?.state, 'FAILED');
  assert.match(outcome?.error ?? '', /did not finish within 1 s/);
  assert.ok(eligible.filter((flow) => flow !== victim).every((flow) => report.flows.find((f) => f.id === flow.id)?.state === 'DONE'));
  assertMeans((await publishedYaml(harness, [victim.id])).get(victim.id)?.yaml, victim.original, 'the hung job changed nothing');

  // Still hanging: the next apply looks at that job first and does not start a second one for the flow.
  await harness.clearRequests();
  const second = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--json', '--job-timeout', '1']);
  assert.equal(second.code, 1, second.stderr);
  const secondReport = JSON.parse(second.stdout) as { flows: { id: string; state: string; error?: string }[] };
  assert.match(secondReport.flows.find((flow) => flow.id === victim.id)?.error ?? '', /earlier import job .* is still running/);
  assert.equal((await harness.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v2/flows/jobs').length, 0, 'no new import job');

  // The job finally ends (and publishes): apply records the flow as done without importing it again.
  await harness.control('DELETE', `/faults/${hang.id}`);
  await harness.control('POST', '/jobs/release');
  await harness.clearRequests();
  const third = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(third.code, 0, third.stderr);
  assert.equal((await harness.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v2/flows/jobs').length, 0, 'no new import job');
  const after = (await publishedYaml(harness, [victim.id])).get(victim.id);
  assertMeans(after?.yaml, victim.planned, victim.name);
  assert.equal(Number(after?.version), Number(victim.publishedVersion) + 1, 'published exactly once');
});

test('--job-timeout takes whole seconds', async () => {
  const harness = emulator();
  const cwd = tempDir('flowlink-faults-');
  for (const bad of ['0', '1.5', 'soon', '86401']) {
    const result = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--job-timeout', bad]);
    assert.equal(result.code, 2, bad);
    assert.match(result.stderr, /--job-timeout takes whole seconds/);
  }
});

/**
 * The client's clock, run fast: every pause moves it forward at once (and yields to the emulator's real I/O); `tick`
 * hears each new time. The pauses of concurrent waits add up on it, so a wait is timed by its own start and end.
 */
function fastClock(tick: (now: number) => Promise<void>): Clock {
  let now = Date.now();
  return {
    now: () => now,
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason;
      now += Math.max(0, ms);
      await tick(now);
      await new Promise((resolve) => setImmediate(resolve));
    },
    random: () => 0.5,
  };
}

/**
 * apply through the library on the fast clock, with `--job-timeout` (or the library's default) over the port. The
 * victim's import wait is timed on the client's clock; with `releaseAfterMs` its hung job is let go that long after
 * the wait began, as a real job that takes that long finally ends.
 */
async function applyWithClientClock(harness: Harness, cwd: string, victim: { name: string; hangId: string }, options: { jobTimeoutMs?: number; releaseAfterMs?: number }) {
  let releaseAt = Number.POSITIVE_INFINITY;
  let released: Promise<unknown> | undefined;
  const clock = fastClock(async (now) => {
    if (!released && now >= releaseAt) {
      released = harness.control('DELETE', `/faults/${victim.hangId}`).then(() => harness.control('POST', '/jobs/release'));
    }
    await released;
  });
  const inner = rolloutApiFromClient(harness.client({ clock }));
  const names = new Map<string, string>();
  const waits: { ms: number; result: ImportResult }[] = [];
  const port: RolloutApi = {
    ...inner,
    async uploadImport(registration, yaml) {
      names.set(registration.jobId, /name: ([^\r\n]+)/.exec(yaml)?.[1] ?? '');
      return inner.uploadImport(registration, yaml);
    },
    async waitImport(jobId, wait) {
      if (names.get(jobId) !== victim.name) return inner.waitImport(jobId, wait);
      const from = clock.now();
      if (options.releaseAfterMs !== undefined) releaseAt = from + options.releaseAfterMs;
      const result = await inner.waitImport(jobId, wait);
      waits.push({ ms: clock.now() - from, result });
      return result;
    },
  };
  const planPath = join(cwd, 'plan.json');
  const runDir = new RunDir(RunDir.runsRoot(cwd), runIdForPlan(readPlanFile(planPath)));
  // The library applies the job timeout itself (once), on the client's clock.
  const result = await applyPlanFile(planPath, {
    api: port, runDir, concurrency: 2, now: clock.now, ...(options.jobTimeoutMs !== undefined ? { jobTimeoutMs: options.jobTimeoutMs } : {}),
  });
  return { result, waits, released: released !== undefined };
}

test('--job-timeout 1200: an import job running 11 minutes of the client clock is waited for, not a stop of the run', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_0', 'flowlink-faults-');
  const victim = eligible[0];
  assert.ok(victim && eligible.length >= 3);
  const hang = await harness.fault({ jobHang: { flowName: victim.name } });

  const { result, waits, released } = await applyWithClientClock(harness, cwd, { name: victim.name, hangId: hang.id }, { jobTimeoutMs: 1_200_000, releaseAfterMs: 11 * 60_000 });
  assert.equal(result.stopReason, undefined);
  assert.equal(result.interrupted, false);
  assert.ok(released);
  assert.equal(waits.length, 1, 'one wait for the victim');
  assert.ok(waits[0]!.ms >= 11 * 60_000 && waits[0]!.ms < 1_200_000, `waited ${waits[0]!.ms} ms of the client clock`);
  assert.deepEqual([waits[0]!.result.status, waits[0]!.result.timedOut], ['Success', undefined]);
  for (const flow of eligible) {
    const outcome = result.report.flows.find((f) => f.id === flow.id);
    assert.equal(outcome?.state, 'DONE', `${flow.name}: ${outcome?.error ?? ''}`);
  }
  const after = (await publishedYaml(harness, [victim.id])).get(victim.id);
  assertMeans(after?.yaml, victim.planned, victim.name);
  assert.equal(Number(after?.version), Number(victim.publishedVersion) + 1, 'published exactly once');
});

test('the library default (600 s, no --job-timeout) gives a hung job up at its deadline: that flow fails, the others are done, the run is not stopped', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_0', 'flowlink-faults-');
  const victim = eligible[0];
  assert.ok(victim && eligible.length >= 3);
  const hang = await harness.fault({ jobHang: { flowName: victim.name } });

  const { result, waits } = await applyWithClientClock(harness, cwd, { name: victim.name, hangId: hang.id }, {});
  assert.equal(result.stopReason, undefined);
  assert.equal(result.interrupted, false);
  assert.equal(waits.length, 1);
  assert.ok(waits[0]!.ms >= DEFAULT_JOB_TIMEOUT_MS && waits[0]!.ms < DEFAULT_JOB_TIMEOUT_MS + 60_000, `waited ${waits[0]!.ms} ms of the client clock`);
  assert.deepEqual([waits[0]!.result.status, waits[0]!.result.timedOut], ['Started', true]);
  const outcome = result.report.flows.find((flow) => flow.id === victim.id);
  assert.equal(outcome?.state, 'FAILED');
  assert.match(outcome?.error ?? '', /did not finish within 600 s/);
  assert.ok(eligible.filter((flow) => flow !== victim).every((flow) => result.report.flows.find((f) => f.id === flow.id)?.state === 'DONE'));
});
