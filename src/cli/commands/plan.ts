import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { selectorsFromOptions, type SelectorOptionValues } from '../../rollout/select.js';
import { addSelectorOptions } from '../selector-options.js';
import { writePlan, type PlanSink } from '../../rollout/plan-stream.js';
import { rolloutApiFromClient } from '../../rollout/client-adapter.js';
import { openFileDurably, type DurableFile } from '../../rollout/durable-write.js';
import { isTarget } from '../../rollout/states.js';
import { describeChange } from '../../rollout/change.js';
import { lstatSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { planChange, type PlanFile } from '../../rollout/plan-file.js';
import { countStates } from '../../rollout/reports.js';
import { cliErrorFromApi, clientFromEnv } from '../connection.js';
import { addJsonOption, type CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { assertWritableDir } from '../fs-errors.js';
import type { CliHost } from '../io.js';
import { forTerminal, shellArg } from '../../shared/terminal-text.js';
import { addPlacementAndMappingOptions, mappingFromOptions, placementFromOptions, type PlacementAndMappingValues } from '../mapping-options.js';
import { addFormatOption, checkHtmlPath, outputFormat, printPlanMarkdown, writePlanHtml } from '../report-output.js';

interface PlanOptions extends SelectorOptionValues, PlacementAndMappingValues {
  module?: string;
  remove?: boolean;
  replace?: string;
  refresh?: boolean;
  sharedFlow?: string;
  out: string;
  detailedExitcode?: boolean;
  diffs: boolean;
  verbose?: boolean;
  json?: boolean;
  html?: string;
  format?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('plan')
    .description('plan a rollout: select and classify flows, compute each new YAML and its diff; writes nothing remote')
    .option('--module <name>', 'the common module to call (exact name)')
    .option('--shared-flow <name>', 'same as --module (the tutorial\'s word)')
    .option('--remove', 'remove every call to --module instead (flows that do not call it are NOT_CALLING)')
    .option('--replace <old-module>', 'make every call of OLD-MODULE a call of --module at the same place (inputs carried over by name)')
    .option('--refresh', 'republish, unchanged, the consumers of --module that embed an older version of it (STALE)');
  addSelectorOptions(command);
  addPlacementAndMappingOptions(command);
  command
    .option('--out <file>', 'where to write the plan (- for stdout; a symlink is followed, a device or FIFO written through)', 'plan.json')
    .option('--no-diffs', 'print the summary only, not the per-flow diffs')
    .option('--verbose', 'name every flow that does not change, under its state')
    .option('--detailed-exitcode', 'exit 3 when the plan has changes (0 when it has none)')
    .option('--html <file>', 'also write the plan as a self-contained HTML change record (every flow, diffs, a filter box)');
  addFormatOption(command);
  addJsonOption(command).action(async (options: PlanOptions) => {
    const { io } = ctx;
    const moduleName = options.module ?? options.sharedFlow;
    if (!moduleName) throw new CliError('plan needs --module NAME (the common module to call)', EXIT.USAGE);
    if (options.module && options.sharedFlow && options.module !== options.sharedFlow) {
      throw new CliError('--module and --shared-flow name different modules', EXIT.USAGE);
    }
    const kinds = [options.remove ? 'remove' : undefined, options.replace !== undefined ? 'replace' : undefined, options.refresh ? 'refresh' : undefined]
      .filter((kind): kind is 'remove' | 'replace' | 'refresh' => kind !== undefined);
    if (kinds.length > 1) throw new CliError(`--${kinds.join(', --')} are different kinds of change: use one`, EXIT.USAGE);
    const kind = kinds[0] ?? 'add';
    if ((kind === 'remove' || kind === 'refresh') && hasCallOptions(options)) {
      throw new CliError(`--${kind} writes no call: --at/--before/--after/--input/--output/--action-name do not apply`, EXIT.USAGE);
    }
    if (kind === 'replace' && hasPlacementOptions(options)) throw new CliError('--replace keeps each call where it is: --at/--before/--after do not apply', EXIT.USAGE);
    let placement, mapping;
    try {
      placement = placementFromOptions(options);
      mapping = mappingFromOptions(options);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw new CliError(error.message, EXIT.USAGE);
      throw error;
    }
    // `--out -` (or /dev/stdout): the plan on stdout, and what is normally printed there goes to stderr.
    const toStdout = options.out === '-' || options.out === '/dev/stdout';
    if (toStdout && options.json) throw new CliError('--out - and --json both write to stdout: use one of them', EXIT.USAGE);
    const outPath = toStdout ? '-' : resolve(io.host.cwd, options.out);
    // A path that cannot take the plan is refused before the org is asked anything.
    if (!toStdout) checkOutPath(outPath);
    const format = outputFormat(options);
    if (format === 'markdown' && toStdout) throw new CliError('--out - and --format markdown both write to stdout: use one of them', EXIT.USAGE);
    if (options.html) checkHtmlPath(ctx, options.html);
    const client = clientFromEnv(ctx);
    // Written as it is planned (plan-stream.ts): the plan file, or stdout; the plan kept here has no originals.
    let file: DurableFile | undefined;
    const open = (): PlanSink => (toStdout ? { write: (piece: string) => writeToStdout(io.host, piece) } : (file = openFileDurably(outPath)));
    let plan: PlanFile;
    try {
      plan = await writePlan(rolloutApiFromClient(client), client.environment.apiBaseUrl, {
        moduleName,
        kind,
        ...(options.replace !== undefined ? { replaces: options.replace } : {}),
        selectors: selectorsFromOptions(options),
        typesExplicit: (options.type ?? []).length > 0,
        placement,
        ...mapping,
        ...(options.actionName ? { actionName: options.actionName } : {}),
        selection: describeSelection(options),
      }, open);
      file?.commit();
    } catch (error) {
      file?.abort();
      throw cliErrorFromApi(error);
    }
    if (options.html) io.note(`flowlink: change record written to ${writePlanHtml(ctx, plan, options.html)}`);
    const counts = countStates(plan.flows);
    const eligible = plan.flows.filter((flow) => isTarget(flow.state)).length;
    if (format === 'markdown') {
      printPlanMarkdown(ctx, plan);
      io.note(`flowlink: plan written to ${outPath} (${eligible} to change); apply it with: flowlink apply ${shellArg(options.out)}`);
    } else if (options.json) {
      io.outJson({ planFile: outPath, module: plan.module, counts, flows: plan.flows });
    } else {
      printPlan(ctx, plan, counts, options.diffs, options.verbose === true, toStdout ? (line) => io.err(line) : (line) => io.out(line));
      const requests = client.stats().requests;
      io.note(toStdout
        ? `flowlink: plan written to stdout (${eligible} to change, ${requests} API requests)`
        : `flowlink: plan written to ${outPath} (${eligible} to change, ${requests} API requests); apply it with: flowlink apply ${shellArg(options.out)}`);
    }
    if (options.detailedExitcode && eligible > 0) ctx.setExit(EXIT.CHANGES);
  });
}

function hasPlacementOptions(options: PlanOptions): boolean {
  const o = options as PlanOptions & { at?: unknown; before?: unknown; after?: unknown };
  return o.at !== undefined || o.before !== undefined || o.after !== undefined;
}

function hasCallOptions(options: PlanOptions): boolean {
  const o = options as PlanOptions & { input?: unknown[]; inputLit?: unknown[]; output?: unknown[]; actionName?: unknown };
  return hasPlacementOptions(options) || [o.input, o.inputLit, o.output].some((list) => (list ?? []).length > 0) || o.actionName !== undefined;
}

function describeSelection(options: PlanOptions): string[] {
  const parts: string[] = [];
  for (const type of options.type ?? []) parts.push(`--type ${type}`);
  for (const glob of options.name ?? []) parts.push(`--name ${glob}`);
  for (const prefix of options.prefix ?? []) parts.push(`--prefix ${prefix}`);
  if (options.nameRegex) parts.push(`--name-regex ${options.nameRegex.source}`);
  for (const [flag, values] of [['--division', options.division], ['--include', options.include], ['--exclude', options.exclude], ['--calls', options.calls], ['--not-calls', options.notCalls]] as const) {
    for (const value of values ?? []) parts.push(`${flag} ${value}`);
  }
  return parts;
}

/**
 * Like terraform: one `[~]` line (and its diff) per flow that changes, then the others grouped by state (one line
 * each; their names under --verbose), then the totals last, where they are read. Names, reasons and the diff's
 * lines (YAML from the org) are escaped for the terminal (forTerminal; the colour functions escape what they
 * colour): a name or a YAML line cannot forge a line of the plan.
 */
function printPlan(ctx: CommandContext, plan: PlanFile, counts: Record<string, number>, withDiffs: boolean, verbose: boolean, print: (line: string) => void): void {
  const c = ctx.io.color;
  const change = planChange(plan);
  print(`Plan: ${forTerminal(describeChange(change))} ${plan.flows.length} selected flow(s) (${forTerminal(plan.module.name)} published ${plan.module.publishedVersion ?? '?'})`);
  print('');
  const others = new Map<string, typeof plan.flows>();
  for (const flow of plan.flows) {
    if (isTarget(flow.state)) {
      print(c.yellow(`[~] ${flow.name} (${flow.type}, ${flow.id}, published ${flow.publishedVersion})${flow.reason ? `: ${flow.reason}` : ''}`));
      if (withDiffs && flow.diff) {
        // CRLF files: the CR of each line ending goes; a CR inside a line is shown (\r), never printed raw.
        for (const line of flow.diff.replace(/\r\n/g, '\n').split('\n')) {
          if (line === '' || line.startsWith('Index:') || line.startsWith('====')) continue;
          print(`    ${line.startsWith('+') && !line.startsWith('+++') ? c.green(line) : line.startsWith('-') && !line.startsWith('---') ? c.red(line) : forTerminal(line)}`);
        }
      }
    } else {
      others.set(flow.state, [...(others.get(flow.state) ?? []), flow]);
    }
  }
  if (others.size > 0) print('');
  for (const [state, flows] of [...others].sort((a, b) => b[1].length - a[1].length)) {
    const example = flows[0]?.reason ? `: ${flows[0].reason}${flows.length > 1 ? ', ...' : ''}` : '';
    print(c.dim(`[ ] ${state} ${flows.length} flow(s)${verbose ? '' : example}`));
    if (verbose) for (const flow of flows) print(c.dim(`      ${flow.name} (${flow.type})${flow.reason ? `: ${flow.reason}` : ''}`));
  }
  print('');
  const width = Math.max(...Object.keys(counts).map((state) => state.length), 5);
  for (const [state, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) print(`  ${state.padEnd(width)}  ${String(n).padStart(5)}`);
  const targets = plan.flows.filter((flow) => isTarget(flow.state)).length;
  print(`Plan: ${targets} to change, ${plan.flows.length - targets} left as they are.`);
}

/**
 * `--out` must be somewhere a file can be written: not a directory, and under a writable directory (unless it is
 * an existing device, FIFO or symlink, which are written through or followed).
 */
function checkOutPath(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    stats = undefined;
  }
  if (stats?.isDirectory()) throw Object.assign(new Error(`EISDIR: ${path}`), { code: 'EISDIR', syscall: 'open', path });
  if (stats && !stats.isFile()) return;
  let link = false;
  try {
    link = lstatSync(path).isSymbolicLink();
  } catch {
    link = false;
  }
  if (!link) assertWritableDir(dirname(path));
}

/** A piece of the plan on stdout, waiting for the reader when the pipe is full (a plan can be a hundred MB). */
async function writeToStdout(host: CliHost, piece: string): Promise<void> {
  const stdout = host.stdout as CliHost['stdout'] & { once?: (event: string, listener: () => void) => unknown };
  if (stdout.write(piece) === false && typeof stdout.once === 'function') {
    await new Promise<void>((resolve) => stdout.once?.('drain', resolve));
  }
}
