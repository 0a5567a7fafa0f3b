import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertMeans, cli, demoPlan, publishedYaml, sharedEmulator } from '../rollout/helpers.js';

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 20 });

/**
 * Regression (found by the fault suite's 503 runs): when an export job could not run (503 past the retry cap),
 * every target was reported SKIPPED_CHANGED ("could not export the published version to compare it") and apply
 * exited 0, as if the run were done and someone had changed every flow. Exports now first prove the plan's
 * originals against the org: an outage there stops the run before any write (exit 1, resumable).
 */
test('an export outage before the writes stops the run (exit 1, nothing written, no flow called done or skipped); apply again finishes them once', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_00', 'flowlink-faults-');
  const outage = await harness.fault({ method: 'POST', path: '/api/v2/flows/export/jobs', status: 503, count: 6 });

  const failed = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--json']);
  assert.equal(failed.code, 1, failed.stderr);
  const report = JSON.parse(failed.stdout) as { flows: { id: string; state: string; error?: string }[]; stopReason?: string; interrupted: boolean };
  assert.equal(report.interrupted, true);
  for (const flow of eligible) assert.equal(report.flows.find((f) => f.id === flow.id)?.state, 'NOT_STARTED', flow.name);
  assert.match(report.stopReason ?? '', /could not export \d+ original version\(s\) to prove the plan against the org \(.*503/);
  assert.equal((await harness.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v2/flows/jobs').length, 0, 'nothing imported');

  await harness.control('DELETE', `/faults/${outage.id}`);
  const again = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(again.code, 0, again.stderr);
  const after = await publishedYaml(harness, eligible.map((flow) => flow.id));
  for (const flow of eligible) {
    assertMeans(after.get(flow.id)?.yaml, flow.planned, flow.name);
    assert.equal(Number(after.get(flow.id)?.version), Number(flow.publishedVersion) + 1, `${flow.name} published exactly once`);
  }
});
