import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { main } from '../../src/cli/main.js';
import { ApiError, createClient } from '../../src/client/index.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { memoryHost } from '../helpers/cli-host.js';
import { ensureBuilt, freePort, spawnCli } from '../faults/lib/processes.js';
import { startTokenProxy, type TokenProxy } from './token-proxy.js';

/**
 * The client secret, the Basic header and every bearer token never appear in anything flowlink writes: stdout,
 * stderr (also with FLOWLINK_DEBUG=1), plan files, run directories (plan copy, journals, backups, reports), nor in
 * an ApiError however it is printed. Every command runs (text and --json, in-process and as a spawned process),
 * also failing: wrong secret, unreachable host, bad plans, and a server that echoes credentials in its errors.
 * The tokens are learnt on the wire, by a proxy in front of the emulator.
 */
const CLIENT_ID = 'secrets-test-client';
const SECRET = 'fl0wlink-Sekret-7Qx9Zr2Kp4Vb';
const WRONG_SECRET = 'wr0ng-Sekret-Hh4Tt8Ww1Mm6';
const MODULE = 'Global_Exception_Handler';
const basicOf = (secret: string): string => Buffer.from(`${CLIENT_ID}:${secret}`).toString('base64');

let emulator: EmulatorHandle;
let proxy: TokenProxy;
let cwd: string;
/** Everything the CLI printed, by run. */
const outputs: { label: string; text: string }[] = [];

before(async () => {
  await ensureBuilt(() => undefined);
  emulator = await startEmulator({ seed: 'demo', clientId: CLIENT_ID, clientSecret: SECRET, rateLimit: 100_000, jobMs: 20 });
  proxy = await startTokenProxy(emulator.url);
  cwd = mkdtempSync(join(tmpdir(), 'flowlink-secrets-'));
});
after(async () => {
  await proxy?.close();
  await emulator?.close();
  rmSync(cwd, { recursive: true, force: true });
});

interface RunOptions {
  secret?: string;
  environment?: string;
  debug?: boolean;
}

function envFor(options: RunOptions): Record<string, string> {
  return {
    GENESYS_ENVIRONMENT: options.environment ?? proxy.url,
    GENESYS_CLIENT_ID: CLIENT_ID,
    GENESYS_CLIENT_SECRET: options.secret ?? SECRET,
    ...(options.debug ? { FLOWLINK_DEBUG: '1' } : {}),
  };
}

/** main() in this process, as the in-process CLI tests run it. */
async function inProcess(args: string[], options: RunOptions = {}): Promise<number> {
  const io = memoryHost(envFor(options), cwd);
  const code = await main(args, io.host);
  outputs.push({ label: `in-process ${args.join(' ')}${options.debug ? ' (debug)' : ''}`, text: io.stdout() + io.stderr() });
  return code;
}

/** The built binary in its own process: it knows only its own secret and tokens, not this test's. */
async function spawned(args: string[], options: RunOptions = {}): Promise<number | null> {
  const exit = await spawnCli(args, { cwd, env: envFor(options), timeoutMs: 60_000 }).done;
  outputs.push({ label: `spawned ${args.join(' ')}${options.debug ? ' (debug)' : ''}`, text: exit.stdout + exit.stderr });
  return exit.code;
}

async function control(method: string, path: string, body?: unknown): Promise<{ id?: string }> {
  const response = await fetch(`${emulator.url}/__emulator${path}`, {
    method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  assert.ok(response.ok, `control ${method} ${path}: ${response.status}`);
  const text = await response.text();
  return text ? (JSON.parse(text) as { id?: string }) : {};
}

/** A server that puts the credentials it was sent into its error answers (some proxies and gateways do). */
function echoingError(token: string): Record<string, unknown> {
  return {
    status: 500,
    body: {
      message: `upstream failed for client_secret=${SECRET} Authorization: Basic ${basicOf(SECRET)} Authorization: Bearer ${token}`,
      code: 'internal.server.error',
      status: 500,
      details: [{ access_token: token, clientSecret: SECRET }],
    },
  };
}

/** The credentials of the request itself, echoed back in an error body (what `proxy.echo` answers with). */
function echoedCredentials(authorization: string): Record<string, unknown> {
  const token = authorization.replace(/^Bearer\s+/i, '');
  return {
    message: `upstream failed for client_secret=${SECRET} Authorization: Basic ${basicOf(SECRET)} Authorization: ${authorization}`,
    code: 'internal.server.error',
    status: 500,
    details: [{ access_token: token, clientSecret: SECRET }],
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function needles(): { kind: string; value: string }[] {
  return [
    { kind: 'client secret', value: SECRET },
    { kind: 'wrong client secret', value: WRONG_SECRET },
    { kind: 'Basic header value', value: basicOf(SECRET) },
    { kind: 'Basic header value (wrong secret)', value: basicOf(WRONG_SECRET) },
    ...[...proxy.tokens].map((value, index) => ({ kind: `access token #${index + 1}`, value })),
    ...[...proxy.authorizationHeaders].map((header, index) => ({ kind: `Authorization header #${index + 1}`, value: header.replace(/^\S+\s+/, '') })),
  ];
}

/** Where any secret shows up, by kind only (the message must not print the secret either). */
function leaks(texts: { label: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { label, text } of texts) {
    for (const needle of needles()) if (text.includes(needle.value)) found.push(`${needle.kind} in ${label}`);
  }
  return found;
}

test('every command, text and --json, succeeding and failing, in-process and spawned: no secret, Basic value or token in any output or file', async () => {
  // Success paths, with retries and a token expiry on the way (debug logs them).
  assert.equal(await inProcess(['list', '--prefix', 'Sales_Line_', '--module', MODULE], { debug: true }), 0);
  assert.equal(await inProcess(['list', '--prefix', 'Sales_Line_', '--module', MODULE, '--json']), 0);
  assert.equal(await inProcess(['plan', '--module', MODULE, '--prefix', 'Sales_Line_00', '--out', 'plan-a.json'], { debug: true }), 0);
  assert.equal(await inProcess(['plan', '--module', MODULE, '--prefix', 'Sales_Line_01', '--out', 'plan-b.json', '--json']), 0);
  await control('POST', '/faults', { path: '/api/v2/*', status: 503, count: 2 });
  await control('POST', '/faults', { path: '/api/v2/*', status: 429, retryAfter: 1, count: 1, skip: 3 });
  assert.equal(await inProcess(['apply', 'plan-a.json', '--yes'], { debug: true }), 0);
  await control('DELETE', '/faults');
  await control('POST', '/tokens/expire');
  assert.equal(await inProcess(['apply', 'plan-b.json', '--yes', '--json'], { debug: true }), 0);
  assert.equal(await inProcess(['verify', 'plan-a.json'], { debug: true }), 0);
  assert.equal(await inProcess(['verify', 'plan-b.json', '--json']), 0);
  assert.equal(await inProcess(['status']), 0);
  assert.equal(await inProcess(['status', '--json']), 0);
  assert.equal(await inProcess(['rollback', 'plan-a.json', '--yes'], { debug: true }), 0);
  assert.equal(await inProcess(['rollback', 'plan-b.json', '--yes', '--json'], { debug: true }), 0);
  assert.equal(await inProcess(['status', 'plan-a.json']), 0);
  assert.equal(await inProcess(['status', 'plan-b.json', '--json']), 0);

  // Failures: wrong secret, unreachable host, bad plans, unknown runs.
  const closed = `http://127.0.0.1:${await freePort()}`;
  assert.equal(await inProcess(['list', '--prefix', 'Sales_Line_'], { secret: WRONG_SECRET, debug: true }), 5);
  assert.equal(await inProcess(['list', '--prefix', 'Sales_Line_', '--json'], { secret: WRONG_SECRET }), 5);
  assert.equal(await inProcess(['plan', '--module', MODULE, '--prefix', 'Sales_Line_02', '--out', 'x.json', '--json'], { secret: WRONG_SECRET, debug: true }), 5);
  assert.equal(await inProcess(['apply', 'plan-a.json', '--yes', '--json'], { secret: WRONG_SECRET, debug: true }), 5);
  assert.equal(await inProcess(['verify', 'plan-a.json'], { secret: WRONG_SECRET }), 5);
  assert.equal(await inProcess(['rollback', 'plan-a.json', '--yes', '--json'], { secret: WRONG_SECRET, debug: true }), 5);
  assert.equal(await inProcess(['list', '--prefix', 'Sales_Line_'], { environment: closed, debug: true }), 5);
  assert.equal(await inProcess(['list', '--json'], { environment: closed }), 5);
  assert.equal(await inProcess(['plan', '--module', MODULE, '--out', 'y.json', '--json'], { environment: closed, debug: true }), 5);
  writeFileSync(join(cwd, 'garbage.json'), `{"kind": "flowlink-plan", "secret": `);
  const tampered = JSON.parse(readFileSync(join(cwd, 'plan-a.json'), 'utf8')) as { flows: { name: string }[] };
  (tampered.flows[0] as { name: string }).name = 'Tampered';
  writeFileSync(join(cwd, 'tampered.json'), JSON.stringify(tampered));
  assert.equal(await inProcess(['apply', 'garbage.json', '--yes'], { debug: true }), 2);
  assert.equal(await inProcess(['apply', 'tampered.json', '--yes', '--json'], { debug: true }), 2);
  assert.equal(await inProcess(['verify', 'no-such-plan.json', '--json']), 2);
  assert.equal(await inProcess(['rollback', 'no-such-run', '--yes']), 2);
  assert.equal(await inProcess(['status', 'no-such-run', '--json']), 2);

  // A server echoing credentials in its errors: the run stops, and the echo reaches journal, report and output.
  const someToken = [...proxy.tokens][0] as string;
  assert.equal(await inProcess(['plan', '--module', MODULE, '--prefix', 'Sales_Line_02', '--out', 'plan-c.json']), 0);
  const echo = await control('POST', '/faults', { method: 'POST', path: '/api/v2/flows/jobs', ...echoingError(someToken) });
  assert.equal(await inProcess(['apply', 'plan-c.json', '--yes'], { debug: true }), 1);
  assert.equal(await inProcess(['apply', 'plan-c.json', '--yes', '--json'], { debug: true }), 1);
  await control('DELETE', `/faults/${echo.id}`);

  // The built binary in its own process. Redaction is by exact value (a pattern over words mangled flow names such
  // as "Basic Support Line"), so a process redacts the credentials it holds: its secret, its Basic value and the
  // tokens it was issued. The echoing gateway therefore echoes what this process sent it (its own Authorization
  // header and token), as a real one would.
  assert.equal(await spawned(['list', '--prefix', 'Sales_Line_', '--module', MODULE, '--json'], { debug: true }), 0);
  assert.equal(await spawned(['plan', '--module', MODULE, '--prefix', 'Sales_Line_03', '--out', 'plan-d.json'], { debug: true }), 0);
  proxy.echo = { method: 'POST', path: '/api/v2/flows/jobs', status: 500, body: (authorization) => echoedCredentials(authorization) };
  assert.equal(await spawned(['apply', 'plan-d.json', '--yes'], { debug: true }), 1);
  assert.equal(await spawned(['apply', 'plan-d.json', '--yes', '--json'], { debug: true }), 1);
  proxy.echo = undefined;
  assert.equal(await spawned(['apply', 'plan-d.json', '--yes', '--json'], { debug: true }), 0);
  assert.equal(await spawned(['verify', 'plan-d.json'], { debug: true }), 0);
  assert.equal(await spawned(['rollback', 'plan-d.json', '--yes', '--json'], { debug: true }), 0);
  assert.equal(await spawned(['status', '--json']), 0);
  assert.equal(await spawned(['list', '--prefix', 'Sales_Line_'], { secret: WRONG_SECRET, debug: true }), 5);
  assert.equal(await spawned(['apply', 'plan-d.json', '--yes', '--json'], { secret: WRONG_SECRET, debug: true }), 5);
  assert.equal(await spawned(['list', '--json'], { environment: closed, debug: true }), 5);

  // The test proves something only if the secrets it looks for were really on the wire.
  assert.ok(proxy.tokens.size >= 10, `tokens issued: ${proxy.tokens.size}`);
  assert.ok(proxy.authorizationHeaders.has(`Basic ${basicOf(SECRET)}`));
  assert.ok(proxy.authorizationHeaders.has(`Basic ${basicOf(WRONG_SECRET)}`));
  const files = filesUnder(cwd);
  const runFiles = files.filter((file) => file.includes(join('.flowlink', 'runs')));
  for (const kind of ['journal.jsonl', 'rollback.jsonl', 'report.json', 'report.csv', 'report.junit.xml', 'plan.json', '.yaml']) {
    assert.ok(runFiles.some((file) => file.endsWith(kind)), `a run file ending ${kind} was checked`);
  }
  assert.ok(outputs.some((o) => /access token|retrying|rate limited/.test(o.text)), 'debug output was produced');
  assert.ok(outputs.some((o) => /upstream failed/.test(o.text)), 'the echoing server answer reached the output');
  assert.ok(outputs.some((o) => o.label.startsWith('spawned apply') && /upstream failed/.test(o.text)), 'the echo reached a spawned run too');

  const everything = [...outputs, ...files.map((file) => ({ label: file.slice(cwd.length + 1), text: readFileSync(file, 'utf8') }))];
  assert.deepEqual(leaks(everything), []);
});

test('an ApiError shows no secret, Basic value or token through JSON.stringify, util.inspect, String or its stack', async () => {
  const client = createClient({ environment: proxy.url, clientId: CLIENT_ID, clientSecret: SECRET, limits: { baseBackoffMs: 5, maxBackoffMs: 20 } });
  await client.authenticate();
  const own = [...proxy.tokens].at(-1) as string;
  const echo = await control('POST', '/faults', { method: 'GET', path: '/api/v2/flows', ...echoingError(own) });
  const caught: unknown[] = [];
  await client.collect('/api/v2/flows').catch((error: unknown) => caught.push(error));
  await control('DELETE', `/faults/${echo.id}`);
  await createClient({ environment: proxy.url, clientId: CLIENT_ID, clientSecret: WRONG_SECRET }).authenticate().catch((error: unknown) => caught.push(error));
  const closed = `http://127.0.0.1:${await freePort()}`;
  await createClient({ environment: closed, clientId: CLIENT_ID, clientSecret: SECRET, limits: { baseBackoffMs: 5, maxBackoffMs: 20 } })
    .authenticate()
    .catch((error: unknown) => caught.push(error));

  assert.equal(caught.length, 3);
  assert.ok(caught.every((error) => ApiError.is(error)), 'all three are ApiErrors');
  const [echoed, wrong, unreachable] = caught as ApiError[];
  assert.equal(echoed?.status, 500);
  assert.match(JSON.stringify(echoed), /upstream failed/, 'the echoed answer is in the error, minus the secrets');
  assert.equal(wrong?.status, 401);
  assert.equal(unreachable?.kind, 'network');
  const renderings = (caught as ApiError[]).flatMap((error, index) => [
    { label: `error ${index + 1} JSON.stringify`, text: JSON.stringify(error) },
    { label: `error ${index + 1} util.inspect`, text: inspect(error, { depth: Infinity, showHidden: true }) },
    { label: `error ${index + 1} String`, text: String(error) },
    { label: `error ${index + 1} stack`, text: error.stack ?? '' },
  ]);
  assert.ok(proxy.tokens.has(own));
  assert.deepEqual(leaks(renderings), []);
});
