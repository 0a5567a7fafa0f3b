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
  const A = a.split('\n');
  const B = b.split('\n');
  // With a final newline split() yields a last empty string that is not a line.
  const na = finalNewline ? A.length - 1 : A.length;
  const nb = finalNewline ? B.length - 1 : B.length;
  const edits = findEdits(A, na, B, nb)?.filter((e) => e.removed > 0 || e.added.length > 0);
  if (!edits || edits.length === 0) return undefined;

  const hunks: string[] = [];
  let shift = 0; // new-minus-old line numbers before the current hunk
  for (let first = 0; first < edits.length; ) {
    let last = first;
    while (last + 1 < edits.length && edits[last + 1]!.at - (edits[last]!.at + edits[last]!.removed) <= 2 * CONTEXT) last++;
    const from = Math.max(0, edits[first]!.at - CONTEXT);
    const to = Math.min(na, edits[last]!.at + edits[last]!.removed + CONTEXT);
    if (to === na && !finalNewline) return undefined; // the package adds "\ No newline at end of file" markers there
    if (to === from) return undefined;
    const out: string[] = [];
    let line = from;
    let added = 0;
    let removed = 0;
    for (let e = first; e <= last; e++) {
      const edit = edits[e]!;
      for (; line < edit.at; line++) out.push(` ${A[line]}`);
      for (; line < edit.at + edit.removed; line++) out.push(`-${A[line]}`);
      for (const l of edit.added) out.push(`+${l}`);
      added += edit.added.length;
      removed += edit.removed;
    }
    for (; line < to; line++) out.push(` ${A[line]}`);
    const oldCount = to - from;
    hunks.push(`@@ -${from + 1},${oldCount} +${from + 1 + shift},${oldCount - removed + added} @@\n${out.join('\n')}\n`);
    shift += added - removed;
    first = last + 1;
  }
  return `Index: ${name}\n${'='.repeat(67)}\n--- ${name}\n+++ ${name}\n${hunks.join('')}`;
}

/**
 * The changed region between the common leading and trailing lines, read as: a pure insertion or deletion; or one
 * line replaced at its start or end plus a pure insertion or deletion in the rest. Undefined otherwise.
 */
function findEdits(A: string[], na: number, B: string[], nb: number): LineEdit[] | undefined {
  let p = 0;
  while (p < na && p < nb && A[p] === B[p]) p++;
  let s = 0;
  while (s < na - p && s < nb - p && A[na - 1 - s] === B[nb - 1 - s]) s++;
  const ea = na - s; // the changed region is A[p, ea) and B[p, eb)
  const eb = nb - s;
  if (p === ea || p === eb) return [{ at: p, removed: ea - p, added: B.slice(p, eb) }];
  // One line replaced at the start, the rest a pure insertion or deletion.
  const rest = blockIn(A, p + 1, ea, B, p + 1, eb);
  if (rest) return [{ at: p, removed: 1, added: [B[p]!] }, ...rest];
  // A pure insertion or deletion, then one line replaced at the end.
  const before = blockIn(A, p, ea - 1, B, p, eb - 1);
  if (before) return [...before, { at: ea - 1, removed: 1, added: [B[eb - 1]!] }];
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
