import { Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';

/**
 * `yaml` nodes (YAMLMap/YAMLSeq/Scalar/Pair with `range`) made by the fast readers (fast-parse.ts, block-reader.ts),
 * so that the engine's locating code runs unchanged on any reader's output. They are made without their
 * constructors, which define the node-type tag as an own property on every node (slow: most of a reader's own
 * time). Here the tag sits on a prototype derived from the real class's, so isMap / isSeq / isScalar / isPair and
 * every method work as on nodes the `yaml` parser makes. Symbol and tag value are read from real instances, not
 * hard-coded.
 */

function protoLike<T extends object>(sample: T): T {
  const tag = Object.getOwnPropertySymbols(sample).find((s) => s.description === 'yaml.node.type');
  if (!tag) throw new Error('yaml node type tag not found');
  return Object.create(Object.getPrototypeOf(sample), { [tag]: { value: (sample as Record<symbol, unknown>)[tag] } }) as T;
}

/** [start, value end, node end]: the readers make the last two equal. */
export type Range = [number, number, number];

export const FastScalar = function (this: Scalar, value: unknown, type: Scalar.Type, range: Range) {
  this.value = value;
  this.type = type;
  this.range = range;
} as unknown as new (value: unknown, type: Scalar.Type, range: Range) => Scalar;
export const FastMap = function (this: YAMLMap, items: Pair[], range: Range) {
  this.items = items;
  this.range = range;
} as unknown as new (items: Pair[], range: Range) => YAMLMap;
export const FastSeq = function (this: YAMLSeq, items: Node[], range: Range) {
  this.items = items;
  this.range = range;
} as unknown as new (items: Node[], range: Range) => YAMLSeq;
export const FastPair = function (this: Pair<Node, Node>, key: Node, value: Node) {
  this.key = key;
  this.value = value;
} as unknown as new (key: Node, value: Node) => Pair<Node, Node>;
(FastScalar as unknown as { prototype: object }).prototype = protoLike(new Scalar(null));
(FastMap as unknown as { prototype: object }).prototype = protoLike(new YAMLMap());
(FastSeq as unknown as { prototype: object }).prototype = protoLike(new YAMLSeq());
(FastPair as unknown as { prototype: object }).prototype = protoLike(new Pair(null));

/** An empty node (`key:` with nothing after it), as an empty plain scalar at `at`. */
export function emptyNode(at: number): Scalar {
  return new FastScalar(null, Scalar.PLAIN, [at, at, at]);
}
