import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { addSelectorOptions, selectorsFromOptions, type SelectorOptionValues } from '../../rollout/select.js';
import { buildPlan } from '../../rollout/plan.js';
import { writePlanFile, type PlanFile } from '../../rollout/plan-file.js';
import { countStates } from '../../rollout/reports.js';
import { cliErrorFromApi, clientFromEnv } from '../connection.js';
import { addJsonOption, type CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';
import { addPlacementAndMappingOptions, mappingFromOptions, placementFromOptions, type PlacementAndMappingValues } from '../mapping-options.js';
import { addFormatOption, checkHtmlPath, outputFormat, printPlanMarkdown, writePlanHtml } from '../report-output.js';

interface PlanOptions extends SelectorOptionValues, PlacementAndMappingValues {
  module?: string;
  sharedFlow?: string;
  out: string;
  detailedExitcode?: boolean;
  diffs: boolean;
  json?: boolean;
  html?: string;
  format?: string;
}

export function register(program: Command, ctx: CommandContext): void {
  const command = program
    .command('plan')
    .description('plan a rollout: select and classify flows, compute each new YAML and its diff; writes nothing remote')
    .option('--module <name>', 'the common module to call (exact name)')
    .option('--shared-flow <name>', 'same as --module (the tutorial\'s word)');
  addSelectorOptions(command);
  addPlacementAndMappingOptions(command);
  command
    .option('--out <file>', 'where to write the plan', 'plan.json')
    .option('--no-diffs', 'print the summary only, not the per-flow diffs')
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
    let placement, mapping;
    try {
      placement = placementFromOptions(options);
      mapping = mappingFromOptions(options);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw new CliError(error.message, EXIT.USAGE);
      throw error;
    }
    const format = outputFormat(options);
    if (options.html) checkHtmlPath(ctx, options.html);
    const client = clientFromEnv(ctx);
    let plan: PlanFile;
    try {
      plan = await buildPlan(client, {
        moduleName,
        selectors: selectorsFromOptions(options),
        typesExplicit: (options.type ?? []).length > 0,
        placement,
        ...mapping,
        ...(options.actionName ? { actionName: options.actionName } : {}),
        selection: describeSelection(options),
      });
    } catch (error) {
      throw cliErrorFromApi(error);
    }
    const outPath = resolve(io.host.cwd, options.out);
    writePlanFile(outPath, plan);
    if (options.html) io.note(`flowlink: change record written to ${writePlanHtml(ctx, plan, options.html)}`);
    const counts = countStates(plan.flows);
    const eligible = counts.ELIGIBLE ?? 0;
    if (format === 'markdown') {
      printPlanMarkdown(ctx, plan);
      io.note(`flowlink: plan written to ${outPath} (${eligible} to change); apply it with: flowlink apply ${options.out}`);
    } else if (options.json) {
      io.outJson({
        planFile: outPath, module: plan.module, counts,
        flows: plan.flows.map(({ original: _o, updated: _u, ...flow }) => flow),
      });
    } else {
      printPlan(ctx, plan, counts, options.diffs);
      io.note(`flowlink: plan written to ${outPath} (${eligible} to change, ${client.stats().requests} API requests); apply it with: flowlink apply ${options.out}`);
    }
    if (options.detailedExitcode && eligible > 0) ctx.setExit(EXIT.CHANGES);
  });
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

/** Summary table, then per flow `[~]` with its diff for changes and `[ ]` with the reason for the rest. */
function printPlan(ctx: CommandContext, plan: PlanFile, counts: Record<string, number>, withDiffs: boolean): void {
  const { io } = ctx;
  const c = io.color;
  io.out(`Plan: call common module ${plan.module.name} (published ${plan.module.publishedVersion ?? '?'}) from ${plan.flows.length} selected flow(s)`);
  io.out('');
  const width = Math.max(...Object.keys(counts).map((state) => state.length), 5);
  for (const [state, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) io.out(`  ${state.padEnd(width)}  ${String(n).padStart(5)}`);
  io.out('');
  for (const flow of plan.flows) {
    if (flow.state === 'ELIGIBLE') {
      io.out(c.yellow(`[~] ${flow.name} (${flow.type}, ${flow.id}, published ${flow.publishedVersion})${flow.reason ? `: ${flow.reason}` : ''}`));
      if (withDiffs && flow.diff) {
        for (const line of flow.diff.replace(/\r/g, '').split('\n')) {
          if (line === '' || line.startsWith('Index:') || line.startsWith('====')) continue;
          io.out(`    ${line.startsWith('+') && !line.startsWith('+++') ? c.green(line) : line.startsWith('-') && !line.startsWith('---') ? c.red(line) : line}`);
        }
      }
    } else {
      io.out(c.dim(`[ ] ${flow.name} (${flow.type}) ${flow.state}${flow.reason ? `: ${flow.reason}` : ''}`));
    }
  }
}
