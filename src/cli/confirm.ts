import { createInterface } from 'node:readline/promises';
import type { CommandContext } from './context.js';

/**
 * Asks "question [y/N]" on an interactive terminal. With --yes, or when nobody can answer (no TTY on stdin, or CI),
 * it does not ask (the issue: "asks for confirmation unless --yes or non-interactive").
 */
export async function confirm(ctx: CommandContext, question: string, yes: boolean): Promise<boolean> {
  const stdin = ctx.io.host.stdin;
  const ci = Boolean(ctx.io.env.CI) && ctx.io.env.CI !== 'false';
  if (yes || !stdin || !stdin.isTTY || ci || ctx.io.json) return true;
  const rl = createInterface({ input: stdin, output: ctx.io.host.stderr as NodeJS.WritableStream });
  try {
    const answer = await rl.question(`${question} [y/N] `, { signal: ctx.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    rl.close();
  }
}
