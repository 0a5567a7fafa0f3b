/**
 * The one-line scalars the block reader (block-reader.ts) reads, and the characters it refuses, written to give
 * exactly js-yaml's values. Anything these do not read exactly as js-yaml does throws Decline: the caller then
 * leaves the whole text to js-yaml.
 */

/** Thrown anywhere in the block reader for a text it does not vouch for; caught once, at its entry points. */
export class Decline extends Error {}
export const decline = (): never => {
  throw new Decline();
};

export const SPACE = 32;
export const HASH = 35;
export const COLON = 58;
export const DASH = 45;
export const DQUOTE = 34;
export const SQUOTE = 39;

/**
 * js-yaml rejects a scalar whose source holds a character of its PATTERN_NON_PRINTABLE (C0/C1 controls but TAB LF
 * CR NEL, DEL, U+FFFE/U+FFFF, unpaired surrogates). This reader checks every character of every scalar and key
 * it reads with `suspect` and declines on any of those, and on any surrogate (an emoji too, conservatively).
 * Comments are not read, by js-yaml either. Only `unusual` characters (outside printable ASCII) get the full test.
 */
export const unusual = (c: number): boolean => c < 0x20 || c > 0x7e;
export const suspect = (c: number): boolean =>
  c < 0x20 || (c >= 0x7f && c <= 0x9f && c !== 0x85) || (c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff;

/**
 * Whether the plain scalar t[at, end) (not empty, cut at its comment, trimmed) starts as one this reader reads
 * exactly as js-yaml: not with an indicator; `-` only before a character that is not a space.
 */
export function plainStart(t: string, at: number, end: number): boolean {
  switch (t.charCodeAt(at)) {
    case DASH:
      return end - at > 1 && t.charCodeAt(at + 1) !== SPACE;
    case 63: // ?
    case COLON:
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case HASH:
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case SQUOTE:
    case DQUOTE:
    case 37: // %
    case 64: // @
    case 96: // `
      return false;
    default:
      return true;
  }
}

/** Offset just past the closing quote of the single-quoted scalar at `at` (on this line, before `end`). */
export function singleQuotedEnd(t: string, at: number, end: number): number {
  for (let i = at + 1; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c === SQUOTE) {
      if (i + 1 < end && t.charCodeAt(i + 1) === SQUOTE) i++;
      else return i + 1;
    } else if (unusual(c) && suspect(c)) decline();
  }
  return decline();
}

export function singleQuoted(t: string, at: number, close: number): string {
  const inner = t.slice(at + 1, close - 1);
  return inner.includes("'") ? inner.replaceAll("''", "'") : inner;
}

/** Offset just past the closing quote of the double-quoted scalar at `at` (on this line, before `end`). */
export function doubleQuotedEnd(t: string, at: number, end: number): number {
  for (let i = at + 1; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === DQUOTE) return i + 1;
    else if (unusual(c) && suspect(c)) decline();
  }
  return decline();
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '0': '\x00',
  a: '\x07',
  b: '\x08',
  t: '\x09',
  n: '\x0A',
  v: '\x0B',
  f: '\x0C',
  r: '\x0D',
  e: '\x1B',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xA0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** The value of the double-quoted scalar [at, close) (quotes included), with js-yaml's escapes. */
export function doubleQuoted(t: string, at: number, close: number): string {
  const inner = t.slice(at + 1, close - 1);
  if (!inner.includes('\\')) return inner;
  let out = '';
  let from = 0;
  for (let i = inner.indexOf('\\'); i >= 0; i = inner.indexOf('\\', from)) {
    out += inner.slice(from, i);
    const e = inner[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined && Object.prototype.hasOwnProperty.call(SIMPLE_ESCAPES, e)) {
      out += simple;
      from = i + 2;
      continue;
    }
    const n = Object.prototype.hasOwnProperty.call(HEX_LENGTH, e) ? HEX_LENGTH[e]! : 0;
    const hex = inner.slice(i + 2, i + 2 + n);
    if (n === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== n) decline();
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) decline();
    out += cp <= 0xffff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
    from = i + 2 + n;
  }
  return out + inner.slice(from);
}
