import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertMeans, cli, demoPlan, publishedYaml, sharedEmulator } from '../rollout/helpers.js';

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 20 });

/**
 * Regression: a run stopped with import jobs in flight, and by the time it was resumed the server no longer knew
 * those jobs (404: job records expire). Resume stopped at the first such job, every time: the run could never
 * finish. Now the flow is re-read and judged by its content instead.
 */
test('resume after the server forgot an in-flight import job: the flow is re-read and finished once', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_00', 'flowlink-faults-');
  // The jobs never end, and every look at one fails past the retry cap: the run stops with its jobs uploaded but
  // unresolved (the flows' versions never advance, so the run has to ask the jobs themselves).
  await harness.fault({ jobHang: {} });
  await harness.fault({ method: 'GET', path: '/api/v2/flows/jobs/*', status: 503 });
  const stopped = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--concurrency', '2']);
  assert.equal(stopped.code, 1, stopped.stderr);
  assert.match(stopped.stderr, /run stopped/);
  const runDir = join(cwd, '.flowlink', 'runs', readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string);
  const steps = readFileSync(join(runDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { step: string });
  assert.ok(steps.some((entry) => entry.step === 'import-uploaded'), 'jobs were in flight when the run stopped');

  // The server forgets every job (a reset, which also restores the org: every target is back to its original, so
  // each must now be imported exactly once, whatever became of the forgotten jobs).
  await harness.reset();
  assert.equal((await harness.control<{ importJobs: unknown[] }>('GET', '/state')).importJobs.length, 0);
  const resumed = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const after = await publishedYaml(harness, eligible.map((flow) => flow.id));
  for (const flow of eligible) {
    assertMeans(after.get(flow.id)?.yaml, flow.planned, `${flow.name} holds the planned YAML`);
    assert.equal(Number(after.get(flow.id)?.version), Number(flow.publishedVersion) + 1, `${flow.name} published exactly once`);
  }
});
