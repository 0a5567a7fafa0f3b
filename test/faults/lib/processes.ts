import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is test/faults/lib/processes.ts). */
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(REPO, 'dist', 'src', 'cli', 'bin.js');

/** Every process the suite started and that still runs: killed when the suite's own process exits. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Exit {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The hard time limit was reached and the process was killed. */
  timedOut: boolean;
  ms: number;
}

export interface Spawned {
  child: ChildProcess;
  done: Promise<Exit>;
  /** kill -9 (no-op once it has exited). */
  kill9(): void;
  exited(): boolean;
}

/**
 * Spawns `node dist/src/cli/bin.js ARGS` the way a user runs flowlink (own process, real signals). Every process
 * has a hard time limit after which it is killed with -9, so that no loop of the suite can hang.
 */
export function spawnCli(args: readonly string[], options: { cwd: string; env: Record<string, string>; timeoutMs: number }): Spawned {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    // No TTY, no colour, no inherited credentials: only what the suite passes.
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', CI: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  let exited = false;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const kill9 = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  const timer = setTimeout(() => {
    timedOut = true;
    kill9();
  }, options.timeoutMs);
  const done = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      exited = true;
      live.delete(child);
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
    });
  });
  child.on('exit', () => (exited = true));
  return { child, done, kill9, exited: () => exited };
}

/** A port that was free a moment ago (listen on 0, read it, close): for a server that must come back on the same one. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A spawned `flowlink emulator --data DIR --port P`, which can be killed with -9 and started again on the same port. */
export class EmulatorProcess {
  private current: Spawned | undefined;
  url = '';

  constructor(private readonly args: readonly string[], private readonly port: number, private readonly dataDir: string) {}

  async start(timeoutMs = 30_000): Promise<string> {
    const spawned = spawnCli(['emulator', '--port', String(this.port), '--data', this.dataDir, ...this.args], {
      cwd: REPO, env: {}, timeoutMs: 60 * 60_000,
    });
    this.current = spawned;
    this.url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`emulator did not start within ${timeoutMs} ms`)), timeoutMs);
      spawned.child.stdout?.on('data', (chunk: string) => {
        seen += chunk;
        const line = seen.split('\n')[0] ?? '';
        if (seen.includes('\n') && line.startsWith('http')) {
          clearTimeout(timer);
          resolve(line.trim());
        }
      });
      void spawned.done.then((exit) => {
        clearTimeout(timer);
        reject(new Error(`emulator exited (${exit.code ?? exit.signal}) before serving: ${exit.stderr.trim()}`));
      });
    });
    return this.url;
  }

  /** kill -9, and wait until the process is gone (its port is then free again). */
  async kill9(): Promise<void> {
    const spawned = this.current;
    if (!spawned) return;
    spawned.kill9();
    await spawned.done;
    this.current = undefined;
  }

  async stop(): Promise<void> {
    await this.kill9();
  }
}

/**
 * The fault suite runs the built CLI. `npm test` builds first; `npm run test:faults` does not, so build here
 * when dist is missing or older than a source file.
 */
export async function ensureBuilt(log: (line: string) => void): Promise<void> {
  if (existsSync(BIN) && newestMtime(join(REPO, 'src')) <= statSync(BIN).mtimeMs) return;
  log('fault suite: dist is missing or older than src; building (npm run build)');
  const build = spawn(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(REPO, 'tsconfig.build.json')], {
    cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  build.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  build.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => build.on('close', resolve));
  // tsc still emits on type errors elsewhere; only a missing binary stops the suite.
  if (code !== 0) log(`fault suite: build reported problems (exit ${code}):\n${output.trim().split('\n').slice(0, 10).join('\n')}`);
  if (!existsSync(BIN)) throw new Error(`no ${BIN} after the build`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
