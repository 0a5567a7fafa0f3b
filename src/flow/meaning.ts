import { load } from 'js-yaml';
import { parseDocument } from 'yaml';
import { DECLINED, readBlockYaml } from './block-reader.js';
import { FAST_LOAD_OPTIONS } from './fast-parse.js';
import { PARSE_OPTIONS } from './parse-flow.js';
import { maskSubstitutions } from './text-format.js';

/**
 * What an Archy flow means, as one canonical value: Genesys stores a flow as configuration and writes new YAML on
 * every export (refIds renamed `<name>_<trackingId>`, references made absolute, comments and layout gone:
 * genesys-api.md §15), so two texts of one flow are compared by this, never by their bytes.
 *
 * What does not count: key order, quoting and scalar style (a scalar is compared by its text: `5` and `"5"` are one
 * value), comments, indentation, line endings, BOM, the names of refIds. References are followed to what they name:
 * `./menus/menu[mainMenu]` and `/inboundCall/menus/menu[Main Menu_10]` are equal when both name the same object
 * (by its place in the document). An empty value (`key:`) and an empty map (`key: {}`) are one value.
 * What counts: every other key and value, and the order of every list (actions run in order).
 */
export type Meaning = { ok: true; value: unknown; text: string } | { ok: false; reason: string };

/** A reference's last step: `menu[Main Menu_10]` in `/inboundCall/menus/menu[Main Menu_10]` or `./menus/menu[x]`. */
const REFERENCE = /^(?:\.{1,2}\/|\/)(?:.*\/)?([A-Za-z]+)\[([^\]]*)\]$/;

export function flowMeaning(text: string): Meaning {
  const body = maskSubstitutions(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n'));
  const read = plainValue(body);
  return read.ok ? meaningOf(read.value) : read;
}

/** The meaning of a document already read to its plain value (what `yaml`'s toJS gives). */
export function meaningOf(plain: unknown): Meaning & { ok: true } {
  const targets = new Map<string, string>();
  indexRefIds(plain, '', undefined, targets);
  const value = canonical(plain, targets);
  return { ok: true, value, text: JSON.stringify(value) };
}

/**
 * The document's plain value, read by the engine's fast readers (the block reader, else js-yaml with the `yaml`
 * package's core schema: both give exactly what `yaml`'s toJS gives, fast-path.test.ts) and by `yaml` only when
 * they cannot vouch for it: a meaning is taken of every text a run writes and checks, and `yaml`'s document model
 * costs fifteen times their time and garbage (issue 15: apply's memory peak was that garbage). A text they reject
 * is `yaml`'s to read or to name the error of.
 */
function plainValue(body: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  const block = readBlockYaml(body);
  if (block !== DECLINED) return { ok: true, value: block };
  try {
    return { ok: true, value: load(body, FAST_LOAD_OPTIONS) };
  } catch {
    const doc = parseDocument(body, PARSE_OPTIONS);
    if (doc.errors.length > 0) return { ok: false, reason: `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}` };
    return { ok: true, value: doc.toJS({ maxAliasCount: -1 }) };
  }
}

/**
 * Whether two flow texts mean the same; when they do not, `difference` names the first place they part (a path
 * such as `/inboundCall/tasks/0/task/actions/1`), for a report.
 */
export function compareMeaning(a: string, b: string): { same: boolean; difference?: string } {
  const left = flowMeaning(a);
  const right = flowMeaning(b);
  if (!left.ok) return { same: false, difference: `the first text is ${left.reason}` };
  if (!right.ok) return { same: false, difference: `the second text is ${right.reason}` };
  if (left.text === right.text) return { same: true };
  return { same: false, difference: firstDifference(left.value, right.value, '') ?? '/' };
}

/** A cheap identity for a meaning (what a journal or plan keeps instead of a text). */
export function meaningKey(text: string): string | undefined {
  const meaning = flowMeaning(text);
  return meaning.ok ? meaning.text : undefined;
}

type Plain = Record<string, unknown>;
const isMap = (value: unknown): value is Plain => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every object holding a `refId`, keyed `<itemType>[<refId>]` (itemType: the single key of its list item). */
function indexRefIds(value: unknown, path: string, itemType: string | undefined, targets: Map<string, string>): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const keys = isMap(item) ? Object.keys(item) : [];
      const only = keys.length === 1 ? keys[0] : undefined;
      if (only !== undefined) indexRefIds((item as Plain)[only], `${path}/${index}/${escapeKey(only)}`, only, targets);
      else indexRefIds(item, `${path}/${index}`, undefined, targets);
    });
    return;
  }
  if (!isMap(value)) return;
  const refId = value.refId;
  if (itemType !== undefined && (typeof refId === 'string' || typeof refId === 'number')) {
    const key = `${itemType}[${String(refId)}]`;
    // A refId used twice names nothing for sure: a reference to it stays unresolved (and so compares as text).
    targets.set(key, targets.has(key) ? '' : path);
  }
  for (const [key, child] of Object.entries(value)) indexRefIds(child, `${path}/${escapeKey(key)}`, undefined, targets);
}

function canonical(value: unknown, targets: ReadonlyMap<string, string>, key?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => canonical(item, targets));
  if (isMap(value)) {
    const out: Plain = {};
    for (const name of Object.keys(value).sort()) {
      if (name === 'refId') continue; // a name for references only: they are followed below
      out[name] = canonical(value[name], targets, name);
    }
    return out;
  }
  if (value === null || value === undefined) return {};
  const text = value instanceof Date ? value.toISOString() : String(value);
  if (key !== undefined && key.endsWith('Ref')) {
    const match = REFERENCE.exec(text);
    const target = match ? targets.get(`${match[1]}[${match[2]}]`) : undefined;
    if (target) return { '@ref': target };
  }
  return text;
}

function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
      if (i >= a.length || i >= b.length) return `${path}/${i}`;
      const inner = firstDifference(a[i], b[i], `${path}/${i}`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  if (isMap(a) && isMap(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (!(key in a) || !(key in b)) return `${path}/${escapeKey(key)}`;
      const inner = firstDifference(a[key], b[key], `${path}/${escapeKey(key)}`);
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  return JSON.stringify(a) === JSON.stringify(b) ? undefined : path || '/';
}

const escapeKey = (key: string): string => key.replace(/~/g, '~0').replace(/\//g, '~1');
