import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { networkInterfaces } from 'node:os';
import { readFileSync } from 'node:fs';
import type { AddressInfo, Socket } from 'node:net';
import { ClientOptionsError, resolveEnvironment } from '../../src/client/index.js';
import { isLoopback } from '../../src/client/environment.js';
import { ensureBuilt, hasOpenssl, runCli, selfSignedCert, tempDir } from './helpers.js';

/**
 * Credentials only over TLS, except to this machine: `GENESYS_ENVIRONMENT=http://<not loopback>` is refused before
 * any request (exit 2). A certificate that is not trusted, expired or for another host fails at once (exit 5, not
 * the ~44 s of retries), with a hint at NODE_EXTRA_CA_CERTS; trusting the CA that way then works.
 * Certificates are throwaway self-signed ones made by openssl in a temporary directory for this test.
 */
const ENV = { GENESYS_CLIENT_ID: 'transport-test', GENESYS_CLIENT_SECRET: 'transport-test-secret-123' };

before(async () => ensureBuilt(() => undefined));

test('loopback is 127.0.0.0/8, ::1 and localhost; anything else is not', () => {
  for (const host of ['127.0.0.1', '127.3.4.5', '[::1]', '::1', 'localhost', 'LOCALHOST', 'api.localhost', '[::ffff:7f00:1]']) assert.ok(isLoopback(host), host);
  for (const host of ['192.0.2.2', '10.0.0.1', '128.0.0.1', 'example.com', '127.0.0.1.nip.io', 'localhost.example.com', '[::2]', '[fd00::2]', '[::ffff:a00:1]']) {
    assert.ok(!isLoopback(host), host);
  }
  assert.equal(resolveEnvironment('http://127.0.0.1:8080').apiBaseUrl, 'http://127.0.0.1:8080');
  assert.equal(resolveEnvironment('http://localhost:8080').apiBaseUrl, 'http://localhost:8080');
  assert.equal(resolveEnvironment('http://[::1]:8080').apiBaseUrl, 'http://[::1]:8080');
  assert.equal(resolveEnvironment('https://flowlink.example.com').apiBaseUrl, 'https://flowlink.example.com');
  // The WHATWG parser normalises 0x7f.1 and 2130706433 to 127.0.0.1: loopback in any spelling.
  assert.equal(resolveEnvironment('http://2130706433:1').apiBaseUrl, 'http://127.0.0.1:1');
  assert.throws(() => resolveEnvironment('http://flowlink.example.com'), (error: unknown) => error instanceof ClientOptionsError && error.code === 'insecure.environment');
});

test('http:// to a host that is not loopback: refused with one line, exit 2, before any connection', async (t) => {
  // A real server on this machine's own non-loopback address: it would be reached if flowlink tried.
  const address = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4')?.address;
  if (!address) return t.skip('no non-loopback IPv4 interface on this machine');
  let connections = 0;
  const server = createHttpServer((_req, res) => res.end('{}'));
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const url = `http://${address}:${(server.address() as AddressInfo).port}`;
  const cwd = tempDir('flowlink-cleartext-');
  try {
    for (const args of [['list'], ['list', '--json'], ['plan', '--module', 'Global_Exception_Handler']]) {
      const ran = await runCli(args, { cwd, env: { ...ENV, GENESYS_ENVIRONMENT: url } });
      assert.equal(ran.code, 2, `${args.join(' ')}: ${ran.stderr}`);
      const message = args.includes('--json') ? (JSON.parse(ran.stdout) as { error: { message: string } }).error.message : ran.stderr.trim();
      assert.equal(message.split('\n').length, 1);
      assert.match(message, new RegExp(`refusing to send credentials unencrypted to ${address.replace(/\./g, '\\.')}:\\d+: use https://`));
      assert.doesNotMatch(ran.stderr + ran.stdout, /transport-test-secret/);
    }
    assert.equal(connections, 0, 'nothing connected to the server');
  } finally {
    server.close();
  }
});

/** An https server with the given certificate that answers like a tiny Genesys: a token, then an empty flow listing. */
async function tlsOrg(cert: { cert: string; key: string }) {
  let handshakes = 0;
  let failedHandshakes = 0;
  const server = createHttpsServer({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/oauth/token')) return res.end(JSON.stringify({ access_token: 'tls-test-token-0123456789', token_type: 'bearer', expires_in: 3600 }));
    return res.end(JSON.stringify({ entities: [], pageSize: 500, pageNumber: 1, total: 0, pageCount: 1 }));
  });
  server.on('secureConnection', () => (handshakes += 1));
  server.on('tlsClientError', (_error: Error, _socket: Socket) => (failedHandshakes += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    attempts: () => handshakes + failedHandshakes,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

test('an untrusted (self-signed) certificate fails at once, exit 5, with the NODE_EXTRA_CA_CERTS hint; trusting it works', async (t) => {
  if (!hasOpenssl()) return t.skip('openssl is not installed: cannot make a test certificate');
  const dir = tempDir('flowlink-tls-');
  const cert = selfSignedCert(dir, 'IP:127.0.0.1');
  const org = await tlsOrg(cert);
  const env = { ...ENV, GENESYS_ENVIRONMENT: `https://127.0.0.1:${org.port}` };
  try {
    const started = Date.now();
    const ran = await runCli(['list'], { cwd: dir, env });
    const ms = Date.now() - started;
    assert.equal(ran.code, 5, ran.stderr);
    const lines = ran.stderr.trim().split('\n');
    assert.equal(lines.length, 1, ran.stderr);
    assert.match(lines[0] as string, /^flowlink: POST \/oauth\/token: the TLS certificate of 127\.0\.0\.1:\d+ was refused \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE): .*NODE_EXTRA_CA_CERTS/);
    assert.equal(org.attempts(), 1, 'one handshake: a certificate failure is not retried');
    assert.ok(ms < 10_000, `failed at once (${ms} ms), not after the retries`);

    // What the hint says works: trust the certificate through NODE_EXTRA_CA_CERTS.
    const trusted = await runCli(['list', '--json'], { cwd: dir, env: { ...env, NODE_EXTRA_CA_CERTS: cert.cert } });
    assert.equal(trusted.code, 0, trusted.stderr);
    assert.deepEqual(JSON.parse(trusted.stdout), []);
  } finally {
    await org.close();
  }
});

test('a certificate for another host name fails at once, exit 5, naming the mismatch', async (t) => {
  if (!hasOpenssl()) return t.skip('openssl is not installed: cannot make a test certificate');
  const dir = tempDir('flowlink-tls-');
  const cert = selfSignedCert(dir, 'DNS:flowlink-other.example', 'flowlink-other.example');
  const org = await tlsOrg(cert);
  try {
    // Trusted (so the chain is fine), but for another name than 127.0.0.1.
    const ran = await runCli(['list'], { cwd: dir, env: { ...ENV, GENESYS_ENVIRONMENT: `https://127.0.0.1:${org.port}`, NODE_EXTRA_CA_CERTS: cert.cert } });
    assert.equal(ran.code, 5, ran.stderr);
    assert.equal(ran.stderr.trim().split('\n').length, 1, ran.stderr);
    assert.match(ran.stderr, /ERR_TLS_CERT_ALTNAME_INVALID: .*not for this host name: check GENESYS_ENVIRONMENT/);
    assert.equal(org.attempts(), 1, 'one handshake: not retried');
  } finally {
    await org.close();
  }
});
