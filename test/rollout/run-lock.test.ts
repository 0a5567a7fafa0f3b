import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireRunLock } from '../../src/rollout/run-lock.js';
import { spawnCli } from '../faults/lib/processes.js';
import { CLIENT_ID, CLIENT_SECRET } from '../client/harness.js';
import { demoPlan, sharedEmulator } from './helpers.js';

const emulator = sharedEmulator({ rateLimit: 5000, jobMs: 50 });

test('run lock: a live holder refuses a second run with who and since when; a dead holder is taken over and reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowlink-lock-'));
  const checksum = `${Date.now().toString(16)}abcdef`;
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const owner = { pid: sleeper.pid, host: hostname(), startedAt: '2026-12-02T10:00:00.000Z', command: 'apply' };
    writeFileSync(join(dir, 'run.lock'), JSON.stringify(owner));
    assert.throws(() => acquireRunLock(dir, checksum, 'apply'), (error: Error) => {
      assert.match(error.message, new RegExp(`already being run \\(apply by pid ${sleeper.pid}, started 2026-12-02T10:00:00.000Z\\)`));
      return true;
    });
    sleeper.kill('SIGKILL');
    await new Promise((resolve) => sleeper.once('exit', resolve));
    const lock = acquireRunLock(dir, checksum, 'apply');
    assert.equal(lock.replacedStale?.pid, sleeper.pid);
    assert.equal(JSON.parse(readFileSync(join(dir, 'run.lock'), 'utf8')).pid, process.pid);
    lock.release();
    assert.throws(() => readFileSync(join(dir, 'run.lock')), /ENOENT/);
  } finally {
    sleeper.kill('SIGKILL');
  }
});

test('run lock: a holder on another host is never taken over; the message says how to clear it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowlink-lock-'));
  writeFileSync(join(dir, 'run.lock'), JSON.stringify({ pid: 1, host: 'build-agent-7', startedAt: 'x', command: 'rollback' }));
  assert.throws(() => acquireRunLock(dir, 'feedface', 'apply'), /rollback by pid 1 on host build-agent-7.*remove .*run\.lock/);
});

test('two `flowlink apply` of one plan at the same moment, from two directories: one runs, the other refuses; each flow is imported once', async () => {
  const harness = emulator();
  const { cwd, eligible } = await demoPlan(harness, 'Sales_Line_00');
  const elsewhere = mkdtempSync(join(tmpdir(), 'flowlink-other-'));
  writeFileSync(join(elsewhere, 'plan.json'), readFileSync(join(cwd, 'plan.json')));
  // Import registrations answer slowly, so that the two processes surely overlap.
  await harness.fault({ method: 'POST', path: '/api/v2/flows/jobs', latencyMs: 400 });
  await harness.clearRequests();
  const env = { GENESYS_ENVIRONMENT: harness.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET };
  const runs = await Promise.all([cwd, elsewhere].map((dir) => spawnCli(['apply', 'plan.json', '--yes'], { cwd: dir, env, timeoutMs: 120_000 }).done));
  const codes = runs.map((run) => run.code).sort();
  assert.deepEqual(codes, [0, 2], runs.map((run) => run.stderr).join('\n---\n'));
  const refused = runs.find((run) => run.code === 2)!;
  assert.match(refused.stderr, /this plan is already being run \(apply by pid \d+/);
  const imports = (await harness.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v2/flows/jobs');
  assert.equal(imports.length, eligible.length, 'one import job per flow, not two');
});
