import { isMap, isScalar, LineCounter, parseDocument, Scalar, type Node, type YAMLMap } from 'yaml';
import { locateBlockYaml } from './block-reader.js';
import { fastParse } from './fast-parse.js';
import { maskSubstitutions, readFormat, type TextFormat } from './text-format.js';

/**
 * Which parser located the nodes: `fast` (the block reader, else js-yaml via fast-parse.ts: either reads every
 * value exactly as js-yaml does), or the `yaml` package (the reference, and fallback).
 */
export type FlowParser = 'fast' | 'yaml';

/** A flow file parsed for editing: the parser only LOCATES things; every edit is made on `format.body`. */
export interface ParsedFlow {
  format: TextFormat;
  /** `format.body` with `{{…}}` masked (same length): what was parsed. */
  masked: string;
  parser: FlowParser;
  /** The whole document as plain values (read-only): what the self-check compares the edited text with. */
  plain: () => unknown;
  /** The single top-level key naming the flow type (`inboundCall`, `commonModule`, …). */
  topKey: string;
  /** The flow body: the mapping under the top-level key. */
  body: YAMLMap;
}

export type ParseResult =
  | { ok: true; flow: ParsedFlow }
  | { ok: false; status: 'UNPARSEABLE' | 'MIXED_LINE_ENDINGS'; reason: string };

export const PARSE_OPTIONS = { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: false } as const;

/** Parses with the `yaml` package: slow, but the reference, and the one whose error messages are reported. */
export function parseFlow(text: string): ParseResult {
  const fmt = readFormat(text);
  if (!fmt.ok) return { ok: false, status: 'MIXED_LINE_ENDINGS', reason: fmt.reason };
  const masked = maskSubstitutions(fmt.format.body);
  const lines = new LineCounter();
  const doc = parseDocument(masked, { ...PARSE_OPTIONS, lineCounter: lines });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = lines.linePos(e.pos[0]);
    return { ok: false, status: 'UNPARSEABLE', reason: `YAML error at line ${at.line}: ${e.message.split('\n')[0]}` };
  }
  let plain: unknown;
  const flow = flowOf(fmt.format, masked, 'yaml', doc.contents, () => (plain ??= doc.toJS({ maxAliasCount: -1 })));
  return typeof flow === 'string' ? { ok: false, status: 'UNPARSEABLE', reason: flow } : { ok: true, flow };
}

let fallbacks = 0;

/**
 * How many times, in this process, an engine call fell back from the fast parse to the `yaml` parser: the fast
 * parse declined the text, or an edit on it failed its self-check. For the engine benchmark (bench/engine.ts),
 * which fails when more than 1% of flows fall back; not exported from the package.
 */
export function fastPathFallbacks(): number {
  return fallbacks;
}

let blockDeclines = 0;

/**
 * How many texts, in this process, the block reader declined to locate, so that js-yaml read them (still the fast
 * path). For the engine benchmark, which reports it: its figures are the block reader's only when this is small.
 */
export function blockReaderDeclines(): number {
  return blockDeclines;
}

/** parseFlow for an engine call whose fast path declined the text or failed its self-check: counted. */
export function parseFlowFallback(text: string): ParseResult {
  fallbacks++;
  return parseFlow(text);
}

/**
 * Parses with the block reader (block-reader.ts), or with js-yaml (fast-parse.ts) where the block reader declines;
 * undefined whenever neither can vouch for the result (a YAML error, a construct they do not locate, a file that
 * is not a flow, mixed line endings): the caller then uses parseFlow, which also gives the reason.
 */
export function parseFlowFast(text: string): ParsedFlow | undefined {
  // One-entry cache: a plan reads a flow's calls and then edits the same text (find, then insert or remove), and
  // the parse is most of the cost of each. Safe because nothing in the engine changes a ParsedFlow once made.
  if (lastFast && lastFast.text === text) return lastFast.flow;
  const flow = parseFast(text);
  lastFast = { text, flow };
  return flow;
}

let lastFast: { text: string; flow: ParsedFlow | undefined } | undefined;

function parseFast(text: string): ParsedFlow | undefined {
  const fmt = readFormat(text);
  if (!fmt.ok) return undefined;
  const masked = maskSubstitutions(fmt.format.body);
  let tree = locateBlockYaml(masked);
  if (!tree) {
    blockDeclines++;
    tree = fastParse(masked);
  }
  if (!tree) return undefined;
  const flow = flowOf(fmt.format, masked, 'fast', tree.root, () => tree.plain);
  return typeof flow === 'string' ? undefined : flow;
}

/** Runs `use` on the fast parse, and on the `yaml` parse when the fast one is not there or `use` declines it. */
export function withFlow<T>(text: string, use: (flow: ParsedFlow) => T | undefined, fallback: (parsed: ParseResult) => T): T {
  const fast = parseFlowFast(text);
  const result = fast ? use(fast) : undefined;
  return result !== undefined ? result : fallback(parseFlowFallback(text));
}

function flowOf(format: TextFormat, masked: string, parser: FlowParser, root: unknown, plain: () => unknown): ParsedFlow | string {
  if (!isMap(root) || root.items.length !== 1) {
    return 'not an Archy flow: the document must be a mapping with exactly one key (the flow type)';
  }
  const pair = root.items[0]!;
  const topKey = isScalar(pair.key) ? String(pair.key.value) : '';
  if (!topKey || !isMap(pair.value)) return 'not an Archy flow: the flow-type key must hold a mapping';
  return { format, masked, parser, plain, topKey, body: pair.value };
}

/** 1-based line number of an offset in the flow body. */
export function lineOf(flow: ParsedFlow, offset: number): number {
  const text = flow.format.body;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * The string a scalar holds in the ORIGINAL text: where masking touched its source, the original source is read
 * back (a plain `{{name}}` is the text `{{name}}`; a quoted one is re-read as a standalone scalar).
 */
export function originalString(flow: ParsedFlow, node: Node | null | undefined): string | undefined {
  if (!isScalar(node) || node.range == null) return undefined;
  const value = node.value;
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const [start, end] = node.range;
  const original = flow.format.body.slice(start, end);
  if (original === flow.masked.slice(start, end)) return String(value);
  if (node.type === Scalar.PLAIN) return original.trim();
  const reread = parseDocument(original, PARSE_OPTIONS).contents;
  return isScalar(reread) ? String(reread.value) : String(value);
}

/** The string value of a scalar key or value as parsed (masked); undefined for anything else. */
export function scalarText(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

/** The value node under a string key of a map. */
export function getNode(map: unknown, key: string): Node | null | undefined {
  if (!isMap(map)) return undefined;
  for (const p of map.items) if (scalarText(p.key) === key) return p.value as Node | null;
  return undefined;
}

/** A sequence item that is a single-key map (`- task: {…}`, `- playAudio: {…}`): its key and value. */
export function singleKeyItem(item: unknown): { key: string; value: Node | null; keyNode: Scalar } | undefined {
  if (!isMap(item) || item.items.length !== 1) return undefined;
  const p = item.items[0]!;
  const key = scalarText(p.key);
  return key === undefined ? undefined : { key, value: p.value as Node | null, keyNode: p.key as Scalar };
}
