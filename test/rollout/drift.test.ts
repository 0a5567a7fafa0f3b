import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertMeans, cli, demoPlan, publishedYaml, sharedEmulator } from './helpers.js';

const emulator = sharedEmulator({ rateLimit: 5000, jobMs: 20 });

test('verify finds drift (exit 4); rollback does not overwrite a flow someone changed after the run, and says so with exit 1', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_0');
  assert.ok(eligible.length >= 3);
  assert.equal((await cli(harness, cwd, ['apply', 'plan.json', '--yes'])).code, 0);
  const runId = readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string;

  // Someone publishes their own edit of one flow after the run.
  const [touched, ...rest] = eligible;
  assert.ok(touched);
  const theirs = touched.planned.replace(/description: [^\r\n]*/, 'description: changed after the rollout');
  await harness.control('POST', `/flows/${touched.id}/state`, { publish: theirs });

  const verified = await cli(harness, cwd, ['verify', runId, '--json']);
  assert.equal(verified.code, 4, verified.stderr);
  const report = JSON.parse(verified.stdout) as { flows: { id: string; state: string; reason?: string }[] };
  const drifted = report.flows.filter((flow) => flow.state === 'DRIFT');
  assert.deepEqual(drifted.map((flow) => flow.id), [touched.id]);
  assert.match(drifted[0]?.reason ?? '', /does not mean the planned YAML \(first difference at \/inboundCall\/description\)/);

  const rolled = await cli(harness, cwd, ['rollback', runId, '--yes', '--json']);
  // A flow rollback cannot restore is a failure with its reason and a non-zero exit, never a silent skip.
  assert.equal(rolled.code, 1, rolled.stderr);
  const rollback = JSON.parse(rolled.stdout) as { flows: { id: string; state: string; reason?: string; error?: string }[] };
  const refused = rollback.flows.find((flow) => flow.id === touched.id);
  assert.equal(refused?.state, 'ROLLBACK_FAILED');
  assert.match(refused?.error ?? '', /not restored: published version is \S+, expected \S+, and it means neither/);
  assert.ok(rollback.flows.filter((flow) => flow.id !== touched.id).every((flow) => flow.state === 'ROLLED_BACK'));
  const now = await publishedYaml(harness, eligible.map((flow) => flow.id));
  assertMeans(now.get(touched.id)?.yaml, theirs, 'their edit is kept');
  for (const flow of rest) assertMeans(now.get(flow.id)?.yaml, flow.original, `${flow.name} restored`);

  // Only some flows: --flow names them; a flow the run did not change is refused.
  const unknown = await cli(harness, cwd, ['rollback', runId, '--yes', '--flow', '00000000-0000-0000-0000-000000000000']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /did not change flow 00000000-0000-0000-0000-000000000000/);
});
