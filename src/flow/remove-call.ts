import { type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { resolveStartup, type Action } from './action-lists.js';
import { JUMP_TO_MENU, STARTUP_TASK_NAME_PREFIX, STARTUP_TASK_REF_PREFIX } from './call-block.js';
import { callsIn } from './find-calls.js';
import { itemDash } from './insert-call.js';
import { getNode, parseFlow, parseFlowFallback, parseFlowFast, scalarText, singleKeyItem, type FlowParser, type ParsedFlow } from './parse-flow.js';
import { getAt, selfCheck, type Adjust } from './self-check.js';
import { deleteLines, itemEndOffset } from './splice.js';
import { BOM, column, lineStart } from './text-format.js';
import type { RemoveResult, RemoveStatus } from './types.js';
import { unifiedDiff } from './unified-diff.js';

type Planned = { ok: true; body: string; adjust: Adjust; where: string } | { ok: false; status: RemoveStatus; reason: string };
const refuse = (status: RemoveStatus, reason: string): Planned => ({ ok: false, status, reason });

/**
 * Removes the flow's call to `module`: the exact inverse of insertModuleCall (remove(insert(x)) === x, byte for
 * byte). It recognises what insert added by shape, not by remembered state:
 *  - a `callCommonModule` item naming the module: its lines are deleted (from its dash line through every following
 *    line indented deeper than the dash), which is exactly the block insert writes;
 *  - when that call is the first of exactly two actions [call, jumpToMenu] of the task startUpRef points to, and
 *    that task's refId starts with `flowlink_start` or its name with `Startup: ` (what insert names the startup task it adds in front of a
 *    startup menu), the whole task goes (and `tasks:` with it when it is the only task), and startUpRef gets back
 *    its old text, read from the jump's targetMenuRef.
 * A flow calling the module more than once is refused (UNSUPPORTED_SHAPE): insert never produces that.
 */
export function removeModuleCall(yaml: string, module: string, options: { fileName?: string } = {}): RemoveResult {
  return removeModuleCallWith('auto', yaml, module, options)!;
}

/** removeModuleCall on one parser, as insertModuleCallWith. */
export function removeModuleCallWith(
  parser: 'auto' | FlowParser,
  yaml: string,
  module: string,
  options: { fileName?: string } = {},
): RemoveResult | undefined {
  const unchanged = (status: RemoveStatus, reason: string): RemoveResult => ({ status, yaml, diff: '', reason });
  if (parser !== 'yaml') {
    const fast = parseFlowFast(yaml);
    const result = fast ? removeFrom(fast, yaml, module, options, unchanged) : undefined;
    if (parser === 'fast' || (result && result.status !== 'SELF_CHECK_FAILED')) return result;
  }
  const parsed = parser === 'auto' ? parseFlowFallback(yaml) : parseFlow(yaml);
  if (!parsed.ok) return unchanged(parsed.status, parsed.reason);
  return removeFrom(parsed.flow, yaml, module, options, unchanged);
}

function removeFrom(
  flow: ParsedFlow,
  yaml: string,
  module: string,
  options: { fileName?: string },
  unchanged: (status: RemoveStatus, reason: string) => RemoveResult,
): RemoveResult {
  const calls = callsIn(flow).filter((c) => c.call.module === module);
  if (calls.length === 0) return unchanged('not-present', `the flow does not call ${module}`);
  if (calls.length > 1) {
    return unchanged('UNSUPPORTED_SHAPE', `the flow calls ${module} ${calls.length} times (${calls.map((c) => `line ${c.call.line}`).join(', ')}); not removed`);
  }
  const action = calls[0]!.action;
  const planned = addedStartupTask(flow, action) ?? planRemoveAction(flow, action);
  if (!planned.ok) return unchanged(planned.status, planned.reason);
  const problem = selfCheck(flow, planned.body, planned.adjust);
  if (problem) return unchanged('SELF_CHECK_FAILED', problem);
  const text = (flow.format.bom ? BOM : '') + planned.body;
  return { status: 'removed', yaml: text, diff: unifiedDiff(yaml, text, options.fileName ?? 'flow.yaml'), where: planned.where };
}

function planRemoveAction(flow: ParsedFlow, action: Action): Planned {
  const text = flow.format.body;
  const seq = action.list.seq;
  if (seq.items.length < 2) return refuse('UNSUPPORTED_SHAPE', `the call is the only action of ${action.list.where}; removing it would leave an empty list`);
  const dash = itemDash(text, seq, action.index);
  if (dash === undefined || seq.flow) return refuse('UNSUPPORTED_SHAPE', `the call at ${action.where} is not on lines of its own`);
  const to = itemEndOffset(text, action.item, column(text, dash));
  const body = deleteLines(text, lineStart(text, dash), to, flow.format.eol);
  const { path } = action.list;
  return {
    ok: true,
    body,
    where: action.where,
    adjust: (after, before) => {
      const arr = getAt(after, path);
      const removed = (getAt(before, path) as unknown[] | undefined)?.[action.index];
      if (!Array.isArray(arr) || removed === undefined) return `no list at ${action.list.where} after the edit`;
      arr.splice(action.index, 0, removed);
      return undefined;
    },
  };
}

/** The plan for removing a startup task that insert added in front of a startup menu; undefined if not that shape. */
function addedStartupTask(flow: ParsedFlow, action: Action): Planned | undefined {
  const startup = resolveStartup(flow);
  if (startup.kind !== 'actions' || startup.list.seq !== action.list.seq || startup.list.path[1] !== 'tasks') return undefined;
  const taskIndex = startup.list.path[2] as number;
  const tasks = getNode(flow.body, 'tasks') as YAMLSeq;
  const taskItem = tasks.items[taskIndex] as YAMLMap;
  const refId = scalarText(getNode(singleKeyItem(taskItem)?.value, 'refId'));
  const taskName = scalarText(getNode(singleKeyItem(taskItem)?.value, 'name'));
  // Ours by refId (as written), or by name after an export renamed the refId (`Startup: Call X_21`).
  const ours = refId?.startsWith(STARTUP_TASK_REF_PREFIX) === true || taskName?.startsWith(STARTUP_TASK_NAME_PREFIX) === true;
  const actions = action.list.seq;
  const jump = singleKeyItem(actions.items[1]);
  const menuRefNode = getNode(jump?.value, JUMP_TO_MENU.refKey) as Scalar | undefined;
  if (!ours || actions.items.length !== 2 || action.index !== 0 || jump?.key !== JUMP_TO_MENU.action || !menuRefNode?.range) {
    return undefined;
  }
  const text = flow.format.body;
  const top = flow.topKey;
  const refNode = getNode(flow.body, 'startUpRef') as Scalar;
  const [rs, re] = refNode.range!;
  const startValue = scalarText(refNode)!;
  const menuRefText = text.slice(menuRefNode.range[0], menuRefNode.range[1]);
  const menuRefValue = scalarText(menuRefNode)!;
  const prefix = `/${top}/`;
  let oldRefText: string;
  let oldRefValue: string;
  if (startValue.startsWith('/')) {
    oldRefText = menuRefText;
    oldRefValue = menuRefValue;
  } else if (startValue.startsWith('./') && menuRefValue.startsWith(prefix) && /^["']?\//.test(menuRefText)) {
    oldRefText = menuRefText.replace(prefix, './');
    oldRefValue = `./${menuRefValue.slice(prefix.length)}`;
  } else return refuse('UNSUPPORTED_SHAPE', `cannot restore startUpRef from ${menuRefText}`);

  const dash = itemDash(text, tasks, taskIndex);
  if (dash === undefined) return refuse('UNSUPPORTED_SHAPE', 'the startup task is not on lines of its own');
  const to = itemEndOffset(text, taskItem, column(text, dash));
  const onlyTask = tasks.items.length === 1;
  const tasksKey = flow.body.items.find((p) => scalarText(p.key) === 'tasks')!.key as Scalar;
  const from = onlyTask ? lineStart(text, tasksKey.range![0]) : lineStart(text, dash);
  if (onlyTask && !/^ *$/.test(text.slice(from, tasksKey.range![0]))) return refuse('UNSUPPORTED_SHAPE', '`tasks:` is not on a line of its own');
  if (rs >= from && rs < to) return refuse('UNSUPPORTED_SHAPE', 'startUpRef lies inside the startup task');
  const eol = flow.format.eol;
  const replaceRef = (t: string): string => t.slice(0, rs) + oldRefText + t.slice(re);
  const body = from > rs ? replaceRef(deleteLines(text, from, to, eol)) : deleteLines(replaceRef(text), from + oldRefText.length - (re - rs), to + oldRefText.length - (re - rs), eol);
  return {
    ok: true,
    body,
    where: `tasks[${refId}]`,
    adjust: (after, before) => {
      const afterBody = getAt(after, [top]) as Record<string, unknown> | undefined;
      const beforeBody = getAt(before, [top]) as Record<string, unknown>;
      if (!afterBody || afterBody.startUpRef !== oldRefValue) return 'startUpRef does not read back as the old menu';
      afterBody.startUpRef = beforeBody.startUpRef;
      const removedTask = (beforeBody.tasks as unknown[])[taskIndex];
      if (onlyTask) {
        if (afterBody.tasks !== undefined) return 'the tasks list is still there';
        afterBody.tasks = [removedTask];
      } else {
        if (!Array.isArray(afterBody.tasks)) return 'the tasks list is gone';
        afterBody.tasks.splice(taskIndex, 0, removedTask);
      }
      return undefined;
    },
  };
}

