import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPlanFile } from '../../src/rollout/apply.js';
import type { RolloutApi } from '../../src/rollout/api-port.js';
import { rolloutApiFromClient } from '../../src/rollout/client-adapter.js';
import { PlanError } from '../../src/rollout/errors.js';
import { Journal, readJournal } from '../../src/rollout/journal.js';
import { planChecksum, readPlanHead, writePlanFile, type PlanFile } from '../../src/rollout/plan-file.js';
import { proveOriginals } from '../../src/rollout/prove-originals.js';
import { RunDir } from '../../src/rollout/run-dir.js';
import type { PreparedRun } from '../../src/rollout/run-prepare.js';
import { asFormat2, assertMeans, cli, demoPlan, publishedYaml, sharedEmulator } from './helpers.js';

// apply reads the plan file flow by flow (plan-read.ts): what it proves, copies and writes must be what a whole
// read would have given, and a refused plan leaves nothing behind.

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 20 });

const resealed = (plan: PlanFile): PlanFile => ({ ...plan, checksum: planChecksum(plan) });
const importJobs = async (harness: ReturnType<typeof emulator>): Promise<number> =>
  (await harness.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v2/flows/jobs').length;

test('apply copies the plan into the run directory as it reads it, with each target\'s planned YAML beside it', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_0');
  const planPath = join(cwd, 'plan.json');
  const runDir = new RunDir(RunDir.runsRoot(cwd), readPlanHead(planPath).runId);
  const result = await applyPlanFile(planPath, { api: rolloutApiFromClient(harness.client()), runDir, concurrency: 4 });
  assert.equal(result.report.counts.DONE, eligible.length);
  assert.equal(readFileSync(runDir.planPath, 'utf8'), readFileSync(planPath, 'utf8'), 'the copy is the plan, byte for byte');
  for (const flow of eligible) {
    assert.equal(readFileSync(runDir.plannedYamlPath(flow.id), 'utf8'), flow.planned, flow.name);
    assert.equal(readFileSync(runDir.backupPath(flow.id, flow.publishedVersion), 'utf8'), flow.original, flow.name);
  }
  const proven = readJournal(runDir.journalPath).filter((entry) => entry.step === 'originals-proven').flatMap((entry) => entry.flowIds as string[]);
  assert.deepEqual(proven.sort(), eligible.map((flow) => flow.id).sort());
});

test('a plan reformatted by hand (pretty-printed, same content) is applied as the plan it is', async () => {
  const harness = emulator();
  const { cwd, plan, eligible } = await demoPlan(harness, 'Sales_Line_00');
  writeFileSync(join(cwd, 'pretty.json'), JSON.stringify(plan, null, 2));
  const applied = await cli(harness, cwd, ['apply', 'pretty.json', '--yes', '--json']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal((JSON.parse(applied.stdout) as { runId: string }).runId, readPlanHead(join(cwd, 'plan.json')).runId, 'the same run as the plan');
  const after = await publishedYaml(harness, eligible.map((flow) => flow.id));
  for (const flow of eligible) assertMeans(after.get(flow.id)?.yaml, flow.planned, flow.name);
});

test('a format-2 plan (an earlier version\'s, with the new YAML) is applied, verified and rolled back', async () => {
  const harness = emulator();
  const { cwd, plan, eligible } = await demoPlan(harness, 'Sales_Line_00');
  writePlanFile(join(cwd, 'v2.json'), resealed(asFormat2(structuredClone(plan))));
  assert.ok(readFileSync(join(cwd, 'v2.json'), 'utf8').includes('"updated":'), 'a format-2 plan carries the new YAML');
  const applied = await cli(harness, cwd, ['apply', 'v2.json', '--yes', '--json']);
  assert.equal(applied.code, 0, applied.stderr);
  const runId = (JSON.parse(applied.stdout) as { runId: string }).runId;
  const after = await publishedYaml(harness, eligible.map((flow) => flow.id));
  for (const flow of eligible) assertMeans(after.get(flow.id)?.yaml, flow.planned, flow.name);
  const verified = await cli(harness, cwd, ['verify', runId]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  const rolled = await cli(harness, cwd, ['rollback', runId, '--yes']);
  assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
});

test('a plan refused by its proof (a format-2 new YAML or a format-3 diff edited, re-sealed) leaves no run behind', async () => {
  const harness = emulator();
  const { cwd, plan } = await demoPlan(harness, 'Sales_Line_00');
  const edits: Record<string, PlanFile> = {
    'format 2, new YAML': (() => {
      const v2 = asFormat2(structuredClone(plan));
      const target = v2.flows.find((flow) => flow.state === 'ELIGIBLE')!;
      target.updated = `${target.updated}\n# smuggled\n`;
      return resealed(v2);
    })(),
    'format 3, diff': (() => {
      const v3 = structuredClone(plan);
      const target = v3.flows.findLast((flow) => flow.state === 'ELIGIBLE')!;
      target.diff = `${target.diff}+# not what is uploaded\n`;
      return resealed(v3);
    })(),
  };
  await harness.clearRequests();
  for (const [name, edited] of Object.entries(edits)) {
    const path = join(cwd, `${name.replace(/\W+/g, '-')}.json`);
    writePlanFile(path, edited);
    const runDir = new RunDir(RunDir.runsRoot(cwd), readPlanHead(path).runId);
    await assert.rejects(
      applyPlanFile(path, { api: rolloutApiFromClient(harness.client()), runDir, concurrency: 2 }),
      (error: unknown) => error instanceof PlanError && /not what the plan's change makes of its original/.test(error.message),
      name,
    );
    assert.equal(existsSync(runDir.path), false, `${name}: no run directory left`);
  }
  assert.equal(await importJobs(harness), 0, 'nothing imported');
});

test('the originals are proven a hundred at a time (one export job each), each hundred journaled, and not again on resume', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowlink-prove-'));
  const runDir = new RunDir(join(dir, 'runs'), '20250101-000000-00000000');
  runDir.create();
  const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  const flows = Array.from({ length: 250 }, (_, n) => ({ id: id(n), name: `F${n}`, type: 'inboundcall', state: 'ELIGIBLE', publishedVersion: '1.0' }));
  for (const flow of flows) runDir.writeBackup(flow.id, '1.0', `name: ${flow.name}\n`, {});
  const asked: number[] = [];
  let forged: string | undefined;
  const api = {
    async exportFlows(refs: readonly { id: string }[]) {
      asked.push(refs.length);
      return new Map(refs.map((ref) => {
        const n = Number(ref.id.slice(-12));
        return [ref.id, { yaml: ref.id === forged ? 'name: someone else\n' : `name: F${n}\n` }];
      }));
    },
    async getFlows() {
      return new Map();
    },
  } as unknown as RolloutApi;
  const run = (): PreparedRun => ({
    checksum: 'c', header: {} as PreparedRun['header'], flows, resumed: false, startedAt: '', journal: new Journal(runDir.journalPath),
  });
  await proveOriginals(run(), { api, runDir });
  assert.deepEqual(asked, [100, 100, 50]);
  const entries = readJournal(runDir.journalPath).filter((entry) => entry.step === 'originals-proven');
  assert.equal(entries.length, 3);
  assert.equal(new Set(entries.flatMap((entry) => entry.flowIds as string[])).size, 250);
  asked.length = 0;
  await proveOriginals(run(), { api, runDir });
  assert.deepEqual(asked, [], 'a resumed run proves nothing again');

  // An original the org does not hold, in the second hundred: refused, before any write.
  const again = new RunDir(join(dir, 'runs'), '20250101-000000-00000001');
  again.create();
  for (const flow of flows) again.writeBackup(flow.id, '1.0', `name: ${flow.name}\n`, {});
  forged = id(150);
  await assert.rejects(proveOriginals({ ...run(), journal: new Journal(again.journalPath) }, { api, runDir: again }), /not what version 1\.0 holds in the org/);
  assert.ok(readJournal(again.journalPath).some((entry) => entry.step === 'run-refused' && entry.flowId === forged));
});
