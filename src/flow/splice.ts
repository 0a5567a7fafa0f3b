import { isCollection, isPair, isScalar, type Node } from 'yaml';
import { column, indentOf, isCommentLine, lineAt, lineStart, nextLineStart } from './text-format.js';

/**
 * Offsets in the flow text around a block-sequence item, and the one splice primitive. Every edit the engine makes
 * is an insertion or deletion of whole lines, so that remove can take out exactly what insert put in.
 */

/** Offset of the `-` introducing a block-sequence item whose content starts at `contentStart`; undefined unless
 *  the dash is the first thing on its line (compact `- - x` or `key: - x` shapes are not edited). */
export function dashOffset(text: string, contentStart: number): number | undefined {
  let i = contentStart - 1;
  while (i >= 0 && text[i] === ' ') i--;
  if (i < 0 || text[i] !== '-') return undefined;
  const start = lineStart(text, i);
  return /^ *$/.test(text.slice(start, i)) ? i : undefined;
}

/**
 * Where a new item goes when it must come before the item whose dash is at `dash`: the start of the dash's line,
 * moved up over comment lines at the same indentation directly above it (they describe that item, so they stay
 * with it).
 */
export function beforeItemOffset(text: string, dash: number): number {
  const col = column(text, dash);
  let at = lineStart(text, dash);
  while (at > 0) {
    const prev = lineStart(text, at - 1);
    const line = lineAt(text, prev);
    if (!isCommentLine(line) || indentOf(line) !== col) break;
    at = prev;
  }
  return at;
}

/**
 * End of an item's lines: past the line holding its last content, then past any following non-blank lines indented
 * deeper than its dash (trailing comments of the item). Blank lines end the item.
 */
export function itemEndOffset(text: string, item: Node, dashCol: number): number {
  let contentEnd = lastContentEnd(item);
  while (contentEnd > 0 && /[\s]/.test(text[contentEnd - 1]!)) contentEnd--;
  let at = nextLineStart(text, Math.max(contentEnd - 1, 0));
  while (at < text.length) {
    const indent = indentOf(lineAt(text, at));
    if (indent <= dashCol) break;
    at = nextLineStart(text, at);
  }
  return at;
}

/**
 * Where a node's last VALUE ends. A block collection's own range runs on over the comment lines that follow it
 * (even column-0 ones), so descend to its last scalar, whose range stops at the value.
 */
function lastContentEnd(node: unknown): number {
  if (isCollection(node) && !node.flow && node.items.length > 0) {
    const last = node.items[node.items.length - 1];
    if (isPair(last)) return last.value != null ? lastContentEnd(last.value) : lastContentEnd(last.key);
    return lastContentEnd(last);
  }
  if (isScalar(node) || isCollection(node)) return node.range?.[1] ?? 0;
  return (node as { range?: [number, number, number] } | null)?.range?.[1] ?? 0;
}

/**
 * Inserts whole lines at `offset` (a line start, or the end of a text without final newline, where the lines go
 * after a new line break and the text keeps ending without one).
 */
export function insertLines(text: string, offset: number, lines: string[], eol: string): string {
  const atUnterminatedEnd = offset === text.length && text.length > 0 && !text.endsWith('\n');
  const block = atUnterminatedEnd ? eol + lines.join(eol) : lines.join(eol) + eol;
  return text.slice(0, offset) + block + text.slice(offset);
}

/** The exact inverse of insertLines for lines [from, to): to is a line start or the end of the text. */
export function deleteLines(text: string, from: number, to: number, eol: string): string {
  const atUnterminatedEnd = to === text.length && !text.endsWith('\n') && from >= eol.length;
  const start = atUnterminatedEnd ? from - eol.length : from;
  return text.slice(0, start) + text.slice(to);
}

export interface Splice {
  from: number;
  to: number;
  text: string;
}

/** Applies non-overlapping replacements, last first so earlier offsets stay valid. */
export function applySplices(text: string, splices: Splice[]): string {
  let out = text;
  for (const s of [...splices].sort((a, b) => b.from - a.from)) out = out.slice(0, s.from) + s.text + out.slice(s.to);
  return out;
}
