import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { redact, redactPieces, registerSecret } from '../../src/shared/redact.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { ensureBuilt, filesUnder, flowsNamed, MODULE, runCli, tempDir } from '../cli/helpers.js';

/**
 * Redaction is by exact secret value (the client secret, the Basic credential value, every access token issued),
 * never by a pattern over words: "Basic Support Line" used to come out as "Basic [REDACTED] Line" in output and
 * reports. Names that look like credentials stay whole everywhere; the real secret still never appears.
 */
const CLIENT_ID = 'exact-redaction-client';
const SECRET = 'exact-Redaction-Sekret-4Lp9Qw';
const NAMES = [
  'Basic Support Line',
  'Bearer Of Good News Line',
  'Line access_token=visible client_secret: public',
  'Authorization Basic Helpdesk',
];

test('a page written in pieces is redacted as the whole text would be, also where a secret is split across pieces', () => {
  const secret = 'piece-Wise-Sekret-7Hq2Zx';
  registerSecret(secret);
  // Split right through the secret, with a 64 KB run of text before it (one pass of redactPieces is ~64 KB).
  const filler = 'x'.repeat(64 * 1024 - 5);
  const pieces = [filler, secret.slice(0, 9), secret.slice(9, 10), `${secret.slice(10)} and ${secret}`];
  assert.equal([...redactPieces(pieces)].join(''), `${filler}[REDACTED] and [REDACTED]`);
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant(secret), fc.constantFrom('a', '<tr>', '\n', 'x'.repeat(40_000), encodeURIComponent(secret))), { maxLength: 12 }),
      fc.array(fc.nat(), { maxLength: 8 }), (parts, cuts) => {
        const text = parts.join('');
        const at = [...new Set(cuts.map((cut) => cut % (text.length + 1)))].sort((a, b) => a - b);
        const pieces = [0, ...at].map((from, i) => text.slice(from, [...at, text.length][i]));
        const written = [...redactPieces(pieces)].join('');
        assert.equal(written, redact(text));
        assert.ok(!written.includes(secret));
      }),
    { numRuns: 300, seed: 1534 },
  );
});

test('redact replaces registered values (also JSON-escaped and URL-encoded) and nothing else', () => {
  const secret = 'sEcret/with"quote+plus';
  registerSecret(secret);
  assert.equal(redact(`a ${secret} b`), 'a [REDACTED] b');
  assert.equal(redact(JSON.stringify({ s: secret })), '{"s":"[REDACTED]"}');
  assert.equal(redact(`x=${encodeURIComponent(secret)}`), 'x=[REDACTED]');
  for (const name of NAMES) assert.equal(redact(name), name);
  assert.equal(redact('Authorization: Bearer abcdefghijk'), 'Authorization: Bearer abcdefghijk', 'an unknown value is not a secret');
  assert.equal(redact('token abcdefghijk', ['abcdefghijk']), 'token [REDACTED]');
});

let emulator: EmulatorHandle;
before(async () => {
  await ensureBuilt(() => undefined);
  emulator = await startEmulator({ seed: 'demo', clientId: CLIENT_ID, clientSecret: SECRET, rateLimit: 100_000, jobMs: 20 });
  const response = await fetch(`${emulator.url}/__emulator/seed`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(flowsNamed(NAMES, 'bbbbbbbb')),
  });
  assert.ok(response.ok);
});
after(async () => emulator?.close());

test('spawned: names that look like credentials are printed and reported whole; the secret never is', async () => {
  const cwd = tempDir('flowlink-exact-redaction-');
  const env = { GENESYS_ENVIRONMENT: emulator.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: SECRET, FLOWLINK_DEBUG: '1', CI: '1' };
  const outputs: string[] = [];
  const run = async (args: string[]) => {
    const ran = await runCli(args, { cwd, env });
    outputs.push(ran.stdout + ran.stderr);
    assert.equal(ran.code, 0, `${args.join(' ')}: ${ran.stderr}`);
    return ran;
  };
  const list = await run(['list', '--name', '*Line*', '--name', '*Helpdesk']);
  const listJson = await run(['list', '--name', '*Line*', '--name', '*Helpdesk', '--json']);
  const plan = await run(['plan', '--module', MODULE, '--name', '*Line*', '--name', '*Helpdesk', '--out', 'plan.json']);
  const apply = await run(['apply', 'plan.json', '--yes']);
  await run(['verify', 'plan.json']);
  await run(['status']);
  for (const name of NAMES) {
    assert.ok(list.stdout.includes(name), `list shows ${name}`);
    assert.ok(plan.stdout.includes(`[~] ${name}`), `plan shows ${name}`);
    assert.ok(apply.stderr.includes(`DONE            ${name}`), `apply progress shows ${name}`);
  }
  assert.deepEqual((JSON.parse(listJson.stdout) as { name: string }[]).map((r) => r.name).filter((n) => NAMES.includes(n)).sort(), [...NAMES].sort());
  const runDir = join(cwd, '.flowlink', 'runs', readdirSync(join(cwd, '.flowlink', 'runs'))[0] as string);
  for (const report of ['report.json', 'report.csv', 'report.junit.xml', 'verify-report.json', 'journal.jsonl']) {
    const text = readFileSync(join(runDir, report), 'utf8');
    assert.doesNotMatch(text, /\[REDACTED\]/, `${report} redacted nothing`);
    if (report !== 'journal.jsonl') for (const name of NAMES) assert.ok(text.includes(name), `${report} has ${name}`);
  }
  const basic = Buffer.from(`${CLIENT_ID}:${SECRET}`).toString('base64');
  for (const text of [...outputs, ...filesUnder(cwd).map((file) => readFileSync(file, 'utf8'))]) {
    assert.ok(!text.includes(SECRET), 'the client secret never appears');
    assert.ok(!text.includes(basic), 'the Basic value never appears');
  }
  assert.ok(outputs.some((o) => /access token/.test(o)), 'debug output was produced');
});
