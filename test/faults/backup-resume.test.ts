import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileDurably } from '../../src/rollout/durable-write.js';
import { runIdForPlan } from '../../src/rollout/plan-file.js';
import { RunDir } from '../../src/rollout/run-dir.js';
import { cli, demoPlan, sharedEmulator } from '../rollout/helpers.js';

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 20 });

/**
 * Regression (found by the fault suite, kill -9 during the backups): apply was killed after a backup's YAML was
 * written but before its metadata; the resumed run saw the YAML, took the backup as done, and the metadata was
 * missing for good.
 */
test('a backup whose metadata was never written (killed in between) is completed when the run resumes', async () => {
  const harness = emulator();
  const { cwd, plan } = await demoPlan(harness, 'Sales_Line_00', 'flowlink-faults-');
  const target = plan.flows.find((flow) => flow.state === 'ELIGIBLE');
  assert.ok(target);
  // The state a kill -9 leaves between the two writes: the YAML on disk, no metadata, nothing journaled yet.
  const runDir = new RunDir(RunDir.runsRoot(cwd), runIdForPlan(plan));
  runDir.create();
  const yamlPath = runDir.backupPath(target.id, target.publishedVersion);
  writeFileDurably(yamlPath, target.original ?? '');
  const metadataPath = yamlPath.replace(/\.yaml$/, '.json');
  assert.equal(existsSync(metadataPath), false);

  const applied = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(readFileSync(yamlPath, 'utf8'), target.original);
  const metadata = JSON.parse(readFileSync(metadataPath, 'utf8')) as { id: string; sha256: string; publishedVersion: string };
  assert.equal(metadata.id, target.id);
  assert.equal(metadata.sha256, target.sha256);
  assert.equal(metadata.publishedVersion, target.publishedVersion);
});
