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
