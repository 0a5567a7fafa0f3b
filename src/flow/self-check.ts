import { isDeepStrictEqual } from 'node:util';
import { load } from 'js-yaml';
import { parseDocument } from 'yaml';
import { DECLINED, readBlockYaml } from './block-reader.js';
import { FAST_LOAD_OPTIONS } from './fast-parse.js';
import { PARSE_OPTIONS, type ParsedFlow } from './parse-flow.js';
import { maskSubstitutions, readFormat } from './text-format.js';
import type { YamlPath } from './types.js';

/**
 * The self-check run after every edit: the edited text must keep the file's format (BOM, line ending, final
 * newline) and re-parse to the original tree changed exactly as intended. `adjust` receives the NEW tree and must
 * undo the intended change on it (returning a reason when the change is not exactly there); what is left must
 * deep-equal the original tree. Comparing this way avoids copying the original tree.
 *
 * On the fast path the edited text is re-parsed whole, first by the block reader (block-reader.ts: a strict reader
 * of the layout flows use, which reads exactly as js-yaml does or declines), then by js-yaml when the reader
 * declines or the check does not pass on the reader's tree: a pass is a whole re-parse agreeing with the original,
 * and every failure reported is js-yaml's. The original's value is the block reader's too when it located the flow
 * (parse-flow.ts): what is checked is still "js-yaml's reading of the edited text is js-yaml's reading of the
 * original, changed as intended", since the block reader stands for js-yaml only where it reads exactly as js-yaml
 * (held so by the property tests in test/flow/engine-speed.test.ts and block-locate.test.ts), as it already did
 * for every pass on the edited side.
 */
export type Adjust = (after: unknown, before: unknown) => string | undefined;

export function selfCheck(flow: ParsedFlow, newBody: string, adjust: Adjust): string | undefined {
  const format = readFormat(newBody);
  if (!format.ok) return `the edit broke the line endings: ${format.reason}`;
  if (newBody.length > 0 && flow.format.body.length > 0 && newBody.includes('\n') && format.format.eol !== flow.format.eol) {
    return 'the edit changed the line ending';
  }
  if (newBody.endsWith('\n') !== flow.format.body.endsWith('\n')) return 'the edit changed whether the file ends with a newline';
  const masked = maskSubstitutions(newBody);
  if (flow.parser === 'fast') {
    // The block reader first (a whole parse, about twice as fast as js-yaml's); js-yaml when it declines, and
    // whenever the check does not pass on its reading, so that every reported failure is js-yaml's.
    const quick = readBlockYaml(masked);
    if (quick !== DECLINED && compare(flow, quick, adjust) === undefined) return undefined;
  }
  const reread = reparse(flow, masked);
  if ('error' in reread) return `the edited text does not parse: ${reread.error}`;
  return compare(flow, reread.tree, adjust);
}

/** Whether `after` (the edited text's tree) is the original's tree changed exactly as intended; else why not. */
function compare(flow: ParsedFlow, after: unknown, adjust: Adjust): string | undefined {
  const before = flow.plain();
  const problem = adjust(after, before);
  if (problem) return problem;
  return sameTree(before, after) ? undefined : 'the edited document differs from the original by more than the intended change';
}

/**
 * The edited text read by the parser that read the original (the block reader reads as js-yaml, or not at all): a
 * tree compares only with one from the same parser.
 */
function reparse(flow: ParsedFlow, masked: string): { tree: unknown } | { error: string } {
  if (flow.parser === 'fast') {
    try {
      return { tree: load(masked, FAST_LOAD_OPTIONS) };
    } catch (e) {
      return { error: (e as Error).message.split('\n')[0] ?? '' };
    }
  }
  const doc = parseDocument(masked, PARSE_OPTIONS);
  if (doc.errors.length > 0) return { error: doc.errors[0]!.message.split('\n')[0] ?? '' };
  return { tree: doc.toJS({ maxAliasCount: -1 }) as unknown };
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Object.is, written out: two equal strings (most leaves) cost one comparison. */
const sameValue = (u: unknown, v: unknown): boolean => (u === v ? u !== 0 || 1 / (u as number) === 1 / (v as number) : u !== u && v !== v);

/**
 * isDeepStrictEqual for parsed trees (plain objects, arrays, scalars), several times faster on whole flows; anything
 * else is handed to isDeepStrictEqual. Key order is ignored, as there; 0 and -0 differ, NaN equals NaN, as there.
 * Leaves are compared in place rather than by a call each.
 */
export function sameTree(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return sameValue(a, b);
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const u: unknown = a[i];
      const v: unknown = b[i];
      if (typeof u === 'object' && u !== null ? !sameTree(u, v) : !sameValue(u, v)) return false;
    }
    return true;
  }
  const proto = Object.getPrototypeOf(a);
  if (Array.isArray(b) || proto !== Object.getPrototypeOf(b)) return false;
  if (proto !== Object.prototype && proto !== null) return isDeepStrictEqual(a, b);
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  // Own enumerable string keys, as Object.keys lists them, counted on both sides.
  let n = 0;
  for (const k in x) {
    if (!hasOwn.call(x, k)) continue;
    n++;
    if (!hasOwn.call(y, k)) return false;
    const u = x[k];
    const v = y[k];
    if (typeof u === 'object' && u !== null ? !sameTree(u, v) : !sameValue(u, v)) return false;
  }
  for (const k in y) if (hasOwn.call(y, k)) n--;
  return n === 0;
}

export function getAt(tree: unknown, path: YamlPath): unknown {
  let node = tree;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Takes `expected` out of the array at `path`[index]; a reason when it is not there. */
export function takeFromArray(tree: unknown, path: YamlPath, index: number, expected: unknown): string | undefined {
  const arr = getAt(tree, path);
  if (!Array.isArray(arr)) return `no list at ${path.join('.')}`;
  if (!sameTree(arr[index], expected)) return `the new action at ${path.join('.')}[${index}] does not read back as written`;
  arr.splice(index, 1);
  return undefined;
}
