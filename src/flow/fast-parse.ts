import { load, type LoadOptions, type State } from 'js-yaml';
import { Scalar, type Node, type Pair } from 'yaml';
import { YAML12_CORE } from './core-schema.js';
import { emptyNode, FastMap, FastPair, FastScalar, FastSeq } from './located-nodes.js';

/**
 * The fast parse: js-yaml (about 15x faster than `yaml`'s parseDocument on flow files) reads the text, and its
 * parse-event listener tells where each node is, from which a tree of `yaml` nodes (located-nodes.ts) is built,
 * so that the engine's locating code runs unchanged on any parser's output.
 *
 * js-yaml reports `open` when it starts composing a node (before the whitespace in front of it) and `close` when
 * the node is done, with its kind and value. Nodes are rebuilt from those pairs; a node js-yaml composed twice (a
 * `- item` or a value on its own line is first tried as a mapping key, and the key's result is kept) shows up as a
 * frame holding one child with the very same value, which is that child. Anything outside the plain subset of
 * YAML that flows use (tags, anchors, aliases, explicit `?` keys, non-scalar keys) and any inconsistency between
 * the rebuilt tree and js-yaml's values makes this return undefined: the caller then uses the `yaml` parser.
 */

export const FAST_LOAD_OPTIONS: LoadOptions & { maxDepth: number } = { schema: YAML12_CORE, maxDepth: 1000 };

export interface FastTree {
  /** The document's root node, located in the parsed text. */
  root: Node;
  /** js-yaml's value of the whole document (plain objects, arrays and scalars). */
  plain: unknown;
}

/** Internal js-yaml state fields the public typings leave out. */
type LoaderState = State & { tag: string | null; anchor: string | null };

export function fastParse(text: string): FastTree | undefined {
  const b = new Builder(text);
  let plain: unknown;
  try {
    plain = load(text, { ...FAST_LOAD_OPTIONS, listener: b.listener });
  } catch {
    return undefined; // the `yaml` path reports the error in its own words
  }
  const root = b.nodes[0];
  if (b.declined || b.depth > 0 || b.top !== 1 || !root || !Object.is(b.results[0], plain)) return undefined;
  return { root, plain };
}

/** js-yaml's node kinds, as small integers. */
const NONE = 0;
const SCALAR = 1;
const MAPPING = 2;
const SEQUENCE = 3;
const kindCode = (kind: string | null): number =>
  kind === 'scalar' ? SCALAR : kind === 'mapping' ? MAPPING : kind === 'sequence' ? SEQUENCE : kind === null ? NONE : -1;

/**
 * The rebuild, driven by js-yaml's events. Two stacks: the open frames (where each started, where its children
 * begin), and the finished nodes not yet taken by their parent, kept as parallel arrays (node, kind, js-yaml's
 * value, extent) rather than an object per node: this runs for every node of every flow. The finished-node stack is
 * not shrunk, only overwritten: entries [0, top) are live. Any construct this does not vouch for sets `declined`.
 */
class Builder {
  readonly opens: number[] = [];
  readonly froms: number[] = [];
  depth = 0;
  /** null: an empty node (`key:` with nothing after it). */
  readonly nodes: (Node | null)[] = [];
  readonly kinds: number[] = [];
  readonly results: unknown[] = [];
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  top = 0;
  declined = false;

  constructor(readonly text: string) {}

  readonly listener = (event: 'open' | 'close', state: State): void => {
    if (this.declined) return;
    if (event === 'open') {
      this.opens[this.depth] = state.position;
      this.froms[this.depth] = this.top;
      this.depth++;
      return;
    }
    this.depth--;
    if (!this.close(this.froms[this.depth]!, this.opens[this.depth]!, state as LoaderState)) this.declined = true;
  };

  private put(at: number, node: Node | null, kind: number, result: unknown, start: number, end: number): true {
    this.nodes[at] = node;
    this.kinds[at] = kind;
    this.results[at] = result;
    this.starts[at] = start;
    this.ends[at] = end;
    this.top = at + 1;
    return true;
  }

  /** The frame that opened at `open` closed; its children are the finished nodes [from, top). False: declined. */
  private close(from: number, open: number, state: LoaderState): boolean {
    if (state.anchor !== null) return false;
    const kind = kindCode(state.kind);
    const result = state.result;
    const count = this.top - from;
    if (kind === NONE) {
      if (count > 0 || state.tag !== null) return false;
      return this.put(from, null, NONE, null, open, open);
    }
    // The node composed twice: first as a would-be key (kept), then as the node itself.
    if (count === 1 && this.kinds[from] === kind && Object.is(this.results[from], result)) {
      this.top = from + 1;
      return true;
    }
    const text = this.text;
    const start = skipSeparation(text, open);
    const first = text.charCodeAt(start);
    // `!` tag, `&` anchor, `*` alias, `?` explicit key
    if (first === 33 || first === 38 || first === 42 || (first === 63 && isWsOrEnd(text, start + 1))) return false;
    if (kind === SCALAR) return count === 0 && this.scalar(from, result, start, trimBack(text, state.position, start));
    if (kind === MAPPING) return this.mapping(from, result, start, state.position);
    if (kind === SEQUENCE) return this.sequence(from, result, start, state.position);
    return false;
  }

  private scalar(at: number, result: unknown, start: number, end: number): boolean {
    if (end <= start) return false;
    const text = this.text;
    const first = text.charCodeAt(start);
    let type: Scalar.Type;
    if (first === 34 || first === 39) {
      if (end - start < 2 || text.charCodeAt(end - 1) !== first) return false;
      type = first === 34 ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
    } else if (first === 124 || first === 62) {
      type = first === 124 ? Scalar.BLOCK_LITERAL : Scalar.BLOCK_FOLDED;
    } else {
      type = Scalar.PLAIN;
      // A one-line plain string is its own source: a cheap check that the located range is the node's.
      if (typeof result === 'string' && end - start === result.length && !text.startsWith(result, start) && text.indexOf('\n', start) >= end) {
        return false;
      }
    }
    return this.put(at, new FastScalar(result, type, [start, end, end]), SCALAR, result, start, end);
  }

  private mapping(from: number, result: unknown, start: number, position: number): boolean {
    const text = this.text;
    const top = this.top;
    const count = top - from;
    if (count % 2 !== 0 || result === null || typeof result !== 'object' || Array.isArray(result)) return false;
    const values = result as Record<string, unknown>;
    const { nodes, kinds, results, starts, ends } = this;
    const flow = text.charCodeAt(start) === 123; // {
    if (!flow && (count === 0 || starts[from] !== start)) return false;
    // Every pair's key names a property of js-yaml's object holding that pair's value, and the object has no other
    // property. Keys mostly come in document order (integer-like keys come first in a JS object): checked in one
    // walk over the object, else one lookup per key.
    let i = from;
    let inOrder = true;
    for (const name in values) {
      if (i >= top) return false;
      const key = results[i];
      if (inOrder && (key === name || (typeof key === 'number' && String(key) === name))) {
        if (!Object.is(values[name], results[i + 1])) return false;
      } else inOrder = false;
      i += 2;
    }
    if (i !== top) return false;
    const items: Pair[] = [];
    let end = start;
    for (i = from; i < top; i += 2) {
      const key = nodes[i];
      const keyResult = results[i];
      if (kinds[i] !== SCALAR || !key || (typeof keyResult !== 'string' && typeof keyResult !== 'number')) return false;
      if (!inOrder) {
        const name = String(keyResult);
        if (!Object.prototype.hasOwnProperty.call(values, name) || !Object.is(values[name], results[i + 1])) return false;
      }
      const value = nodes[i + 1];
      items.push(new FastPair(key, value ?? emptyNode(starts[i + 1]!)));
      end = value ? ends[i + 1]! : ends[i]!;
    }
    if (flow) {
      end = trimBack(text, position, start);
      if (text.charCodeAt(end - 1) !== 125) return false; // }
    }
    const map = new FastMap(items, [start, end, end]);
    if (flow) map.flow = true;
    return this.put(from, map, MAPPING, result, start, end);
  }

  private sequence(from: number, result: unknown, start: number, position: number): boolean {
    const text = this.text;
    const top = this.top;
    if (!Array.isArray(result) || result.length !== top - from) return false;
    const first = text.charCodeAt(start);
    const flow = first === 91; // [
    if (!flow && first !== 45) return false; // -
    const { nodes, results, starts, ends } = this;
    const items: Node[] = [];
    let end = start + 1;
    for (let i = from; i < top; i++) {
      if (!Object.is(result[i - from], results[i])) return false;
      const node = nodes[i];
      items.push(node ?? emptyNode(starts[i]!));
      if (node) end = ends[i]!;
    }
    if (flow) {
      end = trimBack(text, position, start);
      if (text.charCodeAt(end - 1) !== 93) return false; // ]
    }
    const seq = new FastSeq(items, [start, end, end]);
    if (flow) seq.flow = true;
    return this.put(from, seq, SEQUENCE, result, start, end);
  }
}

function isWsOrEnd(text: string, i: number): boolean {
  const c = text[i];
  return c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Past spaces, tabs, line breaks and comments: where the next token starts. */
function skipSeparation(text: string, i: number): number {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) i++;
    else if (c === 35) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else return i;
  }
}

/** Back over whitespace (js-yaml stops after a node's trailing spaces or line breaks). */
function trimBack(text: string, i: number, min: number): number {
  i = Math.min(i, text.length);
  while (i > min) {
    const c = text.charCodeAt(i - 1);
    if (c === 32 || c === 9 || c === 10 || c === 13) i--;
    else break;
  }
  return i;
}
