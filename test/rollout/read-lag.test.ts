import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertMeans, cli, demoPlan, emulatorHarness, publishedYaml } from './helpers.js';

/**
 * Reads that lag a publish (the emulator's readLagMs: /flows/lookup shows the version before for 8 s). Whether the
 * real API does this is unverified; if it does, apply must neither take the unchanged version for someone else's
 * doing (CONFLICT) nor publish twice: the batched lookups miss, the job is asked, and the confirmation looks again
 * until the new version shows.
 */
test('a lookup that lags the publish by 8 s: every flow DONE once, no CONFLICT', async () => {
  const harness = await emulatorHarness({ rateLimit: 5000, jobMs: 20, readLagMs: 8000 });
  try {
    const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_00', 'flowlink-read-lag-');
    const applied = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--json']);
    assert.equal(applied.code, 0, applied.stderr);
    const report = JSON.parse(applied.stdout) as { flows: { id: string; state: string }[] };
    const targets = report.flows.filter((flow) => eligible.some((e) => e.id === flow.id));
    assert.ok(targets.length >= 2 && targets.every((flow) => flow.state === 'DONE'), JSON.stringify(targets));
    // The lag was real: right after the run some lookups had shown the old version (the jobs were asked).
    const runDir = join(cwd, '.flowlink', 'runs', readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string);
    const steps = readFileSync(join(runDir, 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { step: string });
    assert.ok(steps.some((entry) => entry.step === 'import-succeeded'), 'some outcome came from a job poll, not a lookup');
    await new Promise((resolve) => setTimeout(resolve, 8000));
    const after = await publishedYaml(harness, eligible.map((flow) => flow.id));
    for (const flow of eligible) {
      assertMeans(after.get(flow.id)?.yaml, flow.planned, `${flow.name} holds the planned YAML`);
      assert.equal(Number(after.get(flow.id)?.version), Number(flow.publishedVersion) + 1, `${flow.name} published exactly once`);
    }
  } finally {
    await harness.close();
  }
});
