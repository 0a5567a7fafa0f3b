import { load, type LoadOptions, type State } from 'js-yaml';
import { Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { YAML12_CORE } from './core-schema.js';

/**
 * The fast parse: js-yaml (about 15x faster than `yaml`'s parseDocument on flow files) reads the text, and its
 * parse-event listener tells where each node is, from which a tree of `yaml` nodes (YAMLMap/YAMLSeq/Scalar/Pair
 * with `range`) is built, so that the engine's locating code runs unchanged on either parser's output.
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

/** A node js-yaml has finished composing: the located `yaml` node, js-yaml's kind and value, and its extent. */
class Built {
  constructor(
    /** null: an empty node (`key:` with nothing after it). */
    readonly node: Node | null,
    readonly kind: string | null,
    readonly result: unknown,
    readonly start: number,
    readonly end: number,
  ) {}
}

/** Internal js-yaml state fields the public typings leave out. */
type LoaderState = State & { tag: string | null; anchor: string | null };

class Declined extends Error {}

/**
 * `yaml` nodes made without their constructors, which define the node-type tag as an own property on every node
 * (slow, and most of the fast parse's own time). Here the tag sits on a prototype derived from the real class's, so
 * isMap / isSeq / isScalar / isPair and every method work as on nodes the `yaml` parser makes. Symbol and tag value
 * are read from real instances, not hard-coded.
 */
function protoLike<T extends object>(sample: T): T {
  const tag = Object.getOwnPropertySymbols(sample).find((s) => s.description === 'yaml.node.type');
  if (!tag) throw new Error('yaml node type tag not found');
  return Object.create(Object.getPrototypeOf(sample), { [tag]: { value: (sample as Record<symbol, unknown>)[tag] } }) as T;
}

type Range = [number, number, number];
const FastScalar = function (this: Scalar, value: unknown, type: Scalar.Type, range: Range) {
  this.value = value;
  this.type = type;
  this.range = range;
} as unknown as new (value: unknown, type: Scalar.Type, range: Range) => Scalar;
const FastMap = function (this: YAMLMap) {
  this.items = [];
} as unknown as new () => YAMLMap;
const FastSeq = function (this: YAMLSeq) {
  this.items = [];
} as unknown as new () => YAMLSeq;
const FastPair = function (this: Pair<Node, Node>, key: Node, value: Node) {
  this.key = key;
  this.value = value;
} as unknown as new (key: Node, value: Node) => Pair<Node, Node>;
(FastScalar as unknown as { prototype: object }).prototype = protoLike(new Scalar(null));
(FastMap as unknown as { prototype: object }).prototype = protoLike(new YAMLMap());
(FastSeq as unknown as { prototype: object }).prototype = protoLike(new YAMLSeq());
(FastPair as unknown as { prototype: object }).prototype = protoLike(new Pair(null));

export function fastParse(text: string): FastTree | undefined {
  // The open frames: where each started, and where its children begin in `kids` (one flat stack for all frames).
  const opens: number[] = [];
  const kidsFrom: number[] = [];
  const kids: Built[] = [];
  let top = 0; // kids[0, top) are live: the stack is not shrunk, only overwritten
  let declined = false;
  const listener = (event: 'open' | 'close', state: State): void => {
    if (declined) return;
    if (event === 'open') {
      opens.push(state.position);
      kidsFrom.push(top);
      return;
    }
    const from = kidsFrom.pop()!;
    const open = opens.pop()!;
    try {
      const built = buildNode(text, open, kids, from, top, state as LoaderState);
      kids[from] = built;
      top = from + 1;
    } catch (e) {
      if (!(e instanceof Declined)) throw e;
      declined = true;
    }
  };
  let plain: unknown;
  try {
    plain = load(text, { ...FAST_LOAD_OPTIONS, listener });
  } catch {
    return undefined; // the `yaml` path reports the error in its own words
  }
  const root = kids[0];
  if (declined || opens.length > 0 || top !== 1 || !root?.node || !Object.is(root.result, plain)) return undefined;
  return { root: root.node, plain };
}

/** The node of the frame that just closed; its children are kids[from…]. */
function buildNode(text: string, open: number, kids: Built[], from: number, top: number, state: LoaderState): Built {
  const { kind, result } = state;
  if (state.anchor !== null) throw new Declined();
  const count = top - from;
  if (kind === null) {
    if (count > 0 || state.tag !== null) throw new Declined();
    return new Built(null, null, null, open, open);
  }
  // The node composed twice: first as a would-be key (kept), then as the node itself.
  if (count === 1 && kids[from]!.kind === kind && Object.is(kids[from]!.result, result)) return kids[from]!;
  const start = skipSeparation(text, open);
  const first = text[start];
  if (first === '!' || first === '&' || first === '*' || (first === '?' && isWsOrEnd(text, start + 1))) throw new Declined();
  if (kind === 'scalar') {
    if (count > 0) throw new Declined();
    return buildScalar(text, result, start, trimBack(text, state.position, start));
  }
  if (kind === 'mapping') return buildMap(text, kids, from, top, result, start, state.position);
  if (kind === 'sequence') return buildSeq(text, kids, from, top, result, start, state.position);
  throw new Declined();
}

function buildScalar(text: string, result: unknown, start: number, end: number): Built {
  if (end <= start) throw new Declined();
  const first = text[start]!;
  let type: Scalar.Type;
  if (first === '"' || first === "'") {
    if (end - start < 2 || text[end - 1] !== first) throw new Declined();
    type = first === '"' ? Scalar.QUOTE_DOUBLE : Scalar.QUOTE_SINGLE;
  } else if (first === '|' || first === '>') {
    type = first === '|' ? Scalar.BLOCK_LITERAL : Scalar.BLOCK_FOLDED;
  } else {
    type = Scalar.PLAIN;
    // A one-line plain string is its own source: a cheap check that the located range is the node's.
    if (typeof result === 'string' && end - start === result.length && text.indexOf('\n', start) >= end && !text.startsWith(result, start)) {
      throw new Declined();
    }
  }
  return new Built(new FastScalar(result, type, [start, end, end]), 'scalar', result, start, end);
}

function emptyNode(at: number): Scalar {
  return new FastScalar(null, Scalar.PLAIN, [at, at, at]);
}

function buildMap(text: string, kids: Built[], from: number, top: number, result: unknown, start: number, position: number): Built {
  const count = top - from;
  if (count % 2 !== 0 || result === null || typeof result !== 'object' || Array.isArray(result)) throw new Declined();
  const values = result as Record<string, unknown>;
  let keys = 0;
  for (const _ in values) keys++;
  if (keys !== count / 2) throw new Declined();
  const flow = text[start] === '{';
  const map = new FastMap();
  let end = start;
  for (let i = from; i < top; i += 2) {
    const key = kids[i]!;
    const value = kids[i + 1]!;
    if (key.kind !== 'scalar' || !key.node || (typeof key.result !== 'string' && typeof key.result !== 'number')) throw new Declined();
    const name = String(key.result);
    if (!Object.prototype.hasOwnProperty.call(values, name) || !Object.is(values[name], value.result)) throw new Declined();
    if (!flow && i === from && key.start !== start) throw new Declined();
    map.items.push(new FastPair(key.node, value.node ?? emptyNode(value.start)));
    end = value.node ? value.end : key.end;
  }
  if (flow) {
    map.flow = true;
    end = trimBack(text, position, start);
    if (text[end - 1] !== '}') throw new Declined();
  } else if (count === 0) throw new Declined();
  map.range = [start, end, end];
  return new Built(map, 'mapping', result, start, end);
}

function buildSeq(text: string, kids: Built[], from: number, top: number, result: unknown, start: number, position: number): Built {
  if (!Array.isArray(result) || result.length !== top - from) throw new Declined();
  const flow = text[start] === '[';
  if (!flow && text[start] !== '-') throw new Declined();
  const seq = new FastSeq();
  let end = start + 1;
  for (let i = from; i < top; i++) {
    const kid = kids[i]!;
    if (!Object.is(result[i - from], kid.result)) throw new Declined();
    seq.items.push(kid.node ?? emptyNode(kid.start));
    if (kid.node) end = kid.end;
  }
  if (flow) {
    seq.flow = true;
    end = trimBack(text, position, start);
    if (text[end - 1] !== ']') throw new Declined();
  }
  seq.range = [start, end, end];
  return new Built(seq, 'sequence', result, start, end);
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
