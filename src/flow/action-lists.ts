import { isCollection, isMap, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { getNode, scalarText, singleKeyItem, type ParsedFlow } from './parse-flow.js';
import type { YamlPath } from './types.js';

/** Keys whose value is an action list (archy-yaml.md §1.2–1.3). */
const ACTION_LIST_KEYS = new Set(['actions', 'startUpTaskActions']);

export interface ActionList {
  seq: YAMLSeq;
  /** Path of the sequence itself. */
  path: YamlPath;
  where: string;
}

export interface Action {
  list: ActionList;
  index: number;
  /** The sequence item: a map with one key, the action type. */
  item: YAMLMap;
  type: string;
  /** The action's properties (usually a map). */
  value: Node | null;
  path: YamlPath;
  where: string;
}

/** Readable label of a sequence item: its refId when it has one (tasks, states, menus), else its index. */
function itemLabel(item: unknown, index: number): string {
  const inner = singleKeyItem(item)?.value;
  const refId = scalarText(getNode(inner, 'refId'));
  return refId !== undefined ? refId : String(index);
}

/**
 * Calls `onList` for every action list found under `node`, without descending into the lists themselves (the
 * caller decides whether to go deeper). Readable paths skip the single-key wrappers (`- task:`, `- playAudio:`).
 * This walk covers the whole flow, so paths and readable labels are kept on stacks and only copied out for the
 * lists found.
 */
export function findActionLists(node: unknown, path: YamlPath, where: string, onList: (list: ActionList) => void): void {
  walk(node, [...path], [], where, onList);
}

/** A step of a readable path: `.key`, or `[label]` of a sequence item (its label is only worked out if needed). */
type WhereStep = string | { item: unknown; index: number };

function readable(base: string, steps: WhereStep[]): string {
  let where = base;
  for (const step of steps) {
    if (typeof step === 'string') where = where ? `${where}.${step}` : step;
    else where = `${where}[${itemLabel(step.item, step.index)}]`;
  }
  return where;
}

function walk(node: unknown, path: YamlPath, steps: WhereStep[], base: string, onList: (list: ActionList) => void): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const value = pair.value;
      // Scalars hold no action lists.
      if (!isMap(value) && !isSeq(value)) continue;
      const key = scalarText(pair.key);
      if (key === undefined) continue;
      path.push(key);
      steps.push(key);
      if (ACTION_LIST_KEYS.has(key) && isSeq(value)) onList({ seq: value, path: path.slice(), where: readable(base, steps) });
      else walk(value, path, steps, base, onList);
      path.pop();
      steps.pop();
    }
  } else if (isSeq(node)) {
    const items = node.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!isMap(item) && !isSeq(item)) continue;
      const single = singleKeyItem(item);
      steps.push({ item, index: i });
      if (single) {
        path.push(i, single.key);
        walk(single.value, path, steps, base, onList);
        path.pop();
        path.pop();
      } else {
        path.push(i);
        walk(item, path, steps, base, onList);
        path.pop();
      }
      steps.pop();
    }
  }
}

export function actionsOf(list: ActionList): Action[] {
  const out: Action[] = [];
  list.seq.items.forEach((item, index) => {
    const single = singleKeyItem(item);
    if (!single) return;
    out.push({
      list,
      index,
      item: item as YAMLMap,
      type: single.key,
      value: single.value,
      path: [...list.path, index],
      where: `${list.where}[${index}]`,
    });
  });
  return out;
}

/** Every action anywhere in the flow, depth first in document order. */
export function allActions(flow: ParsedFlow): Action[] {
  const out: Action[] = [];
  const visitList = (list: ActionList): void => {
    for (const action of actionsOf(list)) {
      out.push(action);
      findActionLists(action.value, [...action.path, action.type], action.where, visitList);
    }
  };
  findActionLists(flow.body, [flow.topKey], '', visitList);
  return out;
}

/**
 * The actions of one type anywhere in the flow: allActions(flow).filter((a) => a.type === type), the same
 * actions with the same contents in the same order, without an Action (with its path and label copies) for every
 * other action. One walk over the whole flow with one path stack and one label stack; an action-list item is the
 * step `[index]` (as Action.where writes it), other sequence items `[label]`.
 */
export function actionsOfType(flow: ParsedFlow, type: string): Action[] {
  const out: Action[] = [];
  walkTyped(flow.body, [flow.topKey], [], type, out);
  return out;
}

/** A step of a readable path: a key, a sequence item (`[label]`), or an action-list item (`[index]`). */
type TypedStep = WhereStep | { action: number };

function readableTyped(steps: TypedStep[], count: number): string {
  let where = '';
  for (let i = 0; i < count; i++) {
    const step = steps[i]!;
    if (typeof step === 'string') where = where ? `${where}.${step}` : step;
    else if ('action' in step) where = `${where}[${step.action}]`;
    else where = `${where}[${itemLabel(step.item, step.index)}]`;
  }
  return where;
}

function walkTyped(node: unknown, path: YamlPath, steps: TypedStep[], type: string, out: Action[]): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const value = pair.value;
      if (!isCollection(value)) continue; // scalars hold no action lists
      const key = scalarText(pair.key);
      if (key === undefined) continue;
      path.push(key);
      steps.push(key);
      if ((key === 'actions' || key === 'startUpTaskActions') && isSeq(value)) visitTyped(value, path, steps, type, out);
      else walkTyped(value, path, steps, type, out);
      path.pop();
      steps.pop();
    }
  } else if (isSeq(node)) {
    const items = node.items;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (!isCollection(item)) continue;
      steps.push({ item, index: i });
      // singleKeyItem, without its result object
      const only = isMap(item) && item.items.length === 1 ? item.items[0]! : undefined;
      const key = only ? scalarText(only.key) : undefined;
      if (key !== undefined) {
        path.push(i, key);
        walkTyped(only!.value, path, steps, type, out);
        path.pop();
        path.pop();
      } else {
        path.push(i);
        walkTyped(item, path, steps, type, out);
        path.pop();
      }
      steps.pop();
    }
  }
}

/** The items of an action list: those of `type` collected, and every action's value walked for nested lists. */
function visitTyped(seq: YAMLSeq, path: YamlPath, steps: TypedStep[], type: string, out: Action[]): void {
  let list: ActionList | undefined;
  const items = seq.items;
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    // singleKeyItem, without its result object
    if (!isMap(item) || item.items.length !== 1) continue;
    const only = item.items[0]!;
    const key = scalarText(only.key);
    if (key === undefined) continue;
    const value = only.value as Node | null;
    path.push(index);
    steps.push({ action: index });
    if (key === type) {
      list ??= { seq, path: path.slice(0, -1), where: readableTyped(steps, steps.length - 1) };
      out.push({ list, index, item, type, value, path: path.slice(), where: readableTyped(steps, steps.length) });
    }
    path.push(key);
    walkTyped(value, path, steps, type, out);
    path.pop();
    path.pop();
    steps.pop();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Startup resolution

export type Startup =
  | { kind: 'actions'; list: ActionList; describe: string }
  | { kind: 'menu'; menu: YAMLMap; menuIndex: number; refNode: Node; describe: string }
  | { kind: 'missing'; reason: string };

const REF = /(?:^|\/)(tasks|states|menus)\/(task|state|menu)\[(.+)\]$/;

export function parseRef(ref: string): { collection: string; itemKey: string; refId: string } | undefined {
  if (ref.includes('#')) return undefined; // a reference into another file: not resolvable from this one
  const m = REF.exec(ref);
  if (!m || m[1] !== `${m[2]}s`) return undefined;
  return { collection: m[1]!, itemKey: m[2]!, refId: m[3]! };
}

/** The item of `tasks`/`states`/`menus` a reference points to. */
export function resolveRef(
  flow: ParsedFlow,
  ref: string,
): { collection: string; itemKey: string; index: number; inner: YAMLMap; refId: string } | undefined {
  const parsed = parseRef(ref);
  if (!parsed) return undefined;
  const seq = getNode(flow.body, parsed.collection);
  if (!isSeq(seq)) return undefined;
  for (let i = 0; i < seq.items.length; i++) {
    const single = singleKeyItem(seq.items[i]);
    if (single?.key === parsed.itemKey && isMap(single.value) && scalarText(getNode(single.value, 'refId')) === parsed.refId) {
      return { ...parsed, index: i, inner: single.value };
    }
  }
  return undefined;
}

export function resolveStartup(flow: ParsedFlow): Startup {
  const body = flow.body;
  const top = flow.topKey;
  const sta = getNode(body, 'startUpTaskActions');
  if (sta !== undefined) {
    if (!isSeq(sta)) return { kind: 'missing', reason: '`startUpTaskActions` is not a list' };
    return { kind: 'actions', list: { seq: sta, path: [top, 'startUpTaskActions'], where: 'startUpTaskActions' }, describe: 'startUpTaskActions' };
  }
  const refNode = getNode(body, 'startUpRef');
  if (refNode != null) {
    const ref = scalarText(refNode);
    if (ref === undefined) return { kind: 'missing', reason: '`startUpRef` is not a string' };
    const target = resolveRef(flow, ref);
    if (!target) return { kind: 'missing', reason: `startUpRef ${JSON.stringify(ref)} does not resolve to a task, state or menu in this file` };
    const label = `${target.collection}[${target.refId}]`;
    if (target.itemKey === 'menu') return { kind: 'menu', menu: target.inner, menuIndex: target.index, refNode, describe: label };
    const actions = getNode(target.inner, 'actions');
    if (!isSeq(actions)) return { kind: 'missing', reason: `the startup ${target.itemKey} ${label} has no action list` };
    return {
      kind: 'actions',
      list: { seq: actions, path: [top, target.collection, target.index, target.itemKey, 'actions'], where: `${label}.actions` },
      describe: label,
    };
  }
  const state = getNode(body, 'startUpState');
  if (isMap(state)) {
    const actions = getNode(state, 'actions');
    if (isSeq(actions)) return { kind: 'actions', list: { seq: actions, path: [top, 'startUpState', 'actions'], where: 'startUpState.actions' }, describe: 'startUpState' };
  }
  return { kind: 'missing', reason: 'the flow has no startUpRef, startUpTaskActions or startUpState' };
}

/**
 * The actions on the startup path, in execution-like order: the startup container's actions, each followed by the
 * actions nested in its outputs; a `callTask` is followed into its target task (it returns, so its actions run on
 * the startup path), each task once. `jumpToTask`/`jumpToMenu` and menu choices of menus other than the startup
 * menu are NOT followed: they leave the startup path (a jump does not return), and following them would make
 * "the first X" mean "the first X anywhere in the flow". A startup menu contributes its choices' inline tasks.
 */
export function startupPathActions(flow: ParsedFlow, startup: Startup): Action[] {
  const out: Action[] = [];
  const seenTasks = new Set<number>();
  const visitList = (list: ActionList): void => {
    for (const action of actionsOf(list)) {
      out.push(action);
      findActionLists(action.value, [...action.path, action.type], action.where, visitList);
      if (action.type === 'callTask') {
        const ref = scalarText(getNode(action.value, 'targetTaskRef'));
        const target = ref === undefined ? undefined : resolveRef(flow, ref);
        if (target && target.itemKey === 'task' && !seenTasks.has(target.index)) {
          seenTasks.add(target.index);
          const actions = getNode(target.inner, 'actions');
          if (isSeq(actions)) {
            visitList({
              seq: actions,
              path: [flow.topKey, 'tasks', target.index, 'task', 'actions'],
              where: `tasks[${target.refId}].actions`,
            });
          }
        }
      }
    }
  };
  if (startup.kind === 'actions') visitList(startup.list);
  else if (startup.kind === 'menu') {
    findActionLists(getNode(startup.menu, 'choices'), [flow.topKey, 'menus', startup.menuIndex, 'menu', 'choices'], `${startup.describe}.choices`, visitList);
  }
  return out;
}
