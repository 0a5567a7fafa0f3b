/**
 * Escaping for the report writers. Flow names, reasons, error messages and YAML lines come from the org and are
 * hostile until shown otherwise: `<script>`, quotes, control characters, bidi overrides that reorder what a
 * reviewer reads, markdown that breaks a table or pings people.
 */

/** C0 and C1 controls, DEL, bidi controls, line and paragraph separators (tab and newline handled by callers). */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_WITH_WHITESPACE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** How an unsafe character is shown: `\n`, `\x1b`, `\u202e`. */
export function visibleControl(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `&`, `<`, `>`, `"`, `'` as entities: safe in element text and in double- or single-quoted attributes. */
function entities(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * One-line text for HTML (a name, a reason, an id; also attribute values): entities for the markup characters,
 * every control, newline, tab and bidi control shown visibly (`<span class="ctl">\u202e</span>` in text; as plain
 * `\u202e` in attributes), so nothing in the page is reordered, hidden or split.
 */
export function htmlText(text: string): string {
  return entities(text).replace(UNSAFE_WITH_WHITESPACE, (char) => `<span class="ctl">${visibleControl(char)}</span>`);
}

export function htmlAttr(text: string): string {
  return entities(text.replace(UNSAFE_WITH_WHITESPACE, visibleControl));
}

/** A line of a diff or YAML for a `<pre>`: tabs kept, a CR before the line end dropped, everything else as htmlText. */
export function htmlPreLine(line: string): string {
  return entities(line.replace(/\r$/, '')).replace(UNSAFE, (char) => `<span class="ctl">${visibleControl(char)}</span>`);
}

/** Text inside `<script>` or `<style>` that was not written here never goes there: guard for our own constants. */
export function assertInlineSafe(code: string, tag: 'script' | 'style'): string {
  if (new RegExp(`</${tag}`, 'i').test(code) || /<!--/.test(code)) throw new Error(`inline ${tag} must not contain </${tag} or <!--`);
  return code;
}

/**
 * Text from outside as a markdown code span for a GFM table cell: HTML, emphasis, links, `@mentions` and `#refs`
 * inside a code span are literal; the fence is one backtick longer than the longest run inside; `|` is escaped
 * (GFM splits cells before it reads code spans); newlines, controls and bidi controls are shown visibly.
 * Empty text is an empty cell.
 */
export function mdCode(text: string): string {
  if (text === '') return '';
  const flat = text.replace(UNSAFE_WITH_WHITESPACE, visibleControl).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  // Padded with one space each side, which a code span drops again: content may then start or end with a backtick.
  return `${fence} ${flat} ${fence}`;
}

/**
 * Our own words in a markdown cell (states, versions, numbers): the markdown characters escaped all the same; an
 * underscore inside a word (ROLLED_BACK) is no emphasis in GFM and stays as it is, readable in the source.
 */
export function mdText(text: string): string {
  return text
    .replace(UNSAFE_WITH_WHITESPACE, visibleControl)
    .replace(/[\\`*[\]<>|~#@!&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (char) => (char === '<' ? '&lt;' : char === '>' ? '&gt;' : char === '&' ? '&amp;' : `\\${char}`));
}
