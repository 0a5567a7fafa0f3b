import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { applyPatch, createTwoFilesPatch, parsePatch } from 'diff';
import fc from 'fast-check';
import { load } from 'js-yaml';
import { isMap, isPair, isScalar, isSeq, parse, parseDocument, stringify, type Node } from 'yaml';
import { YAML12_CORE } from '../../src/flow/core-schema.js';
import { fastParse } from '../../src/flow/fast-parse.js';
import { callsIn } from '../../src/flow/find-calls.js';
import { flowInfoOf } from '../../src/flow/flow-info.js';
import { findModuleCalls, insertModuleCall, type InsertOptions, type Placement } from '../../src/flow/index.js';
import { insertModuleCallWith } from '../../src/flow/insert-call.js';
import { parseFlow, parseFlowFast, PARSE_OPTIONS } from '../../src/flow/parse-flow.js';
import { removeModuleCallWith } from '../../src/flow/remove-call.js';
import { maskSubstitutions } from '../../src/flow/text-format.js';
import { unifiedDiff } from '../../src/flow/unified-diff.js';

// The fast path (js-yaml locating the nodes, js-yaml re-parse in the self-check) must give exactly what the `yaml`
// path gives: the same located nodes, and the same results from every engine function.

const DIR = new URL('../../../shared/samples/', import.meta.url);
const samples = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(new URL(f, DIR), 'utf8') }));

/**
 * Differences between two located trees: kinds, ranges (start; end for scalars), scalar style and value, flow.
 * A block scalar's end is compared at its last non-space character (yaml counts its final line break in; the
 * engine only ever uses where the content ends).
 */
function treeDiff(text: string, a: unknown, b: unknown, path = '$', out: string[] = []): string[] {
  if (out.length > 3) return out;
  const kind = (n: unknown): string => (isMap(n) ? 'map' : isSeq(n) ? 'seq' : isScalar(n) ? 'scalar' : String(n));
  if (kind(a) !== kind(b)) return [...out, `${path}: ${kind(a)} vs ${kind(b)}`];
  if (!isMap(a) && !isSeq(a) && !isScalar(a)) return out;
  const x = a as Node;
  const y = b as Node;
  if (x.range?.[0] !== y.range?.[0]) out.push(`${path}: starts at ${x.range?.[0]} vs ${y.range?.[0]}`);
  if (isScalar(x) && isScalar(y)) {
    const end = (n: typeof x): number | undefined => {
      let e = n.range?.[1];
      if (e !== undefined && (n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED')) while (e > 0 && /\s/.test(text[e - 1]!)) e--;
      return e;
    };
    if (end(x) !== end(y)) out.push(`${path}: ends at ${end(x)} vs ${end(y)}`);
    if (x.value !== null && x.type !== y.type) out.push(`${path}: style ${x.type} vs ${y.type}`);
    if (!Object.is(x.value, y.value)) out.push(`${path}: value ${String(x.value)} vs ${String(y.value)}`);
    return out;
  }
  const xs = (x as { items: unknown[]; flow?: boolean });
  const ys = (y as { items: unknown[]; flow?: boolean });
  if (!!xs.flow !== !!ys.flow) out.push(`${path}: flow ${xs.flow} vs ${ys.flow}`);
  if (xs.items.length !== ys.items.length) return [...out, `${path}: ${xs.items.length} vs ${ys.items.length} items`];
  xs.items.forEach((item, i) => {
    const other = ys.items[i];
    if (isPair(item) && isPair(other)) {
      treeDiff(text, item.key, other.key, `${path}.key(${i})`, out);
      treeDiff(text, item.value, other.value, `${path}.${String((item.key as { value?: unknown })?.value)}`, out);
    } else treeDiff(text, item, other, `${path}[${i}]`, out);
  });
  return out;
}

function locatedBoth(text: string): { fast: ReturnType<typeof fastParse>; reference: unknown; masked: string } {
  const masked = maskSubstitutions(text.replace(/^\uFEFF/, ''));
  return { fast: fastParse(masked), reference: parseDocument(masked, PARSE_OPTIONS).contents, masked };
}

/** A flow, a module and a placement run through insert, then remove, on each path alone. */
function bothPaths(text: string, options: InsertOptions): void {
  const fast = insertModuleCallWith('fast', text, options);
  const reference = insertModuleCallWith('yaml', text, options);
  assert.ok(fast, 'the fast path handled the flow');
  assert.deepEqual(fast, reference);
  const fastFlow = parseFlowFast(text)!;
  const refParse = parseFlow(text);
  assert.ok(refParse.ok);
  assert.deepEqual(callsIn(fastFlow).map((c) => c.call), callsIn(refParse.flow).map((c) => c.call));
  assert.deepEqual(flowInfoOf(fastFlow), flowInfoOf(refParse.flow));
  if (fast.status !== 'inserted') return;
  const fastRemove = removeModuleCallWith('fast', fast.yaml, options.module);
  assert.ok(fastRemove);
  assert.deepEqual(fastRemove, removeModuleCallWith('yaml', fast.yaml, options.module));
  assert.equal(fastRemove.yaml, text);
}

describe('fast path: located nodes', () => {
  it('locates every node of every sample where the yaml parser does', () => {
    for (const { file, text } of samples) {
      const { fast, reference, masked } = locatedBoth(text);
      assert.ok(fast, `${file}: the fast path declined`);
      assert.deepEqual(treeDiff(masked, fast.root, reference), [], file);
    }
  });

  it('locates nodes of generated YAML in many styles where the yaml parser does (or declines)', () => {
    const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('a: b', '#x', '- y', "it's", '"q"', '123', 'true', '~', 'null'));
    const scalar = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.constantFrom('yes', 'No', '0o17', '0x1F', '1_000', '.5', '+.inf', '.NaN', '1e3', '2024-01-01', '', ' lead', 'trail ', 'a #b', 'x: y', 'multi\nline\n', '{{sub}}'),
      fc.integer(),
      fc.double({ noNaN: true }),
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
    let located = 0;
    fc.assert(
      fc.property(value, options, fc.integer({ min: 0, max: 5 }), (doc, opts, commentEvery) => {
        let text = stringify(doc, opts);
        if (commentEvery > 0) {
          text = text
            .split('\n')
            .map((l, i) => (i % commentEvery === 0 && /^ *[-\w"']/.test(l) ? `${/^ */.exec(l)![0]}# note\n${l}` : l))
            .join('\n');
        }
        const { fast, reference, masked } = locatedBoth(text);
        if (!fast) return;
        located++;
        assert.deepEqual(treeDiff(masked, fast.root, reference), [], text);
        assert.deepEqual(fast.plain, parse(maskSubstitutions(text), PARSE_OPTIONS));
      }),
      { numRuns: 400, seed: 515 },
    );
    assert.ok(located > 300, `the fast path located only ${located} of 400 documents`);
  });

  it('declines what it does not locate (anchors, aliases, tags), and the engine still works through yaml', () => {
    const text = 'inboundCall:\n  name: &n Flow\n  alias: *n\n  tagged: !!str 12\n  startUpTaskActions:\n    - disconnect:\n        name: Bye\n';
    assert.equal(parseFlowFast(text), undefined);
    const r = insertModuleCall(text, { module: 'M' });
    assert.equal(r.status, 'inserted', r.reason);
    assert.equal(findModuleCalls(r.yaml).length, 1);
  });

  it('reads plain scalars as the yaml 1.2 core schema does', () => {
    const plain = fc.oneof(
      fc.stringMatching(/^[-+.0-9a-zA-Z_~]{1,10}$/),
      fc.constantFrom('yes', 'no', 'on', 'off', 'y', 'n', 'True', 'FALSE', 'tRUE', '~', 'Null', '0o7', '0o8', '0x', '0xG', '+1', '-0', '1_0', '0b1', '.5', '5.', '+.inf', '-.Inf', '.NaN', 'nan', '1e5', '1E-2', '12:30', '2001-12-14'),
    );
    fc.assert(
      fc.property(plain, (s) => {
        const text = `k: ${s}\n`;
        let reference: unknown;
        try {
          reference = parse(text, PARSE_OPTIONS);
        } catch {
          return; // not a plain scalar on its own
        }
        assert.deepEqual(load(text, { schema: YAML12_CORE }), reference, s);
      }),
      { numRuns: 500, seed: 12 },
    );
  });
});

describe('fast path: same results as the yaml path', () => {
  it('on every sample, for each placement', () => {
    for (const { text } of samples) {
      const flow = parseFlowFast(text)!;
      const types = [...new Set(callsIn(flow).map((c) => c.action.type))];
      const placements: Placement[] = [{ at: 'start' }, { before: 'playAudio' }, { after: 'transferToAcd' }, { after: 'decision' }];
      for (const placement of placements) bothPaths(text, { module: 'Flowlink Audit', placement, inputs: { 'Common.x': { exp: 'Call.Ani' } } });
      for (const t of types) bothPaths(text, { module: 'Other', placement: { after: t } });
    }
  });

  it('on generated flows with arbitrary extra content', () => {
    const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
    const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })), { maxKeys: 3 });
    const action = fc.tuple(fc.constantFrom('playAudio', 'transferToAcd', 'disconnect', 'callCommonModule'), fc.string({ minLength: 1, maxLength: 10 }), extra).map(
      ([type, name, more]) => ({ [type]: type === 'callCommonModule' ? { name, commonModule: { [name]: { ver_latestPublished: more } } } : { ...more, name } }),
    );
    const actions = fc.array(action, { minLength: 1, maxLength: 5 });
    const flow = fc.oneof(
      fc.tuple(actions, extra).map(([a, more]) => ({
        inboundCall: { name: 'G', ...more, startUpRef: '/inboundCall/tasks/task[S_1]', tasks: [{ task: { name: 'S', refId: 'S_1', actions: a } }] },
      })),
      fc.tuple(actions, fc.boolean()).map(([a, relative]) => ({
        inboundCall: {
          name: 'M',
          startUpRef: relative ? './menus/menu[Main_1]' : '/inboundCall/menus/menu[Main_1]',
          menus: [{ menu: { name: 'Main', refId: 'Main_1', choices: [{ menuTask: { name: 'One', task: { actions: a } } }] } }],
        },
      })),
      actions.map((a) => ({ inqueueCall: { name: 'Q', startUpTaskActions: a } })),
    );
    const style = fc.record({
      indent: fc.constantFrom(2, 4),
      indentSeq: fc.boolean(),
      defaultStringType: fc.constantFrom('PLAIN', 'QUOTE_DOUBLE', 'QUOTE_SINGLE') as fc.Arbitrary<'PLAIN'>,
      crlf: fc.boolean(),
      finalNewline: fc.boolean(),
    });
    fc.assert(
      fc.property(flow, style, fc.constantFrom('Mod', 'a: b', "it's", '{{m}}'), fc.integer({ min: 0, max: 2 }), (doc, s, module, kind) => {
        let text = stringify(doc, { indent: s.indent, indentSeq: s.indentSeq, defaultStringType: s.defaultStringType, lineWidth: 0 });
        if (!s.finalNewline) text = text.replace(/\n$/, '');
        if (s.crlf) text = text.replace(/\n/g, '\r\n');
        const placement: Placement = kind === 0 ? { at: 'start' } : kind === 1 ? { before: 'disconnect' } : { after: 'playAudio' };
        bothPaths(text, { module, placement, outputs: { 'Common.y': { var: 'Flow.y' } } });
      }),
      { numRuns: 300, seed: 99 },
    );
  });
});

describe('fast path: shared parse and direct diff', () => {
  it('find results are copies: changing them does not change the next answer', () => {
    const { text } = samples.find((s) => findModuleCalls(s.text).length > 0)!;
    const expected = structuredClone(findModuleCalls(text));
    const first = findModuleCalls(text);
    first[0]!.path.push('changed');
    first[0]!.module = 'changed';
    assert.deepEqual(findModuleCalls(text), expected);
  });

  it('writes the diff of every edit so that it applies, with the same changed lines as the diff package', () => {
    for (const { text } of samples) {
      for (const placement of [{ at: 'start' }, { after: 'playAudio' }] as Placement[]) {
        const ins = insertModuleCall(text, { module: 'Diff Check', placement });
        if (ins.status !== 'inserted') continue;
        for (const [from, to] of [
          [text, ins.yaml],
          [ins.yaml, text],
        ] as const) {
          const diff = unifiedDiff(from, to, 'f.yaml');
          assert.equal(applyPatch(from, diff), to);
          const lib = createTwoFilesPatch('f.yaml', 'f.yaml', from, to, undefined, undefined, { context: 3 });
          const changed = (d: string) => parsePatch(d)[0]!.hunks.flatMap((h) => h.lines.filter((l) => !l.startsWith(' '))).sort();
          assert.deepEqual(changed(diff), changed(lib));
          assert.equal(diff.split('\n').slice(0, 4).join('\n'), lib.split('\n').slice(0, 4).join('\n'));
        }
      }
    }
  });

  it('matches the diff package exactly where the inserted lines have only one possible place', () => {
    const before = 'a:\n  - x: 1\n  - y: 2\n  - z: 3\n  - w: 4\n  - v: 5\n';
    const after = 'a:\n  - x: 1\n  - y: 2\n  - NEW: 0\n  - z: 3\n  - w: 4\n  - v: 5\n';
    for (const [from, to] of [
      [before, after],
      [after, before],
      [before.replace(/\n/g, '\r\n'), after.replace(/\n/g, '\r\n')],
      ['top: 1\n' + before, 'top: 2\n' + after],
    ] as const) {
      assert.equal(unifiedDiff(from, to, 'f.yaml'), createTwoFilesPatch('f.yaml', 'f.yaml', from, to, undefined, undefined, { context: 3 }));
    }
  });
});
