import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { BIN } from '../faults/lib/processes.js';
import { CLIENT_ID, CLIENT_SECRET } from '../client/harness.js';

export { ensureBuilt } from '../faults/lib/processes.js';
export const MODULE = 'Global_Exception_Handler';

/** The emulator with the demo org, for the spawned-CLI tests of one file. */
export async function demoOrg(options: { jobMs?: number } = {}) {
  const emulator: EmulatorHandle = await startEmulator({ seed: 'demo', rateLimit: 100_000, jobMs: options.jobMs ?? 20 });
  const control = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${emulator.url}/__emulator${path}`, {
      method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    url: emulator.url,
    close: () => emulator.close(),
    control,
    env: (extra: Record<string, string> = {}): Record<string, string> => ({
      GENESYS_ENVIRONMENT: emulator.url, GENESYS_CLIENT_ID: CLIENT_ID, GENESYS_CLIENT_SECRET: CLIENT_SECRET, ...extra,
    }),
    /** POSTs to the import-job endpoint in the request log: writes asked of the org. */
    importJobs: async (): Promise<number> => {
      const { requests } = await control<{ requests: { method: string; path: string }[] }>('GET', '/requests');
      return requests.filter((r) => r.method === 'POST' && r.path === '/api/v2/flows/jobs').length;
    },
  };
}

export type DemoOrg = Awaited<ReturnType<typeof demoOrg>>;

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The built CLI in its own process (`node dist/src/cli/bin.js ...`), stdin a pipe fed with `input` (or closed),
 * no TTY anywhere, nothing inherited but PATH. `onSpawn` gets the child (to send it signals).
 */
export function runCli(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; input?: string; timeoutMs?: number; onSpawn?: (child: ReturnType<typeof spawn>) => void },
): Promise<Ran> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.on('error', () => undefined);
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  options.onSpawn?.(child);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every file under `dir` (recursively), for "no temporary file was left behind". */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats?.isDirectory() ? filesUnder(path) : [path];
  });
}

export const TEMP_FILE = /\.tmp$/;

/** An Archy YAML double-quoted scalar for any name: controls as \u escapes (YAML cannot carry them raw). */
export function yamlQuoted(text: string): string {
  return `"${text.replace(/[\\"]/g, '\\$&').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Inbound call flows with these names, published once, as a seed fixture (added to the org). */
export function flowsNamed(names: readonly string[], idPrefix = 'aaaaaaaa'): { divisions: never[]; flows: unknown[] } {
  return {
    divisions: [],
    flows: names.map((name, i) => ({
      id: `${idPrefix}-0000-4000-8000-${String(i).padStart(12, '0')}`,
      type: 'inboundcall',
      name,
      divisionId: '',
      published: [[
        'inboundCall:',
        `  name: ${yamlQuoted(name)}`,
        '  division: Home',
        '  startUpRef: "/inboundCall/tasks/task[Start_10]"',
        '  defaultLanguage: en-us',
        '  tasks:',
        '    - task:',
        '        name: Start',
        '        refId: Start_10',
        '        actions:',
        '          - disconnect:',
        '              name: Disconnect',
        '',
      ].join('\n')],
    })),
  };
}

/** A throwaway self-signed certificate and key made with openssl for `subjectAltName` (e.g. IP:127.0.0.1). */
export function selfSignedCert(dir: string, subjectAltName: string, commonName = '127.0.0.1'): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=${subjectAltName}`,
  ], { stdio: 'ignore' });
  return { cert, key };
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
