import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertMeans, callsTo, cli, publishedYaml, readPlan, sharedEmulator, tempDir, type Harness } from './helpers.js';
import { runIdForPlan } from '../../src/rollout/plan-file.js';
import { findModuleCalls } from '../../src/flow/index.js';

// The life of a module on the demo org, one kind of change after another, each planned, applied, verified and
// rolled back (and re-applied), all against the strict emulator (regenerated exports, per-version consumers).

const emulator = sharedEmulator({ rateLimit: 5000, jobMs: 20 });
const PREFIX = 'Sales_Line_00';
const FIRST = 'Global_Exception_Handler';
const SECOND = 'Compliance_Logging';

async function planApplyVerify(harness: Harness, cwd: string, planArgs: string[], file: string) {
  const planned = await cli(harness, cwd, ['plan', ...planArgs, '--prefix', PREFIX, '--out', file, '--detailed-exitcode']);
  assert.equal(planned.code, 3, planned.stdout + planned.stderr);
  const plan = readPlan(join(cwd, file));
  const applied = await cli(harness, cwd, ['apply', file, '--yes', '--json']);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  const verified = await cli(harness, cwd, ['verify', file, '--json']);
  assert.equal(verified.code, 0, verified.stdout);
  return { plan, planned, runId: runIdForPlan(plan) };
}

async function rollbackAndReapply(harness: Harness, cwd: string, runId: string, planArgs: string[], file: string) {
  const rolled = await cli(harness, cwd, ['rollback', runId, '--yes', '--json']);
  assert.equal(rolled.code, 0, rolled.stdout + rolled.stderr);
  const report = JSON.parse(rolled.stdout) as { flows: { state: string }[] };
  assert.ok(report.flows.length > 0 && report.flows.every((flow) => flow.state === 'ROLLED_BACK'));
  // A rolled-back run is over; the change is made again with a new plan.
  return planApplyVerify(harness, cwd, planArgs, file.replace('.json', '-again.json'));
}

test('a module\'s life: add, replace it by another, refresh after republishing that one, remove it; each verified and rolled back', async () => {
  const harness = emulator();
  await harness.reset();
  const cwd = tempDir('flowlink-kinds-');

  // add
  const add = await planApplyVerify(harness, cwd, ['--module', FIRST], 'add.json');
  const added = add.plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  assert.ok(added.length >= 5);
  let now = await publishedYaml(harness, added.map((flow) => flow.id));
  for (const flow of added) assert.equal(callsTo(now.get(flow.id)?.yaml ?? '', FIRST), 1);

  // replace FIRST by SECOND (SECOND has a required input: given here)
  const replaceArgs = ['--module', SECOND, '--replace', FIRST, '--input-lit', 'Common.reason=rollout'];
  const replace = await planApplyVerify(harness, cwd, replaceArgs, 'replace.json');
  assert.match(replace.planned.stdout, /Plan: replace Global_Exception_Handler by Compliance_Logging in/);
  const replaced = replace.plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  assert.ok(replaced.length >= added.length, `replaced ${replaced.length}`);
  assert.ok(replace.plan.flows.some((flow) => flow.state === 'NOT_CALLING' || flow.state === 'ALREADY_CALLS_MODULE') || replaced.length === replace.plan.flows.length);
  now = await publishedYaml(harness, replaced.map((flow) => flow.id));
  for (const flow of replaced) {
    const calls = findModuleCalls(now.get(flow.id)?.yaml ?? '');
    assert.equal(calls.filter((c) => c.module === SECOND).length, 1, flow.name);
    assert.equal(calls.filter((c) => c.module === FIRST).length, 0, flow.name);
    // same place as the old call
    const before = findModuleCalls(flow.original ?? '').find((c) => c.module === FIRST);
    assert.deepEqual(calls.find((c) => c.module === SECOND)?.path, before?.path, `${flow.name}: same place`);
  }
  const replaceAgain = await rollbackAndReapply(harness, cwd, replace.runId, replaceArgs, 'replace.json');
  assert.equal(replaceAgain.plan.flows.filter((flow) => flow.state === 'ELIGIBLE').length, replaced.length);

  // refresh: SECOND is republished (a fix); its consumers embed the older version: STALE, then republished unchanged
  const client = harness.client();
  const module = await client.flows.findByName(SECOND, 'commonmodule');
  assert.ok(module?.publishedVersion);
  const [moduleExport] = await client.exportJobs.exportFlows([{ id: module.id, version: module.publishedVersion.id }]);
  assert.ok(moduleExport?.ok);
  await harness.control('POST', `/flows/${module.id}/state`, { publish: moduleExport.yaml.replace(/description: [^\n]*/, 'description: fixed') });
  const refresh = await planApplyVerify(harness, cwd, ['--module', SECOND, '--refresh'], 'refresh.json');
  const stale = refresh.plan.flows.filter((flow) => flow.state === 'STALE');
  assert.equal(stale.length, replaced.length);
  assert.ok(refresh.plan.flows.every((flow) => flow.state !== 'ELIGIBLE'));
  now = await publishedYaml(harness, stale.map((flow) => flow.id));
  for (const flow of stale) {
    assertMeans(now.get(flow.id)?.yaml, flow.original, `${flow.name} republished unchanged`);
    assert.equal(Number(now.get(flow.id)?.version), Number(flow.publishedVersion) + 1);
  }
  const fresh = await cli(harness, cwd, ['plan', '--module', SECOND, '--refresh', '--prefix', PREFIX, '--out', 'refresh2.json', '--detailed-exitcode']);
  assert.equal(fresh.code, 0, fresh.stdout);
  assert.ok(readPlan(join(cwd, 'refresh2.json')).flows.some((flow) => flow.state === 'UP_TO_DATE'));

  // remove SECOND everywhere
  const remove = await planApplyVerify(harness, cwd, ['--module', SECOND, '--remove'], 'remove.json');
  const removed = remove.plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  assert.equal(removed.length, replaced.length);
  assert.ok(remove.plan.flows.some((flow) => flow.state === 'NOT_CALLING'));
  now = await publishedYaml(harness, removed.map((flow) => flow.id));
  for (const flow of removed) assert.equal(findModuleCalls(now.get(flow.id)?.yaml ?? '').filter((c) => c.module === SECOND).length, 0);
  // Menu-start flows got a startup task when the call was added: it went with the call (they start at the menu).
  for (const flow of removed) assert.doesNotMatch(now.get(flow.id)?.yaml ?? '', /Startup: Call/, `${flow.name}: no leftover startup task`);
  await rollbackAndReapply(harness, cwd, remove.runId, ['--module', SECOND, '--remove'], 'remove.json');

  const runs = readdirSync(join(cwd, '.flowlink', 'runs'));
  assert.ok(runs.length >= 6);
  for (const run of runs) assert.ok(readFileSync(join(cwd, '.flowlink', 'runs', run, 'journal.jsonl'), 'utf8').includes('run-finished'));
});

test('plan refuses mixing kinds or call options where no call is written', async () => {
  const harness = emulator();
  const cwd = tempDir('flowlink-kinds-');
  const both = await cli(harness, cwd, ['plan', '--module', SECOND, '--remove', '--refresh']);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /different kinds of change/);
  const input = await cli(harness, cwd, ['plan', '--module', SECOND, '--remove', '--input-lit', 'Common.reason=x']);
  assert.equal(input.code, 2);
  assert.match(input.stderr, /--remove writes no call/);
  const self = await cli(harness, cwd, ['plan', '--module', SECOND, '--replace', SECOND]);
  assert.equal(self.code, 2);
  assert.match(self.stderr, /cannot replace itself/);
});

test('a library caller does the same with the exported API: add, then remove, each applied, verified and rolled back', async () => {
  const harness = emulator();
  await harness.reset();
  const lib = await import('../../src/index.js');
  const client = harness.client();
  const api = lib.rolloutApiFromClient(client);
  const cwd = tempDir('flowlink-kinds-lib-');
  const request = (kind: 'add' | 'remove') => ({
    moduleName: FIRST, kind, selectors: lib.selectorsFromOptions({ prefix: [PREFIX] }), typesExplicit: false,
    placement: { at: 'start' } as const, inputs: {}, outputs: {}, selection: [`--prefix ${PREFIX}`],
  });
  for (const kind of ['add', 'remove'] as const) {
    const plan = await lib.buildPlan(client, request(kind));
    assert.equal(lib.planChange(plan).kind, kind);
    const targets = plan.flows.filter((flow) => lib.isTarget(flow.state));
    assert.ok(targets.length >= 5, `${kind}: ${targets.length}`);
    const runDir = new lib.RunDir(lib.RunDir.runsRoot(cwd), lib.runIdForPlan(plan));
    const applied = await lib.applyPlan(plan, { api, runDir, concurrency: 4, environment: client.environment.apiBaseUrl });
    assert.equal(applied.report.counts.DONE, targets.length);
    const verified = await lib.verifyRun({ api, runDir, dependencyDelayMs: 50 });
    assert.equal(verified.drift, false);
    const now = await publishedYaml(harness, targets.map((flow) => flow.id));
    for (const flow of targets) assert.equal(callsTo(now.get(flow.id)?.yaml ?? '', FIRST), kind === 'add' ? 1 : 0, flow.name);
    if (kind === 'remove') {
      const rolled = await lib.rollbackRun({ api, runDir, concurrency: 4 });
      assert.equal(rolled.report.counts.ROLLED_BACK, targets.length);
    }
  }
  // A plan made against another environment is refused by the library itself (no CLI involved).
  const plan = await lib.buildPlan(client, request('add'));
  const runDir = new lib.RunDir(lib.RunDir.runsRoot(cwd), lib.runIdForPlan(plan));
  await assert.rejects(lib.applyPlan(plan, { api, runDir, concurrency: 1, environment: 'https://api.mypurecloud.ie' }), lib.PlanError);
});
