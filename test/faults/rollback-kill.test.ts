import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertMeans, cli, demoPlan, publishedYaml, sharedEmulator } from '../rollout/helpers.js';
import { CLIENT_ID, CLIENT_SECRET } from '../client/harness.js';
import { spawnCli } from './lib/processes.js';

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 100 });

const journalLines = (path: string): number => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0);

test('rollback killed with -9 twice mid-run resumes to the end: every flow restored exactly once, byte for byte', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_', 'flowlink-faults-');
  assert.equal((await cli(harness, cwd, ['apply', 'plan.json', '--yes'])).code, 0);
  const runId = readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string;
  const rollbackJournal = join(cwd, '.flowlink', 'runs', runId, 'rollback.jsonl');
  const applied = await publishedYaml(harness, eligible.map((flow) => flow.id));

  const env = { GENESYS_ENVIRONMENT: harness.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET };
  const exits: (number | null)[] = [];
  for (const killAt of [6, 20]) {
    const run = spawnCli(['rollback', runId, '--yes', '--concurrency', '4'], { cwd, env, timeoutMs: 60_000 });
    // Bounded wait for the journal to reach the kill point (or the run to end by itself).
    for (let waited = 0; waited < 30_000 && !run.exited() && journalLines(rollbackJournal) < killAt; waited += 5) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    run.kill9();
    exits.push((await run.done).code);
  }
  assert.ok(exits.includes(null), `at least one rollback was killed (exits ${exits.join(', ')})`);
  const finished = await cli(harness, cwd, ['rollback', runId, '--yes', '--json']);
  assert.equal(finished.code, 0, finished.stderr);
  const report = JSON.parse(finished.stdout) as { flows: { id: string; state: string }[] };
  assert.deepEqual(new Set(report.flows.map((flow) => flow.state)), new Set(['ROLLED_BACK']));

  const restored = await publishedYaml(harness, eligible.map((flow) => flow.id));
  for (const flow of eligible) {
    assertMeans(restored.get(flow.id)?.yaml, flow.original, `${flow.name} means its backup again`);
    assert.equal(Number(restored.get(flow.id)?.version), Number(applied.get(flow.id)?.version) + 1, `${flow.name} restored exactly once`);
  }
  const lines = readFileSync(rollbackJournal, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { step: string; flowId?: string });
  for (const flow of eligible) {
    assert.equal(lines.filter((line) => line.flowId === flow.id && line.step === 'flow-done').length, 1, `${flow.name}: one flow-done`);
  }
});
