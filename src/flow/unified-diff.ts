import { createTwoFilesPatch } from 'diff';

const CONTEXT = 3;

/** A unified diff (3 lines of context) of one flow file, for plans and reports; '' when the texts are equal. */
export function unifiedDiff(oldText: string, newText: string, fileName: string): string {
  if (oldText === newText) return '';
  return insertionDiff(oldText, newText, fileName) ?? createTwoFilesPatch(fileName, fileName, oldText, newText, undefined, undefined, { context: CONTEXT });
}

/**
 * The diff of a pure insertion of whole lines, written directly in the `diff` package's format (same header, same
 * hunk layout): what almost every insert and remove is. Myers' diff on a 1,000-line file costs more than the rest
 * of an insert, and the hunk is known once the inserted lines are. Where the lines could equally be placed a bit
 * higher or lower (the same lines repeat around them), the hunk may show them at another of those places than the
 * package would; both apply to the same result. Undefined for anything else (changed lines, a file without final
 * newline): the package's diff is used then.
 */
function insertionDiff(a: string, b: string, name: string): string | undefined {
  const [shorter, longer, sign] = a.length < b.length ? [a, b, '+'] : [b, a, '-'];
  const added = longer.length - shorter.length;
  if (added <= 0 || !shorter.endsWith('\n')) return undefined;
  let first = 0;
  while (first < shorter.length && shorter.charCodeAt(first) === longer.charCodeAt(first)) first++;
  const at = shorter.lastIndexOf('\n', first - 1) + 1;
  const block = longer.slice(at, at + added);
  if (!block.endsWith('\n') || longer.slice(at + added) !== shorter.slice(at)) return undefined;

  let line = 0; // index of the line at which the block goes
  for (let i = shorter.indexOf('\n'); i >= 0 && i < at; i = shorter.indexOf('\n', i + 1)) line++;
  let before = at;
  let pre = 0;
  while (pre < CONTEXT && before > 0) {
    before = before >= 2 ? shorter.lastIndexOf('\n', before - 2) + 1 : 0;
    pre++;
  }
  let after = at;
  let post = 0;
  while (post < CONTEXT && after < shorter.length) {
    after = shorter.indexOf('\n', after) + 1;
    post++;
  }
  const prefixed = (text: string, mark: string): string => mark + text.slice(0, -1).split('\n').join(`\n${mark}`) + '\n';
  const blockLines = block.split('\n').length - 1;
  const start = line - pre + 1;
  const [oldCount, newCount] = sign === '+' ? [pre + post, pre + blockLines + post] : [pre + blockLines + post, pre + post];
  return (
    `Index: ${name}\n${'='.repeat(67)}\n--- ${name}\n+++ ${name}\n` +
    `@@ -${start},${oldCount} +${start},${newCount} @@\n` +
    (pre > 0 ? prefixed(shorter.slice(before, at), ' ') : '') +
    prefixed(block, sign) +
    (post > 0 ? prefixed(shorter.slice(at, after), ' ') : '')
  );
}
