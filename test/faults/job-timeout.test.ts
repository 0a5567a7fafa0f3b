import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertMeans, cli, demoPlan, publishedYaml, sharedEmulator, tempDir } from '../rollout/helpers.js';

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
  assertMeans(after?.yaml, victim.updated, victim.name);
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
