import { Command, CommanderError } from 'commander';
import { CliIO, type CliHost } from './io.js';
import { CliError, EXIT, type ExitCode } from './errors.js';
import type { CommandContext, RegisterCommand } from './context.js';
import { redact } from '../shared/redact.js';
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
 * Errors reach the user here and only here: CliError as one line, anything else as a "bug" line.
 */
export async function main(argv: string[], host: CliHost, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const io = new CliIO(host);
  let exitCode: ExitCode = EXIT.OK;
  const ctx: CommandContext = {
    io,
    signal,
    setExit(code) {
      if (code > exitCode) exitCode = code;
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
  }
}

function report(error: unknown, io: CliIO): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0) {
      return EXIT.OK;
    }
    if (error.code === 'commander.help') return EXIT.OK;
    return printError(io, error.message.replace(/^error:\s*/i, ''), EXIT.USAGE);
  }
  if (error instanceof CliError) return printError(io, error.message, error.exitCode);
  const message = error instanceof Error ? error.message : String(error);
  io.err(`flowlink: internal error: ${redact(message)} (this is a bug; set FLOWLINK_DEBUG=1 for details)`);
  if (io.env.FLOWLINK_DEBUG && error instanceof Error && error.stack) io.err(redact(error.stack));
  return EXIT.FLOWS_FAILED;
}

function printError(io: CliIO, message: string, code: ExitCode): number {
  const line = message.split('\n')[0] ?? message;
  if (io.json) io.outJson({ error: { message: line, exitCode: code } });
  else io.err(`flowlink: ${line}`);
  return code;
}
