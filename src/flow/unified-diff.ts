import { createTwoFilesPatch } from 'diff';

const CONTEXT = 3;

/** A unified diff (3 lines of context) of one flow file, for plans and reports; '' when the texts are equal. */
export function unifiedDiff(oldText: string, newText: string, fileName: string): string {
  if (oldText === newText) return '';
  return engineEditDiff(oldText, newText, fileName) ?? createTwoFilesPatch(fileName, fileName, oldText, newText, undefined, undefined, { context: CONTEXT });
}

/** Lines [at, at + removed) of the old text replaced by `added`. */
interface LineEdit {
  at: number;
  removed: number;
  added: string[];
}

/**
 * The diff of the edits the engine makes, written directly in the `diff` package's format (same header, same
 * hunks): a block of lines inserted or deleted, possibly with one line replaced at either end of the changed
 * region (a menu start's startUpRef). Myers' diff on a 1,000-line flow costs as much as the whole rest of an
 * insert, while these edits are read off by comparing lines from both ends. Where the same lines repeat around an
 * inserted block, the hunk may show it at another of the equivalent places than the package would; both apply to
 * the same result. Undefined for any other change, or when a hunk would reach a last line without line break: the
 * package's diff is used then.
 */
function engineEditDiff(a: string, b: string, name: string): string | undefined {
  const finalNewline = a.endsWith('\n');
  if (finalNewline !== b.endsWith('\n')) return undefined;
  const view = changedRegion(finalNewline ? a : `${a}\n`, finalNewline ? b : `${b}\n`);
  const edits = findEdits(view)?.filter((e) => e.removed > 0 || e.added.length > 0);
  if (!edits || edits.length === 0) return undefined;

  const hunks: string[] = [];
  let shift = 0; // new-minus-old line numbers before the current hunk
  for (let first = 0; first < edits.length; ) {
    let last = first;
    while (last + 1 < edits.length && edits[last + 1]!.at - (edits[last]!.at + edits[last]!.removed) <= 2 * CONTEXT) last++;
    const from = Math.max(0, edits[first]!.at - CONTEXT);
    const to = view.linesUpTo(edits[last]!.at + edits[last]!.removed + CONTEXT);
    if (!finalNewline && to === view.na) return undefined; // the package adds "\ No newline at end of file" markers there
    if (to === from) return undefined;
    const out: string[] = [];
    let line = from;
    let added = 0;
    let removed = 0;
    for (let e = first; e <= last; e++) {
      const edit = edits[e]!;
      for (; line < edit.at; line++) out.push(` ${view.oldLine(line)}`);
      for (; line < edit.at + edit.removed; line++) out.push(`-${view.oldLine(line)}`);
      for (const l of edit.added) out.push(`+${l}`);
      added += edit.added.length;
      removed += edit.removed;
    }
    for (; line < to; line++) out.push(` ${view.oldLine(line)}`);
    const oldCount = to - from;
    hunks.push(`@@ -${from + 1},${oldCount} +${from + 1 + shift},${oldCount - removed + added} @@\n${out.join('\n')}\n`);
    shift += added - removed;
    first = last + 1;
  }
  return `Index: ${name}\n${'='.repeat(67)}\n--- ${name}\n+++ ${name}\n${hunks.join('')}`;
}

/**
 * Two texts (each ending with a line break) seen as their lines (what split('\n') gives, less the empty piece after
 * the last break): the common leading lines [0, p), the common trailing lines, and the lines between, A[p, p + ra)
 * and B[p, p + rb), which alone are split. Other old lines are read on demand around the changed region (context).
 * The counts are those of comparing lines one by one from both ends (the trailing lines never overlapping the
 * leading ones); the lines wholly inside the common leading (trailing) characters are known to be equal, so the
 * line comparison starts past them.
 */
interface Region {
  /** Common leading lines. */
  p: number;
  /** The changed lines of the old and the new text (after the leading, before the trailing common lines). */
  A: string[];
  B: string[];
  /** Old text's line count. */
  na: number;
  /** min(n, na), counting the old text's lines only as far as needed. */
  linesUpTo(n: number): number;
  /** Old line i (any i < na). */
  oldLine(i: number): string;
}

function changedRegion(a: string, b: string): Region {
  // Leading lines: those wholly inside the common leading characters, then while the next lines are equal.
  const prefix = commonPrefix(a, b);
  let start = lastBreak(a, prefix - 1) + 1; // same offset in both
  for (;;) {
    const ea = a.indexOf('\n', start);
    const eb = b.indexOf('\n', start);
    if (ea < 0 || ea !== eb || !sameRange(a, b, start, ea)) break;
    start = ea + 1;
  }
  // Trailing lines: those wholly inside the common trailing characters (which stop short of `start`, so that they
  // never overlap the leading lines), then while the previous lines are equal and still past `start`.
  const suffix = commonSuffix(a, b, Math.min(a.length, b.length) - start);
  const shift = b.length - a.length;
  let endA = a.length; // the trailing lines of the old text start here (a.length: there are none)
  const firstBreak = a.indexOf('\n', a.length - suffix);
  if (firstBreak >= 0 && firstBreak + 1 < a.length) endA = firstBreak + 1;
  while (endA > start && endA + shift > start) {
    const lineA = lastBreak(a, endA - 2) + 1;
    const lineB = lastBreak(b, endA + shift - 2) + 1;
    if (lineA < start || lineB < start || endA - lineA !== endA + shift - lineB || !sameRange2(a, lineA, b, lineB, endA - 1 - lineA)) break;
    endA = lineA;
  }
  const endB = endA + shift;
  const p = countBreaks(a, 0, start);
  const A = endA > start ? a.slice(start, endA - 1).split('\n') : [];
  const B = endB > start ? b.slice(start, endB - 1).split('\n') : [];
  // Old lines after the changed region, as far as they have been read: tail[k] is line p + A.length + k.
  const tail: string[] = [];
  let tailAt = endA;
  let tailDone = endA >= a.length;
  const readTail = (k: number): void => {
    while (!tailDone && tail.length <= k) {
      const e = a.indexOf('\n', tailAt);
      tail.push(a.slice(tailAt, e));
      tailAt = e + 1;
      if (tailAt >= a.length) tailDone = true;
    }
  };
  let na = -1;
  const region: Region = {
    p,
    A,
    B,
    get na(): number {
      if (na < 0) na = p + A.length + countBreaks(a, endA, a.length);
      return na;
    },
    linesUpTo(n: number): number {
      const k = n - p - A.length;
      if (k <= 0) return n;
      readTail(k - 1);
      return p + A.length + Math.min(k, tail.length);
    },
    oldLine(i: number): string {
      if (i >= p + A.length) {
        readTail(i - p - A.length);
        return tail[i - p - A.length]!;
      }
      if (i >= p) return A[i - p]!;
      // Before the changed region: walk back from its start.
      let lineEnd = start - 1;
      for (let k = p - 1; ; k--) {
        const lineStart = lastBreak(a, lineEnd - 1) + 1;
        if (k === i) return a.slice(lineStart, lineEnd);
        lineEnd = lineStart - 1;
      }
    },
  };
  return region;
}

/** The last line break at or before `i` (-1: none; lastIndexOf would read a negative `i` as 0). */
function lastBreak(t: string, i: number): number {
  return i < 0 ? -1 : t.lastIndexOf('\n', i);
}

function countBreaks(t: string, from: number, to: number): number {
  let n = 0;
  for (let i = t.indexOf('\n', from); i >= 0 && i < to; i = t.indexOf('\n', i + 1)) n++;
  return n;
}

const CHUNK = 256;

/** Whether a[from, to) equals b[from, to). */
function sameRange(a: string, b: string, from: number, to: number): boolean {
  return sameRange2(a, from, b, from, to - from);
}

/** Whether a[ia, ia + n) equals b[ib, ib + n). */
function sameRange2(a: string, ia: number, b: string, ib: number, n: number): boolean {
  return n < 16 ? a.substr(ia, n) === b.substr(ib, n) : a.slice(ia, ia + n) === b.slice(ib, ib + n);
}

/** Length of the common prefix of a and b: chunks compared natively, then characters. */
function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= n && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix of a and b, at most `max`. */
function commonSuffix(a: string, b: string, max: number): number {
  const la = a.length;
  const lb = b.length;
  let i = 0;
  while (i + CHUNK <= max && a.slice(la - i - CHUNK, la - i) === b.slice(lb - i - CHUNK, lb - i)) i += CHUNK;
  while (i < max && a.charCodeAt(la - 1 - i) === b.charCodeAt(lb - 1 - i)) i++;
  return i;
}

/**
 * The changed region read as: a pure insertion or deletion; or one line replaced at its start or end plus a pure
 * insertion or deletion in the rest. Undefined otherwise.
 */
function findEdits(view: Region): LineEdit[] | undefined {
  const { p, A, B } = view;
  const ea = A.length;
  const eb = B.length;
  if (ea === 0 || eb === 0) return [{ at: p, removed: ea, added: B }];
  // One line replaced at the start, the rest a pure insertion or deletion.
  const rest = blockIn(A, 1, ea, B, 1, eb);
  if (rest) return [{ at: p, removed: 1, added: [B[0]!] }, ...rest.map((e) => ({ ...e, at: p + e.at }))];
  // A pure insertion or deletion, then one line replaced at the end.
  const before = blockIn(A, 0, ea - 1, B, 0, eb - 1);
  if (before) return [...before.map((e) => ({ ...e, at: p + e.at })), { at: p + ea - 1, removed: 1, added: [B[eb - 1]!] }];
  return undefined;
}

/** A[a0, a1) and B[b0, b1) differ by one block of lines inserted or deleted: that edit ([] when equal). */
function blockIn(A: string[], a0: number, a1: number, B: string[], b0: number, b1: number): LineEdit[] | undefined {
  const la = a1 - a0;
  const lb = b1 - b0;
  if (la < 0 || lb < 0) return undefined;
  let p = 0;
  while (p < la && p < lb && A[a0 + p] === B[b0 + p]) p++;
  let s = 0;
  while (s < la - p && s < lb - p && A[a1 - 1 - s] === B[b1 - 1 - s]) s++;
  if (p + s === la && p + s === lb) return [];
  if (p + s === la) return [{ at: a0 + p, removed: 0, added: B.slice(b0 + p, b1 - s) }];
  if (p + s === lb) return [{ at: a0 + p, removed: la - p - s, added: [] }];
  return undefined;
}
