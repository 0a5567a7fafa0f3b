#!/usr/bin/env node
import { main } from './main.js';
import { Interrupts, SIGNAL_EXIT_CODES, STOP_SIGNALS } from './interrupts.js';
import { forTerminal } from '../shared/terminal-text.js';
import { redact } from '../shared/redact.js';

// The only place that touches process exit state: main() returns the code.
// SIGINT, SIGTERM and SIGHUP all stop cleanly the first time (SIGHUP no longer kills at once: an apply whose
// terminal went away still sees its in-flight jobs through and closes its journal); a second one leaves now.
const interrupts = new Interrupts();
for (const signal of STOP_SIGNALS) {
  process.on(signal, () => {
    if (interrupts.receive(signal) !== 'leave') return;
    if (!interrupts.hasReporter) process.stderr.write(`flowlink: ${signal} again: exiting now\n`);
    process.exit(SIGNAL_EXIT_CODES[signal]);
  });
}

// `flowlink list | head` closes the pipe early: that is the reader's choice, not an error worth a stack trace.
// Once a stop signal came (a hang-up closes the terminal: EIO, EPIPE), output errors are ignored: the command is
// finishing its in-flight work, and losing its last lines is better than losing the journal's.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (interrupts.first !== undefined) return;
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    if (error.code === 'EIO') return;
    throw error;
  });
}

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
}, interrupts.signal, interrupts).then(
  (code) => {
    process.exitCode = interrupts.exitCode(code);
  },
  (error: unknown) => {
    process.stderr.write(`flowlink: internal error: ${forTerminal(redact(error instanceof Error ? error.message : String(error)))}\n`);
    process.exitCode = interrupts.exitCode(1);
  },
);
