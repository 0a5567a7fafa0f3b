import { parseDocument, Scalar, visit } from 'yaml';

/**
 * Reads an Archy YAML document the way the import job must: YAML 1.2 core schema (bare `yes`/`no` stay strings).
 * `{{x}}` substitutions are masked before parsing only so that one standing where a value or key belongs can be
 * REPORTED as an unsubstituted placeholder (unmasked, YAML reads it as a flow mapping and the error would be
 * obscure); placeholders inside longer text are ordinary text and come back unchanged.
 */
export interface ParsedArchy {
  /** The document as plain data (placeholders restored), or undefined when it did not parse. */
  value: unknown;
  /** Parse errors, one line each, with line numbers. */
  errors: string[];
  /** Placeholders that stand alone as a plain scalar (i.e. where a value, key or name belongs). */
  barePlaceholders: string[];
}

const PLACEHOLDER = /\{\{[^{}\n]*\}\}/g;
const MASK = /__FLPH(\d+)__/g;

export function parseArchy(text: string): ParsedArchy {
  const originals: string[] = [];
  const masked = text.replace(PLACEHOLDER, (match) => `__FLPH${originals.push(match) - 1}__`);
  const unmask = (s: string): string => s.replace(MASK, (m, i: string) => originals[Number(i)] ?? m);

  const doc = parseDocument(masked, { version: '1.2', schema: 'core', uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return { value: undefined, errors: doc.errors.map((e) => unmask(e.message.split('\n')[0] ?? e.message)), barePlaceholders: [] };
  }
  const barePlaceholders: string[] = [];
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (node.type === Scalar.PLAIN && typeof node.value === 'string' && /^__FLPH\d+__$/.test(node.value)) {
        barePlaceholders.push(unmask(node.value));
      }
    },
  });
  const value = restore(doc.toJS({ maxAliasCount: 100 }), unmask);
  return { value, errors: [], barePlaceholders };
}

function restore(value: unknown, unmask: (s: string) => string): unknown {
  if (typeof value === 'string') return unmask(value);
  if (Array.isArray(value)) return value.map((v) => restore(v, unmask));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[unmask(k)] = restore(v, unmask);
    return out;
  }
  return value;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

