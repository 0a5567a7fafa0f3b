import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertMeans, cli, demoPlan, plannedText, publishedYaml, readPlan, sharedEmulator, type Harness } from '../rollout/helpers.js';
import { CLIENT_ID, CLIENT_SECRET } from '../client/harness.js';
import { runIdForPlan } from '../../src/rollout/plan-file.js';
import { isTarget } from '../../src/rollout/states.js';
import { spawnCli } from './lib/processes.js';

// Each kind of change, applied by the real binary, killed with -9 mid-run, resumed: every target ends changed
// exactly once (one new version), by meaning exactly as planned; verify and rollback then pass.

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 100 });
const journalLines = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0);

async function killThenResume(harness: Harness, cwd: string, file: string, killAt: number): Promise<void> {
  const plan = readPlan(join(cwd, file));
  const targets = plan.flows.filter((flow) => isTarget(flow.state));
  assert.ok(targets.length >= 5, `${file}: ${targets.length} targets`);
  const before = await publishedYaml(harness, targets.map((flow) => flow.id));
  const journal = join(cwd, '.flowlink', 'runs', runIdForPlan(plan), 'journal.jsonl');
  const env = { GENESYS_ENVIRONMENT: harness.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET };
  const run = spawnCli(['apply', file, '--yes', '--concurrency', '4'], { cwd, env, timeoutMs: 60_000 });
  for (let waited = 0; waited < 30_000 && !run.exited() && journalLines(journal) < killAt; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  run.kill9();
  const killed = await run.done;
  assert.equal(killed.code, null, `${file}: the apply was killed mid-run (exit ${killed.code})`);
  const resumed = await cli(harness, cwd, ['apply', file, '--yes', '--json']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  const after = await publishedYaml(harness, targets.map((flow) => flow.id));
  for (const flow of targets) {
    assertMeans(after.get(flow.id)?.yaml, plannedText(plan, flow), `${file} ${flow.name}`);
    assert.equal(Number(after.get(flow.id)?.version), Number(before.get(flow.id)?.version) + 1, `${file} ${flow.name}: changed exactly once`);
  }
  const verified = await cli(harness, cwd, ['verify', file]);
  assert.equal(verified.code, 0, verified.stdout);
}

test('replace, refresh and remove each survive kill -9 mid-apply; the resumed run ends every flow changed once, as planned', async () => {
  const harness = emulator();
  const { cwd } = await demoPlan(harness, 'Sales_Line_0', 'flowlink-faults-');
  assert.equal((await cli(harness, cwd, ['apply', 'plan.json', '--yes'])).code, 0);

  const replace = await cli(harness, cwd, ['plan', '--module', 'Compliance_Logging', '--replace', 'Global_Exception_Handler', '--input-lit', 'Common.reason=x', '--prefix', 'Sales_Line_0', '--out', 'replace.json']);
  assert.equal(replace.code, 0, replace.stderr);
  await killThenResume(harness, cwd, 'replace.json', 12);

  const client = harness.client();
  const module = await client.flows.findByName('Compliance_Logging', 'commonmodule');
  const [moduleYaml] = await client.exportJobs.exportFlows([{ id: module!.id, version: module!.publishedVersion!.id }]);
  assert.ok(moduleYaml?.ok);
  await harness.control('POST', `/flows/${module!.id}/state`, { publish: moduleYaml.yaml });
  const refresh = await cli(harness, cwd, ['plan', '--module', 'Compliance_Logging', '--refresh', '--prefix', 'Sales_Line_0', '--out', 'refresh.json']);
  assert.equal(refresh.code, 0, refresh.stderr);
  await killThenResume(harness, cwd, 'refresh.json', 9);

  const remove = await cli(harness, cwd, ['plan', '--module', 'Compliance_Logging', '--remove', '--prefix', 'Sales_Line_0', '--out', 'remove.json']);
  assert.equal(remove.code, 0, remove.stderr);
  await killThenResume(harness, cwd, 'remove.json', 15);
  const removeRun = runIdForPlan(readPlan(join(cwd, 'remove.json')));
  const rolled = await cli(harness, cwd, ['rollback', removeRun, '--yes']);
  assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
});
