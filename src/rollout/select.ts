import { INBOUND_FLOW_TYPES, type FlowType } from '../genesys/flow-types.js';

/**
 * Flow selectors shared by `list` and `plan` (design.md "Command line"): which flows a command looks at.
 * Name-ish selectors (--name/--prefix globs, --name-regex, --include) are alternatives: a flow matching any one is
 * in; with none given every flow of the selected types is in. --type, --division, --calls and --not-calls narrow
 * further. --exclude keeps a flow in the output but marks it EXCLUDED, so a report shows why it was left alone.
 */
export interface FlowSelectors {
  types: FlowType[];
  nameGlobs: string[];
  nameRegex?: RegExp;
  divisions: string[];
  include: string[];
  exclude: string[];
  /** Module names: only flows that call (or do not call) every one of them. */
  calls: string[];
  notCalls: string[];
}

/** The raw option values (the CLI's flags, src/cli/selector-options.ts, or a library caller's). */
export interface SelectorOptionValues {
  type?: FlowType[];
  name?: string[];
  prefix?: string[];
  nameRegex?: RegExp;
  division?: string[];
  include?: string[];
  exclude?: string[];
  calls?: string[];
  notCalls?: string[];
}

/** The fields of a flow the matcher reads. */
export interface SelectableFlow {
  id: string;
  name: string;
  /** Any case: `INBOUNDCALL` or `inboundcall`. */
  type: string;
  division?: { id: string; name?: string };
}

export type SelectionOutcome = 'selected' | 'excluded' | 'not-selected';

/** Which flows call each module named by --calls/--not-calls (module name as given -> flow ids). */
export type ModuleCallers = ReadonlyMap<string, ReadonlySet<string>>;

export function selectorsFromOptions(values: SelectorOptionValues): FlowSelectors {
  const types = values.type && values.type.length > 0 ? [...new Set(values.type)] : [...INBOUND_FLOW_TYPES];
  return {
    types,
    nameGlobs: [...(values.name ?? []), ...(values.prefix ?? []).map((prefix) => `${escapeGlob(prefix)}*`)],
    ...(values.nameRegex ? { nameRegex: values.nameRegex } : {}),
    divisions: values.division ?? [],
    include: values.include ?? [],
    exclude: values.exclude ?? [],
    calls: values.calls ?? [],
    notCalls: values.notCalls ?? [],
  };
}

/** Module names the selectors need caller lists for (--calls and --not-calls). */
export function modulesNamedBySelectors(selectors: FlowSelectors): string[] {
  return [...new Set([...selectors.calls, ...selectors.notCalls])];
}

function escapeGlob(text: string): string {
  return text.replace(/[*?\\]/g, '\\$&');
}

/**
 * `*` any run of characters, `?` one character, `\` escapes; the whole name must match, case-insensitively
 * (Genesys treats flow names case-insensitively). Hand-written: picomatch/minimatch give `/` path meaning,
 * and flow names are not paths.
 */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const ch = glob[i]!;
    if (ch === '\\' && i + 1 < glob.length) source += escapeRegExp(glob[++i]!);
    else if (ch === '*') source += '.*';
    else if (ch === '?') source += '.';
    else source += escapeRegExp(ch);
  }
  return new RegExp(`^${source}$`, 'isu');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function namesFlow(flow: SelectableFlow, idOrName: string): boolean {
  return flow.id === idOrName || flow.name.toLowerCase() === idOrName.toLowerCase();
}

/** Builds the matcher once (globs compiled); then `match(flow, callers)` is pure and cheap. */
export function createFlowMatcher(selectors: FlowSelectors): (flow: SelectableFlow, callers?: ModuleCallers) => SelectionOutcome {
  const globs = selectors.nameGlobs.map(globToRegExp);
  const types = new Set<string>(selectors.types);
  // A fresh, non-global copy: a /g regex would carry lastIndex from one test() to the next.
  const nameRegex = selectors.nameRegex ? new RegExp(selectors.nameRegex.source, selectors.nameRegex.flags.replace(/[gy]/g, '')) : undefined;
  const byName = globs.length > 0 || nameRegex !== undefined || selectors.include.length > 0;
  return (flow, callers) => {
    if (!types.has(flow.type.toLowerCase())) return 'not-selected';
    if (byName) {
      const named =
        globs.some((glob) => glob.test(flow.name)) ||
        (nameRegex !== undefined && nameRegex.test(flow.name)) ||
        selectors.include.some((value) => namesFlow(flow, value));
      if (!named) return 'not-selected';
    }
    if (selectors.divisions.length > 0) {
      const division = flow.division;
      const inDivision = division !== undefined && selectors.divisions.some(
        (value) => value === division.id || (division.name !== undefined && value.toLowerCase() === division.name.toLowerCase()),
      );
      if (!inDivision) return 'not-selected';
    }
    for (const module of selectors.calls) if (!callers?.get(module)?.has(flow.id)) return 'not-selected';
    for (const module of selectors.notCalls) if (callers?.get(module)?.has(flow.id)) return 'not-selected';
    if (selectors.exclude.some((value) => namesFlow(flow, value))) return 'excluded';
    return 'selected';
  };
}

/** One-shot form of createFlowMatcher. */
export function matchFlow(flow: SelectableFlow, selectors: FlowSelectors, callers?: ModuleCallers): SelectionOutcome {
  return createFlowMatcher(selectors)(flow, callers);
}
