import { createInterface } from 'node:readline/promises';
import type { CommandContext } from './context.js';
import { CliError, EXIT } from './errors.js';
import { forTerminal } from '../shared/terminal-text.js';

/**
 * Confirmation fails closed. With --yes nothing is asked. Without it, someone must answer on a terminal: when
 * nobody can (stdin is not a TTY, CI is set, or --json asks for a machine-readable run) the command is refused
 * before it connects or writes anything: `echo n | flowlink apply plan.json` used to apply.
 * Call it before any work; `confirm` then asks.
 */
export function requireConfirmable(ctx: CommandContext, command: string, yes: boolean): void {
  if (yes) return;
  const why = whyNobodyCanAnswer(ctx);
  if (why) throw new CliError(`${command} changes flows and needs --yes when it cannot ask for confirmation (${why})`, EXIT.USAGE);
}

function whyNobodyCanAnswer(ctx: CommandContext): string | undefined {
  const stdin = ctx.io.host.stdin;
  if (ctx.io.json) return '--json';
  if (Boolean(ctx.io.env.CI) && ctx.io.env.CI !== 'false') return 'CI is set';
  if (!stdin || !stdin.isTTY) return 'stdin is not a terminal';
  return undefined;
}

/** Asks "question [y/N]" on the terminal; only "y" or "yes" is a yes. With --yes it does not ask. */
export async function confirm(ctx: CommandContext, question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  requireConfirmable(ctx, 'this command', yes);
  const stdin = ctx.io.host.stdin as NodeJS.ReadableStream;
  const rl = createInterface({ input: stdin, output: ctx.io.host.stderr as NodeJS.WritableStream });
  try {
    const answer = await rl.question(`${forTerminal(question)} [y/N] `, { signal: ctx.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}
