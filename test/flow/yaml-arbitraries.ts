import fc from 'fast-check';
import { stringify } from 'yaml';

// Texts for holding the fast readers to js-yaml: YAML documents in many styles, and real flows damaged at random.

const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('a: b', '#x', '- y', "it's", '"q"', '123', 'true', '~', 'null', '0x1F', '-0', '__proto__', 'toString'));
const scalar = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ maxLength: 6, unit: 'binary' }),
  fc.constantFrom('yes', 'No', '0o17', '0x1F', '1_000', '.5', '+.inf', '.NaN', '1e3', '-0', '2024-01-01', '', ' lead', 'trail ', 'a #b', 'x: y', 'multi\nline\n', '{{sub}}', 'é 模块'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, scalar, tie('seq'), tie('map')),
  seq: fc.array(tie('node'), { maxLength: 4 }),
  map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
})).map;
const options = fc.record({
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
  lineWidth: fc.constantFrom(0, 20, 80),
  defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE', 'BLOCK_LITERAL') as fc.Arbitrary<'PLAIN'>,
  defaultKeyType: fc.constantFrom(null, 'PLAIN', 'QUOTE_DOUBLE') as fc.Arbitrary<null>,
  collectionStyle: fc.constantFrom('any', 'block', 'flow') as fc.Arbitrary<'any'>,
});

/** A mapping `root: …` written by the `yaml` package in a random style, with comment lines and CRLF at random. */
export const styledDocument: fc.Arbitrary<string> = fc
  .tuple(value, options, fc.integer({ min: 0, max: 5 }), fc.boolean())
  .map(([doc, opts, commentEvery, crlf]) => {
    let text = stringify({ root: doc }, opts);
    if (commentEvery > 0) {
      text = text
        .split('\n')
        .map((l, i) => (i % commentEvery === 0 && /^ *[-\w"']/.test(l) ? `${/^ */.exec(l)![0]}# note\n${l}` : l))
        .join('\n');
    }
    return crlf ? text.replace(/\n/g, '\r\n') : text;
  });

const pieces = [':', ' ', '-', '#', '"', "'", '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '?', '%', '@', '`', '\\', 'a', '1', '.', '~', '\t', '\r', '\u0085', '\uFFFE', '\uD800', '\u0001', '\uFEFF', '\u00A0', '\u2028', '\n', ': ', ' #', '- ', '"a":', '---', '...', 'null', '0o7', '__proto__: 1', 'name: again'];
const change = fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 6 }), fc.constantFrom(...pieces));

/** One of `bases` with one to three lines changed: a piece inserted, a character cut, a line doubled, moved, re-indented or cut short. */
export function damaged(bases: string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.nat(), fc.array(change, { minLength: 1, maxLength: 3 })).map(([which, changes]) => {
    let text = bases[which % bases.length]!;
    for (const [p, q, kind, piece] of changes) {
      const lines = text.split('\n');
      const li = p % lines.length;
      const line = lines[li]!;
      const at = line.length > 0 ? q % (line.length + 1) : 0;
      if (kind === 0) lines[li] = line.slice(0, at) + piece + line.slice(at);
      else if (kind === 1) lines[li] = line.slice(0, at) + line.slice(at + 1);
      else if (kind === 2) lines.splice(li, 0, line);
      else if (kind === 3) lines[li] = ` ${line}`;
      else if (kind === 4) lines[li] = line.replace(/^ /, '');
      else if (kind === 5) {
        const lj = q % lines.length;
        [lines[li], lines[lj]] = [lines[lj]!, lines[li]!];
      } else lines[li] = line.slice(0, at) + piece;
      text = lines.join('\n');
    }
    return text;
  });
}
