import type { Command } from 'commander';
import { type Flow, type GenesysClient } from '../../client/index.js';
import { toDependencyType } from '../../genesys/flow-types.js';
import { classifyFlow, newerDraftVersion, type EligibilityState, type LockHolder, type ModuleMetadata } from '../../rollout/eligibility.js';
import {
  addSelectorOptions, createFlowMatcher, modulesNamedBySelectors, selectorsFromOptions,
  type FlowSelectors, type SelectorOptionValues,
} from '../../rollout/select.js';
import { cliErrorFromApi, clientFromEnv } from '../connection.js';
import { addJsonOption, type CommandContext } from '../context.js';
import { CliError, EXIT } from '../errors.js';

/** One flow as `list` shows it (also the `--json` element). */
export interface ListRow {
  id: string;
  name: string;
  /** lowercase query spelling: `inboundcall` */
  type: string;
  division: { id: string; name: string } | null;
  publishedVersion: string | null;
  lockedBy: LockHolder | null;
  /** The saved/checked-in version newer than the published one, if any. */
  draftVersion: string | null;
  state: EligibilityState;
  reasons: EligibilityState[];
  detail: string | null;
  /** Whether the published version calls --module (dependency tracking); null without --module. */
  callsModule: boolean | null;
}

export interface ListResult {
  rows: ListRow[];
  module: (ModuleMetadata & { publishedVersion: string | null }) | null;
  /** Dependency tracking answered 206 for some lookup: "calls module" may miss recent publishes. */
  dependenciesPartial: boolean;
}

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
      io.note(`flowlink: note: module ${result.module.name} has never been published, so no flow can call it yet`);
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

/** Everything `list` shows, without printing: used by the command and by bench/list.ts. */
export async function collectListRows(client: GenesysClient, selectors: FlowSelectors, moduleName?: string): Promise<ListResult> {
  const match = createFlowMatcher(selectors);
  const dependencyTypes = selectors.types.map(toDependencyType);
  const moduleNames = [...new Set([...(moduleName ? [moduleName] : []), ...modulesNamedBySelectors(selectors)])];

  // The flow walk (one unfiltered pass over the selected types; names are matched here, not by the server,
  // whose name filter is not exact) runs alongside the module lookups.
  const flowsPromise = (async () => {
    const flows: Flow[] = [];
    for await (const flow of client.flows.list({ type: selectors.types }, { prefetch: 4 })) flows.push(flow);
    return flows;
  })();
  flowsPromise.catch(() => undefined); // awaited below; avoid an unhandled rejection if a lookup fails first

  const modules = new Map<string, Flow>();
  const callers = new Map<string, Set<string>>();
  let dependenciesPartial = false;
  await Promise.all(moduleNames.map(async (name) => {
    const module = await client.flows.findByName(name, 'commonmodule');
    if (!module) throw new CliError(`common module '${name}' not found`, EXIT.USAGE);
    modules.set(name, module);
    const consumers = await client.dependencies.consumers(module.id, { resourceTypes: dependencyTypes, flowFilter: 'published' });
    dependenciesPartial ||= consumers.partial;
    callers.set(name, new Set(consumers.items.map((dependency) => dependency.id)));
  }));
  const flows = await flowsPromise;

  const target = moduleName ? modules.get(moduleName) : undefined;
  const moduleMeta: ModuleMetadata | undefined = target
    ? { id: target.id, name: target.name, ...(target.compatibleFlowTypes ? { compatibleFlowTypes: target.compatibleFlowTypes } : {}) }
    : undefined;
  const rows: ListRow[] = [];
  for (const flow of flows) {
    const outcome = match(flow, callers);
    if (outcome === 'not-selected') continue;
    const callsModule = moduleName ? (callers.get(moduleName)?.has(flow.id) ?? false) : null;
    const classification = classifyFlow({
      flow,
      excluded: outcome === 'excluded',
      ...(moduleMeta ? { module: moduleMeta } : {}),
      ...(callsModule !== null ? { callsModule } : {}),
    });
    rows.push({
      id: flow.id,
      name: flow.name,
      type: flow.type.toLowerCase(),
      division: flow.division ? { id: flow.division.id, name: flow.division.name ?? '' } : null,
      publishedVersion: flow.publishedVersion?.id ?? null,
      lockedBy: classification.lockedBy ?? null,
      draftVersion: newerDraftVersion(flow) ?? null,
      state: classification.state,
      reasons: classification.reasons,
      detail: classification.detail ?? null,
      callsModule,
    });
  }
  rows.sort((a, b) => a.name.localeCompare(b.name, 'en') || a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
  return {
    rows,
    module: moduleMeta && target ? { ...moduleMeta, publishedVersion: target.publishedVersion?.id ?? null } : null,
    dependenciesPartial,
  };
}

function lockText(holder: LockHolder | null): string {
  return holder ? `${holder.kind}:${holder.name ?? holder.id}` : '-';
}

/** Plain aligned columns; colour (state only) through ctx.io.color, which is a no-op off a TTY. */
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
  ]);
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
