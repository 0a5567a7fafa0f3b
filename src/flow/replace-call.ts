import { callNode, fileUnit, measureItems, renderCall, VERSION_KEY, type CallSpec } from './call-block.js';
import { callsIn } from './find-calls.js';
import { itemDash } from './insert-call.js';
import { getAt } from './self-check.js';
import { parseFlowFallback, parseFlowFast, type ParsedFlow } from './parse-flow.js';
import { normaliseRequest } from './request.js';
import { selfCheck } from './self-check.js';
import { itemEndOffset } from './splice.js';
import { isDeepStrictEqual } from 'node:util';
import { BOM, column, lineStart } from './text-format.js';
import type { EditResult, InputValue, OutputTarget } from './types.js';
import { unifiedDiff } from './unified-diff.js';

export type ReplaceStatus = 'replaced' | 'not-present' | 'UNPARSEABLE' | 'MIXED_LINE_ENDINGS' | 'UNSUPPORTED_SHAPE' | 'INVALID_REQUEST' | 'SELF_CHECK_FAILED';
export type ReplaceResult = EditResult<ReplaceStatus>;

export interface ReplaceOptions {
  /** The module whose call is replaced. */
  from: string;
  /** The module called instead, at the same place. */
  to: string;
  inputs?: Record<string, InputValue>;
  outputs?: Record<string, OutputTarget>;
  /** The new action's name; default: the old name, or `Call <to>` when the old one was `Call <from>`. */
  actionName?: string;
  fileName?: string;
}

/** The inputs and outputs a flow's call of `module` passes (for carrying them over to a replacement). */
export function readCallMapping(yaml: string, module: string): { inputs: Record<string, InputValue>; outputs: Record<string, OutputTarget>; actionName?: string } | undefined {
  const flow = parseFlowFast(yaml) ?? (() => {
    const parsed = parseFlowFallback(yaml);
    return parsed.ok ? parsed.flow : undefined;
  })();
  if (!flow) return undefined;
  const hit = callsIn(flow).find((c) => c.call.module === module);
  if (!hit) return undefined;
  const node = getAt(flow.plain(), [...hit.call.path, 'callCommonModule', 'commonModule', module, VERSION_KEY]) as
    | { inputs?: Record<string, InputValue>; outputs?: Record<string, OutputTarget> }
    | null
    | undefined;
  return {
    inputs: { ...(node?.inputs ?? {}) },
    outputs: { ...(node?.outputs ?? {}) },
    ...(hit.call.actionName !== undefined ? { actionName: hit.call.actionName } : {}),
  };
}

/**
 * Replaces the flow's call of `from` by a call of `to` at the same place, as a text splice of that one action item
 * (laid out like the item it replaces); everything else stays byte for byte. The self-check re-parses and requires
 * the tree to be the original with exactly that item changed to the new call.
 */
export function replaceModuleCall(yaml: string, options: ReplaceOptions): ReplaceResult {
  const unchanged = (status: ReplaceStatus, reason: string): ReplaceResult => ({ status, yaml, diff: '', reason });
  const fast = parseFlowFast(yaml);
  const first = fast ? replaceIn(fast, yaml, options, unchanged) : undefined;
  if (first && first.status !== 'SELF_CHECK_FAILED') return first;
  const parsed = parseFlowFallback(yaml);
  if (!parsed.ok) return unchanged(parsed.status, parsed.reason);
  return replaceIn(parsed.flow, yaml, options, unchanged);
}

function replaceIn(flow: ParsedFlow, yaml: string, options: ReplaceOptions, unchanged: (s: ReplaceStatus, r: string) => ReplaceResult): ReplaceResult {
  const calls = callsIn(flow);
  const old = calls.filter((c) => c.call.module === options.from);
  if (old.length === 0) return unchanged('not-present', `the flow does not call ${options.from}`);
  if (old.length > 1) return unchanged('UNSUPPORTED_SHAPE', `the flow calls ${options.from} ${old.length} times; not replaced`);
  const already = calls.find((c) => c.call.module === options.to);
  if (already) return unchanged('UNSUPPORTED_SHAPE', `the flow already calls ${options.to} at ${already.call.where}; replacing would call it twice`);
  const { action, call } = old[0]!;
  const oldName = call.actionName;
  const actionName = options.actionName ?? (oldName === undefined || oldName === `Call ${options.from}` ? `Call ${options.to}` : oldName);
  const request = normaliseRequest({ module: options.to, inputs: options.inputs ?? {}, outputs: options.outputs ?? {}, actionName });
  if (typeof request === 'string') return unchanged('INVALID_REQUEST', request);
  const spec: CallSpec = { module: request.module, actionName: request.actionName, inputs: request.inputs, outputs: request.outputs };

  const text = flow.format.body;
  const seq = action.list.seq;
  const dash = itemDash(text, seq, action.index);
  if (dash === undefined || seq.flow) return unchanged('UNSUPPORTED_SHAPE', `the call at ${action.where} is not on lines of its own`);
  const layout = measureItems(text, seq, fileUnit(text, flow.body), action.index);
  if (!layout) return unchanged('UNSUPPORTED_SHAPE', `cannot read the layout of the actions in ${action.list.where}`);
  const from = lineStart(text, dash);
  const to = itemEndOffset(text, action.item, column(text, dash));
  // The item's lines [from, to) give way to the new call's lines; a file without final newline keeps none.
  const unterminated = to === text.length && !text.endsWith('\n');
  const body = text.slice(0, from) + renderCall(layout, spec).join(flow.format.eol) + (unterminated ? '' : flow.format.eol) + text.slice(to);
  const expected = callNode(spec);
  const path = action.list.path;
  const problem = selfCheck(flow, body, (after, before) => {
    const list = getAt(after, path);
    if (!Array.isArray(list)) return `no list at ${action.list.where} after the edit`;
    const now = list[action.index] as unknown;
    if (!isDeepStrictEqual(now, expected)) return `the new call at ${action.where} does not read back as written`;
    list[action.index] = (getAt(before, path) as unknown[])[action.index];
    return undefined;
  });
  if (problem) return unchanged('SELF_CHECK_FAILED', problem);
  const out = (flow.format.bom ? BOM : '') + body;
  return { status: 'replaced', yaml: out, diff: unifiedDiff(yaml, out, options.fileName ?? 'flow.yaml'), where: action.where };
}
