import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import {
  Commented, countLines, isPlainSafe, Quoted, toPlain, toYamlText, type YamlLayout, type YamlMap, type YamlValue,
} from '../../src/emulator/seed/demo-yaml.js';

function parse(text: string): unknown {
  const doc = parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: true });
  assert.deepEqual(doc.errors.map((e) => e.message), []);
  return doc.toJS();
}

/** Lines of a text, not counting the empty piece after a final line end. */
function lineCount(text: string): number {
  const parts = text.split(/\r?\n/);
  return text.endsWith('\n') ? parts.length - 1 : parts.length;
}

const TRICKY = [
  'yes', 'no', 'true', 'False', 'null', '~', '1.5', '-3', '0x1F', '0o7', '.inf', '.NaN', '1e3', '', ' lead', 'trail ',
  'a: b', 'a:', 'a #b', 'a#b', '#x', '- x', '-x', '? q', '*alias', '&anchor', '!tag', '|', '>', '%dir', '@at', '`tick',
  '{{x}}', 'say {{x}}', '[a]', '{a}', 'a,b', '"q"', "'s'", 'tab\there', 'new\nline', 'cr\rlf', 'é', 'Zoë', '日本語',
  '...', '---', '... x', 'x...', '/inboundCall/tasks/task[Start_10]', 'Call.Ani == "tel:+1"', '\u0085nel', '\u2028',
  '\ufeffbom', 'emoji 😀', 'a\\b',
];

const layoutArb: fc.Arbitrary<YamlLayout> = fc.record({
  indent: fc.constantFrom(2, 4),
  flushSequences: fc.boolean(),
  eol: fc.constantFrom('\n' as const, '\r\n' as const),
  finalNewline: fc.boolean(),
  quoteYesNoKeys: fc.boolean(),
});

const stringArb = fc.oneof(fc.constantFrom(...TRICKY), fc.string(), fc.string({ unit: 'grapheme' }));
const keyArb = fc.oneof(fc.constantFrom(...TRICKY.filter((k) => k !== '')), fc.string({ minLength: 1 }))
  .filter((k) => k !== '__proto__');
const commentArb = fc.string().map((s) => s.replace(/[\r\n\u0085\u2028\u2029]/g, ' '));
const scalarArb: fc.Arbitrary<YamlValue> = fc.oneof(
  stringArb,
  fc.integer(),
  fc.boolean(),
  stringArb.map((s) => new Quoted(s, 'double')),
  stringArb.map((s) => new Quoted(s, 'single')),
);

const { tree } = fc.letrec<{ node: YamlValue; map: YamlMap; tree: YamlMap }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    tie('map'),
    fc.array(fc.oneof(tie('node'), fc.tuple(tie('node'), commentArb).map(([v, c]) => new Commented(v, c))), { maxLength: 4 }),
  ),
  map: fc.array(fc.tuple(keyArb, tie('node'), fc.option(commentArb), fc.option(commentArb)), { maxLength: 4 }).map((entries) => {
    const map: YamlMap = {};
    for (const [key, value, before, trailing] of entries) {
      map[key] = before === null && trailing === null ? value : new Commented(value, before ?? undefined, trailing ?? undefined);
    }
    return map;
  }),
  tree: tie('map'),
}));

test('any tree in any layout reads back as the same data, in the counted number of lines', () => {
  fc.assert(
    fc.property(tree, layoutArb, fc.array(commentArb, { maxLength: 2 }), (t, layout, header) => {
      const text = toYamlText(t, layout, header);
      if (Object.keys(t).length === 0) return;
      assert.deepEqual(parse(text), toPlain(t));
      assert.equal(lineCount(text), countLines(t) + header.length);
      if (layout.eol === '\n') assert.ok(!text.includes('\r\n'));
      else assert.equal(text.split('\n').length - 1, text.split('\r\n').length - 1);
    }),
    { numRuns: 400 },
  );
});

test('plain scalars are used only where they read back unchanged', () => {
  for (const s of TRICKY) {
    const text = `k: ${isPlainSafe(s) ? s : '"x"'}\n`;
    if (isPlainSafe(s)) assert.equal((parse(text) as { k: unknown }).k, s, `plain ${JSON.stringify(s)}`);
  }
  for (const s of ['yes', 'no', 'Start', 'Main Menu_10', '/inboundCall/menus/menu[Main Menu_10]', 'Zoë']) assert.ok(isPlainSafe(s), s);
  for (const s of ['true', '12', 'a: b', '#c', '{{x}}', '']) assert.ok(!isPlainSafe(s), s);
});

test('layouts: flush and indented sequences, 4 spaces, quoted yes/no keys, comments', () => {
  const t: YamlMap = {
    top: { actions: [{ decision: { outputs: { yes: { actions: [] }, no: 'x' } } }], ref: new Commented('v', 'before', 'after') },
  };
  const flush = toYamlText(t, { indent: 2, flushSequences: true, eol: '\n', finalNewline: true, quoteYesNoKeys: true });
  assert.match(flush, /^ {2}actions:\n {2}- decision:\n/m);
  assert.match(flush, /"yes": \{\}|"yes":\n/);
  assert.match(flush, /^ {2}# before\n {2}ref: v # after$/m);
  const four = toYamlText(t, { indent: 4, flushSequences: false, eol: '\r\n', finalNewline: false, quoteYesNoKeys: false });
  assert.match(four, /^ {4}actions:\r\n {8}- decision:\r\n/m);
  assert.match(four, /^ +yes:/m);
  assert.ok(!four.endsWith('\n'));
});
