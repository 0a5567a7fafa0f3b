/**
 * Text from outside (flow names, reasons, server messages, YAML lines of a diff) is printed to a terminal only
 * through `forTerminal`: a name must not be able to move the cursor, rewrite a line with CR, forge a line of a diff
 * or of the progress with a newline, ring the bell, set the window title (OSC), or reorder what the admin reads
 * with a bidi override. Machine outputs (`--json`, reports) keep the real value, safely encoded instead
 * (`jsonForTerminal` for JSON; CSV quoting and XML escaping in the report writers).
 *
 * Escaped, shown visibly: every C0 control (`\n`, `\r`, `\t`, `\x1b`, `\x07`, ...), DEL (`\x7f`), every C1 control
 * (`\x9b`, the one-byte CSI, ...), the bidi controls U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C, and the
 * Unicode line and paragraph separators U+2028, U+2029. Everything else (letters of any script, emoji, symbols)
 * is printed as it is. A backslash is not doubled: the output is for reading, not for parsing back.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every control, escape sequence introducer and bidi control shown visibly: one safe line. */
export function forTerminal(text: string): string {
  return text.replace(UNSAFE, visible);
}

/**
 * A whole output line made safe: like `forTerminal`, except that colour sequences written with `colourMark`
 * instead of ESC (`<mark>[33m`) become real colour sequences (SGR). Only flowlink's own colouring knows the mark (a
 * random string per process, CliIO), so text from outside cannot make one: every ESC in the line, and every
 * colour sequence it brought, is shown escaped. The last line of defence in CliIO: values are escaped where they
 * are printed, this catches what was missed.
 */
export function terminalLine(line: string, colourMark?: string): string {
  if (!colourMark || !line.includes(colourMark)) return forTerminal(line);
  return splitMarked(line, colourMark, forTerminal, (sgr) => `\x1b${sgr}`);
}

/** `text` with the parts between colour marks passed through `other` and each marked SGR through `marked`. */
export function splitMarked(text: string, mark: string, other: (part: string) => string, marked: (sgr: string) => string): string {
  let result = '';
  let last = 0;
  for (const match of text.matchAll(new RegExp(`${escapeRegExp(mark)}(\\[[0-9;]*m)`, 'g'))) {
    result += other(text.slice(last, match.index)) + marked(match[1] as string);
    last = match.index + match[0].length;
  }
  return result + other(text.slice(last));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * JSON text (from JSON.stringify) that is also safe on a terminal, with the same value: JSON.stringify escapes
 * C0 controls but writes DEL, C1 controls and bidi controls raw; here they become `\u` escapes too.
 */
export function jsonForTerminal(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A command-line argument as the user could type it again (single-quoted when it needs quoting), made safe. */
export function shellArg(arg: string): string {
  const quoted = /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
  return forTerminal(quoted);
}
