import type { Flow, GenesysClient } from '../client/index.js';
import type { RolloutApi } from './api-port.js';
import { rolloutApiFromClient } from './client-adapter.js';
import type { ChangeKind } from './change.js';
import { PlanError } from './errors.js';
import { classifyFlow, newerDraftVersion, type EligibilityState, type LockHolder, type ModuleMetadata } from './eligibility.js';
import { createFlowMatcher, modulesNamedBySelectors, type FlowSelectors } from './select.js';

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

/** What list (and plan) need to know about the change, beyond the module: its kind and, for replace, the old module. */
export interface ListChange {
  kind: ChangeKind;
  /** replace: the module whose calls are replaced. */
  replaces?: string;
}

/**
 * Everything `list` shows, without printing: used by the command, by plan and by bench/list.ts. Reads through the
 * rollout port (a client is wrapped in it), so that every step's API cost is in one place (client-adapter.ts).
 */
export async function collectListRows(
  source: RolloutApi | GenesysClient,
  selectors: FlowSelectors,
  moduleName?: string,
  /** Modules the caller already looked up (by name), so they are not fetched twice; the change being planned. */
  options: { knownModules?: readonly Flow[]; change?: ListChange } = {},
): Promise<ListResult> {
  const api = 'flows' in source ? rolloutApiFromClient(source) : source;
  const match = createFlowMatcher(selectors);
  const kind = options.change?.kind ?? 'add';
  const replaces = kind === 'replace' ? options.change?.replaces : undefined;
  const moduleNames = [...new Set([...(moduleName ? [moduleName] : []), ...(replaces ? [replaces] : []), ...modulesNamedBySelectors(selectors)])];

  // The flow walk (one unfiltered pass over the selected types; names are matched here, not by the server,
  // whose name filter is not exact) runs alongside the module lookups.
  const flowsPromise = api.listFlows(selectors.types);
  flowsPromise.catch(() => undefined); // awaited below; avoid an unhandled rejection if a lookup fails first

  const modules = new Map<string, Flow>();
  const callers = new Map<string, Set<string>>();
  /** Per consumer of --module: the module version its published version embeds (refresh). */
  let embedded = new Map<string, string>();
  let dependenciesPartial = false;
  await Promise.all(moduleNames.map(async (name) => {
    const module = options.knownModules?.find((known) => known.name === name) ?? (await api.findModule(name));
    if (!module) throw new PlanError(`common module '${name}' not found`);
    modules.set(name, module);
    // Consumer lists are per module version (genesys-api.md §15.3): a flow last published while 2.0 was live is
    // listed under 2.0 only. "Calls the module" means any version: the port asks per published version and merges.
    const consumers = await api.moduleConsumersByVersion(module.id, {
      ...(module.publishedVersion ? { currentVersion: module.publishedVersion.id } : {}), types: selectors.types,
    });
    dependenciesPartial ||= consumers.partial;
    callers.set(name, new Set(consumers.byFlow.keys()));
    if (name === moduleName) embedded = consumers.byFlow;
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
    const current = target?.publishedVersion?.id;
    const classification = classifyFlow({
      flow,
      excluded: outcome === 'excluded',
      ...(moduleMeta ? { module: moduleMeta } : {}),
      ...(callsModule !== null ? { callsModule } : {}),
      kind,
      ...(replaces ? { callsReplaced: callers.get(replaces)?.has(flow.id) ?? false } : {}),
      ...(kind === 'refresh' ? { consumesCurrent: current !== undefined && embedded.get(flow.id) === current } : {}),
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
