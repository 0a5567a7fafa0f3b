import { FAILSAFE_SCHEMA, Type, type Schema } from 'js-yaml';

/**
 * A js-yaml schema that resolves plain scalars exactly as the `yaml` package's YAML 1.2 core schema does (same
 * patterns, same order, same conversions; see yaml/dist/schema/core), so that the fast path and the `yaml` fallback
 * read every flow to the same values. js-yaml's own CORE_SCHEMA differs in details (`1_000`, `0b1`, `+.inf`, `.5`…)
 * and its DEFAULT_SCHEMA adds timestamps and merge keys, which would turn `2024-01-01` into a Date.
 */

/** `first` is a cheap test of the first character code that lets most words skip the pattern (flows are mostly words). */
const scalar = (tag: string, first: (c: number) => boolean, test: RegExp, construct: (s: string) => unknown): Type =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (s: unknown) => typeof s === 'string' && (s.length === 0 || first(s.charCodeAt(0))) && test.test(s),
    construct,
  });

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const SIGN_PLUS = 43;
const SIGN_MINUS = 45;
const DOT = 46;

// yaml's list is null, bool, int (octal, decimal, hex), float (nan/inf, exponent, plain); the variants of one tag
// are disjoint, and js-yaml keeps one type per tag, so each tag's variants are one type here, in yaml's order.
const INT = /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/;
const FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/;

const TYPES = [
  scalar('null', (c) => c === 126 || c === 110 || c === 78, /^(?:~|[Nn]ull|NULL)?$/, () => null),
  scalar('bool', (c) => c === 116 || c === 84 || c === 102 || c === 70, /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
  scalar('int', (c) => isDigit(c) || c === SIGN_PLUS || c === SIGN_MINUS, INT, (s) => (s.startsWith('0o') ? parseInt(s.substring(2), 8) : s.startsWith('0x') ? parseInt(s.substring(2), 16) : parseInt(s, 10))),
  scalar('float', (c) => isDigit(c) || c === SIGN_PLUS || c === SIGN_MINUS || c === DOT, FLOAT, (s) => {
    if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s)) {
      return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    return parseFloat(s);
  }),
];

export const YAML12_CORE: Schema = FAILSAFE_SCHEMA.extend({ implicit: TYPES });

/** Whether a plain scalar starting with `c` can resolve to anything but a string under YAML12_CORE. */
const mayResolve = (c: number): boolean =>
  isDigit(c) || c === SIGN_PLUS || c === SIGN_MINUS || c === DOT || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70;

/**
 * A plain scalar's value under YAML12_CORE, as js-yaml composes it: the first implicit type (in order) that
 * resolves the text constructs the value, else it stays a string. For block-reader.ts, which must agree with js-yaml.
 */
export function resolvePlainScalar(s: string): unknown {
  if (s.length > 0 && !mayResolve(s.charCodeAt(0))) return s;
  for (const type of TYPES) {
    if (type.resolve(s)) return type.construct(s);
  }
  return s;
}
