import type { Command } from 'commander';
import type { LockHolder } from '../../rollout/eligibility.js';
import { collectListRows, type ListResult, type ListRow } from '../../rollout/list-flows.js';
import { selectorsFromOptions, type SelectorOptionValues } from '../../rollout/select.js';
import { addSelectorOptions } from '../selector-options.js';
import { cliErrorFromApi, clientFromEnv } from '../connection.js';
import { addJsonOption, type CommandContext } from '../context.js';
import { forTerminal } from '../../shared/terminal-text.js';

interface ListOptions extends SelectorOptionValues {
  module?: string;
  json?: boolean;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('list')
    .description('list flows with their rollout state (read only): lock holder, drafts, whether they call --module');
  addSelectorOptions(command);
  command.option('--module <name>', 'the common module to check against: adds INCOMPATIBLE_TYPE, ALREADY_CALLS_MODULE and a CALLS column');
  addJsonOption(command).action(async (options: ListOptions) => {
    const selectors = selectorsFromOptions(options);
    const client = clientFromEnv(ctx);
    let result: ListResult;
    try {
      result = await collectListRows(client, selectors, options.module);
    } catch (error) {
      throw cliErrorFromApi(error);
    }
    const { io } = ctx;
    if (result.module && result.module.publishedVersion === null) {
      io.note(`flowlink: note: module ${forTerminal(result.module.name)} has never been published, so no flow can call it yet`);
    }
    if (result.dependenciesPartial) {
      io.note('flowlink: note: dependency tracking is still catching up (HTTP 206); "calls" may miss recent publishes');
    }
    if (options.json) {
      io.outJson(result.rows);
    } else {
      printTable(ctx, result);
    }
    io.note(summary(result.rows, client.stats().requests));
  });
}

function lockText(holder: LockHolder | null): string {
  return holder ? `${holder.kind}:${holder.name ?? holder.id}` : '-';
}

/**
 * Plain aligned columns; colour (state only) through ctx.io.color, which is a no-op off a TTY. Every cell is
 * escaped for the terminal before the widths are measured (a name with a newline or an escape sequence stays in
 * its cell, shown as `\n`, `\x1b`).
 */
function printTable(ctx: CommandContext, result: ListResult): void {
  const { io } = ctx;
  if (result.rows.length === 0) {
    io.note('flowlink: no flows match the selectors');
    return;
  }
  const withModule = result.module !== null;
  const header = ['NAME', 'TYPE', 'DIVISION', 'PUBLISHED', 'LOCKED BY', 'DRAFT', ...(withModule ? ['CALLS'] : []), 'STATE', 'ID'];
  const cells = result.rows.map((row) => [
    row.name,
    row.type,
    row.division?.name || row.division?.id || '-',
    row.publishedVersion ?? '-',
    lockText(row.lockedBy),
    row.draftVersion ?? '-',
    ...(withModule ? [row.callsModule ? 'yes' : 'no'] : []),
    row.state,
    row.id,
  ].map(forTerminal));
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i]!.length)));
  const stateColumn = header.indexOf('STATE');
  const line = (values: string[], colour: boolean) =>
    values.map((value, i) => {
      const padded = i === values.length - 1 ? value : value.padEnd(widths[i]!);
      return colour && i === stateColumn ? paint(ctx, value, padded) : padded;
    }).join('  ');
  io.out(line(header, false));
  for (const values of cells) io.out(line(values, true));
}

function paint(ctx: CommandContext, state: string, text: string): string {
  const c = ctx.io.color;
  if (state === 'ELIGIBLE') return c.green(text);
  if (state === 'LOCKED' || state === 'HAS_UNPUBLISHED_DRAFT') return c.yellow(text);
  if (state === 'ALREADY_CALLS_MODULE') return c.cyan(text);
  return c.dim(text);
}

function summary(rows: ListRow[], requests: number): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.state, (counts.get(row.state) ?? 0) + 1);
  const parts = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([state, n]) => `${n} ${state}`);
  return `flowlink: ${rows.length} flow${rows.length === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''} (${requests} requests)`;
}
