import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { applyPlanFile } from '../../src/rollout/apply.js';
import { verifyRun } from '../../src/rollout/verify.js';
import { rollbackRun } from '../../src/rollout/rollback.js';
import { rolloutApiFromClient } from '../../src/rollout/client-adapter.js';
import type { RolloutApi } from '../../src/rollout/api-port.js';
import { RunDir } from '../../src/rollout/run-dir.js';
import { readPlanFile, runIdForPlan } from '../../src/rollout/plan-file.js';
import { assertMeans, demoPlan, publishedYaml, sharedEmulator } from './helpers.js';

// The worst an org could do to refIds: every export renumbers EVERY tracking id (`Main Menu_10` -> `Main Menu_110`,
// references following). The emulator's own rule (document order) moves only what comes after an added object; this
// port moves all of them, on every export, so that verify, rollback and resume can rely on nothing but meaning.

const emulator = sharedEmulator({ rateLimit: 5000, jobMs: 20 });

function renumberEveryExport(api: RolloutApi): { api: RolloutApi; exports: () => number } {
  let round = 0;
  return {
    exports: () => round,
    api: {
      ...api,
      async exportFlows(refs) {
        round += 1;
        const shift = round * 100;
        const results = await api.exportFlows(refs);
        for (const [id, result] of results) {
          if (result.yaml === undefined) continue;
          results.set(id, { yaml: result.yaml.replace(/(refId: ["']?[^\r\n"'[\]]*?_)(\d+)/g, (_m, head: string, n: string) => `${head}${Number(n) + shift}`)
            .replace(/(\[[^\]\r\n]*?_)(\d+)\]/g, (_m, head: string, n: string) => `${head}${Number(n) + shift}]`) });
        }
        return results;
      },
    },
  };
}

test('every refId renumbered on every export: apply, verify, rollback and a resumed apply still agree by meaning', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_0');
  assert.ok(eligible.length >= 10);
  const planPath = join(cwd, 'plan.json');
  const runDir = new RunDir(RunDir.runsRoot(cwd), runIdForPlan(readPlanFile(planPath)));
  const { api, exports } = renumberEveryExport(rolloutApiFromClient(harness.client()));

  const applied = await applyPlanFile(planPath, { api, runDir, concurrency: 4 });
  assert.deepEqual(applied.report.counts, { ...applied.report.counts, DONE: eligible.length });
  // The renumbering really happened: an export through this port shares no refId with the plan's text.
  const [probe] = eligible;
  const probed = (await api.exportFlows([{ id: probe!.id }])).get(probe!.id)?.yaml ?? '';
  const refIds = (text: string) => new Set([...text.matchAll(/refId: ["']?([^\r\n"']+)/g)].map((m) => m[1]));
  const planned = refIds(probe!.planned);
  assert.ok(planned.size > 0 && [...refIds(probed)].every((id) => !planned.has(id)), 'every refId moved');

  const verified = await verifyRun({ api, runDir, dependencyAttempts: 3, dependencyDelayMs: 50 });
  assert.equal(verified.drift, false, JSON.stringify(verified.report.flows.filter((f) => f.state !== 'VERIFIED')));
  assert.equal(verified.report.counts.VERIFIED, eligible.length);

  // Resume: the journal is lost (another machine); the flows are found done by version + meaning, nothing imported.
  const elsewhere = new RunDir(join(cwd, 'elsewhere'), runDir.runId);
  const again = await applyPlanFile(planPath, { api, runDir: elsewhere, concurrency: 4 });
  assert.equal(again.report.counts.DONE, eligible.length);

  const rolled = await rollbackRun({ api, runDir, concurrency: 4 });
  assert.equal(rolled.report.counts.ROLLED_BACK, eligible.length, JSON.stringify(rolled.report.flows.filter((f) => f.state !== 'ROLLED_BACK')));
  const now = await publishedYaml(harness, eligible.map((flow) => flow.id));
  for (const flow of eligible) assertMeans(now.get(flow.id)?.yaml, flow.original, `${flow.name} restored`);
  assert.ok(exports() >= 4);
});
