import { isScalar, isSeq, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { resolveStartup, startupPathActions, type ActionList, type Startup } from './action-lists.js';
import {
  callNode,
  fileUnit,
  measureItems,
  renderCall,
  renderStartupTask,
  startupTaskNode,
  STARTUP_TASK_REF_PREFIX,
  STARTUP_TASK_NAME_PREFIX,
  type CallSpec,
  type TaskLayout,
} from './call-block.js';
import { callsIn } from './find-calls.js';
import { getNode, originalString, parseFlow, parseFlowFallback, parseFlowFast, scalarText, singleKeyItem, type FlowParser, type ParsedFlow } from './parse-flow.js';
import { normaliseRequest, type InsertRequest } from './request.js';
import { getAt, selfCheck, takeFromArray, type Adjust } from './self-check.js';
import { beforeItemOffset, dashOffset, insertLines, itemEndOffset } from './splice.js';
import { BOM, column } from './text-format.js';
import type { InsertOptions, InsertResult, InsertStatus } from './types.js';
import { unifiedDiff } from './unified-diff.js';

/** An edit ready for the self-check, or why it cannot be made. */
type Planned = { ok: true; body: string; adjust: Adjust; where: string } | { ok: false; status: InsertStatus; reason: string };

const refuse = (status: InsertStatus, reason: string): Planned => ({ ok: false, status, reason });

/**
 * Inserts a Call Common Module action into an Archy flow as a text splice: every byte outside the inserted lines
 * (and, for a menu start, the startUpRef value) stays as it was. Pure and deterministic. Runs on the fast parse
 * and falls back to the `yaml` parse when that is not there or its self-check fails (both give the same result).
 */
export function insertModuleCall(yaml: string, options: InsertOptions): InsertResult {
  return insertModuleCallWith('auto', yaml, options)!;
}

/**
 * insertModuleCall on one parser: `auto` (fast, then `yaml`), `yaml` only, or `fast` only (undefined when the fast
 * path declines). The last two are for the tests that hold both paths to the same results.
 */
export function insertModuleCallWith(parser: 'auto' | FlowParser, yaml: string, options: InsertOptions): InsertResult | undefined {
  const unchanged = (status: InsertStatus, reason: string, where?: string): InsertResult => ({
    status,
    yaml,
    diff: '',
    reason,
    ...(where ? { where } : {}),
  });
  const req = normaliseRequest(options);
  if (typeof req === 'string') return unchanged('INVALID_REQUEST', req);
  if (parser !== 'yaml') {
    const fast = parseFlowFast(yaml);
    const result = fast ? insertInto(fast, yaml, req, unchanged) : undefined;
    // A failed fast self-check is re-run on the reference parser before an edit is refused.
    if (parser === 'fast' || (result && result.status !== 'SELF_CHECK_FAILED')) return result;
  }
  const parsed = parser === 'auto' ? parseFlowFallback(yaml) : parseFlow(yaml);
  if (!parsed.ok) return unchanged(parsed.status, parsed.reason);
  return insertInto(parsed.flow, yaml, req, unchanged);
}

function insertInto(
  flow: ParsedFlow,
  yaml: string,
  req: InsertRequest,
  unchanged: (status: InsertStatus, reason: string, where?: string) => InsertResult,
): InsertResult {
  const existing = callsIn(flow).find((c) => c.call.module === req.module);
  if (existing) return unchanged('already-present', `the flow already calls ${req.module} at ${existing.call.where} (line ${existing.call.line})`, existing.call.where);

  const planned = plan(flow, req);
  if (!planned.ok) return unchanged(planned.status, planned.reason);
  const problem = selfCheck(flow, planned.body, planned.adjust);
  if (problem) return unchanged('SELF_CHECK_FAILED', problem);
  const text = (flow.format.bom ? BOM : '') + planned.body;
  return { status: 'inserted', yaml: text, diff: unifiedDiff(yaml, text, req.fileName), where: planned.where };
}

function plan(flow: ParsedFlow, req: InsertRequest): Planned {
  const startup = resolveStartup(flow);
  if (startup.kind === 'missing') return refuse('ANCHOR_NOT_FOUND', `no startup to insert at: ${startup.reason}`);
  const placement = req.placement;
  if ('at' in placement) {
    if (startup.kind === 'menu') return planMenuStart(flow, startup, req);
    return planInList(flow, startup.list, 0, req);
  }
  const [anchor, after] = 'before' in placement ? [placement.before, false] : [placement.after, true];
  const hit = startupPathActions(flow, startup).find((a) => a.type === anchor || originalString(flow, getNode(a.value, 'name')) === anchor);
  if (!hit) return refuse('ANCHOR_NOT_FOUND', `no action of type or name ${JSON.stringify(anchor)} on the startup path (from ${startup.describe})`);
  return planInList(flow, hit.list, hit.index + (after ? 1 : 0), req);
}

function planInList(flow: ParsedFlow, list: ActionList, index: number, spec: CallSpec): Planned {
  const text = flow.format.body;
  const seq = list.seq;
  if (seq.flow || seq.items.length === 0) return refuse('UNSUPPORTED_SHAPE', `${list.where} is not a block list with at least one action`);
  const layout = measureItems(text, seq, fileUnit(text, flow.body), Math.min(index, seq.items.length - 1));
  if (!layout) return refuse('UNSUPPORTED_SHAPE', `cannot read the layout of the actions in ${list.where}`);
  let offset: number | undefined;
  if (index < seq.items.length) {
    const dash = itemDash(text, seq, index);
    offset = dash === undefined ? undefined : beforeItemOffset(text, dash);
  } else {
    const last = seq.items[seq.items.length - 1] as YAMLMap;
    const dash = itemDash(text, seq, seq.items.length - 1);
    offset = dash === undefined ? undefined : itemEndOffset(text, last, column(text, dash));
  }
  if (offset === undefined) return refuse('UNSUPPORTED_SHAPE', `the actions in ${list.where} are not one per line`);
  const body = insertLines(text, offset, renderCall(layout, spec), flow.format.eol);
  const expected = callNode(spec);
  return { ok: true, body, where: `${list.where}[${index}]`, adjust: (after) => takeFromArray(after, list.path, index, expected) };
}

export function itemDash(text: string, seq: YAMLSeq, index: number): number | undefined {
  const item = seq.items[index] as { range?: [number, number, number] } | undefined;
  return item?.range ? dashOffset(text, item.range[0]) : undefined;
}

/**
 * Startup is a menu: add a task [call, jumpToMenu old menu] as the first task (creating `tasks:` at the end of the
 * flow body if there is none) and repoint startUpRef to it. The startUpRef text is rewritten by replacing only its
 * `menus/menu[…]` part, and targetMenuRef keeps the old reference text (made absolute when it was `./`-relative),
 * so that removeModuleCall can restore the original bytes exactly.
 */
function planMenuStart(flow: ParsedFlow, startup: Extract<Startup, { kind: 'menu' }>, req: InsertRequest): Planned {
  const text = flow.format.body;
  const refNode = startup.refNode as Scalar;
  const [rs, re] = refNode.range!;
  const refText = text.slice(rs, re);
  const refValue = scalarText(refNode)!;
  if (refText !== flow.masked.slice(rs, re) || refText.includes('\n')) {
    return refuse('UNSUPPORTED_SHAPE', 'startUpRef holds a {{substitution}} or spans lines; not rewritten');
  }
  const textCut = refText.lastIndexOf('menus/menu[');
  const valueCut = refValue.lastIndexOf('menus/menu[');
  const textEnd = refText.lastIndexOf(']');
  if (textCut < 0 || valueCut < 0 || textEnd < textCut) return refuse('UNSUPPORTED_SHAPE', `cannot rewrite startUpRef ${refText}`);

  let menuRefText: string;
  let menuRefValue: string;
  if (refValue.startsWith('/')) {
    menuRefText = refText;
    menuRefValue = refValue;
  } else if (refValue.startsWith('./') && /^["']?\.\//.test(refText)) {
    const prefix = `/${flow.topKey}/`;
    menuRefText = refText.replace('./', prefix);
    menuRefValue = prefix + refValue.slice(2);
  } else return refuse('UNSUPPORTED_SHAPE', `startUpRef ${refText} is neither absolute nor ./-relative`);

  const tasks = getNode(flow.body, 'tasks');
  if (tasks !== undefined && (!isSeq(tasks) || tasks.flow || tasks.items.length === 0)) {
    return refuse('UNSUPPORTED_SHAPE', '`tasks` is not a block list with at least one task');
  }
  const refId = freeRefId(tasks);
  const newRefText = `${refText.slice(0, textCut)}tasks/task[${refId}]${refText.slice(textEnd + 1)}`;
  const newRefValue = `${refValue.slice(0, valueCut)}tasks/task[${refId}]`;

  const layout = taskLayout(flow, startup, tasks);
  if (!layout) return refuse('UNSUPPORTED_SHAPE', 'cannot read the layout of the menus/tasks lists');
  const spec = {
    taskName: `${STARTUP_TASK_NAME_PREFIX}${req.actionName}`,
    refId,
    call: req,
    jumpName: 'Go to startup menu',
    menuRefText,
  };
  const lines = renderStartupTask(layout.layout, spec, tasks === undefined);
  const eol = flow.format.eol;
  // Two edits; the later one first so that the earlier offset stays valid.
  const replaceRef = (t: string): string => t.slice(0, rs) + newRefText + t.slice(re);
  const body = layout.offset > rs ? replaceRef(insertLines(text, layout.offset, lines, eol)) : insertLines(replaceRef(text), layout.offset, lines, eol);
  const expectedTask = startupTaskNode(spec, menuRefValue);
  const top = flow.topKey;
  return {
    ok: true,
    body,
    where: `tasks[${refId}].actions[0]`,
    adjust: (after) => {
      const flowBody = getAt(after, [top]) as Record<string, unknown> | undefined;
      if (!flowBody || flowBody.startUpRef !== newRefValue) return 'startUpRef does not read back as the new task';
      flowBody.startUpRef = refValue;
      const problem = takeFromArray(after, [top, 'tasks'], 0, expectedTask);
      if (problem) return problem;
      if (tasks === undefined) {
        if (!Array.isArray(flowBody.tasks) || flowBody.tasks.length !== 0) return 'the added tasks list holds more than the new task';
        delete flowBody.tasks;
      }
      return undefined;
    },
  };
}

function freeRefId(tasks: unknown): string {
  const used = new Set<string>();
  if (isSeq(tasks)) for (const t of tasks.items) {
    const r = scalarText(getNode(singleKeyItem(t)?.value, 'refId'));
    if (r !== undefined) used.add(r);
  }
  let id = STARTUP_TASK_REF_PREFIX;
  for (let n = 2; used.has(id); n++) id = `${STARTUP_TASK_REF_PREFIX}_${n}`;
  return id;
}

function keyColumn(text: string, map: YAMLMap, key: string): number | undefined {
  for (const p of map.items) if (scalarText(p.key) === key && isScalar(p.key) && p.key.range) return column(text, p.key.range[0]);
  return undefined;
}

/** Where the new task goes and how it is laid out: like the existing tasks, else like the menus. */
function taskLayout(
  flow: ParsedFlow,
  startup: Extract<Startup, { kind: 'menu' }>,
  tasks: unknown,
): { layout: TaskLayout; offset: number } | undefined {
  const text = flow.format.body;
  const unit = fileUnit(text, flow.body);
  if (isSeq(tasks)) {
    const item = measureItems(text, tasks, unit, 0);
    const keyCol = keyColumn(text, flow.body, 'tasks');
    const dash = itemDash(text, tasks, 0);
    if (!item || keyCol === undefined || dash === undefined || item.dashCol < keyCol) return undefined;
    return { layout: { keyCol, item, seqIndent: item.dashCol - keyCol }, offset: beforeItemOffset(text, dash) };
  }
  const menus = getNode(flow.body, 'menus') as YAMLSeq;
  const item = measureItems(text, menus, unit, startup.menuIndex);
  const keyCol = keyColumn(text, flow.body, 'menus');
  if (!item || keyCol === undefined || item.dashCol < keyCol) return undefined;
  // At the end of the flow body: after its last content line and any deeper-indented lines that follow it.
  const offset = itemEndOffset(text, flow.body, keyCol - 1);
  return { layout: { keyCol, item, seqIndent: item.dashCol - keyCol }, offset };
}

