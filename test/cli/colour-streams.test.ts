import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/cli/main.js';
import { memoryHost } from '../helpers/cli-host.js';
import { sharedEmulator, tempDir } from '../rollout/helpers.js';
import { CLIENT_ID, CLIENT_SECRET } from '../client/harness.js';

// Colour is decided per stream: `flowlink list | grep` at a terminal (stdout a pipe, stderr a terminal) must write
// no escape codes into the pipe.
const emulator = sharedEmulator({ rateLimit: 5000, jobMs: 20 });
const ESC = '\x1b[';

async function listWith(tty: { stdout: boolean; stderr: boolean }, extraEnv: Record<string, string> = {}) {
  const harness = emulator();
  const io = memoryHost({ GENESYS_ENVIRONMENT: harness.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET, ...extraEnv }, tempDir());
  io.host.stdout.isTTY = tty.stdout;
  io.host.stderr.isTTY = tty.stderr;
  const code = await main(['list', '--prefix', 'Sales_Line_00', '--module', 'Global_Exception_Handler'], io.host);
  assert.equal(code, 0, io.stderr());
  return { stdout: io.stdout(), stderr: io.stderr() };
}

test('stdout piped, stderr a terminal: no escape codes in stdout', async () => {
  const { stdout } = await listWith({ stdout: false, stderr: true });
  assert.match(stdout, /ELIGIBLE/);
  assert.equal(stdout.includes(ESC), false, 'no colour sequence reaches the pipe');
});

test('stdout a terminal: results are coloured; NO_COLOR turns it off', async () => {
  assert.ok((await listWith({ stdout: true, stderr: false })).stdout.includes(ESC));
  assert.equal((await listWith({ stdout: true, stderr: true }, { NO_COLOR: '1' })).stdout.includes(ESC), false);
});
