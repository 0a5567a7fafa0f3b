import { isMap } from 'yaml';
import { actionsOfType, type Action } from './action-lists.js';
import { getNode, lineOf, originalString, withFlow, type ParsedFlow } from './parse-flow.js';
import type { ModuleCall } from './types.js';

export const CALL_ACTION = 'callCommonModule';

/** The module named by a `callCommonModule` action: the single key under `commonModule`. */
export function calledModule(flow: ParsedFlow, action: Action): string | undefined {
  if (action.type !== CALL_ACTION) return undefined;
  const target = getNode(action.value, 'commonModule');
  if (!isMap(target) || target.items.length !== 1) return undefined;
  return originalString(flow, target.items[0]!.key as never);
}

/** Per parsed flow (a find and then an insert on the same text share one parse, so they share this too). */
const found = new WeakMap<ParsedFlow, readonly { action: Action; call: ModuleCall }[]>();

/** The flow's module calls; shared and read-only: hand out copies of `call`. */
export function callsIn(flow: ParsedFlow): readonly { action: Action; call: ModuleCall }[] {
  let calls = found.get(flow);
  if (!calls) found.set(flow, (calls = collectCalls(flow)));
  return calls;
}

function collectCalls(flow: ParsedFlow): { action: Action; call: ModuleCall }[] {
  const out: { action: Action; call: ModuleCall }[] = [];
  for (const action of actionsOfType(flow, CALL_ACTION)) {
    const module = calledModule(flow, action);
    if (module === undefined) continue;
    const keyStart = action.item.items[0]!.key as { range?: [number, number, number] };
    const call: ModuleCall = {
      module,
      path: action.path,
      where: action.where,
      line: lineOf(flow, keyStart.range?.[0] ?? action.item.range![0]),
    };
    const name = originalString(flow, getNode(action.value, 'name'));
    if (name !== undefined) call.actionName = name;
    out.push({ action, call });
  }
  return out;
}

const copyCall = (call: ModuleCall): ModuleCall => ({ ...call, path: [...call.path] });

/** Thrown by findModuleCalls for a file it cannot read: "no calls" would be a wrong answer. */
export class FlowParseError extends Error {
  constructor(
    readonly status: 'UNPARSEABLE' | 'MIXED_LINE_ENDINGS',
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'FlowParseError';
  }
}

/**
 * Every Call Common Module action anywhere in the flow (startup task, `startUpTaskActions`, tasks, states,
 * menu choices' inline tasks, outputs at any depth), in document order. Throws FlowParseError when the text is not
 * a readable Archy flow.
 */
export function findModuleCalls(yaml: string): ModuleCall[] {
  return withFlow(
    yaml,
    (flow) => callsIn(flow).map((c) => copyCall(c.call)),
    (parsed) => {
      if (!parsed.ok) throw new FlowParseError(parsed.status, parsed.reason);
      return callsIn(parsed.flow).map((c) => copyCall(c.call));
    },
  );
}
