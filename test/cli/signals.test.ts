import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoOrg, ensureBuilt, MODULE, runCli, tempDir, type DemoOrg, type Ran } from './helpers.js';

/**
 * Stop signals on a real process (the built CLI). The first SIGINT, SIGHUP or SIGTERM stops apply cleanly: no new
 * flow is started, in-flight import jobs are awaited, the journal is closed; the exit code is 128 + the signal
 * (130, 129, 143). A second one exits at once (130 for Ctrl-C) after naming the flows whose import job was still
 * in flight and the command that resumes; that command then finishes the run.
 */
let org: DemoOrg;
before(async () => {
  await ensureBuilt(() => undefined);
  // Jobs that take a while, so that there is something in flight to stop.
  org = await demoOrg({ jobMs: 1500 });
});
after(async () => org?.close());

interface JournalLine {
  step: string;
  flowId?: string;
  jobId?: string;
}

async function planned(prefix: string): Promise<{ cwd: string; names: Map<string, string> }> {
  const cwd = tempDir('flowlink-signals-');
  const plan = await runCli(['plan', '--module', MODULE, '--prefix', prefix, '--out', 'plan.json'], { cwd, env: org.env() });
  assert.equal(plan.code, 0, plan.stderr);
  const flows = (JSON.parse(readFileSync(join(cwd, 'plan.json'), 'utf8')) as { flows: { id: string; name: string; state: string }[] }).flows;
  const eligible = flows.filter((flow) => flow.state === 'ELIGIBLE');
  assert.ok(eligible.length >= 4, `${prefix}: ${eligible.length} eligible`);
  return { cwd, names: new Map(eligible.map((flow) => [flow.id, flow.name])) };
}

function journal(cwd: string): JournalLine[] {
  const runs = join(cwd, '.flowlink', 'runs');
  const runId = readdirSync(runs)[0] as string;
  return readFileSync(join(runs, runId, 'journal.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as JournalLine);
}

async function until(condition: () => Promise<boolean> | boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** apply in its own process; `act` runs once an import job is in flight, with the child and its stderr so far. */
async function applyAndSignal(cwd: string, act: (child: ChildProcess, stderr: () => string) => Promise<void>): Promise<Ran> {
  const before = await org.importJobs();
  let child: ChildProcess | undefined;
  let stderr = '';
  const running = runCli(['apply', 'plan.json', '--yes', '--concurrency', '2'], {
    cwd, env: org.env(), timeoutMs: 120_000,
    onSpawn: (spawned) => {
      child = spawned;
      spawned.stderr?.on('data', (chunk: Buffer | string) => (stderr += chunk.toString()));
    },
  });
  await until(async () => (await org.importJobs()) > before, 'an import job to be registered');
  await act(child as ChildProcess, () => stderr);
  return running;
}

for (const [signal, code] of [['SIGHUP', 129], ['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`${signal} once: stops cleanly (in-flight jobs awaited, journal closed), exit ${code}; apply again finishes`, async () => {
    const prefix = { SIGHUP: 'Sales_Line_00', SIGTERM: 'Sales_Line_01', SIGINT: 'Sales_Line_02' }[signal];
    const { cwd, names } = await planned(prefix);
    const ran = await applyAndSignal(cwd, async (child) => {
      child.kill(signal);
    });
    assert.equal(ran.signal, null, 'not killed by the signal: it stopped by itself');
    assert.equal(ran.code, code, ran.stderr);
    assert.match(ran.stderr, new RegExp(`^flowlink: ${signal}: stopping: no new flow is started; `, 'm'));
    assert.match(ran.stderr, /the run was interrupted; run the same command again to resume/);
    const lines = journal(cwd);
    assert.equal(lines.at(-1)?.step, 'run-interrupted', 'the journal was closed with the interruption');
    const registered = lines.filter((l) => l.step === 'import-registered').map((l) => l.flowId);
    const ended = new Set(lines.filter((l) => l.step === 'flow-done' || l.step === 'flow-failed').map((l) => l.flowId));
    assert.ok(registered.length >= 1 && registered.length < names.size, `stopped part way: ${registered.length} of ${names.size}`);
    assert.deepEqual(registered.filter((id) => !ended.has(id)), [], 'every job in flight was awaited');

    const resumed = await runCli(['apply', 'plan.json', '--yes'], { cwd, env: org.env(), timeoutMs: 120_000 });
    assert.equal(resumed.code, 0, resumed.stderr);
    const done = journal(cwd).filter((l) => l.step === 'flow-done').map((l) => l.flowId as string);
    assert.deepEqual([...new Set(done)].sort(), [...names.keys()].sort(), 'every flow done');
    assert.equal(done.length, names.size, 'each exactly once');
  });
}

test('Ctrl-C twice: exits 130 at once, naming the flows whose import job was in flight and how to resume', async () => {
  const { cwd, names } = await planned('Sales_Line_03');
  const ran = await applyAndSignal(cwd, async (child, stderr) => {
    child.kill('SIGINT');
    await until(() => /SIGINT: stopping/.test(stderr()), 'the first stop message');
    child.kill('SIGINT');
  });
  assert.equal(ran.code, 130, ran.stderr);
  const inFlight = ran.stderr.split('\n').filter((line) => line.startsWith('flowlink: in flight: '));
  const summary = /^flowlink: SIGINT again: exiting now; (\d+) import jobs? (?:was|were) in flight and may still publish; run `flowlink apply plan\.json` again to resume \(it looks at in-flight jobs first\)$/m.exec(ran.stderr);
  assert.ok(summary, ran.stderr);
  assert.equal(Number(summary[1]), inFlight.length);
  assert.ok(inFlight.length >= 1 && inFlight.length <= 2, ran.stderr);
  // Each named flow is one of the plan's, with the job the journal has for it, not yet seen to an end.
  const lines = journal(cwd);
  for (const line of inFlight) {
    const match = /^flowlink: in flight: (.+) \(([\w-]+)\): import job ([\w-]+)$/.exec(line);
    assert.ok(match, line);
    const [, name, flowId, jobId] = match;
    assert.equal(names.get(flowId as string), name);
    assert.ok(lines.some((l) => l.step === 'import-registered' && l.flowId === flowId && l.jobId === jobId), line);
    assert.ok(!lines.some((l) => l.flowId === flowId && (l.step === 'flow-done' || l.step === 'flow-failed')), `${line}: not ended`);
  }
  assert.notEqual(lines.at(-1)?.step, 'run-interrupted', 'it left without waiting');

  // What the message says to do finishes the run, each flow once.
  const resumed = await runCli(['apply', 'plan.json', '--yes'], { cwd, env: org.env(), timeoutMs: 120_000 });
  assert.equal(resumed.code, 0, resumed.stderr);
  const done = journal(cwd).filter((l) => l.step === 'flow-done').map((l) => l.flowId as string);
  assert.deepEqual([...new Set(done)].sort(), [...names.keys()].sort());
  assert.equal(done.length, names.size);
});
