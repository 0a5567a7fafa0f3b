import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { injectWriteFaultForTests, writeFileDurably } from '../../src/rollout/durable-write.js';
import { memoryHost } from '../helpers/cli-host.js';
import { CLIENT_ID, CLIENT_SECRET } from '../client/harness.js';
import { demoOrg, ensureBuilt, filesUnder, MODULE, runCli, tempDir, TEMP_FILE, type DemoOrg } from './helpers.js';

/**
 * Local file-system failures are one line naming the path, never "internal error ... this is a bug", and --json
 * still gets its JSON error on stdout. Exit 2 (a path or directory to fix) before a run starts; exit 1 with the
 * resume command once apply/rollback had started (the run is interrupted, like any other stop). verify prints its
 * result even when its report cannot be saved (and says so; exit 2, or 4 with drift).
 *
 * Real conditions where they can be made (EISDIR: a directory where a file goes; ENOTDIR: a file where a directory
 * goes); ENOSPC, EACCES and EROFS cannot be made for real here (root on a writable disk), so they are a FAULT
 * INJECTION at the one durable write function (injectWriteFaultForTests), in-process.
 */
let org: DemoOrg;
before(async () => {
  await ensureBuilt(() => undefined);
  org = await demoOrg();
});
after(async () => org?.close());
afterEach(() => injectWriteFaultForTests(undefined));

async function inProcess(cwd: string, args: string[]) {
  const io = memoryHost({ GENESYS_ENVIRONMENT: org.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET }, cwd);
  const code = await main(args, io.host);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

async function planned(prefix: string): Promise<string> {
  const cwd = tempDir('flowlink-fs-');
  const plan = await runCli(['plan', '--module', MODULE, '--prefix', prefix, '--out', 'plan.json'], { cwd, env: org.env() });
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /ELIGIBLE/);
  return cwd;
}

function assertNoTempFiles(dir: string): void {
  assert.deepEqual(filesUnder(dir).filter((file) => TEMP_FILE.test(file)), [], 'no temporary file left behind');
}

test('the durable write: a directory is EISDIR before anything is written; a failed write leaves the old file and no temporary file', () => {
  const dir = tempDir('flowlink-fs-unit-');
  mkdirSync(join(dir, 'adir'));
  assert.throws(() => writeFileDurably(join(dir, 'adir'), 'x'), { code: 'EISDIR', path: join(dir, 'adir') });
  writeFileSync(join(dir, 'file.json'), 'old');
  injectWriteFaultForTests({ code: 'ENOSPC', pathIncludes: 'file.json' });
  assert.throws(() => writeFileDurably(join(dir, 'file.json'), 'new'), { code: 'ENOSPC', path: join(dir, 'file.json') });
  injectWriteFaultForTests(undefined);
  assert.equal(readFileSync(join(dir, 'file.json'), 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir).sort(), ['adir', 'file.json']);
});

test('spawned: a run directory that cannot be made (.flowlink is a file): exit 2, one line naming it, nothing written; --json too', async () => {
  const cwd = await planned('Sales_Line_00');
  writeFileSync(join(cwd, '.flowlink'), 'not a directory');
  const before = await org.importJobs();
  const message = `cannot write ${join(cwd, '.flowlink')}: a part of the path is not a directory (ENOTDIR)`;
  const text = await runCli(['apply', 'plan.json', '--yes'], { cwd, env: org.env() });
  assert.equal(text.code, 2, text.stderr);
  assert.equal(text.stderr, `flowlink: ${message}\n`);
  const json = await runCli(['apply', 'plan.json', '--yes', '--json'], { cwd, env: org.env() });
  assert.equal(json.code, 2, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), { error: { message, exitCode: 2 } });
  assert.equal(await org.importJobs(), before, 'no import job');
});

test('spawned: verify whose report cannot be saved (a directory is in the way: EISDIR) prints its result, says so, exit 2', async () => {
  const cwd = await planned('Sales_Line_01');
  const applied = await runCli(['apply', 'plan.json', '--yes'], { cwd, env: org.env() });
  assert.equal(applied.code, 0, applied.stderr);
  const runDir = join(cwd, '.flowlink', 'runs', readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string);
  mkdirSync(join(runDir, 'verify-report.json'));

  const text = await runCli(['verify', 'plan.json'], { cwd, env: org.env() });
  assert.equal(text.code, 2, text.stderr);
  assert.match(text.stdout, /^verify \S+: VERIFIED \d+\n$/, 'the result is printed');
  const problem = new RegExp(`^flowlink: the verify reports could not be saved in the run directory: cannot write ${runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/verify-report\\.json: is a directory \\(EISDIR\\); they are in (\\S+)$`, 'm');
  const kept = problem.exec(text.stderr);
  assert.ok(kept, text.stderr);
  assert.ok(existsSync(join(kept[1] as string, 'verify-report.json')), 'the reports were kept where the message says');
  assert.doesNotMatch(text.stderr, /internal error/);

  const json = await runCli(['verify', 'plan.json', '--json'], { cwd, env: org.env() });
  assert.equal(json.code, 2, json.stderr);
  const doc = JSON.parse(json.stdout) as { counts: Record<string, number>; reportError: string; reportsKeptIn: string };
  assert.ok((doc.counts.VERIFIED ?? 0) > 0);
  assert.match(doc.reportError, /verify-report\.json: is a directory \(EISDIR\)$/);
  assert.ok(existsSync(doc.reportsKeptIn));
  assertNoTempFiles(runDir);
});

test('fault injection: plan --out with EACCES or EROFS: exit 2, one line naming the file, --json error, no temporary file', async () => {
  const cwd = tempDir('flowlink-fs-');
  for (const [code, reason] of [['EACCES', 'permission denied'], ['EROFS', 'read-only file system']] as const) {
    injectWriteFaultForTests({ code, pathIncludes: join(cwd, 'plan.json') });
    const text = await inProcess(cwd, ['plan', '--module', MODULE, '--prefix', 'Sales_Line_02', '--out', 'plan.json']);
    assert.equal(text.code, 2, text.stderr);
    assert.equal(text.stderr.trim().split('\n').at(-1), `flowlink: cannot write ${join(cwd, 'plan.json')}: ${reason} (${code})`);
    const json = await inProcess(cwd, ['plan', '--module', MODULE, '--prefix', 'Sales_Line_02', '--out', 'plan.json', '--json']);
    assert.equal(json.code, 2);
    assert.deepEqual(JSON.parse(json.stdout), { error: { message: `cannot write ${join(cwd, 'plan.json')}: ${reason} (${code})`, exitCode: 2 } });
  }
  assert.deepEqual(filesUnder(cwd), [], 'no plan, no temporary file');
});

test('fault injection: apply meets a full disk (ENOSPC) writing its backups: exit 1, how to resume, nothing imported; resumes once there is space', async () => {
  const cwd = await planned('Sales_Line_02');
  const before = await org.importJobs();
  injectWriteFaultForTests({ code: 'ENOSPC', pathIncludes: `${join('.flowlink', 'runs')}` });
  const text = await inProcess(cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(text.code, 1, text.stderr);
  const line = text.stderr.trim().split('\n').at(-1) ?? '';
  assert.match(line, /^flowlink: cannot write \S+\.flowlink\/runs\/\S+: no space left on device \(ENOSPC\); the run stopped: fix this and run `flowlink apply plan\.json` again to resume$/);
  const json = await inProcess(cwd, ['apply', 'plan.json', '--yes', '--json']);
  assert.equal(json.code, 1);
  assert.match((JSON.parse(json.stdout) as { error: { message: string } }).error.message, /no space left on device \(ENOSPC\)/);
  assert.equal(await org.importJobs(), before, 'nothing imported');
  assertNoTempFiles(cwd);

  injectWriteFaultForTests(undefined);
  const resumed = await inProcess(cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /^apply \S+: DONE \d+/m);
});

test('fault injection: verify whose run directory is read-only (EROFS) still prints its result; exit 2', async () => {
  const cwd = await planned('Sales_Line_03');
  assert.equal((await inProcess(cwd, ['apply', 'plan.json', '--yes'])).code, 0);
  const runDir = join(cwd, '.flowlink', 'runs', readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string);
  injectWriteFaultForTests({ code: 'EROFS', pathIncludes: runDir });
  const text = await inProcess(cwd, ['verify', 'plan.json']);
  assert.equal(text.code, 2, text.stderr);
  assert.match(text.stdout, /^verify \S+: VERIFIED \d+\n$/);
  assert.match(text.stderr, /could not be saved in the run directory: cannot write \S+verify-report\.json: read-only file system \(EROFS\); they are in \S+/);
  const kept = /they are in (\S+)$/m.exec(text.stderr)?.[1] as string;
  rmSync(kept, { recursive: true, force: true });
});
