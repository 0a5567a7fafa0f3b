import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { proxyFromEnv } from '../../src/client/index.js';
import { proxyForUrl } from '../../src/client/http/proxy.js';
import { memoryHost } from '../helpers/cli-host.js';
import { CLIENT_ID, CLIENT_SECRET } from '../client/harness.js';
import { DEMO_MODULE, readPlan, sharedEmulator, tempDir, type Harness } from '../rollout/helpers.js';

/**
 * A small forward proxy: absolute-URI requests (`GET http://host:port/path`, what a client sends for plain http
 * through a proxy) are piped to the target; CONNECT opens a tunnel (what a client sends for https). It counts what
 * it forwarded, so a test can tell which requests went through it.
 */
class CountingProxy {
  readonly forwarded: { method: string; url: string }[] = [];
  readonly tunnels: string[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: Server) {}

  static async start(): Promise<CountingProxy> {
    const server = createServer();
    const proxy = new CountingProxy(server);
    server.on('request', (req, res) => proxy.forward(req, res));
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => proxy.tunnel(req, client, head));
    server.on('connection', (socket: Socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reset(): void {
    this.forwarded.length = 0;
    this.tunnels.length = 0;
  }

  private forward(req: IncomingMessage, res: import('node:http').ServerResponse): void {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      // An origin-form request (`GET /path`) is not for a proxy.
      res.writeHead(400).end('absolute URI expected');
      return;
    }
    this.forwarded.push({ method: req.method ?? '', url: target.toString() });
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    this.tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = netConnect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 20 });

async function run(harness: Harness, cwd: string, args: string[], extraEnv: Record<string, string>) {
  const io = memoryHost({ GENESYS_ENVIRONMENT: harness.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET, ...extraEnv }, cwd);
  const code = await main(args, io.host);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** The emulator's own log of what reached it (API calls, presigned uploads and downloads), as `METHOD path`. */
async function served(harness: Harness): Promise<string[]> {
  return (await harness.requests()).map((r) => `${r.method} ${r.path}`);
}

function pathsOf(proxy: CountingProxy): string[] {
  return proxy.forwarded.map((f) => `${f.method} ${new URL(f.url).pathname}`);
}

test('HTTP_PROXY: list, plan, apply and verify go through the proxy, API calls and presigned URLs alike', async () => {
  const harness = emulator();
  await harness.reset();
  const proxy = await CountingProxy.start();
  try {
    const cwd = tempDir('flowlink-proxy-');
    const env = { HTTP_PROXY: proxy.url };
    await harness.clearRequests();
    const listed = await run(harness, cwd, ['list', '--prefix', 'Sales_Line_00', '--module', DEMO_MODULE], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /Sales_Line_00/);
    const planned = await run(harness, cwd, ['plan', '--module', DEMO_MODULE, '--prefix', 'Sales_Line_00', '--out', 'plan.json'], env);
    assert.equal(planned.code, 0, planned.stderr);
    const plan = readPlan(join(cwd, 'plan.json'));
    const eligible = plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
    assert.ok(eligible.length >= 2, `the demo org has changeable Sales_Line_00* flows (got ${eligible.length})`);
    const applied = await run(harness, cwd, ['apply', 'plan.json', '--yes'], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, new RegExp(`DONE ${eligible.length}`));
    const verified = await run(harness, cwd, ['verify', 'plan.json'], env);
    assert.equal(verified.code, 0, verified.stderr);

    const seen = pathsOf(proxy);
    const reached = await served(harness);
    // Every request the emulator served came through the proxy, and the proxy forwarded nothing else.
    assert.ok(reached.length > 10, `the run made requests (${reached.length})`);
    assert.deepEqual([...seen].sort(), [...reached].sort());
    assert.ok(seen.includes('POST /oauth/token'), 'the token request went through the proxy');
    assert.ok(seen.some((line) => line.startsWith('GET /api/v2/flows')), 'API calls went through the proxy');
    assert.equal(seen.filter((line) => /^PUT \/__presigned\/uploads\//.test(line)).length, eligible.length, 'one presigned upload per flow, through the proxy');
    assert.ok(seen.some((line) => /^GET \/__presigned\/downloads\//.test(line)), 'presigned export downloads went through the proxy');
    // Plain http through a proxy is absolute-URI forwarding, not a CONNECT tunnel.
    assert.equal(proxy.tunnels.length, 0);
    for (const forwarded of proxy.forwarded) assert.ok(forwarded.url.startsWith(`${harness.url}/`), forwarded.url);
  } finally {
    await proxy.close();
  }
});

test('NO_PROXY=127.0.0.1 (or no_proxy): the same commands go direct and the proxy sees nothing', async () => {
  const harness = emulator();
  await harness.reset();
  const proxy = await CountingProxy.start();
  try {
    const envs: Record<string, string>[] = [
      { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' },
      { http_proxy: proxy.url, no_proxy: 'localhost, 127.0.0.1' },
      { HTTPS_PROXY: proxy.url }, // an https proxy does not serve http:// URLs
    ];
    for (const env of envs) {
      const cwd = tempDir('flowlink-proxy-');
      await harness.clearRequests();
      const planned = await run(harness, cwd, ['plan', '--module', DEMO_MODULE, '--prefix', 'Sales_Line_00', '--out', 'plan.json'], env);
      assert.equal(planned.code, 0, planned.stderr);
      const applied = await run(harness, cwd, ['apply', 'plan.json', '--yes'], env);
      assert.equal(applied.code, 0, applied.stderr);
      assert.ok((await served(harness)).length > 10, 'the emulator was reached directly');
      assert.deepEqual(proxy.forwarded, [], `proxy used with ${JSON.stringify(Object.keys(env))}`);
      assert.deepEqual(proxy.tunnels, []);
      await harness.reset();
    }
  } finally {
    await proxy.close();
  }
});

test('lowercase http_proxy is honoured and wins over HTTP_PROXY', async () => {
  const harness = emulator();
  await harness.reset();
  const used = await CountingProxy.start();
  const unused = await CountingProxy.start();
  try {
    const cwd = tempDir('flowlink-proxy-');
    const listed = await run(harness, cwd, ['list', '--prefix', 'Sales_Line_001'], { http_proxy: used.url, HTTP_PROXY: unused.url });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(pathsOf(used).includes('POST /oauth/token'));
    assert.ok(pathsOf(used).some((line) => line.startsWith('GET /api/v2/flows')));
    assert.deepEqual(unused.forwarded, []);
  } finally {
    await used.close();
    await unused.close();
  }
});

test('a proxy URL that is not http(s) is a usage error (exit 2) and its password is never printed', async () => {
  const harness = emulator();
  const io = await run(harness, tempDir('flowlink-proxy-'), ['list', '--prefix', 'Sales_Line_001'], { HTTPS_PROXY: 'socksy://user:pr0xy-Secret@proxy.example:1080' });
  assert.equal(io.code, 2);
  assert.match(io.stderr, /^flowlink: HTTPS_PROXY\/HTTP_PROXY: httpsProxy must be an http:\/\/ or https:\/\/ URL/);
  assert.doesNotMatch(io.stderr + io.stdout, /pr0xy-Secret/);
});

test('a proxy that refuses the connection: the failure names the proxy problem, exit 5 like any unreachable org', async () => {
  const harness = emulator();
  const closed = await CountingProxy.start();
  const url = closed.url;
  await closed.close();
  const io = await run(harness, tempDir('flowlink-proxy-'), ['list', '--prefix', 'Sales_Line_001'], { HTTP_PROXY: url.replace('http://', 'http://ops:pr0xy-Secret@') });
  assert.equal(io.code, 5, io.stderr);
  assert.match(io.stderr, /cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED: .* via proxy http:\/\/ops:\*\*\*@127\.0\.0\.1:\d+\)/);
  assert.doesNotMatch(io.stderr + io.stdout, /pr0xy-Secret/);
});

test('proxyForUrl follows undici\'s NO_PROXY rules (for messages)', () => {
  const settings = { httpProxy: 'http://p:1', httpsProxy: 'http://s:2', noProxy: 'localhost, .corp.example:8443 internal' };
  assert.equal(proxyForUrl(settings, 'https://api.mypurecloud.ie/api/v2/flows'), 'http://s:2');
  assert.equal(proxyForUrl(settings, 'http://127.0.0.1:8787/oauth/token'), 'http://p:1');
  assert.equal(proxyForUrl(settings, 'http://localhost:8787/x'), undefined);
  assert.equal(proxyForUrl(settings, 'https://a.corp.example:8443/x'), undefined);
  assert.equal(proxyForUrl(settings, 'https://a.corp.example/x'), 'http://s:2');
  assert.equal(proxyForUrl(settings, 'http://internal/x'), undefined);
  assert.equal(proxyForUrl({ httpProxy: 'http://p:1', noProxy: '*' }, 'http://x/'), undefined);
  assert.equal(proxyForUrl({ httpsProxy: 'http://s:2' }, 'http://x/'), undefined);
  assert.equal(proxyForUrl({ httpProxy: 'http://p:1' }, 'https://x/'), 'http://p:1');
});

test('proxyFromEnv: lowercase first, empty values unset, NO_PROXY alone is no proxy', () => {
  assert.equal(proxyFromEnv({}), undefined);
  assert.equal(proxyFromEnv({ NO_PROXY: '*' }), undefined);
  assert.equal(proxyFromEnv({ HTTP_PROXY: '  ' }), undefined);
  assert.deepEqual(proxyFromEnv({ HTTPS_PROXY: 'http://p:3128', no_proxy: '.corp', NO_PROXY: 'x' }), { httpsProxy: 'http://p:3128', noProxy: '.corp' });
  assert.deepEqual(proxyFromEnv({ http_proxy: 'http://a:1', HTTP_PROXY: 'http://b:2', https_proxy: '', HTTPS_PROXY: 'http://c:3' }), {
    httpProxy: 'http://a:1', httpsProxy: 'http://c:3',
  });
});

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `flowlink ARGS` in a process of its own (NODE_EXTRA_CA_CERTS is read only when a process starts). */
function spawnFlowlink(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src', 'cli', 'bin.ts'), ...args], {
    cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) => child.on('close', (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

test('HTTPS_PROXY: an https org is reached through a CONNECT tunnel, trusting a CA from NODE_EXTRA_CA_CERTS', async () => {
  const harness = emulator();
  await harness.reset();
  // A TLS front for the emulator with a certificate of our own making, as a TLS-inspecting proxy's CA would be.
  const dir = tempDir('flowlink-tls-');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  const target = new URL(harness.url);
  const served: string[] = [];
  const front = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    served.push(`${req.method} ${req.url}`);
    const upstream = httpRequest({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const proxy = await CountingProxy.start();
  try {
    const org = `https://localhost:${(front.address() as AddressInfo).port}`;
    const env = { GENESYS_ENVIRONMENT: org, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET, HTTPS_PROXY: proxy.url };
    const args = ['list', '--prefix', 'Sales_Line_00', '--module', DEMO_MODULE, '--json'];

    // Without the CA the certificate is refused (never waved through), and the failure names the proxy.
    const untrusted = await spawnFlowlink(args, env);
    assert.equal(untrusted.code, 5, untrusted.stderr);
    assert.match(untrusted.stdout, /self[- ]signed certificate.* via proxy http:\/\/127\.0\.0\.1:\d+/i);
    assert.equal(served.length, 0, 'nothing reached the org');

    proxy.reset();
    const trusted = await spawnFlowlink(args, { ...env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') });
    assert.equal(trusted.code, 0, trusted.stderr);
    const rows = JSON.parse(trusted.stdout) as { name: string }[];
    assert.ok(rows.length > 0 && rows.every((row) => row.name.startsWith('Sales_Line_00')));
    // https goes through a tunnel: the proxy sees CONNECT host:port only, never a path or a header.
    assert.ok(proxy.tunnels.length >= 1);
    assert.ok(proxy.tunnels.every((tunnel) => tunnel === `localhost:${(front.address() as AddressInfo).port}`), proxy.tunnels.join());
    assert.deepEqual(proxy.forwarded, []);
    assert.ok(served.includes('POST /oauth/token'));
    assert.ok(served.some((line) => line.startsWith('GET /api/v2/flows')));
  } finally {
    await proxy.close();
    front.closeAllConnections();
    await new Promise<void>((resolve) => front.close(() => resolve()));
  }
});
