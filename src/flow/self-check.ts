import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { PARSE_OPTIONS, type ParsedFlow } from './parse-flow.js';
import { maskSubstitutions, readFormat } from './text-format.js';
import type { YamlPath } from './types.js';

/**
 * The self-check run after every edit: the edited text must keep the file's format (BOM, line ending, final
 * newline) and re-parse to the original tree changed exactly as intended. `adjust` receives the NEW tree and must
 * undo the intended change on it (returning a reason when the change is not exactly there); what is left must
 * deep-equal the original tree. Comparing this way avoids copying the original tree.
 */
export type Adjust = (after: unknown, before: unknown) => string | undefined;

export function selfCheck(flow: ParsedFlow, newBody: string, adjust: Adjust): string | undefined {
  const format = readFormat(newBody);
  if (!format.ok) return `the edit broke the line endings: ${format.reason}`;
  if (newBody.length > 0 && flow.format.body.length > 0 && newBody.includes('\n') && format.format.eol !== flow.format.eol) {
    return 'the edit changed the line ending';
  }
  if (newBody.endsWith('\n') !== flow.format.body.endsWith('\n')) return 'the edit changed whether the file ends with a newline';
  const doc = parseDocument(maskSubstitutions(newBody), PARSE_OPTIONS);
  if (doc.errors.length > 0) return `the edited text does not parse: ${doc.errors[0]!.message.split('\n')[0]}`;
  const after = doc.toJS({ maxAliasCount: -1 }) as unknown;
  const before = flow.doc.toJS({ maxAliasCount: -1 }) as unknown;
  const problem = adjust(after, before);
  if (problem) return problem;
  return isDeepStrictEqual(before, after) ? undefined : 'the edited document differs from the original by more than the intended change';
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
  if (!isDeepStrictEqual(arr[index], expected)) return `the new action at ${path.join('.')}[${index}] does not read back as written`;
  arr.splice(index, 1);
  return undefined;
}
