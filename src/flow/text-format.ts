/**
 * The byte-level facts of a flow file that an edit must keep: BOM, line ending, final newline. Also the
 * same-length masking of `{{substitutions}}` so that offsets found in the masked text are valid in the original.
 */

export const BOM = '\uFEFF';

export interface TextFormat {
  bom: boolean;
  /** The file's line ending; LF when the file has no line break at all. */
  eol: '\n' | '\r\n';
  /** The text without its BOM: the text every offset refers to. */
  body: string;
}

export type FormatResult = { ok: true; format: TextFormat } | { ok: false; reason: string };

export function readFormat(text: string): FormatResult {
  const bom = text.startsWith(BOM);
  const body = bom ? text.slice(1) : text;
  // Counted with indexOf (native) rather than a per-character loop: this runs on every text the engine reads.
  let crlf = 0;
  let cr = 0;
  for (let i = body.indexOf('\r'); i >= 0; i = body.indexOf('\r', i + 1)) {
    if (body.charCodeAt(i + 1) === 10) crlf++;
    else cr++;
  }
  if (cr > 0) return { ok: false, reason: `the file has ${cr} bare CR line ending(s); only LF or CRLF files are edited` };
  let lf = 0;
  if (crlf > 0) {
    for (let i = body.indexOf('\n'); i >= 0; i = body.indexOf('\n', i + 1)) lf++;
    lf -= crlf;
  }
  if (crlf > 0 && lf > 0) {
    return { ok: false, reason: `mixed line endings (${crlf} CRLF, ${lf} LF); refusing to guess which one a new line should use` };
  }
  return { ok: true, format: { bom, eol: crlf > 0 ? '\r\n' : '\n', body } };
}

const SUBSTITUTION = /\{\{([^{}\r\n]*)\}\}/g;

/**
 * `{{key}}` -> `__key__` (same length, characters a plain scalar tolerates), so a YAML parser sees a string where a
 * Terraform/Archy substitution stands (unmasked, `{{x}}` reads as a nested flow mapping). Offsets are unchanged.
 */
export function maskSubstitutions(text: string): string {
  if (!text.includes('{{')) return text;
  return text.replace(SUBSTITUTION, (_m, inner: string) => `__${inner.replace(/[^A-Za-z0-9_.-]/g, '_')}__`);
}

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Offset just past the line break ending the line holding `offset` (text.length on the last line). */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl < 0 ? text.length : nl + 1;
}

/** Offset of the line break (or text end) ending the line that starts at `start`. */
export function lineEnd(text: string, start: number): number {
  const nl = text.indexOf('\n', start);
  if (nl < 0) return text.length;
  return nl > 0 && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
}

export function column(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** The line starting at `start`, without its line break. */
export function lineAt(text: string, start: number): string {
  return text.slice(start, lineEnd(text, start));
}

/** Leading spaces of a line; -1 for a blank line. */
export function indentOf(line: string): number {
  const m = /^ */.exec(line)!;
  return m[0].length === line.length ? -1 : m[0].length;
}

export function isCommentLine(line: string): boolean {
  return /^ *#/.test(line);
}

export function spaces(n: number): string {
  return ' '.repeat(n);
}
