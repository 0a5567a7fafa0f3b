#!/usr/bin/env node
import { main } from './main.js';

// The only place that touches process exit state: main() returns the code.
const controller = new AbortController();
let interrupted = 0;
const onSignal = (): void => {
  interrupted += 1;
  if (interrupted > 1) process.exit(130); // a second Ctrl-C means "now"
  controller.abort();
};
process.on('SIGINT', onSignal);
// `flowlink list | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}
process.on('SIGTERM', onSignal);

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
}, controller.signal).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`flowlink: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
