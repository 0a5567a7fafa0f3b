/**
 * Measured work runs in a child process: its peak RSS is then that of the work alone (not of the emulator or the
 * seed data, which live in the parent), and the emulator and the client get a core each. The child answers with
 * one IPC message.
 */
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

type ChildAnswer<T> = { ok: true; result: T } | { ok: false; error: string };

/**
 * Runs `node --import tsx <script> --child ...args` and resolves with what the child's `childMain` handler returned.
 * Bounded: the child is killed after `timeoutMs`.
 */
export function runChild<T>(scriptUrl: string, args: readonly string[], timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = fork(fileURLToPath(scriptUrl), ['--child', ...args], {
      execArgv: ['--import', 'tsx', ...(process.env.BENCH_CHILD_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let answer: ChildAnswer<T> | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${scriptUrl} ${args.join(' ')}: no answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    child.on('message', (message) => {
      answer = message as ChildAnswer<T>;
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (answer?.ok) resolve(answer.result);
      else reject(new Error(answer ? answer.error : `child exited with ${signal ?? code} and no answer`));
    });
  });
}

/** In the child: runs `work` with the arguments after `--child`, sends its result to the parent, exits. */
export async function childMain(work: (args: string[]) => Promise<unknown>): Promise<void> {
  const at = process.argv.indexOf('--child');
  const args = process.argv.slice(at + 1);
  let message: ChildAnswer<unknown>;
  try {
    message = { ok: true, result: await work(args) };
  } catch (error) {
    const cause = error instanceof Error && error.cause !== undefined ? `\ncaused by: ${String((error.cause as Error)?.stack ?? error.cause)}` : '';
    message = { ok: false, error: (error instanceof Error ? (error.stack ?? error.message) : String(error)) + cause };
  }
  await new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));
  process.exit(message.ok ? 0 : 1);
}

/** Whether this process is a child started by runChild for the module at `moduleUrl` (and not just importing it). */
export const isChildOf = (moduleUrl: string): boolean =>
  process.argv.includes('--child') && process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === moduleUrl;

/** Whether the module at `moduleUrl` is the script node was started with (not a child, not an import). */
export const isMain = (moduleUrl: string): boolean =>
  !process.argv.includes('--child') && process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === moduleUrl;
