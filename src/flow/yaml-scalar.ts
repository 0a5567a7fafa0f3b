/**
 * Renders a string as a YAML scalar that reads back as exactly that string under YAML 1.1 and 1.2 alike (Archy's
 * own tooling has shipped both behaviours, archy-yaml.md §1.3). Plain only for a conservative, boring alphabet;
 * everything else is double-quoted with explicit escapes. Hand-written because `yaml`'s stringifier chooses styles
 * by its own rules (and may fold long lines); the self-check re-parses whatever this produces anyway.
 */

// Letters, digits and the punctuation that Archy names and expressions commonly carry. No `:`, `#`, quotes,
// indicators (`-?:,[]{}#&*!|>'"%@\``) at the start, no leading/trailing space.
const PLAIN = /^[A-Za-z_][A-Za-z0-9_ .()\/+\-,]*$/;
// Words some YAML reader turns into a non-string (1.1 booleans, nulls).
const RESERVED = /^(?:y|n|yes|no|true|false|on|off|null|nan|inf)$/i;

export function yamlString(value: string): string {
  if (PLAIN.test(value) && !value.endsWith(' ') && !RESERVED.test(value)) return value;
  return doubleQuoted(value);
}

export function doubleQuoted(value: string): string {
  // `{` and `}` are escaped only when the text could be mistaken for a `{{substitution}}` by Terraform's raw
  // text replace or by our own masking: the name is meant literally.
  const escapeBraces = value.includes('{{') || value.includes('}}');
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (escapeBraces && (ch === '{' || ch === '}')) out += ch === '{' ? '\\x7B' : '\\x7D';
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029 || cp === 0xfeff) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate cannot be written as UTF-8; escape it so that the text stays valid.
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return out + '"';
}

/** A literal value for `lit:`: strings quoted as above, numbers and booleans as YAML numbers/booleans. */
export function yamlLiteral(value: string | number | boolean): string {
  if (typeof value === 'string') return yamlString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value);
}
