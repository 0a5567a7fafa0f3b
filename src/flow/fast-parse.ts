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

interface Built {
  /** null: an empty node (`key:` with nothing after it). */
  node: Node | null;
  kind: string | null;
  result: unknown;
  start: number;
  end: number;
}

interface Frame {
  open: number;
  kids: Built[];
}

/** Internal js-yaml state fields the public typings leave out. */
type LoaderState = State & { tag: string | null; anchor: string | null };

class Declined extends Error {}

/**
 * `yaml` nodes made without their constructors, which define the node-type tag as an own property on every node
 * (a third of the fast parse's time). Here the tag sits on a prototype derived from the real class's, so isMap /
 * isSeq / isScalar / isPair and every method work as on nodes the `yaml` parser makes. Symbol and tag value are read
 * from real instances, not hard-coded.
 */
function protoLike<T extends object>(sample: T): T {
  const tag = Object.getOwnPropertySymbols(sample).find((s) => s.description === 'yaml.node.type');
  if (!tag) throw new Error('yaml node type tag not found');
  return Object.create(Object.getPrototypeOf(sample), { [tag]: { value: (sample as Record<symbol, unknown>)[tag] } }) as T;
}
const SCALAR_PROTO = protoLike(new Scalar(null));
const MAP_PROTO = protoLike(new YAMLMap());
const SEQ_PROTO = protoLike(new YAMLSeq());
const PAIR_PROTO = protoLike(new Pair(null));

function newScalar(value: unknown, type: Scalar.Type, start: number, end: number): Scalar {
  const node = Object.create(SCALAR_PROTO) as Scalar;
  node.value = value;
  node.type = type;
  node.range = [start, end, end];
  return node;
}

function newCollection<T extends YAMLMap | YAMLSeq>(proto: T, flow: boolean): T {
  const node = Object.create(proto) as T;
  node.items = [];
  if (flow) node.flow = true;
  return node;
}

function newPair(key: Node, value: Node): Pair<Node, Node> {
  const pair = Object.create(PAIR_PROTO) as Pair<Node, Node>;
  pair.key = key;
  pair.value = value;
  return pair;
}

export function fastParse(text: string): FastTree | undefined {
  const stack: Frame[] = [];
  let root: Built | undefined;
  let declined = false;
  const listener = (event: 'open' | 'close', state: State): void => {
    if (declined) return;
    if (event === 'open') {
      stack.push({ open: state.position, kids: [] });
      return;
    }
    const frame = stack.pop();
    let built: Built;
    try {
      if (!frame) throw new Declined();
      built = buildNode(text, frame, state as LoaderState);
    } catch (e) {
      if (!(e instanceof Declined)) throw e;
      declined = true;
      return;
    }
    const parent = stack[stack.length - 1];
    if (parent) parent.kids.push(built);
    else root = built;
  };
  let plain: unknown;
  try {
    plain = load(text, { ...FAST_LOAD_OPTIONS, listener });
  } catch {
    return undefined; // the `yaml` path reports the error in its own words
  }
  if (declined || stack.length > 0 || !root?.node || !Object.is(root.result, plain)) return undefined;
  return { root: root.node, plain };
}

function buildNode(text: string, frame: Frame, state: LoaderState): Built {
  const { kind, result } = state;
  if (state.anchor !== null) throw new Declined();
  if (kind === null) {
    if (frame.kids.length > 0 || state.tag !== null) throw new Declined();
    return { node: null, kind: null, result: null, start: frame.open, end: frame.open };
  }
  const kids = frame.kids;
  // The node composed twice: first as a would-be key (kept), then as the node itself.
  if (kids.length === 1 && kids[0]!.kind === kind && Object.is(kids[0]!.result, result)) return kids[0]!;
  const start = skipSeparation(text, frame.open);
  const first = text[start];
  if (first === '!' || first === '&' || first === '*' || (first === '?' && isWsOrEnd(text, start + 1))) throw new Declined();
  if (kind === 'scalar') return buildScalar(text, kids, result, start, trimBack(text, state.position, start));
  if (kind === 'mapping') return buildMap(text, kids, result, start, state.position);
  if (kind === 'sequence') return buildSeq(text, kids, result, start, state.position);
  throw new Declined();
}

function buildScalar(text: string, kids: Built[], result: unknown, start: number, end: number): Built {
  if (kids.length > 0 || end <= start) throw new Declined();
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
  return { node: newScalar(result, type, start, end), kind: 'scalar', result, start, end };
}

function buildMap(text: string, kids: Built[], result: unknown, start: number, position: number): Built {
  if (kids.length % 2 !== 0 || result === null || typeof result !== 'object' || Array.isArray(result)) throw new Declined();
  const values = result as Record<string, unknown>;
  if (Object.keys(values).length !== kids.length / 2) throw new Declined();
  const flow = text[start] === '{';
  const map = newCollection(MAP_PROTO, flow);
  let end = start;
  for (let i = 0; i < kids.length; i += 2) {
    const key = kids[i]!;
    const value = kids[i + 1]!;
    if (key.kind !== 'scalar' || !key.node || (typeof key.result !== 'string' && typeof key.result !== 'number')) throw new Declined();
    const name = String(key.result);
    if (!Object.prototype.hasOwnProperty.call(values, name) || !Object.is(values[name], value.result)) throw new Declined();
    if (!flow && i === 0 && key.start !== start) throw new Declined();
    map.items.push(newPair(key.node, value.node ?? newScalar(null, Scalar.PLAIN, value.start, value.start)));
    end = value.node ? value.end : key.end;
  }
  if (flow) {
    end = trimBack(text, position, start);
    if (text[end - 1] !== '}') throw new Declined();
  } else if (kids.length === 0) throw new Declined();
  map.range = [start, end, end];
  return { node: map, kind: 'mapping', result, start, end };
}

function buildSeq(text: string, kids: Built[], result: unknown, start: number, position: number): Built {
  if (!Array.isArray(result) || result.length !== kids.length) throw new Declined();
  const flow = text[start] === '[';
  if (!flow && text[start] !== '-') throw new Declined();
  const seq = newCollection(SEQ_PROTO, flow);
  let end = start + 1;
  kids.forEach((kid, i) => {
    if (!Object.is(result[i], kid.result)) throw new Declined();
    seq.items.push(kid.node ?? newScalar(null, Scalar.PLAIN, kid.start, kid.start));
    if (kid.node) end = kid.end;
  });
  if (flow) {
    end = trimBack(text, position, start);
    if (text[end - 1] !== ']') throw new Declined();
  }
  seq.range = [start, end, end];
  return { node: seq, kind: 'sequence', result, start, end };
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
