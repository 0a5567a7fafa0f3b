import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertMeans, cli, demoPlan, plannedText, publishedYaml, readPlan, sharedEmulator, tempDir, callsTo, DEMO_MODULE } from './helpers.js';

const MODULE = DEMO_MODULE;
const emulator = sharedEmulator({ rateLimit: 5000, jobMs: 20 });

test('demo org: plan, apply, verify and roll back every Sales_Line_ flow', async () => {
  const harness = emulator();
  await harness.reset();
  const cwd = tempDir();
  const planned = await cli(harness, cwd, ['plan', '--module', MODULE, '--prefix', 'Sales_Line_', '--out', 'plan.json', '--detailed-exitcode']);
  assert.equal(planned.code, 3, planned.stderr);
  const plan = readPlan(join(cwd, 'plan.json'));
  assert.equal(plan.flows.length, 40);
  const eligible = plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  const untouchable = plan.flows.filter((flow) => flow.state === 'LOCKED' || flow.state === 'HAS_UNPUBLISHED_DRAFT');
  assert.ok(eligible.length >= 20, `eligible: ${eligible.length}`);
  assert.ok(plan.flows.some((flow) => flow.state === 'LOCKED') && plan.flows.some((flow) => flow.state === 'HAS_UNPUBLISHED_DRAFT'));
  assert.ok(plan.flows.some((flow) => flow.state === 'ALREADY_CALLS_MODULE') && plan.flows.some((flow) => flow.state === 'NEVER_PUBLISHED'));
  assert.match(planned.stdout, /\[~\] Sales_Line_/);
  const before = await publishedYaml(harness, plan.flows.map((flow) => flow.id));
  await harness.clearRequests();

  const applied = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(applied.code, 0, applied.stderr);
  const runs = readdirSync(join(cwd, '.flowlink', 'runs'));
  assert.equal(runs.length, 1);
  const runDir = join(cwd, '.flowlink', 'runs', runs[0] as string);
  for (const file of ['plan.json', 'journal.jsonl', 'report.json', 'report.csv', 'report.junit.xml']) assert.ok(existsSync(join(runDir, file)), file);
  for (const flow of eligible) assert.equal(readFileSync(join(runDir, 'backups', `${flow.id}@${flow.publishedVersion}.yaml`), 'utf8'), flow.original);
  // Only import jobs wrote anything: one per eligible flow, none for any other flow.
  const writes = (await harness.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v2/flows/jobs');
  assert.equal(writes.length, eligible.length);

  const after = await publishedYaml(harness, plan.flows.map((flow) => flow.id));
  for (const flow of eligible) {
    const now = after.get(flow.id);
    assertMeans(now?.yaml, plannedText(plan, flow), `${flow.name} holds the planned YAML`);
    assert.equal(callsTo(now?.yaml ?? '', MODULE), 1);
    assert.equal(Number(now?.version), Number(flow.publishedVersion) + 1, `${flow.name} published exactly once`);
  }
  for (const flow of untouchable) assert.deepEqual(after.get(flow.id), before.get(flow.id), `${flow.name} untouched`);

  const verified = await cli(harness, cwd, ['verify', 'plan.json']);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, new RegExp(`VERIFIED ${eligible.length}`));

  // Idempotence: a second plan finds nothing left to do, and re-applying the same plan writes nothing.
  const again = await cli(harness, cwd, ['plan', '--module', MODULE, '--prefix', 'Sales_Line_', '--out', 'plan2.json', '--detailed-exitcode']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(readPlan(join(cwd, 'plan2.json')).flows.filter((flow) => flow.state === 'ELIGIBLE').length, 0);
  await harness.clearRequests();
  const reapplied = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(reapplied.code, 0, reapplied.stderr);
  assert.equal((await harness.requests()).filter((r) => r.path === '/api/v2/flows/jobs').length, 0);

  const rolled = await cli(harness, cwd, ['rollback', runs[0] as string, '--yes']);
  assert.equal(rolled.code, 0, rolled.stderr);
  assert.match(rolled.stdout, new RegExp(`ROLLED_BACK ${eligible.length}`));
  const restored = await publishedYaml(harness, eligible.map((flow) => flow.id));
  for (const flow of eligible) assertMeans(restored.get(flow.id)?.yaml, before.get(flow.id)?.yaml, `${flow.name} means its original after rollback`);

  const status = await cli(harness, cwd, ['status', '--json']);
  const runsStatus = JSON.parse(status.stdout) as { rollback: string; apply: string }[];
  assert.equal(runsStatus[0]?.apply, 'finished');
  assert.equal(runsStatus[0]?.rollback, 'finished');
});

test('a flow changed, locked or drafted between plan and apply is skipped and left as it is', async () => {
  const harness = emulator();
  const { cwd, plan } = await demoPlan(harness, 'Sales_Line_');
  const [changed, locked, drafted] = plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  assert.ok(changed && locked && drafted);
  const someoneElses = (changed.original as string).replace(/description: [^\r\n]*/, 'description: edited by someone else');
  await harness.control('POST', `/flows/${changed.id}/state`, { publish: someoneElses });
  await harness.control('POST', `/flows/${locked.id}/state`, { lock: { kind: 'user', id: 'u-1', name: 'Jane Doe' } });
  await harness.control('POST', `/flows/${drafted.id}/state`, { draft: drafted.original });
  const beforeApply = await publishedYaml(harness, [changed.id, locked.id, drafted.id]);

  const applied = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--json']);
  assert.equal(applied.code, 0, applied.stderr);
  const report = JSON.parse(applied.stdout) as { flows: { id: string; state: string; reason?: string }[] };
  const stateOf = (id: string) => report.flows.find((flow) => flow.id === id);
  assert.equal(stateOf(changed.id)?.state, 'SKIPPED_CHANGED');
  assert.equal(stateOf(locked.id)?.state, 'SKIPPED_LOCKED');
  assert.match(stateOf(locked.id)?.reason ?? '', /Jane Doe/);
  assert.equal(stateOf(drafted.id)?.state, 'SKIPPED_DRAFT');
  assert.deepEqual(await publishedYaml(harness, [changed.id, locked.id, drafted.id]), beforeApply);
  const others = plan.flows.filter((flow) => flow.state === 'ELIGIBLE' && ![changed.id, locked.id, drafted.id].includes(flow.id));
  assert.ok(others.every((flow) => stateOf(flow.id)?.state === 'DONE'));
});

test('an import job that fails for one flow leaves the others done and that one unchanged; apply again finishes it', async () => {
  const harness = emulator();
  const { cwd, plan } = await demoPlan(harness, 'Sales_Line_');
  const victim = plan.flows.find((flow) => flow.state === 'ELIGIBLE');
  assert.ok(victim);
  const fault = await harness.fault({ path: '*', jobFailure: { flowName: victim.name, message: 'Archy failed: exit code 107' } });
  const failed = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--json']);
  assert.equal(failed.code, 1, failed.stderr);
  const report = JSON.parse(failed.stdout) as { flows: { id: string; state: string; error?: string }[] };
  const victimOutcome = report.flows.find((flow) => flow.id === victim.id);
  assert.equal(victimOutcome?.state, 'FAILED');
  assert.match(victimOutcome?.error ?? '', /exit code 107/);
  assert.equal(report.flows.filter((flow) => flow.state === 'DONE').length, plan.flows.filter((flow) => flow.state === 'ELIGIBLE').length - 1);
  assert.equal((await publishedYaml(harness, [victim.id])).get(victim.id)?.yaml, victim.original);

  await harness.control('DELETE', `/faults/${fault.id}`);
  const resumed = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assertMeans((await publishedYaml(harness, [victim.id])).get(victim.id)?.yaml, plannedText(plan, victim), victim.name);
});

test('Ctrl-C stops cleanly: no new writes, in-flight jobs awaited, journal closed; apply again resumes', async () => {
  const harness = emulator();
  const { cwd, plan } = await demoPlan(harness, 'Sales_Line_');
  const eligible = plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  const controller = new AbortController();
  // Interrupt once the third import job has been registered.
  await harness.fault({ method: 'POST', path: '/api/v2/flows/jobs', skip: 2, count: 1, latencyMs: 1 });
  const interval = setInterval(async () => {
    const jobs = (await harness.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v2/flows/jobs');
    if (jobs.length >= 3) controller.abort();
  }, 5);
  const stopped = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--concurrency', '2'], controller.signal);
  clearInterval(interval);
  assert.equal(stopped.code, 1, stopped.stderr);
  assert.match(stopped.stderr, /interrupted/);
  const runId = readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string;
  const journal = readFileSync(join(cwd, '.flowlink', 'runs', runId, 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { step: string; flowId?: string });
  assert.equal(journal.at(-1)?.step, 'run-interrupted');
  const registered = journal.filter((e) => e.step === 'import-registered').map((e) => e.flowId);
  const finished = new Set(journal.filter((e) => e.step === 'flow-done' || e.step === 'flow-failed').map((e) => e.flowId));
  assert.ok(registered.length < eligible.length, 'stopped before the end');
  assert.ok(registered.every((id) => finished.has(id)), 'every started job was awaited');

  const resumed = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(resumed.code, 0, resumed.stderr);
  const after = await publishedYaml(harness, eligible.map((flow) => flow.id));
  for (const flow of eligible) {
    assertMeans(after.get(flow.id)?.yaml, plannedText(plan, flow), flow.name);
    assert.equal(Number(after.get(flow.id)?.version), Number(flow.publishedVersion) + 1, `${flow.name} changed exactly once`);
  }
});
