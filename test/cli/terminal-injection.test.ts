import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { forTerminal, jsonForTerminal, terminalLine } from '../../src/shared/terminal-text.js';
import { toCsv, toJunit, type RunReport } from '../../src/rollout/reports.js';
import { CliIO } from '../../src/cli/io.js';
import { demoOrg, ensureBuilt, flowsNamed, MODULE, runCli, tempDir, type DemoOrg } from './helpers.js';

/**
 * Flow names (and what the org sends) reach the terminal escaped: no ESC/CSI/OSC sequence, CR, BEL, C1 control,
 * bidi override or newline is ever written raw to stdout or stderr in text mode (table, plan, diff headers and
 * bodies, progress, summaries, status, errors). `--json` and the reports keep the real value, safely encoded.
 */
const HOSTILE = [
  'Hostile \x1b[2J\x1b[31mRED\x1b[0m clear screen',
  'Hostile \x1b]0;pwned window title\x07 osc',
  'Hostile \rOVERWRITTEN by a carriage return',
  'Hostile \n+    - forged diff line',
  'Hostile \n[9/9] DONE            Forged_Progress_Line',
  'Hostile \u202eenil eht sesrever\u202c bidi \u2066isolate\u2069',
  'Hostile \u009b31m C1 CSI, \u0085 NEL, \x7f DEL, \b backspace',
];

/** Any character a terminal would act on; a line break is allowed only as the line terminator. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

function assertTerminalSafe(label: string, text: string): void {
  const match = RAW_CONTROL.exec(text);
  assert.equal(match, null, `${label}: raw U+${match?.[0].charCodeAt(0).toString(16).padStart(4, '0')} at ${match?.index}: ${JSON.stringify(text.slice(Math.max(0, (match?.index ?? 0) - 40), (match?.index ?? 0) + 40))}`);
}

test('forTerminal shows controls, escape sequences, newlines and bidi controls visibly; leaves other text alone', () => {
  assert.equal(forTerminal('a\nb\rc\td'), 'a\\nb\\rc\\td');
  assert.equal(forTerminal('\x1b[31mred\x1b[0m'), '\\x1b[31mred\\x1b[0m');
  assert.equal(forTerminal('\x1b]0;title\x07'), '\\x1b]0;title\\x07');
  assert.equal(forTerminal('\u009b1m \u0085 \x7f \x00'), '\\x9b1m \\x85 \\x7f \\x00');
  assert.equal(forTerminal('a\u202eb\u202cc\u2066d\u2069\u200e\u2028'), 'a\\u202eb\\u202cc\\u2066d\\u2069\\u200e\\u2028');
  const plain = 'Sales_Line_001 ünïcödé — ☎ 100% [x] {y} "q": #h & *a !t שלום مرحبا 👩‍💻 \\n';
  assert.equal(forTerminal(plain), plain);
});

test('terminalLine turns only marked colour sequences into colour, and escapes every ESC', () => {
  const line = '@@[33m[~] name@@[39m \x1b[31mred \x1b]0;x\x07';
  assert.equal(terminalLine(line), '@@[33m[~] name@@[39m \\x1b[31mred \\x1b]0;x\\x07');
  assert.equal(terminalLine(line, '@@'), '\x1b[33m[~] name\x1b[39m \\x1b[31mred \\x1b]0;x\\x07');
});

test('on a colour terminal the CLI keeps its own colours and escapes the name it colours and the rest of the line', () => {
  const written: string[] = [];
  const io = new CliIO({
    stdout: { write: (chunk: string) => written.push(chunk), isTTY: true },
    stderr: { write: (chunk: string) => written.push(chunk), isTTY: true },
    env: { TERM: 'xterm-256color' },
    cwd: '/',
  });
  io.out(`${io.color.yellow('[~] Evil\x1b]0;owned\x07\nName')} tail\x1b[8m hidden`);
  assert.deepEqual(written, ['\x1b[33m[~] Evil\\x1b]0;owned\\x07\\nName\x1b[39m tail\\x1b[8m hidden\n']);
});

test('JSON for a terminal: same value, no raw DEL, C1 or bidi control', () => {
  const value = { names: HOSTILE, nested: { s: '\u0085\u202e\x7f' } };
  const text = jsonForTerminal(JSON.stringify(value, null, 2));
  assertTerminalSafe('json', text.replace(/\n/g, ''));
  assert.deepEqual(JSON.parse(text), value);
});

test('reports keep the real value: JSON escaped, CSV quoted, JUnit XML escaped (also what XML 1.0 cannot carry)', () => {
  const report: RunReport = {
    runId: 'r', command: 'apply', module: { id: 'm', name: 'Mod\x1b[1m' }, startedAt: 's', finishedAt: 'f', counts: {},
    flows: HOSTILE.map((name, i) => ({ id: `id${i}`, name, type: 'inboundcall', state: i % 2 ? 'FAILED' : 'DONE', error: `bad ${name}` })),
  };
  const csv = toCsv(report);
  // Every name is there whole, quoted where it has to be (the newline ones), never cut into rows.
  for (const name of HOSTILE) assert.ok(csv.includes(/[",\r\n]/.test(name) ? `"${name.replace(/"/g, '""')}"` : name), JSON.stringify(name));
  const xml = toJunit(report);
  assert.doesNotMatch(xml, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/, 'no raw control or bidi character in the XML');
  assert.match(xml, /Hostile &#xa;\+    - forged diff line/, 'a newline in an attribute is a character reference (kept, not turned into a space)');
  assert.match(xml, /Hostile &#xd;OVERWRITTEN/);
  assert.match(xml, /&#x202e;enil eht sesrever&#x202c;/);
  assert.match(xml, /Hostile \\x1b\[2J/, 'ESC, which XML 1.0 cannot carry, is written visibly');
  assert.match(xml, /&#x9b;31m C1 CSI, &#x85; NEL, &#x7f; DEL, \\x08 backspace/);
});

let org: DemoOrg;
let cwd: string;
before(async () => {
  await ensureBuilt(() => undefined);
  org = await demoOrg();
  await org.control('POST', '/seed', flowsNamed(HOSTILE));
  cwd = tempDir('flowlink-terminal-');
});
after(async () => org?.close());

test('spawned CLI: list, plan (diffs), apply (progress), status and verify print hostile names escaped; --json and reports keep them', async () => {
  const env = org.env({ CI: '1' });
  const escaped = HOSTILE.map(forTerminal);

  const list = await runCli(['list', '--prefix', 'Hostile'], { cwd, env });
  assert.equal(list.code, 0, list.stderr);
  assertTerminalSafe('list stdout', list.stdout.replace(/\n/g, ''));
  assertTerminalSafe('list stderr', list.stderr.replace(/\n/g, ''));
  const rows = list.stdout.trimEnd().split('\n');
  assert.equal(rows.length, HOSTILE.length + 1, 'one table line per flow: a newline in a name does not add a row');
  for (const name of escaped) assert.ok(rows.some((row) => row.startsWith(name)), `row for ${name}`);

  const listJson = await runCli(['list', '--prefix', 'Hostile', '--json'], { cwd, env });
  assert.equal(listJson.code, 0, listJson.stderr);
  assertTerminalSafe('list --json', listJson.stdout.replace(/\n/g, ''));
  assert.deepEqual((JSON.parse(listJson.stdout) as { name: string }[]).map((row) => row.name).sort(), [...HOSTILE].sort(), '--json keeps the real names');

  const plan = await runCli(['plan', '--module', MODULE, '--prefix', 'Hostile', '--out', 'plan.json'], { cwd, env });
  assert.equal(plan.code, 0, plan.stderr);
  assertTerminalSafe('plan stdout', plan.stdout.replace(/\n/g, ''));
  assertTerminalSafe('plan stderr', plan.stderr.replace(/\n/g, ''));
  const planLines = plan.stdout.split('\n');
  assert.equal(planLines.filter((line) => line.startsWith('[~] ')).length, HOSTILE.length, 'one [~] line per flow');
  // The diff header lines name the flow escaped; no name forges a diff line of its own.
  for (const name of escaped) {
    assert.ok(planLines.includes(`    --- ${name}.inboundcall.yaml`), `--- header for ${name}`);
    assert.ok(planLines.includes(`    +++ ${name}.inboundcall.yaml`), `+++ header for ${name}`);
  }
  for (const line of planLines.filter((l) => /forged|Forged/.test(l))) assert.match(line, /Hostile \\n/, `a forged line: ${line}`);
  // The plan file keeps the real names, and its diffs' headers are one line each.
  const planFile = JSON.parse(readFileSync(join(cwd, 'plan.json'), 'utf8')) as { flows: { name: string; diff?: string }[] };
  const hostileFlows = planFile.flows.filter((f) => f.name.startsWith('Hostile'));
  assert.deepEqual(hostileFlows.map((f) => f.name).sort(), [...HOSTILE].sort());
  for (const flow of hostileFlows) assert.equal(flow.diff?.split('\n')[0], `--- ${forTerminal(flow.name)}.inboundcall.yaml`);

  const apply = await runCli(['apply', 'plan.json', '--yes'], { cwd, env });
  assert.equal(apply.code, 0, apply.stderr);
  assertTerminalSafe('apply stdout', apply.stdout.replace(/\n/g, ''));
  assertTerminalSafe('apply stderr', apply.stderr.replace(/\n/g, ''));
  const progress = apply.stderr.split('\n').filter((line) => /^\[\d+\/\d+\]/.test(line));
  assert.equal(progress.length, HOSTILE.length, `one progress line per flow, none forged:\n${apply.stderr}`);
  assert.ok(progress.every((line) => line.startsWith(`[`) && /\/7\] DONE/.test(line)), progress.join('\n'));

  const runId = readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string;
  const status = await runCli(['status', runId], { cwd, env });
  assert.equal(status.code, 0, status.stderr);
  assertTerminalSafe('status', status.stdout.replace(/\n/g, ''));
  for (const name of escaped) assert.ok(status.stdout.includes(name), `status shows ${name}`);

  const verify = await runCli(['verify', 'plan.json'], { cwd, env });
  assertTerminalSafe('verify stdout', verify.stdout.replace(/\n/g, ''));
  assertTerminalSafe('verify stderr', verify.stderr.replace(/\n/g, ''));

  const runDir = join(cwd, '.flowlink', 'runs', runId);
  const reportJson = readFileSync(join(runDir, 'report.json'), 'utf8');
  assertTerminalSafe('report.json', reportJson.replace(/\n/g, ''));
  assert.deepEqual((JSON.parse(reportJson) as { flows: { name: string }[] }).flows.map((f) => f.name).sort(), [...HOSTILE].sort());
  const csv = readFileSync(join(runDir, 'report.csv'), 'utf8');
  assert.ok(csv.includes('"Hostile \n+    - forged diff line"'), 'CSV: the real name, quoted');
  const junit = readFileSync(join(runDir, 'report.junit.xml'), 'utf8');
  assert.doesNotMatch(junit, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
});

test('spawned CLI: an error message carrying a hostile name is one escaped line; --json keeps the real text', async () => {
  const env = org.env({ CI: '1' });
  const name = 'No\x1b]0;owned\x07\nSuch\u202eModule';
  const text = await runCli(['plan', '--module', name], { cwd, env });
  assert.equal(text.code, 2);
  assert.equal(text.stdout, '');
  assert.equal(text.stderr.split('\n').filter(Boolean).length, 1, text.stderr);
  assertTerminalSafe('error', text.stderr.replace(/\n$/, ''));
  assert.ok(text.stderr.includes(forTerminal(name)), text.stderr);
  const json = await runCli(['plan', '--module', name, '--json'], { cwd, env });
  assert.equal(json.code, 2);
  assertTerminalSafe('--json error', json.stdout.replace(/\n/g, ''));
  assert.match((JSON.parse(json.stdout) as { error: { message: string } }).error.message, /No\x1b\]0;owned\x07\nSuch\u202eModule/);
});
