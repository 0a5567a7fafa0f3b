import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { memoryHost } from '../helpers/cli-host.js';

test('an unknown command is a usage error: one line on stderr, exit 2, nothing on stdout', async () => {
  const io = memoryHost();
  const code = await main(['frobnicate'], io.host);
  assert.equal(code, 2);
  assert.equal(io.stdout(), '');
  assert.match(io.stderr(), /^flowlink: unknown command 'frobnicate'\n$/);
});

test('--help prints usage on stdout and exits 0', async () => {
  const io = memoryHost();
  const code = await main(['--help'], io.host);
  assert.equal(code, 0);
  assert.match(io.stdout(), /Usage: flowlink/);
});

test('with --json an error is a JSON document on stdout', async () => {
  const io = memoryHost();
  const code = await main(['frobnicate', '--json'], io.host);
  assert.equal(code, 2);
  const doc = JSON.parse(io.stdout()) as { error: { exitCode: number; message: string } };
  assert.equal(doc.error.exitCode, 2);
  assert.match(doc.error.message, /unknown command/);
});
