import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { memoryHost } from '../helpers/cli-host.js';
import { CLIENT_ID, CLIENT_SECRET } from '../client/harness.js';
import { demoOrg, ensureBuilt, MODULE, runCli, tempDir, type DemoOrg } from './helpers.js';

/**
 * Confirmation fails closed: `echo n | flowlink apply plan.json` used to apply (no TTY meant "do not ask"), and so
 * did --json on a terminal. Now, without --yes, apply and rollback need someone at a terminal to say yes; when
 * nobody can (stdin not a TTY, CI, --json) they refuse with one line, exit 2, before anything is written.
 */
let org: DemoOrg;
before(async () => {
  await ensureBuilt(() => undefined);
  org = await demoOrg();
});
after(async () => org?.close());

async function planIn(cwd: string, prefix: string): Promise<void> {
  const planned = await runCli(['plan', '--module', MODULE, '--prefix', prefix, '--out', 'plan.json'], { cwd, env: org.env() });
  assert.equal(planned.code, 0, planned.stderr);
  assert.match(planned.stdout, /ELIGIBLE/);
}

test('spawned: apply and rollback without --yes and without a terminal are refused, exit 2, nothing written', async () => {
  const cwd = tempDir('flowlink-confirm-');
  await planIn(cwd, 'Sales_Line_00');
  const before = await org.importJobs();
  const cases: { args: string[]; input?: string; env?: Record<string, string>; why: RegExp }[] = [
    { args: ['apply', 'plan.json'], input: 'n\n', why: /\(stdin is not a terminal\)/ },
    { args: ['apply', 'plan.json'], input: 'y\n', why: /\(stdin is not a terminal\)/ }, // a "y" from a pipe is no confirmation
    { args: ['apply', 'plan.json'], env: { CI: 'true' }, why: /\(CI is set\)/ },
  ];
  for (const { args, input, env, why } of cases) {
    const ran = await runCli(args, { cwd, env: org.env(env), ...(input !== undefined ? { input } : {}) });
    assert.equal(ran.code, 2, `${args.join(' ')} <<< ${input}: ${ran.stderr}`);
    assert.equal(ran.stdout, '');
    assert.equal(ran.stderr.split('\n').filter(Boolean).length, 1, ran.stderr);
    assert.match(ran.stderr, /^flowlink: apply changes flows and needs --yes when it cannot ask for confirmation /);
    assert.match(ran.stderr, why);
  }
  const json = await runCli(['apply', 'plan.json', '--json'], { cwd, env: org.env(), input: 'y\n' });
  assert.equal(json.code, 2);
  assert.deepEqual(JSON.parse(json.stdout), {
    error: { message: 'apply changes flows and needs --yes when it cannot ask for confirmation (--json)', exitCode: 2 },
  });
  assert.equal(await org.importJobs(), before, 'no import job was registered');
  assert.equal(existsSync(join(cwd, '.flowlink')), false, 'no run directory was made');

  // A run to roll back, then rollback without --yes: refused the same way, nothing restored.
  const applied = await runCli(['apply', 'plan.json', '--yes'], { cwd, env: org.env() });
  assert.equal(applied.code, 0, applied.stderr);
  const runId = readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string;
  const afterApply = await org.importJobs();
  const rollback = await runCli(['rollback', runId], { cwd, env: org.env(), input: 'yes\n' });
  assert.equal(rollback.code, 2, rollback.stderr);
  assert.match(rollback.stderr, /^flowlink: rollback changes flows and needs --yes when it cannot ask for confirmation \(stdin is not a terminal\)\n$/);
  assert.equal(await org.importJobs(), afterApply, 'nothing rolled back');
  assert.equal(existsSync(join(cwd, '.flowlink', 'runs', runId, 'rollback.jsonl')), false);
});

/** main() with a stdin that says it is a terminal, answering `answer`. */
async function onTerminal(cwd: string, args: string[], answer: string) {
  const io = memoryHost({ GENESYS_ENVIRONMENT: org.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET }, cwd);
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  io.host.stdin = stdin;
  const stderr = io.host.stderr;
  // The prompt is written to stderr; answer once it is shown.
  io.host.stderr = {
    isTTY: false,
    write(chunk: string) {
      if (chunk.includes('[y/N]')) setImmediate(() => stdin.write(answer));
      return stderr.write(chunk);
    },
  };
  const code = await main(args, io.host);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

test('on a terminal: "n" does not apply (exit 2), --json without --yes is refused, "y" applies', async () => {
  const cwd = tempDir('flowlink-confirm-tty-');
  await planIn(cwd, 'Sales_Line_01');
  const before = await org.importJobs();

  const no = await onTerminal(cwd, ['apply', 'plan.json'], 'n\n');
  assert.equal(no.code, 2, no.stderr);
  assert.match(no.stderr, /Apply: call Global_Exception_Handler from \d+ flow\(s\) in http:\/\/127\.0\.0\.1:\d+\? \[y\/N\] /);
  assert.match(no.stderr, /flowlink: not applied\n$/);

  const json = await onTerminal(cwd, ['apply', 'plan.json', '--json'], 'y\n');
  assert.equal(json.code, 2);
  assert.match((JSON.parse(json.stdout) as { error: { message: string } }).error.message, /needs --yes when it cannot ask for confirmation \(--json\)/);
  assert.doesNotMatch(json.stderr, /\[y\/N\]/, 'not even asked');
  assert.equal(await org.importJobs(), before, 'nothing written');

  const yes = await onTerminal(cwd, ['apply', 'plan.json'], 'y\n');
  assert.equal(yes.code, 0, yes.stderr);
  assert.ok((await org.importJobs()) > before, 'applied');
});
