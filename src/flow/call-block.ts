import { isMap, isScalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { singleKeyItem } from './parse-flow.js';
import { dashOffset } from './splice.js';
import { column, spaces } from './text-format.js';
import type { InputValue, OutputTarget } from './types.js';
import { yamlLiteral, yamlString } from './yaml-scalar.js';

/**
 * How the items of one block sequence of actions are laid out, measured on the file itself so that a new item
 * looks like its neighbours: `dashCol` (column of `-`), `keyCol` (column of the action type key), `propOffset` (how
 * much deeper the action's properties sit than its type key) and `unit` (the file's indentation step).
 */
export interface ItemLayout {
  dashCol: number;
  keyCol: number;
  /** Column of the action's properties minus keyCol. */
  propOffset: number;
  /** The file's indentation step, for everything nested deeper. */
  unit: number;
}

/** The version selector key (archy-yaml.md §1.4); the only spelling seen in public files. */
export const VERSION_KEY = 'ver_latestPublished';

/** The action a menu-start flow's new startup task ends with (spelling seen in real exports: dr-fallback-ivr). */
export const JUMP_TO_MENU = { action: 'jumpToMenu', refKey: 'targetMenuRef' } as const;

/** refId prefix of the startup task insert adds in front of a startup menu; what remove recognises it by. */
export const STARTUP_TASK_REF_PREFIX = 'flowlink_start';

/**
 * Name prefix of that task (`Startup: Call X`). A real org renames refIds on export (`<name>_<trackingId>`), so
 * after a round trip through Genesys the task is recognised by its name and shape, not by its refId.
 */
export const STARTUP_TASK_NAME_PREFIX = 'Startup: ';

/** The indentation step of the whole file: how deep the flow body's keys sit under the top-level key. */
export function fileUnit(text: string, body: YAMLMap): number {
  const first = body.items[0]?.key;
  const col = isScalar(first) && first.range ? column(text, first.range[0]) : 2;
  return col > 0 ? col : 2;
}

/** Measures an item of `seq` (the preferred one first); undefined when no item is a plain `- key:` line. */
export function measureItems(text: string, seq: YAMLSeq, fallbackUnit: number, prefer = 0): ItemLayout | undefined {
  const order = [prefer, ...seq.items.keys()].filter((i) => i < seq.items.length);
  let layout: ItemLayout | undefined;
  for (const i of order) {
    const item = seq.items[i];
    if (!isMap(item) || item.flow || !item.range) continue;
    const dash = dashOffset(text, item.range[0]);
    if (dash === undefined) continue;
    const dashCol = column(text, dash);
    const keyCol = column(text, item.range[0]);
    const value = singleKeyItem(item)?.value;
    if (isMap(value) && !value.flow && value.range && value.items.length > 0) {
      const propCol = column(text, value.range[0]);
      if (propCol > keyCol) return { dashCol, keyCol, propOffset: propCol - keyCol, unit: fallbackUnit };
    }
    layout ??= { dashCol, keyCol, propOffset: fallbackUnit, unit: fallbackUnit };
  }
  return layout;
}

export interface CallSpec {
  module: string;
  actionName: string;
  inputs: Record<string, InputValue>;
  outputs: Record<string, OutputTarget>;
}

function inputLine(v: InputValue): string {
  if (v.noValue) return 'noValue: true';
  if (v.exp !== undefined) return `exp: ${yamlString(v.exp)}`;
  return `lit: ${yamlLiteral(v.lit!)}`;
}

/** The text lines (no line breaks) of a `- callCommonModule:` item laid out like its neighbours. */
export function renderCall(layout: ItemLayout, spec: CallSpec): string[] {
  const { dashCol, keyCol, unit } = layout;
  const p = keyCol + layout.propOffset;
  const pad = (depth: number): string => spaces(p + depth * unit);
  const lines = [
    `${spaces(dashCol)}-${spaces(keyCol - dashCol - 1)}callCommonModule:`,
    `${pad(0)}name: ${yamlString(spec.actionName)}`,
    `${pad(0)}commonModule:`,
    `${pad(1)}${yamlString(spec.module)}:`,
  ];
  const inputs = Object.entries(spec.inputs);
  const outputs = Object.entries(spec.outputs);
  if (inputs.length === 0 && outputs.length === 0) {
    lines.push(`${pad(2)}${VERSION_KEY}: {}`);
    return lines;
  }
  lines.push(`${pad(2)}${VERSION_KEY}:`);
  if (inputs.length > 0) {
    lines.push(`${pad(3)}inputs:`);
    for (const [name, value] of inputs) lines.push(`${pad(4)}${yamlString(name)}:`, `${pad(5)}${inputLine(value)}`);
  }
  if (outputs.length > 0) {
    lines.push(`${pad(3)}outputs:`);
    for (const [name, target] of outputs) lines.push(`${pad(4)}${yamlString(name)}:`, `${pad(5)}var: ${yamlString(target.var)}`);
  }
  return lines;
}

/** The parsed form of what renderCall writes: what the self-check expects to find. */
export function callNode(spec: CallSpec): Record<string, unknown> {
  const inputs = Object.entries(spec.inputs);
  const outputs = Object.entries(spec.outputs);
  const version: Record<string, unknown> = {};
  if (inputs.length > 0) {
    version.inputs = Object.fromEntries(
      inputs.map(([k, v]) => [k, v.noValue ? { noValue: true } : v.exp !== undefined ? { exp: v.exp } : { lit: v.lit }]),
    );
  }
  if (outputs.length > 0) version.outputs = Object.fromEntries(outputs.map(([k, t]) => [k, { var: t.var }]));
  return { callCommonModule: { name: spec.actionName, commonModule: { [spec.module]: { [VERSION_KEY]: version } } } };
}

export interface TaskLayout {
  /** Column of `tasks:` (only used when the key is added). */
  keyCol: number;
  /** Layout of the `- task:` item. */
  item: ItemLayout;
  /** How far a sequence sits right of its key: 0 for flush (`key:\n- x`), else the indent. */
  seqIndent: number;
}

export interface StartupTaskSpec {
  taskName: string;
  refId: string;
  call: CallSpec;
  jumpName: string;
  /** Source text of targetMenuRef, written verbatim (already a valid scalar). */
  menuRefText: string;
}

/** Lines of `- task:` holding the call and a jump to the old startup menu (plus `tasks:` when `withKey`). */
export function renderStartupTask(layout: TaskLayout, spec: StartupTaskSpec, withKey: boolean): string[] {
  const { item, seqIndent } = layout;
  const p = item.keyCol + item.propOffset;
  const actionDash = p + seqIndent;
  const action: ItemLayout = { dashCol: actionDash, keyCol: actionDash + (item.keyCol - item.dashCol), propOffset: item.propOffset, unit: item.unit };
  const lines: string[] = [];
  if (withKey) lines.push(`${spaces(layout.keyCol)}tasks:`);
  lines.push(
    `${spaces(item.dashCol)}-${spaces(item.keyCol - item.dashCol - 1)}task:`,
    `${spaces(p)}name: ${yamlString(spec.taskName)}`,
    `${spaces(p)}refId: ${yamlString(spec.refId)}`,
    `${spaces(p)}actions:`,
    ...renderCall(action, spec.call),
    `${spaces(action.dashCol)}-${spaces(action.keyCol - action.dashCol - 1)}${JUMP_TO_MENU.action}:`,
    `${spaces(action.keyCol + action.propOffset)}name: ${yamlString(spec.jumpName)}`,
    `${spaces(action.keyCol + action.propOffset)}${JUMP_TO_MENU.refKey}: ${spec.menuRefText}`,
  );
  return lines;
}

export function startupTaskNode(spec: StartupTaskSpec, menuRefValue: string): Record<string, unknown> {
  return {
    task: {
      name: spec.taskName,
      refId: spec.refId,
      actions: [callNode(spec.call), { [JUMP_TO_MENU.action]: { name: spec.jumpName, [JUMP_TO_MENU.refKey]: menuRefValue } }],
    },
  };
}
