import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, demoPlan, publishedYaml, sharedEmulator } from './helpers.js';

const emulator = sharedEmulator({ rateLimit: 5000, jobMs: 20 });

test('verify finds drift (exit 4) and rollback skips a flow someone changed after the run', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_0');
  assert.ok(eligible.length >= 3);
  assert.equal((await cli(harness, cwd, ['apply', 'plan.json', '--yes'])).code, 0);
  const runId = readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string;

  // Someone publishes their own edit of one flow after the run.
  const [touched, ...rest] = eligible;
  assert.ok(touched);
  const theirs = (touched.updated as string).replace(/description: [^\r\n]*/, 'description: changed after the rollout');
  await harness.control('POST', `/flows/${touched.id}/state`, { publish: theirs });

  const verified = await cli(harness, cwd, ['verify', runId, '--json']);
  assert.equal(verified.code, 4, verified.stderr);
  const report = JSON.parse(verified.stdout) as { flows: { id: string; state: string; reason?: string }[] };
  const drifted = report.flows.filter((flow) => flow.state === 'DRIFT');
  assert.deepEqual(drifted.map((flow) => flow.id), [touched.id]);
  assert.match(drifted[0]?.reason ?? '', /differs from the planned YAML/);

  const rolled = await cli(harness, cwd, ['rollback', runId, '--yes', '--json']);
  assert.equal(rolled.code, 0, rolled.stderr);
  const rollback = JSON.parse(rolled.stdout) as { flows: { id: string; state: string; reason?: string }[] };
  assert.equal(rollback.flows.find((flow) => flow.id === touched.id)?.state, 'SKIPPED_CHANGED');
  const now = await publishedYaml(harness, eligible.map((flow) => flow.id));
  assert.equal(now.get(touched.id)?.yaml, theirs, 'their edit is kept');
  for (const flow of rest) assert.equal(now.get(flow.id)?.yaml, flow.original, `${flow.name} restored`);

  // Only some flows: --flow names them; a flow the run did not change is refused.
  const unknown = await cli(harness, cwd, ['rollback', runId, '--yes', '--flow', '00000000-0000-0000-0000-000000000000']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /did not change flow 00000000-0000-0000-0000-000000000000/);
});
