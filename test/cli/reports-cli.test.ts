import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_ID, CLIENT_SECRET } from '../client/harness.js';
import { DEMO_MODULE, cli, readPlan, sharedEmulator, tempDir } from '../rollout/helpers.js';

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 20 });
const PREFIX = 'Sales_Line_00';

/** The rows of a markdown table whose first cell is a flow name (a code span). */
function flowRows(markdown: string): string[] {
  return markdown.split('\n').filter((line) => /^\| `/.test(line));
}

function gitStatus(cwd: string): string {
  return execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd, encoding: 'utf8' });
}

test('plan --html and --format markdown; apply, verify and rollback write report.html and print markdown; runs found from a subdirectory', async () => {
  const harness = emulator();
  await harness.reset();
  const cwd = tempDir('flowlink-reports-');
  execFileSync('git', ['init', '-q'], { cwd });

  // plan: markdown on stdout, the HTML change record beside the plan.
  const planned = await cli(harness, cwd, ['plan', '--module', DEMO_MODULE, '--prefix', PREFIX, '--out', 'plan.json', '--html', 'plan.html', '--format', 'markdown', '--detailed-exitcode']);
  assert.equal(planned.code, 3, planned.stderr);
  const plan = readPlan(join(cwd, 'plan.json'));
  const eligible = plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  assert.ok(eligible.length >= 2 && plan.flows.length > eligible.length, 'the demo selection has changes and flows held back');
  assert.match(planned.stdout, new RegExp(`^### flowlink plan: add call \` ${DEMO_MODULE} \`\n`));
  assert.match(planned.stdout, new RegExp(`\\*\\*${eligible.length} flows to change\\*\\* of ${plan.flows.length} selected`));
  assert.ok(planned.stdout.includes(`| ELIGIBLE | ${eligible.length} |`));
  assert.equal(flowRows(planned.stdout).length, plan.flows.length);
  assert.match(planned.stderr, /change record written to .*plan\.html/);
  const planHtml = readFileSync(join(cwd, 'plan.html'), 'utf8');
  const host = new URL(harness.url).host;
  assert.ok(planHtml.includes(`<dt>Org environment</dt><dd>${host}</dd>`));
  assert.ok(planHtml.includes(plan.checksum));
  assert.ok(!planHtml.includes(CLIENT_SECRET) && !planHtml.includes(CLIENT_ID), 'no credentials in the page');
  assert.equal((planHtml.match(/<tr data-search=/g) ?? []).length, plan.flows.length);
  assert.equal((planHtml.match(/<details class="diff"/g) ?? []).length, eligible.length);
  for (const flow of plan.flows) assert.ok(planHtml.includes(`data-id="${flow.id}"`), flow.id);

  // apply: markdown summary; the run directory gets report.html and .flowlink/.gitignore.
  const applied = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--format', 'markdown']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /^### flowlink apply: add call/);
  assert.ok(applied.stdout.includes(`| DONE | ${eligible.length} |`), applied.stdout);
  assert.equal(flowRows(applied.stdout).length, plan.flows.length, "the apply report lists every flow of the plan");
  assert.ok(flowRows(applied.stdout).slice(0, eligible.length).every((row) => row.includes(" | DONE | ")), "changed flows first");
  assert.equal(readFileSync(join(cwd, '.flowlink', '.gitignore'), 'utf8'), '*\n');
  const [runId] = readdirSync(join(cwd, '.flowlink', 'runs'));
  assert.ok(runId);
  const runDir = join(cwd, '.flowlink', 'runs', runId);
  let report = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.match(report, /<th>Apply<\/th><\/tr>/);
  assert.equal((report.match(/<span class="state st-ok">DONE<\/span>/g) ?? []).length, eligible.length);
  assert.equal((report.match(/<details class="diff"/g) ?? []).length, eligible.length, 'the run page has the plan\'s diffs');
  assert.ok(!report.includes(CLIENT_SECRET));
  // Nothing flowlink keeps shows up as repository content.
  assert.doesNotMatch(gitStatus(cwd), /\.flowlink/);
  assert.match(gitStatus(cwd), /plan\.json/);

  // verify and rollback from a subdirectory: the runs are found above, like git finds .git.
  const sub = join(cwd, 'flows', 'sales');
  mkdirSync(sub, { recursive: true });
  const verified = await cli(harness, sub, ['verify', runId, '--format', 'markdown']);
  assert.equal(verified.code, 0, verified.stderr);
  assert.ok(verified.stdout.includes(`| VERIFIED | ${eligible.length} |`), verified.stdout);
  report = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.match(report, /<th>Apply<\/th><th>Verify<\/th><\/tr>/);
  assert.equal((report.match(/<span class="state st-ok">VERIFIED<\/span>/g) ?? []).length, eligible.length);

  const status = await cli(harness, sub, ['status', '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.deepEqual((JSON.parse(status.stdout) as { runId: string }[]).map((run) => run.runId), [runId]);

  const rolledBack = await cli(harness, sub, ['rollback', runId, '--yes', '--format', 'markdown']);
  assert.equal(rolledBack.code, 0, rolledBack.stderr);
  assert.ok(rolledBack.stdout.includes(`| ROLLED_BACK | ${eligible.length} |`), rolledBack.stdout);
  report = readFileSync(join(runDir, 'report.html'), 'utf8');
  assert.match(report, /<th>Apply<\/th><th>Verify<\/th><th>Rollback<\/th><\/tr>/);
  assert.match(report, /<tr data-command="rollback"><td>Rollback<\/td>/);
  assert.ok(!existsSync(join(sub, '.flowlink')), 'no second runs directory below');
});

test('--runs DIR: the runs directory, the folder holding .flowlink, or .flowlink itself; a missing one is exit 2', async () => {
  const harness = emulator();
  await harness.reset();
  const cwd = tempDir('flowlink-reports-');
  const planned = await cli(harness, cwd, ['plan', '--module', DEMO_MODULE, '--prefix', 'Sales_Line_001', '--out', 'plan.json']);
  assert.equal(planned.code, 0, planned.stderr);
  const elsewhere = tempDir('flowlink-elsewhere-');
  const runs = join(elsewhere, 'my-runs');
  const applied = await cli(harness, cwd, ['apply', 'plan.json', '--yes', '--runs', runs]);
  assert.equal(applied.code, 0, applied.stderr);
  assert.ok(!existsSync(join(cwd, '.flowlink')), 'apply --runs DIR keeps the run there');
  const [runId] = readdirSync(runs);
  assert.ok(runId && existsSync(join(runs, runId, 'report.html')));
  assert.ok(!existsSync(join(runs, '.gitignore')), 'a runs directory of the user\'s choosing is left as it is');

  const other = tempDir('flowlink-other-');
  const none = await cli(harness, other, ['status', runId]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /unknown run or plan file: .* \(no runs in \.flowlink\/runs\)/);
  const found = await cli(harness, other, ['status', runId, '--runs', runs]);
  assert.equal(found.code, 0, found.stderr);
  assert.match(found.stdout, new RegExp(`^${runId} `));
  const verified = await cli(harness, other, ['verify', runId, '--runs', runs, '--json']);
  assert.equal(verified.code, 0, verified.stderr);
  assert.equal((JSON.parse(verified.stdout) as { command: string }).command, 'verify');

  // The usual layout, named three ways.
  const usual = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(usual.code, 0, usual.stderr);
  for (const dir of [join(cwd, '.flowlink', 'runs'), join(cwd, '.flowlink'), cwd]) {
    const listed = await cli(harness, other, ['status', '--json', '--runs', dir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal((JSON.parse(listed.stdout) as unknown[]).length, 1, dir);
  }
  const missing = await cli(harness, other, ['status', '--runs', join(other, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--runs .*nope: no such directory/);
  const rollbackMissing = await cli(harness, other, ['rollback', runId, '--yes', '--runs', join(other, 'nope')]);
  assert.equal(rollbackMissing.code, 2);
});

test('.flowlink/.gitignore is written once and never overwritten', async () => {
  const harness = emulator();
  await harness.reset();
  const cwd = tempDir('flowlink-reports-');
  mkdirSync(join(cwd, '.flowlink'));
  writeFileSync(join(cwd, '.flowlink', '.gitignore'), 'runs/\n!keep.txt\n');
  const planned = await cli(harness, cwd, ['plan', '--module', DEMO_MODULE, '--prefix', 'Sales_Line_001', '--out', 'plan.json']);
  assert.equal(planned.code, 0, planned.stderr);
  const applied = await cli(harness, cwd, ['apply', 'plan.json', '--yes']);
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(readFileSync(join(cwd, '.flowlink', '.gitignore'), 'utf8'), 'runs/\n!keep.txt\n');
});

test('output format usage errors are exit 2 before the org is asked anything', async () => {
  const harness = emulator();
  await harness.reset();
  const cwd = tempDir('flowlink-reports-');
  mkdirSync(join(cwd, 'adir'));
  await harness.clearRequests();
  const both = await cli(harness, cwd, ['plan', '--module', DEMO_MODULE, '--prefix', PREFIX, '--json', '--format', 'markdown']);
  assert.equal(both.code, 2);
  assert.match(both.stdout, /--json and --format markdown/);
  const bad = await cli(harness, cwd, ['plan', '--module', DEMO_MODULE, '--format', 'html']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /argument 'html' is invalid\. Allowed choices are text, markdown/);
  const dir = await cli(harness, cwd, ['plan', '--module', DEMO_MODULE, '--prefix', PREFIX, '--html', 'adir']);
  assert.equal(dir.code, 2);
  assert.match(dir.stderr, /--html adir: is a directory/);
  const noFolder = await cli(harness, cwd, ['plan', '--module', DEMO_MODULE, '--prefix', PREFIX, '--html', 'missing/plan.html']);
  assert.equal(noFolder.code, 2);
  assert.match(noFolder.stderr, /--html missing\/plan\.html: folder .* does not exist/);
  assert.deepEqual(await harness.requests(), []);
});
