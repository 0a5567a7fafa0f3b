import { Command, CommanderError } from 'commander';
import { CliIO, type CliHost } from './io.js';
import { CliError, EXIT, type ExitCode } from './errors.js';
import { PlanError } from '../rollout/errors.js';
import type { CommandContext, RegisterCommand } from './context.js';
import { fsErrorMessage, isFsError } from './fs-errors.js';
import type { Interrupts } from './interrupts.js';
import { register as registerList } from './commands/list.js';
import { register as registerPlan } from './commands/plan.js';
import { register as registerApply } from './commands/apply.js';
import { register as registerVerify } from './commands/verify.js';
import { register as registerRollback } from './commands/rollback.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerEmulator } from './commands/emulator.js';
import { register as registerDemo } from './commands/demo.js';

const COMMANDS: RegisterCommand[] = [
  registerList, registerPlan, registerApply, registerVerify, registerRollback, registerStatus, registerEmulator,
  registerDemo,
];

export const VERSION = '0.1.0';

/**
 * Runs the CLI and returns its exit code; never calls process.exit, so tests call it in-process.
 * Errors reach the user here and only here: CliError as one line, a file-system failure as one line naming the
 * path, anything else as a "bug" line. `interrupts` (bin.ts) carries the stop signals of a real process.
 */
export async function main(
  argv: string[],
  host: CliHost,
  signal: AbortSignal = new AbortController().signal,
  interrupts?: Interrupts,
): Promise<number> {
  const io = new CliIO(host);
  let exitCode: ExitCode = EXIT.OK;
  const ctx: CommandContext = {
    io,
    signal,
    setExit(code) {
      if (code > exitCode) exitCode = code;
    },
    setStopReporter(reporter) {
      interrupts?.setReporter(reporter);
    },
  };
  io.json = argv.includes('--json');

  const program = new Command('flowlink')
    .description('Roll a Genesys Cloud common-module call out across many Architect inbound flows, safely.')
    .version(VERSION)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => host.stdout.write(s),
      writeErr: (s) => host.stderr.write(s),
      outputError: () => undefined, // reported below as one line, in text or JSON
    });
  for (const registerCommand of COMMANDS) registerCommand(program, ctx);
  for (const command of program.commands) command.exitOverride();

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    return report(error, io);
  } finally {
    interrupts?.setReporter(undefined);
  }
}

function report(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) {
      return EXIT.OK;
    }
    if (error.code === 'commander.help') return EXIT.OK;
    // Commander puts its suggestion on a line of its own: one line here (a newline in the user's word stays escaped).
    return printError(io, error.message.replace(/^error:\s*/i, '').replace(/\n\((Did you mean [^\n]*)\)$/, ' ($1)'), EXIT.USAGE);
  }
  if (error instanceof CliError) return printError(io, error.message, error.exitCode);
  // The rollout library's refusals (bad plan, unknown module, run already running): bad input, exit 2.
  if (error instanceof PlanError) return printError(io, error.message, EXIT.USAGE);
  // A file the user named, or the run directory, that cannot be read or written: fix it and run again (exit 2).
  if (isFsError(error)) return printError(io, fsErrorMessage(error), EXIT.USAGE);
  const message = error instanceof Error ? error.message : String(error);
  if (io.json) io.outJson({ error: { message: `internal error: ${message}`, exitCode: EXIT.FLOWS_FAILED } });
  else io.err(`flowlink: internal error: ${message} (this is a bug; set FLOWLINK_DEBUG=1 for details)`);
  if (io.env.FLOWLINK_DEBUG && error instanceof Error && error.stack) for (const line of error.stack.split('\n')) io.err(line);
  return EXIT.FLOWS_FAILED;
}

/**
 * One line: in text mode the whole message with any newline or control in it shown visibly (CliIO), in --json
 * mode the real message in a JSON error document on stdout.
 */
function printError(io: CliIO, message: string, code: ExitCode): number {
  if (io.json) io.outJson({ error: { message, exitCode: code } });
  else io.err(`flowlink: ${message}`);
  return code;
}
