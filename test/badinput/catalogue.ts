import { writeFileSync, readFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flowsNamed, selfSignedCert, tempDir } from '../cli/helpers.js';
import { main } from '../../src/cli/main.js';
import { memoryHost } from '../helpers/cli-host.js';
import { CLIENT_ID, CLIENT_SECRET, type Harness } from '../client/harness.js';
import { sealPlan, type PlanFile } from '../../src/rollout/plan-file.js';
import { asFormat2 } from '../rollout/helpers.js';

/**
 * Every bad input flowlink was tried with, the exit code it must give and the one-line message it gives. The test
 * runs each row; docs/bad-input.md is generated from the same rows (npm run docs:bad-input) and checked against them.
 */
export interface BadInputRow {
  id: string;
  category: 'flags' | 'plan file' | 'credentials' | 'region' | 'module' | 'flow names' | 'server answers' | 'transport' | 'confirmation' | 'files';
  input: string;
  /** Set up the emulator and files; returns the CLI args (and env overrides). */
  run: (ctx: RowContext) => Promise<{ args: string[]; env?: Record<string, string | undefined>; cleanup?: () => Promise<void> }>;
  exitCode: number;
  /** The message (first line of stderr, or of the JSON error) must match. */
  message: RegExp;
  /** Which line explains the outcome, when it is not the error line (rows that succeed). */
  messageFrom?: (outcome: Omit<RowOutcome, 'message'>) => string;
  /** Extra assertion on the outcome (e.g. nothing written remotely). */
  check?: (ctx: RowContext, outcome: RowOutcome) => Promise<string | undefined>;
}

export interface RowContext {
  harness: Harness;
  cwd: string;
  /** A fresh, valid plan of the demo org (Global_Exception_Handler into Sales_Line_*), written to cwd/plan.json. */
  validPlan: () => Promise<PlanFile>;
}

export interface RowOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** The line that explains the outcome: the error line, or the last stderr line. */
  message: string;
}

export async function runRow(row: BadInputRow, ctx: RowContext): Promise<RowOutcome> {
  const { args, env, cleanup } = await row.run(ctx);
  const io = memoryHost({ GENESYS_ENVIRONMENT: ctx.harness.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET, ...env }, ctx.cwd);
  let code: number;
  try {
    code = await main(args, io.host);
  } finally {
    await cleanup?.();
  }
  const stderrLines = io.stderr().split('\n').filter(Boolean);
  // main() prints the error last; a run that succeeds is explained by the row's own pick.
  const errorLine = stderrLines.at(-1) ?? io.stdout().split('\n')[0] ?? '';
  const outcome = { code, stdout: io.stdout(), stderr: io.stderr() };
  return { ...outcome, message: row.messageFrom ? row.messageFrom(outcome) : errorLine };
}

/** Replaces what changes from run to run (ports, temp dirs, ids) so the doc is stable. */
export function normalise(message: string, ctx: RowContext): string {
  return message
    .split(ctx.harness.url).join('http://127.0.0.1:<port>')
    .replace(/127\.0\.0\.1:(?!9\b)\d+/g, '127.0.0.1:<port>')
    .split(ctx.cwd).join('<dir>')
    .split(tmpdir()).join('<tmp>')
    .replace(/flowlink-verify-\w+/g, 'flowlink-verify-<random>')
    .replace(/\/runs\/\d{8}-\d{6}-[0-9a-f]{8}\//g, '/runs/<run-id>/')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>')
    .replace(/correlation id [\w-]+/g, 'correlation id <id>')
    // run ids and times differ from run to run
    .replace(/\b\d{8}-\d{6}-[0-9a-f]{8}\b/g, '<run-id>')
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, '<time>');
}

const plan = (cwd: string) => join(cwd, 'plan.json');
const edit = (cwd: string, change: (p: PlanFile) => void): void => {
  const value = JSON.parse(readFileSync(plan(cwd), 'utf8')) as PlanFile;
  change(value);
  writeFileSync(plan(cwd), JSON.stringify(value, null, 2));
};
/** Seals an edited plan again, as anyone can: a checksum is no proof (the plan proves itself at apply). */
const reseal = (p: PlanFile): void => {
  const { checksum: _old, ...rest } = p;
  (p as { checksum: string }).checksum = sealPlan(rest).checksum;
};
const PLAN_ARGS = ['plan', '--module', 'Global_Exception_Handler', '--prefix', 'Sales_Line_', '--out', 'plan.json'];

/** No import job was registered: nothing was written remotely. */
const nothingWritten = async (ctx: RowContext): Promise<string | undefined> => {
  const writes = (await ctx.harness.requests()).filter((r) => r.method === 'POST' && r.path === '/api/v2/flows/jobs');
  return writes.length > 0 ? `${writes.length} import job(s) registered` : undefined;
};

export const CATALOGUE: BadInputRow[] = [
  // flags
  { id: 'F1', category: 'flags', input: 'an unknown command', run: async () => ({ args: ['deploy'] }), exitCode: 2, message: /unknown command 'deploy'/ },
  { id: 'F2', category: 'flags', input: 'an unknown option', run: async () => ({ args: ['list', '--colour'] }), exitCode: 2, message: /unknown option '--colour'/ },
  { id: 'F3', category: 'flags', input: '`plan` without --module', run: async () => ({ args: ['plan', '--prefix', 'Sales_Line_'] }), exitCode: 2, message: /needs --module/ },
  { id: 'F4', category: 'flags', input: '--before and --after together', run: async () => ({ args: [...PLAN_ARGS, '--before', 'transferToAcd', '--after', 'playAudio'] }), exitCode: 2, message: /only one of --at, --before and --after/, check: nothingWritten },
  { id: 'F5', category: 'flags', input: '--at with something other than start', run: async () => ({ args: [...PLAN_ARGS, '--at', 'end'] }), exitCode: 2, message: /--at takes 'start'/ },
  { id: 'F6', category: 'flags', input: '--input without NAME=VALUE', run: async () => ({ args: [...PLAN_ARGS, '--input', 'Common.reason'] }), exitCode: 2, message: /takes NAME=VALUE/ },
  { id: 'F7', category: 'flags', input: '--input for a name that is not a module variable', run: async () => ({ args: [...PLAN_ARGS, '--input', 'reason=Call.Ani'] }), exitCode: 2, message: /named Common\.<name>/ },
  { id: 'F8', category: 'flags', input: '--output into something that is not a flow variable', run: async () => ({ args: [...PLAN_ARGS, '--output', 'Common.handled=42'] }), exitCode: 2, message: /must be a Flow\., Task\. or State\. variable/ },
  { id: 'F9', category: 'flags', input: '--type with an unknown flow type', run: async () => ({ args: ['list', '--type', 'inboundfax'] }), exitCode: 2, message: /'inboundfax' is not a Genesys flow type/ },
  { id: 'F10', category: 'flags', input: '--name-regex that is not a regular expression', run: async () => ({ args: ['list', '--name-regex', '(Sales'] }), exitCode: 2, message: /not a valid regular expression/ },
  { id: 'F11', category: 'flags', input: '--concurrency 0', run: async (ctx) => { await ctx.validPlan(); return { args: ['apply', 'plan.json', '--yes', '--concurrency', '0'] }; }, exitCode: 2, message: /--concurrency takes 1\.\.64 or auto/, check: nothingWritten },
  { id: 'F12', category: 'flags', input: '`verify` of a run that does not exist', run: async () => ({ args: ['verify', 'no-such-run'] }), exitCode: 2, message: /unknown run or plan file: no-such-run/ },
  { id: 'F13', category: 'flags', input: '`rollback` of a run that does not exist', run: async () => ({ args: ['rollback', 'no-such-run', '--yes'] }), exitCode: 2, message: /unknown run or plan file/ },
  { id: 'F14', category: 'flags', input: '`emulator --port` that is not a number', run: async () => ({ args: ['emulator', '--port', 'eighty'] }), exitCode: 2, message: /--port must be a whole number/ },
  // plan files
  { id: 'P1', category: 'plan file', input: 'a plan file that does not exist', run: async () => ({ args: ['apply', 'missing.json', '--yes'] }), exitCode: 2, message: /plan file not found/ },
  { id: 'P2', category: 'plan file', input: 'a plan file that is not JSON', run: async (ctx) => { writeFileSync(plan(ctx.cwd), 'flows:\n  - oops\n'); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /is not valid JSON/ },
  { id: 'P3', category: 'plan file', input: 'JSON that is not a flowlink plan', run: async (ctx) => { writeFileSync(plan(ctx.cwd), '{"flows": []}'); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /is not a flowlink plan file/ },
  { id: 'P4', category: 'plan file', input: 'a plan cut short (truncated file)', run: async (ctx) => { await ctx.validPlan(); const text = readFileSync(plan(ctx.cwd), 'utf8'); writeFileSync(plan(ctx.cwd), text.slice(0, Math.floor(text.length / 2))); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /is not valid JSON/, check: nothingWritten },
  { id: 'P5', category: 'plan file', input: 'a plan edited by hand (a state changed to ELIGIBLE)', run: async (ctx) => { await ctx.validPlan(); edit(ctx.cwd, (p) => { const locked = p.flows.find((f) => f.state === 'LOCKED'); if (locked) locked.state = 'ELIGIBLE'; }); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /was modified after it was written/, check: nothingWritten },
  { id: 'P6', category: 'plan file', input: 'a plan whose diff was edited by hand', run: async (ctx) => { await ctx.validPlan(); edit(ctx.cwd, (p) => { const f = p.flows.find((x) => x.state === 'ELIGIBLE'); if (f) f.diff = `${f.diff ?? ''}+# injected\n`; }); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /was modified after it was written/, check: nothingWritten },
  { id: 'P7', category: 'plan file', input: 'a plan made against another environment', run: async (ctx) => { await ctx.validPlan(); return { args: ['apply', 'plan.json', '--yes'], env: { GENESYS_ENVIRONMENT: 'http://127.0.0.1:9' } }; }, exitCode: 2, message: /the plan was made against http:\/\/127\.0\.0\.1:\d+, but GENESYS_ENVIRONMENT points at http:\/\/127\.0\.0\.1:9/, check: nothingWritten },
  { id: 'P8', category: 'plan file', input: 'a plan from another org (its module does not exist here)', run: async (ctx) => { await ctx.validPlan(); await ctx.harness.reset('empty'); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /does not exist in this org: was the plan made in another org\?/, check: nothingWritten },
  { id: 'P9', category: 'plan file', input: 'a plan file with a format version from the future', run: async (ctx) => { await ctx.validPlan(); edit(ctx.cwd, (p) => { (p as { formatVersion: number }).formatVersion = 9; }); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /format 9 is not supported/ },
  { id: 'P10', category: 'plan file', input: 'an edited plan re-sealed with a fresh checksum (its diff differs from what its change makes of the original)', run: async (ctx) => { await ctx.validPlan(); edit(ctx.cwd, (p) => { const f = p.flows.find((x) => x.state === 'ELIGIBLE'); if (f) f.diff = `${f.diff ?? ''}+# smuggled\n`; reseal(p); }); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /not what the plan's change makes of its original \(the plan file was edited\)/, check: nothingWritten },
  { id: 'P11', category: 'plan file', input: 'a flow id that is not a Genesys id (a path such as ../../../x), re-sealed', run: async (ctx) => { await ctx.validPlan(); edit(ctx.cwd, (p) => { const f = p.flows.find((x) => x.state === 'ELIGIBLE'); if (f) f.id = '../../../x'; reseal(p); }); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /flow id "\.\.\/\.\.\/\.\.\/x" is not a Genesys id/, check: nothingWritten },
  { id: 'P12', category: 'plan file', input: 'the plan of a run that was rolled back, applied again', run: async (ctx) => { await ctx.validPlan(); await inProcess(ctx, ['apply', 'plan.json', '--yes']); const runId = readdirSync(join(ctx.cwd, '.flowlink', 'runs'))[0] as string; await inProcess(ctx, ['rollback', runId, '--yes']); await ctx.harness.clearRequests(); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /was rolled back .*make a new plan/, check: nothingWritten },
  { id: 'P13', category: 'plan file', input: 'a format-2 plan (it carries the new YAML) whose new YAML was edited, re-sealed', run: async (ctx) => { await ctx.validPlan(); edit(ctx.cwd, (p) => { asFormat2(p); const f = p.flows.find((x) => x.state === 'ELIGIBLE'); if (f) f.updated = `${f.updated ?? ''}\n# smuggled`; reseal(p); }); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /not what the plan's change makes of its original \(the plan file was edited\)/, check: nothingWritten },
  { id: 'P14', category: 'plan file', input: 'a plan with one flow line garbled', run: async (ctx) => { await ctx.validPlan(); const lines = readFileSync(plan(ctx.cwd), 'utf8').split('\n'); const at = lines.findIndex((line) => line.includes('"ELIGIBLE"')); lines[at] = (lines[at] ?? '').replace('"state"', '"state'); writeFileSync(plan(ctx.cwd), lines.join('\n')); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /is not valid JSON/, check: nothingWritten },
  // credentials
  { id: 'C1', category: 'credentials', input: 'GENESYS_CLIENT_ID not set', run: async () => ({ args: ['list'], env: { GENESYS_CLIENT_ID: undefined } }), exitCode: 5, message: /GENESYS_CLIENT_ID is not set: set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET .*see "Use against a real org" in the README/ },
  { id: 'C2', category: 'credentials', input: 'GENESYS_CLIENT_SECRET not set', run: async () => ({ args: ['list'], env: { GENESYS_CLIENT_SECRET: undefined } }), exitCode: 5, message: /GENESYS_CLIENT_SECRET is not set: set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET/ },
  { id: 'C3', category: 'credentials', input: 'a wrong client secret', run: async () => ({ args: ['list'], env: { GENESYS_CLIENT_SECRET: 'not-the-secret' } }), exitCode: 5, message: /invalid_client|credentials|authenticat/i },
  { id: 'C4', category: 'credentials', input: 'an unknown client id', run: async () => ({ args: ['plan', '--module', 'Global_Exception_Handler'], env: { GENESYS_CLIENT_ID: 'someone-else' } }), exitCode: 5, message: /invalid_client|credentials|authenticat/i },
  // regions
  { id: 'R1', category: 'region', input: 'an unknown region', run: async () => ({ args: ['list'], env: { GENESYS_ENVIRONMENT: 'mypurecloud.xx' } }), exitCode: 2, message: /unknown Genesys Cloud region 'mypurecloud\.xx'/ },
  { id: 'R2', category: 'region', input: 'an environment URL that is not a URL', run: async () => ({ args: ['list'], env: { GENESYS_ENVIRONMENT: 'http://exa mple' } }), exitCode: 2, message: /not a valid URL/ },
  { id: 'R3', category: 'region', input: 'an unreachable host (nothing listens on the port)', run: async () => ({ args: ['list'], env: { GENESYS_ENVIRONMENT: `http://127.0.0.1:${await closedPort()}` } }), exitCode: 5, message: /cannot reach 127\.0\.0\.1:<port>|cannot reach 127\.0\.0\.1:\d+/ },
  // module
  { id: 'M1', category: 'module', input: 'a module that does not exist', run: async () => ({ args: ['plan', '--module', 'No_Such_Module', '--prefix', 'Sales_Line_'] }), exitCode: 2, message: /common module 'No_Such_Module' not found/ },
  { id: 'M2', category: 'module', input: 'a module that was never published', run: async () => ({ args: ['plan', '--module', 'Holiday_Check', '--prefix', 'Sales_Line_'] }), exitCode: 2, message: /'Holiday_Check' has never been published/ },
  { id: 'M3', category: 'module', input: 'a module not compatible with the selected type', run: async () => ({ args: ['plan', '--module', 'Fraud_Check_Voice', '--type', 'inboundchat'] }), exitCode: 2, message: /cannot be called from inboundchat flows/ },
  { id: 'M4', category: 'module', input: 'a required module input not mapped', run: async () => ({ args: ['plan', '--module', 'Compliance_Logging', '--prefix', 'Sales_Line_'] }), exitCode: 2, message: /Common\.reason/ },
  { id: 'M5', category: 'module', input: 'an input the module does not have', run: async () => ({ args: ['plan', '--module', 'Global_Exception_Handler', '--input', 'Common.nope=Call.Ani'] }), exitCode: 2, message: /Common\.nope/ },
  { id: 'M6', category: 'module', input: 'a hostile module name (quotes, colon, #, newline)', run: async () => ({ args: ['plan', '--module', 'x": #y\nz'] }), exitCode: 2, message: /common module 'x": #y/ },
  // hostile flow names and content the server returns
  { id: 'N1', category: 'flow names', input: 'flows named with quotes, colons, #, &, *, !, %, brackets and unicode', run: async (ctx) => {
      await ctx.harness.control('POST', '/seed', hostileFlows());
      return { args: ['plan', '--module', 'Global_Exception_Handler', '--prefix', 'Hostile', '--out', 'plan.json', '--no-diffs'] };
    }, exitCode: 0, message: /ELIGIBLE\s+3/, messageFrom: (o) => o.stdout.split('\n').find((l) => l.includes('ELIGIBLE')) ?? '',
    check: async (ctx) => {
      const io = memoryHost({ GENESYS_ENVIRONMENT: ctx.harness.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET }, ctx.cwd);
      const code = await main(['apply', 'plan.json', '--yes'], io.host);
      return code === 0 && /DONE 3/.test(io.stdout()) ? undefined : `apply of the hostile names exited ${code}: ${io.stdout()} ${io.stderr()}`;
    } },
  { id: 'S1', category: 'server answers', input: 'a published flow whose YAML is malformed', run: async (ctx) => {
      const target = (await ctx.validPlan()).flows.find((f) => f.state === 'ELIGIBLE');
      await ctx.harness.control('POST', `/flows/${target?.id}/state`, { publish: 'inboundCall:\n  name: [unclosed\n  tasks: {' });
      return { args: [...PLAN_ARGS, '--no-diffs'] };
    }, exitCode: 0, message: /UNPARSEABLE/, messageFrom: (o) => o.stdout.split('\n').find((l) => l.includes('UNPARSEABLE') && l.startsWith('[ ]')) ?? '' },
  { id: 'S2', category: 'server answers', input: 'the server answers 500 with an HTML page', run: async (ctx) => {
      await ctx.harness.fault({ method: 'GET', path: '/api/v2/flows', status: 500, body: '<html><body>Internal error</body></html>' });
      return { args: ['list'] };
    }, exitCode: 1, message: /500|internal/i },
  { id: 'S3', category: 'server answers', input: 'the server keeps answering 429 with Retry-After beyond the cap (600 s)', run: async (ctx) => {
      await ctx.harness.fault({ path: '/api/v2/flows', status: 429, retryAfter: 600 });
      return { args: ['list'] };
    }, exitCode: 1, message: /429|rate limit|Retry-After/i },
  { id: 'S4', category: 'server answers', input: 'an oversized answer (a 65 MiB flow listing, streamed)', run: async () => {
      const server = await oversizedServer(65 * 1024 * 1024);
      return { args: ['list'], env: { GENESYS_ENVIRONMENT: server.url }, cleanup: server.close };
    }, exitCode: 1, message: /larger than 67108864 bytes; refused/ },
  { id: 'M7', category: 'module', input: 'a module name in the wrong case', run: async () => ({ args: ['plan', '--module', 'global_exception_handler'] }), exitCode: 2, message: /not found \(names are exact and case-sensitive\)/ },
  // hostile text for the terminal (issue 12): printed escaped, one line each; --json and reports keep the real value
  { id: 'N2', category: 'flow names', input: 'flow names with escape sequences (CSI, OSC), CR, BEL, C1 controls, bidi overrides and newlines', run: async (ctx) => {
      await ctx.harness.control('POST', '/seed', flowsNamed(TERMINAL_HOSTILE, 'cccccccc'));
      return { args: ['plan', '--module', 'Global_Exception_Handler', '--prefix', 'Hostile', '--out', 'plan.json', '--no-diffs'] };
    }, exitCode: 0, message: /^\[~\] Hostile \\n\[9\/9\] DONE/, messageFrom: (o) => o.stdout.split('\n').find((l) => l.startsWith('[~] Hostile \\n[9/9]')) ?? '',
    check: async (_ctx, outcome) => {
      const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.exec(outcome.stdout + outcome.stderr);
      if (raw) return `raw U+${raw[0].charCodeAt(0).toString(16)} in the output`;
      const marked = outcome.stdout.split('\n').filter((l) => l.startsWith('[~] '));
      return marked.length === TERMINAL_HOSTILE.length ? undefined : `${marked.length} [~] lines for ${TERMINAL_HOSTILE.length} flows: a name forged a line`;
    } },
  { id: 'N3', category: 'flow names', input: 'flow names that look like credentials (\"Basic Support Line\", \"Bearer ...\", \"access_token=...\")', run: async (ctx) => {
      await ctx.harness.control('POST', '/seed', flowsNamed(['Basic Support Line', 'Bearer Of News Line', 'Line access_token=visible'], 'dddddddd'));
      return { args: ['plan', '--module', 'Global_Exception_Handler', '--name', '*Line*', '--out', 'plan.json', '--no-diffs'] };
    }, exitCode: 0, message: /^\[~\] Basic Support Line \(/, messageFrom: (o) => o.stdout.split('\n').find((l) => l.startsWith('[~] Basic Support Line')) ?? '',
    check: async (_ctx, outcome) => (/\[REDACTED\]/.test(outcome.stdout + outcome.stderr) ? 'a name was redacted' : undefined) },
  { id: 'M8', category: 'module', input: 'a module name with an escape sequence (OSC) and a newline', run: async () => ({ args: ['plan', '--module', 'x\x1b]0;owned\x07\ny'] }), exitCode: 2, message: /common module 'x\\x1b\]0;owned\\x07\\ny' not found/ },
  // transport
  { id: 'X1', category: 'transport', input: 'GENESYS_ENVIRONMENT with http:// to a host that is not loopback (credentials in cleartext)', run: async () => ({ args: ['list'], env: { GENESYS_ENVIRONMENT: 'http://flowlink.example.com' } }), exitCode: 2, message: /refusing to send credentials unencrypted to flowlink\.example\.com: use https:\/\// },
  { id: 'X2', category: 'transport', input: 'an https server whose certificate is self-signed (not trusted)', run: async () => {
      const server = await tlsServer();
      return { args: ['list'], env: { GENESYS_ENVIRONMENT: server.url }, cleanup: server.close };
    }, exitCode: 5, message: /TLS certificate of 127\.0\.0\.1:\d+ was refused \(DEPTH_ZERO_SELF_SIGNED_CERT.*NODE_EXTRA_CA_CERTS/ },
  // confirmation
  { id: 'Y1', category: 'confirmation', input: '`apply` without --yes when stdin is not a terminal (`echo n | flowlink apply plan.json`)', run: async (ctx) => { await ctx.validPlan(); return { args: ['apply', 'plan.json'] }; }, exitCode: 2, message: /apply changes flows and needs --yes when it cannot ask for confirmation \(stdin is not a terminal\)/, check: nothingWritten },
  { id: 'Y2', category: 'confirmation', input: '`apply --json` without --yes', run: async (ctx) => { await ctx.validPlan(); return { args: ['apply', 'plan.json', '--json'] }; }, exitCode: 2, message: /needs --yes when it cannot ask for confirmation \(--json\)/, messageFrom: jsonError, check: nothingWritten },
  { id: 'Y3', category: 'confirmation', input: '`rollback` without --yes when stdin is not a terminal', run: async (ctx) => {
      await ctx.validPlan();
      const applied = await inProcess(ctx, ['apply', 'plan.json', '--yes']);
      if (applied !== 0) throw new Error(`apply exited ${applied}`);
      await ctx.harness.clearRequests();
      return { args: ['rollback', 'plan.json'] };
    }, exitCode: 2, message: /rollback changes flows and needs --yes when it cannot ask for confirmation \(stdin is not a terminal\)/, check: nothingWritten },
  // files
  { id: 'O1', category: 'files', input: '`plan --out` a directory', run: async (ctx) => { mkdirSync(join(ctx.cwd, 'plans')); return { args: [...PLAN_ARGS.slice(0, -1), 'plans'] }; }, exitCode: 2, message: /cannot write .*plans: is a directory \(EISDIR\)/ },
  { id: 'O2', category: 'files', input: '`plan --out` a path under a regular file', run: async (ctx) => { writeFileSync(join(ctx.cwd, 'afile'), 'x'); return { args: [...PLAN_ARGS.slice(0, -1), 'afile/plan.json'] }; }, exitCode: 2, message: /cannot write .*afile: a part of the path is not a directory \(ENOTDIR\)/ },
  { id: 'O3', category: 'files', input: '`plan --out -` (stdout) together with --json', run: async () => ({ args: [...PLAN_ARGS.slice(0, -1), '-', '--json'] }), exitCode: 2, message: /--out - and --json both write to stdout/, messageFrom: jsonError },
  { id: 'O4', category: 'files', input: 'a plan file path that is a directory', run: async (ctx) => { mkdirSync(join(ctx.cwd, 'plan.json')); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /plan file .*plan\.json is a directory, not a plan file/ },
  { id: 'O5', category: 'files', input: 'a run directory that cannot be made (`.flowlink` is a file)', run: async (ctx) => { await ctx.validPlan(); writeFileSync(join(ctx.cwd, '.flowlink'), 'x'); return { args: ['apply', 'plan.json', '--yes'] }; }, exitCode: 2, message: /cannot write .*\.flowlink: a part of the path is not a directory \(ENOTDIR\)/, check: nothingWritten },
  { id: 'O6', category: 'files', input: '`verify` whose report cannot be saved (a directory is in the way); the result is still printed', run: async (ctx) => {
      await ctx.validPlan();
      const applied = await inProcess(ctx, ['apply', 'plan.json', '--yes']);
      if (applied !== 0) throw new Error(`apply exited ${applied}`);
      const runs = join(ctx.cwd, '.flowlink', 'runs');
      mkdirSync(join(runs, readdirSync(runs)[0] as string, 'verify-report.json'));
      return { args: ['verify', 'plan.json'] };
    }, exitCode: 2, message: /the verify reports could not be saved in the run directory: .*verify-report\.json: is a directory \(EISDIR\); they are in /,
    check: async (_ctx, outcome) => (/^verify \S+: VERIFIED \d+$/m.test(outcome.stdout) ? undefined : `no result printed: ${outcome.stdout}`) },
];

/** Names a terminal would act on (issue 12): each must be printed escaped, on its own line. */
const TERMINAL_HOSTILE = [
  'Hostile \x1b[2J\x1b[31mRED\x1b[0m',
  'Hostile \x1b]0;owned\x07 title',
  'Hostile \rOVERWRITTEN',
  'Hostile \n[9/9] DONE            Forged',
  'Hostile \u202eevil\u202c \u009b31m \u0085',
];

/** The message of a --json error document on stdout. */
function jsonError(outcome: Omit<RowOutcome, 'message'>): string {
  try {
    return (JSON.parse(outcome.stdout) as { error: { message: string } }).error.message;
  } catch {
    return outcome.stdout.split('\n')[0] ?? '';
  }
}

async function inProcess(ctx: RowContext, args: string[]): Promise<number> {
  const io = memoryHost({ GENESYS_ENVIRONMENT: ctx.harness.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET }, ctx.cwd);
  return main(args, io.host);
}

/** An https server on 127.0.0.1 with a throwaway self-signed certificate made by openssl for this row. */
async function tlsServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const { createServer: createHttpsServer } = await import('node:https');
  const cert = selfSignedCert(tempDir('flowlink-badinput-tls-'), 'IP:127.0.0.1');
  const server = createHttpsServer({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) }, (_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * A server that answers the token request like Genesys and every API call with an endless-looking JSON listing of
 * `bytes` bytes, generated as it streams (never held in memory). It stops writing when the client hangs up.
 */
async function oversizedServer(bytes: number): Promise<{ url: string; close: () => Promise<void> }> {
  const { createServer: createHttpServer } = await import('node:http');
  const server = createHttpServer((req, res) => {
    if (req.url?.startsWith('/oauth/token')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'oversized-test-token', token_type: 'bearer', expires_in: 3600 }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => { sent = bytes; });
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** A loopback port that was free a moment ago and has nothing listening on it now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Three inbound call flows with names that YAML and shells both find awkward, as a seed fixture. */
function hostileFlows() {
  return flowsNamed(['Hostile "quoted": #hash', 'Hostile &anchor *alias !tag', 'Hostile ünïcödé — ☎ 100% [x] {y}'], '00000000');
}

/** Rules behind the rows above that a row cannot show (tested in test/cli: terminal, transport, files, signals). */
const OPERATOR_NOTES = [
  '## Rules behind these rows',
  '',
  '- **Terminal output.** Every name, reason and server text printed in text mode (tables, plans, diff headers and',
  '  bodies, progress, summaries, errors) is escaped: C0 and C1 controls, ESC sequences, DEL and the bidi controls',
  '  U+202A-202E, U+2066-2069, U+200E/200F, U+061C, U+2028/2029 are shown as `\\n`, `\\r`, `\\x1b`, `\\u202e`; a name',
  '  never adds or rewrites a line. `--json` and the reports keep the real value: JSON escaping (also of C1 and bidi',
  '  controls), CSV quoting, XML character references (characters XML 1.0 cannot carry, such as ESC, are written as',
  '  `\\x1b`). Errors are one line; with `--json` they are `{"error": {"message", "exitCode"}}` on stdout.',
  '- **Transport.** Credentials go only over TLS, except to loopback (127.0.0.0/8, ::1, localhost): `http://` to any',
  '  other host is exit 2 before any request. A certificate failure (untrusted, self-signed, expired, wrong host) is',
  '  exit 5 at once, not retried, with a hint at `NODE_EXTRA_CA_CERTS`.',
  '- **Confirmation** fails closed: `apply` and `rollback` without `--yes` need a terminal to answer `y`; with stdin',
  '  not a terminal, `CI` set or `--json` they are exit 2 before anything is asked of the org or written.',
  '- **Files.** A file or directory that cannot be read or written is one line naming it: exit 2 before a run starts',
  '  (a path you gave, the run directory); exit 1 with the command to resume once `apply`/`rollback` had started (the',
  '  run is interrupted like any other stop). `verify` prints its result even when its report cannot be saved, keeps',
  '  the report in a temporary directory it names, and exits 2 (4 with drift). No temporary file is left behind.',
  '  `--out -` (or `/dev/stdout`) writes the plan to stdout and the summary to stderr; a device or FIFO is written',
  '  through; a symlink is followed (the link stays); a file replaced keeps its permissions.',
  '- **Redaction** is by exact value: the client secret, the Basic credential value and every access token issued',
  '  (also JSON-escaped or URL-encoded), never by a pattern over words: a flow named "Basic Support Line" is printed',
  '  as it is.',
  '- **Signals.** The first SIGINT (Ctrl-C), SIGTERM or SIGHUP stops cleanly: no new flow is started, in-flight',
  '  import jobs are awaited, the journal is closed, the reports are written; the exit code is 128 + the signal',
  '  (130 SIGINT, 143 SIGTERM, 129 SIGHUP) unless the command had finished anyway (then its own code, 0 when it',
  '  succeeded: the emulator stops with 0). A second signal exits at once with its own code (130 for a second Ctrl-C),',
  '  after one line per flow whose import job was in flight and a last line "N import jobs were in flight and may',
  '  still publish; run `flowlink apply <plan>` again to resume" (the next apply looks at those jobs first).',
];

/** The generated doc: one table row per catalogue row with the exit code and the message actually given. */
export function catalogueMarkdown(rows: readonly { row: BadInputRow; message: string; code: number }[]): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    '# Bad-input catalogue',
    '',
    'Every bad input flowlink has been tried with, the exit code it gives and its one-line message (ports, temporary',
    'directories and ids normalised). Each row is a test (`test/badinput/catalogue.test.ts`); this file is generated',
    'from the same rows by `npm run docs:bad-input`, and the test fails when it is out of date.',
    '',
    '| id | category | bad input | exit | message |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map(({ row, message, code }) => `| ${row.id} | ${row.category} | ${escape(row.input)} | ${code} | \`${escape(message)}\` |`),
    '',
    ...OPERATOR_NOTES,
    '',
  ].join('\n');
}
