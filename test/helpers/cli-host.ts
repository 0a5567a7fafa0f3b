import type { CliHost } from '../../src/cli/io.js';

/** An in-memory CLI host: what main() wrote to stdout and stderr, with an environment of the test's choosing. */
export function memoryHost(env: Record<string, string | undefined> = {}, cwd = process.cwd()) {
  const out: string[] = [];
  const err: string[] = [];
  const host: CliHost = {
    stdout: { write: (chunk: string) => out.push(chunk), isTTY: false },
    stderr: { write: (chunk: string) => err.push(chunk), isTTY: false },
    env,
    cwd,
  };
  return {
    host,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
