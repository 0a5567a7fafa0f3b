import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, createReadStream, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPlanFile } from '../../src/rollout/plan-file.js';
import { demoOrg, ensureBuilt, filesUnder, MODULE, runCli, tempDir, TEMP_FILE, type DemoOrg } from './helpers.js';

/**
 * `plan --out`: `-` (and /dev/stdout) is stdout; a device or FIFO is written through, never replaced by a regular
 * file; a symlink is followed (its target gets the plan, the link stays); a directory, or a path under a file, is
 * one line and exit 2 before anything is asked of the org; no temporary file is ever left behind.
 */
const PLAN = ['plan', '--module', MODULE, '--prefix', 'Sales_Line_00'];
let org: DemoOrg;
before(async () => {
  await ensureBuilt(() => undefined);
  org = await demoOrg();
});
after(async () => org?.close());

function assertNoTempFiles(dir: string): void {
  assert.deepEqual(filesUnder(dir).filter((file) => TEMP_FILE.test(file)), [], `temporary files left in ${dir}`);
}

test('--out - and --out /dev/stdout: the plan on stdout (a valid plan file), the summary on stderr', async () => {
  const cwd = tempDir('flowlink-out-');
  for (const out of ['-', '/dev/stdout']) {
    const ran = await runCli([...PLAN, '--out', out], { cwd, env: org.env() });
    assert.equal(ran.code, 0, ran.stderr);
    writeFileSync(join(cwd, 'from-stdout.json'), ran.stdout);
    const plan = readPlanFile(join(cwd, 'from-stdout.json'));
    assert.ok(plan.flows.some((flow) => flow.state === 'ELIGIBLE'));
    assert.match(ran.stderr, /^Plan: call Global_Exception_Handler/m, 'the human summary went to stderr');
    assert.match(ran.stderr, /flowlink: plan written to stdout \(\d+ to change/);
  }
  assert.equal(filesUnder(cwd).filter((f) => !f.endsWith('from-stdout.json')).length, 0, 'no file named - or anything else was written');
  const both = await runCli([...PLAN, '--out', '-', '--json'], { cwd, env: org.env() });
  assert.equal(both.code, 2);
  assert.deepEqual(JSON.parse(both.stdout), { error: { message: '--out - and --json both write to stdout: use one of them', exitCode: 2 } });
});

test('--out FIFO: written through to the reader; the FIFO stays a FIFO', async () => {
  const dir = tempDir('flowlink-out-fifo-');
  const fifo = join(dir, 'plan.pipe');
  execFileSync('mkfifo', [fifo]);
  const chunks: Buffer[] = [];
  const reader = new Promise<void>((resolve, reject) => {
    createReadStream(fifo).on('data', (chunk) => chunks.push(chunk as Buffer)).on('end', resolve).on('error', reject);
  });
  const ran = await runCli([...PLAN, '--out', fifo], { cwd: dir, env: org.env() });
  await reader;
  assert.equal(ran.code, 0, ran.stderr);
  assert.ok(lstatSync(fifo).isFIFO(), 'still a FIFO');
  writeFileSync(join(dir, 'copy.json'), Buffer.concat(chunks));
  assert.ok(readPlanFile(join(dir, 'copy.json')).flows.length > 0, 'the reader got the whole plan');
  assertNoTempFiles(dir);
});

test('--out a character device: written through, the device node stays', async (t) => {
  const dir = tempDir('flowlink-out-dev-');
  const device = join(dir, 'null');
  try {
    // Our own null device (1,3) in a temporary directory: the real /dev/null is never put at risk by this test.
    execFileSync('mknod', [device, 'c', '1', '3'], { stdio: 'ignore' });
  } catch {
    return t.skip('cannot make a device node here (mknod needs root)');
  }
  const ran = await runCli([...PLAN, '--out', device], { cwd: dir, env: org.env() });
  assert.equal(ran.code, 0, ran.stderr);
  assert.ok(lstatSync(device).isCharacterDevice(), 'still a character device');
  assertNoTempFiles(dir);
});

test('--out a symlink: the plan goes to its target, the link stays a link (dangling links create their target)', async () => {
  const dir = tempDir('flowlink-out-link-');
  mkdirSync(join(dir, 'plans'));
  writeFileSync(join(dir, 'plans', 'real.json'), 'old');
  chmodSync(join(dir, 'plans', 'real.json'), 0o640);
  symlinkSync(join('plans', 'real.json'), join(dir, 'link.json'));
  symlinkSync(join('plans', 'new.json'), join(dir, 'dangling.json'));
  for (const out of ['link.json', 'dangling.json']) {
    const ran = await runCli([...PLAN, '--out', out], { cwd: dir, env: org.env() });
    assert.equal(ran.code, 0, ran.stderr);
  }
  assert.ok(lstatSync(join(dir, 'link.json')).isSymbolicLink());
  assert.equal(readlinkSync(join(dir, 'link.json')), join('plans', 'real.json'));
  assert.ok(readPlanFile(join(dir, 'plans', 'real.json')).flows.length > 0);
  assert.equal(statSync(join(dir, 'plans', 'real.json')).mode & 0o777, 0o640, 'the file keeps its permissions');
  assert.ok(lstatSync(join(dir, 'dangling.json')).isSymbolicLink());
  assert.ok(readPlanFile(join(dir, 'plans', 'new.json')).flows.length > 0);
  assertNoTempFiles(dir);
});

test('--out a directory, or a path under a file: one line naming it, exit 2, before any request; --json too', async () => {
  const dir = tempDir('flowlink-out-dir-');
  mkdirSync(join(dir, 'plans'));
  writeFileSync(join(dir, 'afile'), 'x');
  await org.control('DELETE', '/requests');
  const cases = [
    { out: 'plans', message: `cannot write ${join(dir, 'plans')}: is a directory (EISDIR)` },
    { out: 'afile/plan.json', message: `cannot write ${join(dir, 'afile')}: a part of the path is not a directory (ENOTDIR)` },
  ];
  for (const { out, message } of cases) {
    const text = await runCli([...PLAN, '--out', out], { cwd: dir, env: org.env() });
    assert.equal(text.code, 2, text.stderr);
    assert.equal(text.stderr, `flowlink: ${message}\n`);
    const json = await runCli([...PLAN, '--out', out, '--json'], { cwd: dir, env: org.env() });
    assert.equal(json.code, 2);
    assert.deepEqual(JSON.parse(json.stdout), { error: { message, exitCode: 2 } });
  }
  const { requests } = await org.control<{ requests: unknown[] }>('GET', '/requests');
  assert.equal(requests.length, 0, 'nothing was asked of the org');
  assert.deepEqual(filesUnder(dir), [join(dir, 'afile')], 'nothing written, no temporary file');
});
