import { Scalar, type Node, type Pair } from 'yaml';
import { resolvePlainScalar } from './core-schema.js';
import { emptyNode, FastMap, FastPair, FastScalar, FastSeq } from './located-nodes.js';

/**
 * A deliberately small YAML reader for the block layout flow files use (block mappings and sequences, one-line
 * plain and quoted scalars, `{}` and `[]`, comments), read line by line into the same plain values js-yaml gives
 * (objects, arrays, scalars resolved by the same YAML 1.2 core types), two to three times as fast as js-yaml's
 * character-by-character reader. It reads the original flow (locateBlockYaml: also the located tree the engine
 * edits by, the same nodes and ranges fast-parse.ts rebuilds from js-yaml's events) and the self-check's re-parse
 * of the edited text (readBlockYaml: values only). It is strict: anything else (tabs, anchors, tags, aliases, block
 * scalars, multi-line scalars, non-empty flow collections, explicit keys, directives and document markers,
 * duplicate keys, odd indentation, characters js-yaml calls non-printable, …) makes it decline, and the caller reads
 * the text with js-yaml instead. It never reports a YAML error of its own: a text it cannot vouch for is always
 * read by js-yaml.
 */

export const DECLINED: unique symbol = Symbol('declined');

/**
 * js-yaml rejects a scalar whose source holds a character of its PATTERN_NON_PRINTABLE (C0/C1 controls but TAB LF
 * CR NEL, DEL, U+FFFE/U+FFFF, unpaired surrogates). This reader checks every character of every scalar and key
 * it reads with `suspect` and declines on any of those, and on any surrogate (an emoji too, conservatively).
 * Comments are not read, by js-yaml either. Only `unusual` characters (outside printable ASCII) get the full test.
 */
const unusual = (c: number): boolean => c < 0x20 || c > 0x7e;
const suspect = (c: number): boolean =>
  c < 0x20 || (c >= 0x7f && c <= 0x9f && c !== 0x85) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff;

/** Deeper than this, js-yaml is asked (its own limit is the engine's maxDepth). */
const MAX_DEPTH = 200;

const SPACE = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const DQUOTE = 34;
const SQUOTE = 39;
const LF = 10;
const CR = 13;

class Decline extends Error {}
const decline = (): never => {
  throw new Decline();
};

/** The text's value, exactly as js-yaml reads it; DECLINED when this reader does not vouch for it. */
export function readBlockYaml(text: string): unknown {
  const r = read(text, false);
  return r ? r.plain : DECLINED;
}

export interface LocatedYaml {
  /** The document's root node, located in the text (as fast-parse.ts locates it from js-yaml's events). */
  root: Node;
  /** The document's value, exactly as js-yaml reads it. */
  plain: unknown;
}

/** The text's value and located tree; undefined when this reader does not vouch for it. */
export function locateBlockYaml(text: string): LocatedYaml | undefined {
  const r = read(text, true);
  return r && r.root ? { root: r.root, plain: r.plain } : undefined;
}

function read(text: string, locate: boolean): { plain: unknown; root: Node | null } | undefined {
  if (text.length === 0 || text.includes('\t') || text.includes('\0') || !crOnlyInCrlf(text)) return undefined;
  const r = new LineReader(text, locate);
  try {
    r.skipToContent();
    // The document: a block mapping at column 0 (what a flow file is), and nothing after it.
    if (r.eof || r.indent !== 0) return undefined;
    const plain = r.mapping(0, 0);
    return r.eof ? { plain, root: r.node } : undefined;
  } catch (e) {
    if (e instanceof Decline) return undefined;
    throw e;
  }
}

/** Whether every CR is part of a CR LF (js-yaml reads a lone CR as a line break; this reader does not). */
function crOnlyInCrlf(text: string): boolean {
  for (let i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== LF) return false;
  return true;
}

/**
 * A cursor on the current content line: `start` (line start), `content` (where the node being read starts on it;
 * past the leading spaces, or past a `- `), `end` (line end, before CR LF or LF), `next` (next line's start).
 */
class LineReader {
  start = 0;
  content = 0;
  end = 0;
  next = 0;
  indent = 0;
  eof = false;
  /** The keys of the mappings being read, outermost first (see mapping). */
  readonly keys: string[] = [];
  keyTop = 0;
  /** Locating only: the node of the value just read (scalar, mapping, sequence), and of the key just read. */
  node: Node | null = null;
  keyNode: Scalar | null = null;
  private readonly length: number;

  /** `locate`: also build the located tree (see LocatedYaml); without it, only values (the self-check's reading). */
  constructor(
    readonly text: string,
    private readonly locate: boolean,
  ) {
    this.length = text.length;
  }

  /** From `next`: the next line holding content (blank and comment-only lines skipped). */
  skipToContent(): void {
    const t = this.text;
    let at = this.next;
    for (;;) {
      if (at >= this.length) {
        this.eof = true;
        this.start = this.content = this.end = this.next = this.length;
        this.indent = 0;
        return;
      }
      let nl = t.indexOf('\n', at);
      if (nl < 0) nl = this.length;
      let c = at;
      while (t.charCodeAt(c) === SPACE) c++;
      const end = nl > at && t.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      if (c < end && t.charCodeAt(c) !== HASH) {
        // A line that starts with `---`/`...` at column 0 or a directive is a document-level marker.
        if (c === at) {
          const ch = t.charCodeAt(c);
          if (ch === 37 /* % */ || ((ch === DASH || ch === 46) && t.startsWith(ch === DASH ? '---' : '...', c))) decline();
        }
        this.start = at;
        this.content = c;
        this.end = end;
        this.next = nl + 1;
        this.indent = c - at;
        return;
      }
      at = nl + 1;
    }
  }

  private isSeqEntry(): boolean {
    const t = this.text;
    const c = this.content;
    if (t.charCodeAt(c) !== DASH) return false;
    return c + 1 === this.end || t.charCodeAt(c + 1) === SPACE;
  }

  /** The node whose first line is the current one, at column `col` (the line's indent), nested `depth` deep. */
  private block(col: number, depth: number): unknown {
    if (depth > MAX_DEPTH) decline();
    if (this.isSeqEntry()) return this.sequence(col, depth);
    if (this.entryColon() >= 0) return this.mapping(col, depth);
    // A scalar on a line of its own: one line only.
    const value = this.scalar(this.content);
    this.skipToContent();
    if (!this.eof && this.indent >= col) decline(); // a continuation line (multi-line scalar) or worse
    return value;
  }

  /** A block mapping whose keys sit at column `col`; the current line holds its first key at `content`. */
  mapping(col: number, depth: number): Record<string, unknown> {
    if (depth > MAX_DEPTH) decline();
    const t = this.text;
    const map: Record<string, unknown> = {};
    const keys = this.keys;
    const firstKey = this.keyTop;
    let own = firstKey; // keys[firstKey, own) are this mapping's
    // Locating: the pairs, and where the mapping starts (its first key) and ends (its last value, or last key when
    // that value is empty), as fast-parse.ts places them.
    const items: Pair[] | undefined = this.locate ? [] : undefined;
    const start = this.content;
    let end = start;
    for (;;) {
      const colon = this.entryColon();
      if (colon < 0) decline();
      const key = this.key(colon);
      const keyNode = this.keyNode;
      // A key met before in this mapping (js-yaml: duplicated mapping key) is left to js-yaml; so is `__proto__`.
      // The keys so far sit on a stack shared by all mappings (a mapping's own run ends where a nested one begins),
      // compared as strings: cheaper than asking the object, whose keys are not yet interned.
      if (key === '__proto__') decline();
      for (let i = firstKey; i < own; i++) if (keys[i] === key) decline();
      let v = colon + 1;
      while (t.charCodeAt(v) === SPACE) v++;
      let value: unknown;
      if (v >= this.end || (t.charCodeAt(v) === HASH && v > colon + 1)) {
        // The value is on the following lines: deeper, or a sequence at this same column; else empty.
        this.skipToContent();
        if (!this.eof && (this.indent > col || (this.indent === col && this.isSeqEntry()))) {
          value = this.indent === col ? this.sequence(col, depth + 1) : this.block(this.indent, depth + 1);
        } else {
          value = null;
          this.node = null;
        }
      } else {
        value = this.scalar(v);
        this.skipToContent();
      }
      if (items) {
        const node = this.node;
        // An empty value sits just past the colon (where js-yaml starts composing it).
        items.push(new FastPair(keyNode!, node ?? emptyNode(colon + 1)));
        end = (node ?? keyNode!).range![1];
      }
      map[key] = value;
      keys[own++] = key;
      this.keyTop = own;
      if (this.eof || this.indent < col) {
        this.keyTop = firstKey;
        if (items) this.node = new FastMap(items, [start, end, end]);
        return map;
      }
      if (this.indent > col || this.isSeqEntry()) decline();
      this.content = this.start + col;
    }
  }

  /** A block sequence whose dashes sit at column `col`; the current line is its first entry. */
  private sequence(col: number, depth: number): unknown[] {
    if (depth > MAX_DEPTH) decline();
    const t = this.text;
    const seq: unknown[] = [];
    // Locating: the items; the sequence starts at its first dash and ends where its last item does.
    const items: Node[] | undefined = this.locate ? [] : undefined;
    const start = this.content;
    for (;;) {
      if (!this.isSeqEntry()) decline();
      let c = this.content + 1;
      while (t.charCodeAt(c) === SPACE) c++;
      if (c >= this.end || t.charCodeAt(c) === HASH) {
        this.skipToContent();
        if (!this.eof && this.indent > col) seq.push(this.block(this.indent, depth + 1));
        else if (items) decline(); // an empty entry: fast-parse.ts does not locate it either
        else seq.push(null);
      } else {
        const ch = t.charCodeAt(c);
        if (ch === DASH && (c + 1 === this.end || t.charCodeAt(c + 1) === SPACE)) decline(); // `- - x`
        this.content = c;
        if (this.entryColon() >= 0) seq.push(this.mapping(c - this.start, depth + 1));
        else {
          seq.push(this.scalar(c));
          this.skipToContent();
        }
      }
      if (items) items.push(this.node!);
      // A line at this column that is not an entry ends it (the list was a mapping value at its key's column).
      if (this.eof || this.indent < col || (this.indent === col && !this.isSeqEntry())) {
        if (items) {
          const end = items[items.length - 1]!.range![1];
          this.node = new FastSeq(items, [start, end, end]);
        }
        return seq;
      }
      if (this.indent > col) decline();
    }
  }

  /**
   * Where the current line's mapping entry has its `:` (from `content`), or -1 when the line is not `key: …`.
   * A quoted key ends at its closing quote; a plain key at the first `:` followed by a space or the line end.
   */
  private entryColon(): number {
    const t = this.text;
    const c = this.content;
    const end = this.end;
    const first = t.charCodeAt(c);
    if (first === DQUOTE || first === SQUOTE) {
      const close = first === SQUOTE ? singleQuotedEnd(t, c, end) : doubleQuotedEnd(t, c, end);
      let i = close;
      while (t.charCodeAt(i) === SPACE) i++;
      return i < end && t.charCodeAt(i) === COLON && (i + 1 === end || t.charCodeAt(i + 1) === SPACE) ? i : -1;
    }
    for (let i = t.indexOf(':', c); i >= 0 && i < end; i = t.indexOf(':', i + 1)) {
      if (i + 1 === end || t.charCodeAt(i + 1) === SPACE) return i;
    }
    return -1;
  }

  /** The key of the entry on the current line (its `:` at `colon`), as js-yaml names the property. */
  private key(colon: number): string {
    const t = this.text;
    const c = this.content;
    const first = t.charCodeAt(c);
    if (first === DQUOTE || first === SQUOTE) {
      const close = first === DQUOTE ? doubleQuotedEnd(t, c, colon) : singleQuotedEnd(t, c, colon);
      const name = first === DQUOTE ? doubleQuoted(t, c, close) : singleQuoted(t, c, close);
      if (this.locate) this.keyNode = new FastScalar(name, first === DQUOTE ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE, [c, close, close]);
      return name;
    }
    let e = colon;
    while (e > c && t.charCodeAt(e - 1) === SPACE) e--;
    if (e === c || !plainStart(t, c, e)) decline();
    for (let i = c; i < e; i++) {
      const ch = t.charCodeAt(i);
      if ((ch === HASH && i > c && t.charCodeAt(i - 1) === SPACE) || (unusual(ch) && suspect(ch))) decline(); // ` #`: a comment
    }
    const value = resolvePlainScalar(t.slice(c, e));
    if (this.locate) {
      // fast-parse.ts locates string and number keys only (the engine reads keys as text).
      if (typeof value !== 'string' && typeof value !== 'number') decline();
      this.keyNode = new FastScalar(value, Scalar.PLAIN, [c, e, e]);
    }
    return String(value);
  }

  /** A one-line scalar starting at `at` and running to the end of the current line (or a comment). */
  private scalar(at: number): unknown {
    const t = this.text;
    const end = this.end;
    const first = t.charCodeAt(at);
    let close: number;
    let value: unknown;
    if (first === DQUOTE) {
      close = doubleQuotedEnd(t, at, end);
      value = doubleQuoted(t, at, close);
    } else if (first === SQUOTE) {
      close = singleQuotedEnd(t, at, end);
      value = singleQuoted(t, at, close);
    } else if (first === 123 /* { */ || first === 91 /* [ */) {
      if (t.charCodeAt(at + 1) !== (first === 123 ? 125 : 93)) decline(); // only `{}` and `[]`
      close = at + 2;
      value = first === 123 ? {} : [];
    } else {
      // To the line end or a comment (` #`); a `: ` inside, or a `:` at the end, would be a mapping entry.
      let e = at;
      for (; e < end; e++) {
        const c = t.charCodeAt(e);
        if (c === HASH && t.charCodeAt(e - 1) === SPACE) break;
        if (c === COLON && (e + 1 === end || t.charCodeAt(e + 1) === SPACE)) decline();
        if (unusual(c) && suspect(c)) decline();
      }
      while (e > at && t.charCodeAt(e - 1) === SPACE) e--;
      if (e === at || !plainStart(t, at, e)) decline();
      const plain = resolvePlainScalar(t.slice(at, e));
      if (this.locate) this.node = new FastScalar(plain, Scalar.PLAIN, [at, e, e]);
      return plain;
    }
    // After a quoted scalar or `{}`/`[]`: only spaces, then the line end or a comment.
    let i = close;
    while (t.charCodeAt(i) === SPACE) i++;
    if (i < end && !(t.charCodeAt(i) === HASH && i > close)) decline();
    if (this.locate) this.node = this.locatedNonPlain(first, value, at, close);
    return value;
  }

  /** The node of a quoted scalar, `{}` or `[]` read at [at, close). */
  private locatedNonPlain(first: number, value: unknown, at: number, close: number): Node {
    if (first === DQUOTE || first === SQUOTE) return new FastScalar(value, first === DQUOTE ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE, [at, close, close]);
    const collection = first === 123 ? new FastMap([], [at, close, close]) : new FastSeq([], [at, close, close]);
    collection.flow = true;
    return collection;
  }
}

/**
 * Whether the plain scalar t[at, end) (not empty, cut at its comment, trimmed) starts as one this reader reads
 * exactly as js-yaml: not with an indicator; `-` only before a character that is not a space.
 */
function plainStart(t: string, at: number, end: number): boolean {
  switch (t.charCodeAt(at)) {
    case DASH:
      return end - at > 1 && t.charCodeAt(at + 1) !== SPACE;
    case 63: // ?
    case COLON:
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case HASH:
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case SQUOTE:
    case DQUOTE:
    case 37: // %
    case 64: // @
    case 96: // `
      return false;
    default:
      return true;
  }
}

/** Offset just past the closing quote of the single-quoted scalar at `at` (on this line, before `end`). */
function singleQuotedEnd(t: string, at: number, end: number): number {
  for (let i = at + 1; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c === SQUOTE) {
      if (i + 1 < end && t.charCodeAt(i + 1) === SQUOTE) i++;
      else return i + 1;
    } else if (unusual(c) && suspect(c)) decline();
  }
  return decline();
}

function singleQuoted(t: string, at: number, close: number): string {
  const inner = t.slice(at + 1, close - 1);
  return inner.includes("'") ? inner.replaceAll("''", "'") : inner;
}

/** Offset just past the closing quote of the double-quoted scalar at `at` (on this line, before `end`). */
function doubleQuotedEnd(t: string, at: number, end: number): number {
  for (let i = at + 1; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === DQUOTE) return i + 1;
    else if (unusual(c) && suspect(c)) decline();
  }
  return decline();
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\x00',
  a: '\x07',
  b: '\x08',
  t: '\x09',
  n: '\x0A',
  v: '\x0B',
  f: '\x0C',
  r: '\x0D',
  e: '\x1B',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xA0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The value of the double-quoted scalar [at, close) (quotes included), with js-yaml's escapes. */
function doubleQuoted(t: string, at: number, close: number): string {
  const inner = t.slice(at + 1, close - 1);
  if (!inner.includes('\\')) return inner;
  let out = '';
  let from = 0;
  for (let i = inner.indexOf('\\'); i >= 0; i = inner.indexOf('\\', from)) {
    out += inner.slice(from, i);
    const e = inner[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined && Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, e)) {
      out += simple;
      from = i + 2;
      continue;
    }
    const n = Object.prototype.hasOwnProperty.call(HEX_LENGTH, e) ? HEX_LENGTH[e]! : 0;
    const hex = inner.slice(i + 2, i + 2 + n);
    if (n === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== n) decline();
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) decline();
    out += cp <= 0xffff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
    from = i + 2 + n;
  }
  return out + inner.slice(from);
}
