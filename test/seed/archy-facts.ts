import { Lexer, parseDocument } from 'yaml';
import type { SeedFlow } from '../../src/emulator/seed/types.js';

/** Independent readers of the facts the demo promises, computed from the YAML text (not from the generator). */

export type Json = Record<string, unknown>;
export const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const parsed = new Map<string, Json>();

/** Parses (once per distinct text; callers must not mutate the result). */
export function parseArchyText(text: string): Json {
  const cached = parsed.get(text);
  if (cached) return cached;
  const value = parseUncached(text);
  parsed.set(text, value);
  return value;
}

function parseUncached(text: string): Json {
  const doc = parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
  const value = doc.toJS() as unknown;
  if (!isMap(value)) throw new Error('not a mapping');
  return value;
}

export function texts(flow: SeedFlow): string[] {
  return [...(flow.published ?? []), ...(flow.draft === undefined ? [] : [flow.draft])];
}

/** The version a rollout would start from: the last published one, else the draft. */
export function currentText(flow: SeedFlow): string {
  const text = flow.published?.at(-1) ?? flow.draft;
  if (text === undefined) throw new Error(`${flow.name} has no content`);
  return text;
}

/** Lines of a text, not counting the empty piece after a final line end (LF or CRLF). */
export function lineCount(text: string): number {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return text.endsWith('\n') || text.length === 0 ? lines : lines + 1;
}

export interface FoundCall {
  module: string;
  inputs: Json;
  outputs: Json;
  /** The call is the first item of an action list that is the startup container's own list. */
  list: unknown[];
  index: number;
}

/** Every callCommonModule anywhere in the document. */
export function moduleCalls(doc: unknown): FoundCall[] {
  const calls: FoundCall[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        if (isMap(item) && isMap(item.callCommonModule)) {
          const ref = item.callCommonModule.commonModule;
          if (!isMap(ref) || Object.keys(ref).length !== 1) throw new Error('malformed callCommonModule');
          const module = Object.keys(ref)[0] as string;
          const selector = (ref[module] as Json).ver_latestPublished;
          const sel = isMap(selector) ? selector : {};
          calls.push({ module, inputs: isMap(sel.inputs) ? sel.inputs : {}, outputs: isMap(sel.outputs) ? sel.outputs : {}, list: node, index });
        }
        walk(item);
      });
    } else if (isMap(node)) {
      for (const v of Object.values(node)) walk(v);
    }
  };
  walk(doc);
  return calls;
}

/** Every `<kind>Variable` declaration anywhere: name -> kind (`string`, `boolean` ...). */
export function declaredVariables(doc: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (isMap(node)) {
      for (const [key, value] of Object.entries(node)) {
        const m = /^(.*)Variable$/.exec(key);
        if (m && isMap(value) && typeof value.name === 'string') out.set(value.name, m[1] as string);
        walk(value);
      }
    }
  };
  walk(doc);
  return out;
}

/** `/inboundCall/tasks/task[Start_10]` -> { kind: 'task', refId: 'Start_10' }. */
export function parseRef(ref: string): { root: string; kind: string; refId: string } | undefined {
  const m = /^\/([A-Za-z]+)\/(tasks|menus|states)\/(task|menu|state)\[(.+)\]$/.exec(ref);
  return m ? { root: m[1] as string, kind: m[3] as string, refId: m[4] as string } : undefined;
}

/** refId -> the task/menu/state body, for each kind. */
export function containers(body: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [list, kind] of [['tasks', 'task'], ['menus', 'menu'], ['states', 'state']] as const) {
    const items = body[list];
    if (!Array.isArray(items)) continue;
    for (const item of items) {
      const c = isMap(item) ? item[kind] : undefined;
      if (isMap(c) && typeof c.refId === 'string') out.set(`${kind}:${c.refId}`, c);
    }
  }
  return out;
}

/** Every string value of a given key anywhere (e.g. all `targetTaskRef`s). */
export function valuesOfKey(node: unknown, key: string): unknown[] {
  const out: unknown[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) n.forEach(walk);
    else if (isMap(n)) {
      for (const [k, v] of Object.entries(n)) {
        if (k === key) out.push(v);
        walk(v);
      }
    }
  };
  walk(node);
  return out;
}

export function hasComment(text: string): boolean {
  for (const token of new Lexer().lex(text)) if (token.startsWith('#')) return true;
  return false;
}

/** Indentation of the first indented line. */
export function firstIndent(text: string): number {
  const line = text.split(/\r?\n/).find((l) => /^ +\S/.test(l) && !/^ *#/.test(l));
  return line === undefined ? 0 : (/^ +/.exec(line) as RegExpExecArray)[0].length;
}

export const hasFlushSequence = (text: string): boolean => /^( *)[A-Za-z]+:\r?\n\1- /m.test(text);

/** A module document's interface as the emulator reads it (README convention: noValue + isInput = required). */
export function moduleInterface(doc: Json): { compatible: string[]; inputs: Map<string, boolean>; outputs: Map<string, string> } {
  const body = doc.commonModule as Json;
  const inputs = new Map<string, boolean>();
  const outputs = new Map<string, string>();
  for (const entry of body.variables as Json[]) {
    const kind = Object.keys(entry)[0] as string;
    const v = entry[kind] as Json;
    const required = v.isInput === true && isMap(v.initialValue) && v.initialValue.noValue === true;
    if (v.isInput === true) inputs.set(v.name as string, required);
    if (v.isOutput === true) outputs.set(v.name as string, kind.replace(/Variable$/, ''));
  }
  const compatible = ((body.settingsCommonModule as Json).compatibleFlowTypes as Json[]).map((t) => t.flowType as string);
  return { compatible, inputs, outputs };
}
