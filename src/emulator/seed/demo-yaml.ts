/**
 * A small block-style YAML writer for the demo org. The `yaml` package's stringifier is passed over on purpose:
 * the demo needs the layouts real Archy files have and a stringifier never produces together (flush sequences
 * beside indented ones, 4-space indentation, `#` comments on chosen lines, CRLF, quoted "yes"/"no" keys, a
 * missing final newline), and it must write millions of lines in a few seconds. The tests parse every output
 * back with `yaml` and compare it to `toPlain(tree)`.
 *
 * A tree is plain data: objects are mappings (insertion order), arrays are sequences, strings are quoted only
 * when a plain scalar would change their meaning, numbers and booleans are written bare. Wrappers add what plain
 * data cannot say: a forced quoting style, or comments.
 */

export type YamlValue = string | number | boolean | Quoted | Commented | YamlMap | YamlValue[];
export interface YamlMap {
  [key: string]: YamlValue;
}

/** A string written in the given quoting style even where a plain scalar would do (as exports do for refs). */
export class Quoted {
  constructor(readonly value: string, readonly style: 'double' | 'single' = 'double') {}
}

/** A value with a comment line before its key or item (`before`) and/or at the end of its key's line (`trailing`). */
export class Commented {
  constructor(readonly value: YamlValue, readonly before?: string, readonly trailing?: string) {}
}

export const dq = (value: string): Quoted => new Quoted(value, 'double');
export const sq = (value: string): Quoted => new Quoted(value, 'single');

export interface YamlLayout {
  /** Spaces per nesting level (2 or 4). */
  indent: number;
  /** `key:\n- item` (sequence at its key's column) instead of `key:\n  - item`. */
  flushSequences: boolean;
  eol: '\n' | '\r\n';
  finalNewline: boolean;
  /** Write the mapping keys `yes` / `no` quoted, as Archy exports do (hand-written files often do not). */
  quoteYesNoKeys: boolean;
}

export const DEFAULT_LAYOUT: YamlLayout = {
  indent: 2, flushSequences: false, eol: '\n', finalNewline: true, quoteYesNoKeys: true,
};

const CORE_SCHEMA_NON_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INDICATOR_START = /^(?:[-?:,[\]{}#&*!|>'"%@`\s]|\.\.\.)/;
// eslint-disable-next-line no-control-regex
const UNSAFE_INSIDE = /: |:$| #|\{\{|[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]|\s$/;
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPES = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/;
// Characters JSON.stringify leaves raw but YAML wants escaped (non-printable in YAML's c-printable set).
const YAML_NON_PRINTABLE = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

/** True when `text` reads back as the same string written as a plain block scalar (YAML 1.2 core schema). */
export function isPlainSafe(text: string): boolean {
  return text.length > 0 && !INDICATOR_START.test(text) && !UNSAFE_INSIDE.test(text) && !CORE_SCHEMA_NON_STRING.test(text);
}

function doubleQuoted(text: string): string {
  // JSON's escapes (\" \\ \n \r \t \b \f \uXXXX) are all valid YAML double-quoted escapes.
  return JSON.stringify(text).replace(YAML_NON_PRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function scalarText(value: string | number | boolean | Quoted): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Quoted) {
    if (value.style === 'single' && !NEEDS_ESCAPES.test(value.value)) return `'${value.value.replace(/'/g, "''")}'`;
    return doubleQuoted(value.value);
  }
  return stringText(value);
}

// Flows repeat the same keys and texts over and over: remember how each was written (bounded, for speed).
const written = new Map<string, string>();
function stringText(text: string): string {
  let out = written.get(text);
  if (out === undefined) {
    out = isPlainSafe(text) ? text : doubleQuoted(text);
    if (written.size > 50_000) written.clear();
    written.set(text, out);
  }
  return out;
}

function keyText(key: string, layout: YamlLayout): string {
  if (layout.quoteYesNoKeys && (key === 'yes' || key === 'no')) return `"${key}"`;
  return stringText(key);
}

const isScalar = (v: YamlValue): v is string | number | boolean | Quoted =>
  typeof v !== 'object' || v instanceof Quoted;

const spacesCache: string[] = [];
function spaces(n: number): string {
  return (spacesCache[n] ??= ' '.repeat(n));
}

function writeEntry(key: string, raw: YamlValue, col: number, layout: YamlLayout, out: string[]): void {
  let value = raw;
  let trailing = '';
  if (value instanceof Commented) {
    if (value.before !== undefined) out.push(`${spaces(col)}# ${value.before}`);
    if (value.trailing !== undefined) trailing = ` # ${value.trailing}`;
    value = value.value;
  }
  const head = spaces(col) + keyText(key, layout) + ':';
  if (isScalar(value)) {
    out.push(`${head} ${scalarText(value)}${trailing}`);
  } else if (Array.isArray(value)) {
    if (value.length === 0) out.push(`${head} []${trailing}`);
    else {
      out.push(head + trailing);
      writeSequence(value, layout.flushSequences ? col : col + layout.indent, layout, out);
    }
  } else if (value instanceof Commented) {
    throw new Error('nested Commented wrappers are not supported');
  } else {
    const keys = Object.keys(value);
    if (keys.length === 0) out.push(`${head} {}${trailing}`);
    else {
      out.push(head + trailing);
      writeMapping(value, col + layout.indent, layout, out);
    }
  }
}

function writeMapping(map: YamlMap, col: number, layout: YamlLayout, out: string[]): void {
  for (const key in map) writeEntry(key, map[key] as YamlValue, col, layout, out);
}

function writeSequence(items: YamlValue[], col: number, layout: YamlLayout, out: string[]): void {
  for (const raw of items) {
    let item = raw;
    if (item instanceof Commented) {
      if (item.before !== undefined) out.push(`${spaces(col)}# ${item.before}`);
      item = item.value;
    }
    if (isScalar(item)) {
      out.push(`${spaces(col)}- ${scalarText(item)}`);
      continue;
    }
    const start = out.length;
    if (Array.isArray(item)) {
      if (item.length === 0) { out.push(`${spaces(col)}- []`); continue; }
      writeSequence(item, col + 2, layout, out);
    } else if (item instanceof Commented) {
      throw new Error('nested Commented wrappers are not supported');
    } else {
      if (Object.keys(item).length === 0) { out.push(`${spaces(col)}- {}`); continue; }
      writeMapping(item, col + 2, layout, out);
    }
    // The item's first line shares its line with the dash: "- key: ..." (or "- # comment").
    out[start] = `${spaces(col)}- ${(out[start] as string).slice(col + 2)}`;
  }
}

/** The lines of `tree` (a mapping) in `layout`, without line ends. */
export function yamlLines(tree: YamlMap, layout: YamlLayout = DEFAULT_LAYOUT): string[] {
  const out: string[] = [];
  writeMapping(tree, 0, layout, out);
  return out;
}

/** `tree` as YAML text in `layout`, optionally after leading comment lines. */
export function toYamlText(tree: YamlMap, layout: YamlLayout = DEFAULT_LAYOUT, headerComments: string[] = []): string {
  const lines = headerComments.map((c) => `# ${c}`);
  writeMapping(tree, 0, layout, lines);
  return lines.join(layout.eol) + (layout.finalNewline ? layout.eol : '');
}

/** How many lines `value` takes when written (same rules as the writer; used to size large flows cheaply). */
export function countLines(value: YamlValue): number {
  if (value instanceof Commented) return (value.before !== undefined ? 1 : 0) + countLines(value.value);
  if (isScalar(value)) return 0;
  let lines = 0;
  if (Array.isArray(value)) {
    for (const raw of value) {
      const before = raw instanceof Commented && raw.before !== undefined ? 1 : 0;
      const item = raw instanceof Commented ? raw.value : raw;
      lines += before + (isScalar(item) ? 1 : Math.max(1, countLines(item)));
    }
    return lines;
  }
  for (const key in value) lines += 1 + countLines(value[key] as YamlValue);
  return lines;
}

/** What `yaml.parse` should return for the written tree (wrappers removed). */
export function toPlain(value: YamlValue): unknown {
  if (value instanceof Commented) return toPlain(value.value);
  if (value instanceof Quoted) return value.value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key in value) out[key] = toPlain(value[key] as YamlValue);
    return out;
  }
  return value;
}
