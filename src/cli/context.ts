import type { Command } from 'commander';
import type { CliIO } from './io.js';
import type { ExitCode } from './errors.js';
import type { StopReporter } from './interrupts.js';

/** Handed to every command's `register`: the I/O host and a way to report the exit code. */
export interface CommandContext {
  io: CliIO;
  /** The exit code main() returns; the highest code set wins, so a later success cannot hide a failure. */
  setExit(code: ExitCode): void;
  /** Aborted on SIGINT/SIGTERM: commands stop starting new work and finish cleanly. */
  signal: AbortSignal;
  /**
   * apply and rollback say what they do when a signal stops them, and what is left in flight when a second one
   * makes them leave at once (bin.ts); a no-op when main() runs in-process without signals.
   */
  setStopReporter(reporter: StopReporter | undefined): void;
}

export type RegisterCommand = (program: Command, ctx: CommandContext) => void;

/** `--json` on a command: results (and errors) as JSON on stdout. */
export function addJsonOption(command: Command): Command {
  return command.option('--json', 'print results and errors as JSON on stdout');
}
