import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPlanFile } from '../../src/rollout/apply.js';
import { rolloutApiFromClient } from '../../src/rollout/client-adapter.js';
import type { RolloutApi } from '../../src/rollout/api-port.js';
import { RunDir } from '../../src/rollout/run-dir.js';
import { readPlanFile, runIdForPlan, sealPlan, sha256, type PlanFile } from '../../src/rollout/plan-file.js';
import { compareMeaning, findModuleCalls } from '../../src/flow/index.js';
import { asFormat2, assertMeans, callsTo, cli, demoPlan, plannedText, publishedYaml, sharedEmulator, DEMO_MODULE, type Harness } from './helpers.js';

// Other people and other runs change the org while flowlink runs (issue 12). The emulator is real; the test drives
// "someone else" through its control plane at the moment a scenario needs, from a wrapper around the rollout port.

const emulator = sharedEmulator({ rateLimit: 5000, jobMs: 20 });

function runDirOf(cwd: string, planPath: string): RunDir {
  return new RunDir(RunDir.runsRoot(cwd), runIdForPlan(readPlanFile(planPath)));
}

/** Someone else's edit: the same flow with another description. */
const theirEdit = (yaml: string, words: string): string => yaml.replace(/description: [^\r\n]*/, `description: ${words}`);

/**
 * The port, with a hook called once per flow name just before its upload, or just after its job ends (the test
 * waits for the job itself: flowlink learns outcomes from batched lookups, later).
 */
function withHooks(harness: Harness, hooks: { beforeUpload?: (name: string) => Promise<void>; afterImport?: (name: string) => Promise<void> }): RolloutApi {
  const api = rolloutApiFromClient(harness.client());
  return {
    ...api,
    async uploadImport(registration, yaml) {
      const name = /name: ([^\r\n]+)/.exec(yaml)?.[1] ?? '';
      await hooks.beforeUpload?.(name);
      await api.uploadImport(registration, yaml);
      if (!hooks.afterImport) return;
      await api.waitImport(registration.jobId);
      await hooks.afterImport(name);
    },
  };
}

test('someone publishes between the check and the import: their change is kept and ours is rebased onto it', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_00');
  const victim = eligible[0]!;
  let theirs = '';
  const api = withHooks(harness, {
    async beforeUpload(name) {
      if (name !== victim.name || theirs) return;
      theirs = theirEdit(victim.original!, 'edited by Jane while the rollout ran');
      await harness.control('POST', `/flows/${victim.id}/state`, { publish: theirs });
    },
  });
  const planPath = join(cwd, 'plan.json');
  const result = await applyPlanFile(planPath, { api, runDir: runDirOf(cwd, planPath), concurrency: 2 });
  const outcome = result.report.flows.find((flow) => flow.id === victim.id);
  assert.equal(outcome?.state, 'DONE', outcome?.error);
  const now = (await publishedYaml(harness, [victim.id])).get(victim.id)!;
  assert.match(now.yaml ?? '', /edited by Jane while the rollout ran/, 'their change is in the latest version');
  assert.equal(callsTo(now.yaml ?? '', DEMO_MODULE), 1, 'and our call, exactly once');
  // plan version + theirs + our superseding write + the rebase
  assert.equal(Number(now.version), Number(victim.publishedVersion) + 3);
  const journal = readFileSync(runDirOf(cwd, planPath).journalPath, 'utf8');
  assert.match(journal, /"step":"rebase"/);
  const verified = await cli(harness, cwd, ['verify', 'plan.json', '--json']);
  assert.equal(verified.code, 0, verified.stdout);
});

test('someone publishes right after our import, without our call: CONFLICT with both versions, exit 1, their version stays live', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_00');
  const victim = eligible[0]!;
  let theirs = '';
  const api = withHooks(harness, {
    async afterImport(name) {
      if (name !== victim.name || theirs) return;
      theirs = theirEdit(victim.original!, 'Jane published her own copy');
      await harness.control('POST', `/flows/${victim.id}/state`, { publish: theirs });
    },
  });
  const planPath = join(cwd, 'plan.json');
  const result = await applyPlanFile(planPath, { api, runDir: runDirOf(cwd, planPath), concurrency: 2 });
  const outcome = result.report.flows.find((flow) => flow.id === victim.id);
  assert.equal(outcome?.state, 'CONFLICT');
  assert.match(outcome?.error ?? '', /published version \d+\.0 is not the one this run wrote \(after \d+\.0\)/);
  assertMeans((await publishedYaml(harness, [victim.id])).get(victim.id)?.yaml, theirs, 'their version is live, untouched');
  assert.ok(result.report.flows.filter((flow) => flow.id !== victim.id && flow.state === 'ELIGIBLE').length === 0);
  const applied = await cli(harness, cwd, ['status', '--json']);
  assert.match(applied.stdout, /"CONFLICT"/);
});

test('two plans over the same flows applied at the same moment: every flow ends with both calls, once each', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_00');
  const other = await cli(harness, cwd, ['plan', '--module', 'Fraud_Check_Voice', '--input', 'Common.ani=Call.Ani', '--prefix', 'Sales_Line_00', '--out', 'other.json']);
  assert.ok(other.code === 0 || other.code === 3, other.stderr);
  const otherPlan = JSON.parse(readFileSync(join(cwd, 'other.json'), 'utf8')) as PlanFile;
  const both = eligible.filter((flow) => otherPlan.flows.some((o) => o.id === flow.id && o.state === 'ELIGIBLE'));
  assert.ok(both.length >= 3, `flows in both plans: ${both.length}`);
  // Both runs check their flows before either uploads (a barrier at each run's first upload), so the writes race
  // whatever the machine's load: the race is the case under test, not the scheduler's luck.
  let arrived = 0;
  let release = (): void => {};
  const bothChecked = new Promise<void>((resolve) => { release = resolve; });
  const apply = (file: string) => {
    let waited = false;
    const api = withHooks(harness, {
      async beforeUpload() {
        if (waited) return;
        waited = true;
        if (++arrived === 2) release();
        await bothChecked;
      },
    });
    return applyPlanFile(join(cwd, file), { api, runDir: runDirOf(cwd, join(cwd, file)), concurrency: 4 });
  };
  const [first, second] = await Promise.all([apply('plan.json'), apply('other.json')]);
  const rebases = ['plan.json', 'other.json']
    .map((file) => readFileSync(runDirOf(cwd, join(cwd, file)).journalPath, 'utf8').split('"step":"rebase"').length - 1)
    .reduce((a, b) => a + b, 0);
  assert.ok(rebases > 0, 'the two runs really raced (some write was rebased onto the other run\'s)');
  const now = await publishedYaml(harness, both.map((flow) => flow.id));
  for (const flow of both) {
    const yaml = now.get(flow.id)?.yaml ?? '';
    const states = [first, second].map((r) => r.report.flows.find((f) => f.id === flow.id)?.state);
    const modules = findModuleCalls(yaml).map((call) => call.module);
    const count = (module: string) => modules.filter((m) => m === module).length;
    // Nothing lost: both calls are live, or a run says why its call is not (never a silent loss). A run whose
    // check came after the other run's publish finds the flow changed since its plan and skips it (the reviewed
    // diff no longer applies); the other run's call is then live, once.
    if (states.every((state) => state === 'DONE')) {
      assert.equal(count(DEMO_MODULE), 1, `${flow.name}: ${modules.join(',')}`);
      assert.equal(count('Fraud_Check_Voice'), 1, `${flow.name}: ${modules.join(',')}`);
    } else if (states.includes('SKIPPED_CHANGED')) {
      assert.deepEqual(states.filter((state) => state !== 'SKIPPED_CHANGED'), ['DONE'], `${flow.name}: ${states.join(',')}`);
      const [kept, skipped] = states[0] === 'DONE' ? [DEMO_MODULE, 'Fraud_Check_Voice'] : ['Fraud_Check_Voice', DEMO_MODULE];
      assert.equal(count(kept), 1, `${flow.name}: ${modules.join(',')}`);
      assert.equal(count(skipped), 0, `${flow.name}: ${modules.join(',')}`);
    } else {
      assert.ok(states.includes('CONFLICT'), `${flow.name}: ${states.join(',')}`);
    }
  }
});

test('a flow renamed between plan and apply is skipped; nothing is imported for it and no twin appears', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_00');
  const victim = eligible[0]!;
  await harness.control('POST', `/flows/${victim.id}/state`, { name: `${victim.name} (renamed)` });
  await harness.clearRequests();
  const applied = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--json']);
  const report = JSON.parse(applied.stdout) as { flows: { id: string; state: string; reason?: string }[] };
  const outcome = report.flows.find((flow) => flow.id === victim.id);
  assert.equal(outcome?.state, 'SKIPPED_CHANGED');
  assert.match(outcome?.reason ?? '', /renamed since the plan/);
  const twins = [];
  for await (const flow of harness.client().flows.list({ type: ['inboundcall'] })) if (flow.name === victim.name) twins.push(flow.id);
  assert.deepEqual(twins, [], 'no flow with the old name was created');
});

test('apply after rollback is refused: a rolled-back run is not resumed into DONE', async () => {
  const harness = emulator();
  const { cwd } = await demoPlan(harness, 'Sales_Line_00');
  assert.equal((await cli(harness, cwd, ['apply', 'plan.json', '--yes'])).code, 0);
  const runId = runIdForPlan(readPlanFile(join(cwd, 'plan.json')));
  assert.equal((await cli(harness, cwd, ['rollback', runId, '--yes'])).code, 0);
  await harness.clearRequests();
  const again = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /was rolled back .*make a new plan/);
  assert.equal((await harness.requests()).filter((r) => r.method === 'POST').filter((r) => r.path === '/api/v2/flows/jobs').length, 0);
  const verified = await cli(harness, cwd, ['verify', runId, '--json']);
  assert.equal(verified.code, 0, verified.stdout);
  const report = JSON.parse(verified.stdout) as { flows: { state: string }[] };
  assert.ok(report.flows.length > 0 && report.flows.every((flow) => flow.state === 'ROLLED_BACK'));
  const status = JSON.parse((await cli(harness, cwd, ['status', runId, '--json'])).stdout) as { resumable: boolean } | { resumable: boolean }[];
  assert.equal((Array.isArray(status) ? status[0] : status)?.resumable, false);
});

test('an edited plan re-sealed with a fresh checksum is refused before any write (the plan proves itself)', async () => {
  const harness = emulator();
  const { cwd, plan } = await demoPlan(harness, 'Sales_Line_00');
  const target = plan.flows.find((flow) => flow.state === 'ELIGIBLE')!;
  const forge = (edit: (flow: PlanFile['flows'][number]) => void, file: string, format: 2 | 3 = 3): string => {
    const copy = JSON.parse(JSON.stringify(plan)) as PlanFile;
    if (format === 2) asFormat2(copy);
    edit(copy.flows.find((flow) => flow.id === target.id)!);
    const { checksum: _old, ...rest } = copy;
    writeFileSync(join(cwd, file), JSON.stringify(sealPlan(rest)));
    return file;
  };
  await harness.clearRequests();
  // The diff a reviewer reads is not what the change makes (format 3 recomputes the new YAML: only the diff can lie):
  const misleading = forge((flow) => { flow.diff = (flow.diff ?? '').replace('+', '+ # harmless\n+'); }, 'misleading.json');
  const refused = await cli(harness, cwd, ['apply', misleading, '--yes']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /not what the plan's change makes of its original/);
  // A format-2 plan carries the new YAML: uploaded YAML that is not what the diff shows is refused.
  const smuggled = forge((flow) => { flow.updated = `${plannedText(plan, target)}\n# smuggled\n`; }, 'smuggled.json', 2);
  const refusedToo = await cli(harness, cwd, ['apply', smuggled, '--yes']);
  assert.equal(refusedToo.code, 2, refusedToo.stderr);
  assert.match(refusedToo.stderr, /not what the plan's change makes of its original/);
  // A forged original with the new YAML and diff recomputed from it: caught against the org.
  const forgedOriginal = theirEdit(target.original!, 'forged by whoever edited the plan');
  const { planEdit } = await import('../../src/rollout/plan-edit.js');
  const forgedEdit = planEdit(plan, forgedOriginal, target);
  assert.ok(forgedEdit.ok);
  const forged = forge((flow) => {
    flow.original = forgedOriginal;
    flow.sha256 = sha256(forgedOriginal);
    flow.diff = forgedEdit.diff;
  }, 'forged.json');
  const refusedAgainstOrg = await cli(harness, cwd, ['apply', forged, '--yes']);
  assert.equal(refusedAgainstOrg.code, 2, refusedAgainstOrg.stderr);
  assert.match(refusedAgainstOrg.stderr, /not what version \S+ holds in the org/);
  assert.equal((await harness.requests()).filter((r) => r.path === '/api/v2/flows/jobs').length, 0, 'no import job');
  assert.equal(compareMeaning((await publishedYaml(harness, [target.id])).get(target.id)!.yaml!, target.original!).same, true);
});

test('flow ids that are not Genesys ids are refused before they touch a path', async () => {
  const harness = emulator();
  const { cwd, plan } = await demoPlan(harness, 'Sales_Line_00');
  const copy = JSON.parse(JSON.stringify(plan)) as PlanFile;
  const target = copy.flows.find((flow) => flow.state === 'ELIGIBLE')!;
  target.id = '../../../escaped';
  const { checksum: _old, ...rest } = copy;
  writeFileSync(join(cwd, 'evil.json'), JSON.stringify(sealPlan(rest)));
  const refused = await cli(harness, cwd, ['apply', 'evil.json', '--yes']);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /not a Genesys id/);
  // Where the hostile id would have led: inside the working folder (.flowlink/...) or next to it. Only these are
  // read: the temp root itself is shared with other test files that create and delete folders meanwhile.
  const written = [
    ...readdirSync(cwd, { recursive: true, encoding: 'utf8' }),
    ...readdirSync(join(cwd, '..'), { encoding: 'utf8' }),
  ].filter((path) => path.includes('escaped'));
  assert.deepEqual(written, [], 'no file named after the hostile id anywhere');
});
