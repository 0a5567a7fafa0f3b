import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createTwoFilesPatch } from 'diff';
import fc from 'fast-check';
import { load } from 'js-yaml';
import { allActions, actionsOfType } from '../../src/flow/action-lists.js';
import { DECLINED, readBlockYaml } from '../../src/flow/block-reader.js';
import { FAST_LOAD_OPTIONS } from '../../src/flow/fast-parse.js';
import { findModuleCalls, insertModuleCall, removeModuleCall } from '../../src/flow/index.js';
import { fastPathFallbacks, parseFlow, parseFlowFast } from '../../src/flow/parse-flow.js';
import { sameTree, selfCheck } from '../../src/flow/self-check.js';
import { maskSubstitutions } from '../../src/flow/text-format.js';
import { unifiedDiff } from '../../src/flow/unified-diff.js';
import { damaged, styledDocument } from './yaml-arbitraries.js';

// The pieces that make the engine fast must not change what it answers: the block reader (the self-check's first
// re-parse of an edited flow) reads exactly what js-yaml reads or declines; the typed action walk finds what the
// full walk finds; the diff reads the edit as the split-lines reading did; the fallback counter counts.

const DIR = new URL('../../../shared/samples/', import.meta.url);
const samples = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(new URL(f, DIR), 'utf8') }));

/** The block reader's value of `text`, checked against js-yaml's: DECLINED, or js-yaml reads the same. */
function agreesWithJsYaml(text: string): 'declined' | 'same' {
  const mine = readBlockYaml(text);
  if (mine === DECLINED) return 'declined';
  let theirs: unknown;
  try {
    theirs = load(text, FAST_LOAD_OPTIONS);
  } catch (e) {
    assert.fail(`the block reader read a text js-yaml rejects (${(e as Error).message.split('\n')[0]}):\n${text}`);
  }
  assert.ok(sameTree(theirs, mine), `the block reader read differently from js-yaml:\n${text}`);
  return 'same';
}

describe('block reader', () => {
  it('reads every sample, and every sample with a call inserted, as js-yaml does', () => {
    for (const { file, text } of samples) {
      const body = maskSubstitutions(text.replace(/^\uFEFF/, ''));
      assert.equal(agreesWithJsYaml(body), 'same', file);
      const ins = insertModuleCall(text, { module: 'Block Reader Check', inputs: { 'Common.x': { exp: 'Call.Ani' } } });
      if (ins.status === 'inserted') assert.equal(agreesWithJsYaml(maskSubstitutions(ins.yaml.replace(/^\uFEFF/, ''))), 'same', file);
    }
  });

  it('reads generated documents in many styles as js-yaml does, or declines', () => {
    let read = 0;
    fc.assert(
      fc.property(styledDocument, (text) => {
        if (agreesWithJsYaml(text) === 'same') read++;
      }),
      { numRuns: 1500, seed: 4242 },
    );
    assert.ok(read > 300, `the block reader read only ${read} of 1500 documents`);
  });

  it('never reads a damaged flow differently from js-yaml (characters, indentation and lines changed at random)', () => {
    const bases = samples.map((s) => maskSubstitutions(s.text.replace(/^\uFEFF/, '')));
    let read = 0;
    fc.assert(
      fc.property(damaged(bases), (text) => {
        if (agreesWithJsYaml(text) === 'same') read++;
      }),
      { numRuns: 3000, seed: 77 },
    );
    assert.ok(read > 100, `the block reader read only ${read} of 3000 damaged flows`);
  });

  it('declines what it does not read, leaving it to js-yaml', () => {
    const declined = [
      'a:\tb\n', // tab
      'a: &x 1\nb: *x\n', // anchor, alias
      'a: !!str 1\n', // tag
      'a: |\n  text\n', // block scalar
      'a: >\n  text\n',
      'a: two\n  lines\n', // multi-line plain scalar
      'a: "two\n  lines"\n', // multi-line quoted scalar
      'a: {b: 1}\n', // non-empty flow collection
      'a: [1]\n',
      '? a\n: b\n', // explicit key
      '%YAML 1.2\n---\na: 1\n', // directive, document marker
      '---\na: 1\n',
      'a: 1\n...\n',
      'a: 1\na: 2\n', // duplicate key
      'a:\n  b: 1\n  b: 1\n',
      '__proto__: 1\n',
      'a: \u0001\n', // non-printable
      'a: \uFFFE\n',
      'a: 1\rb: 2\n', // a lone CR
      'a:\n  - - b\n', // compact nested sequence
      'a: b: c\n', // a mapping where a scalar goes
      'a:\n b: 1\n  c: 2\n', // odd indentation
      '- a\n', // not a mapping at the top
      '  a: 1\n',
      'a: @x\n', // reserved indicators
      'a: `x\n',
      'a: "\\q"\n', // unknown escape
      '',
    ];
    for (const text of declined) assert.equal(readBlockYaml(text), DECLINED, JSON.stringify(text));
  });

  it('reads keys and scalars as the YAML 1.2 core schema does', () => {
    const text = [
      'a: 1',
      'b: -0',
      'c: 0x1F',
      'd: 0o17',
      'e: 1e3',
      'f: .inf',
      'g: -.Inf',
      'h: .nan',
      'i: ~',
      'j: null',
      'k: True',
      'l: yes',
      'm: "1"',
      "n: 'it''s'",
      'o: "\\x41\\u00e9\\U0001F600\\n\\t\\\\\\""',
      'p: a #comment',
      'q: a#b',
      'r: http://x/y',
      's: {}',
      't: []',
      'u:',
      '1: int key',
      'true: bool key',
      '"quoted key": v',
      'list:',
      '- x',
      '- y: 1',
      '  z: 2',
      '-',
      '  - nested',
      '',
    ].join('\n');
    assert.equal(agreesWithJsYaml(text), 'same');
    const value = readBlockYaml(text) as Record<string, unknown>;
    assert.ok(Object.is(value.b, -0));
    assert.ok(Number.isNaN(value.h));
    assert.equal(value.o, 'Aé😀\n\t\\"');
    assert.equal(value['1'], 'int key');
    assert.equal(value.true, 'bool key');
    assert.equal(value['quoted key'], 'v');
    assert.deepEqual(value.list, ['x', { y: 1, z: 2 }, ['nested']]);
    assert.equal(value.u, null);
  });
});

describe('self-check with the block reader', () => {
  const text = 'inboundCall:\n  name: Flow\n  startUpTaskActions:\n    - disconnect:\n        name: Bye\n';
  const flow = parseFlowFast(text)!;
  const noChange = () => undefined;

  it('passes an edit that changes nothing, and refuses one that changes a value (reported as js-yaml reads it)', () => {
    assert.equal(selfCheck(flow, text, noChange), undefined);
    assert.equal(selfCheck(flow, text.replace('Bye', 'Ciao'), noChange), 'the edited document differs from the original by more than the intended change');
  });

  it('refuses an edited text that does not parse, with js-yaml\'s reason (the block reader declines it)', () => {
    const broken = text.replace('  name: Flow\n', '  name: Flow\n  name: Again\n');
    assert.equal(readBlockYaml(broken), DECLINED);
    assert.match(selfCheck(flow, broken, noChange)!, /^the edited text does not parse: duplicated mapping key/);
  });

  it('refuses an edit the block reader does not read (js-yaml reads it, and it differs)', () => {
    const anchored = text.replace('name: Bye', 'name: &n Bye');
    assert.equal(readBlockYaml(anchored), DECLINED);
    assert.equal(selfCheck(flow, anchored, noChange), undefined); // an anchor changes no value
    assert.equal(selfCheck(flow, text.replace('name: Bye', 'name: !!str 12'), noChange), 'the edited document differs from the original by more than the intended change');
  });
});

describe('sameTree', () => {
  it('compares as isDeepStrictEqual does on parsed trees', () => {
    assert.ok(sameTree({ a: [1, 'x', null, { b: true }] }, { a: [1, 'x', null, { b: true }] }));
    assert.ok(sameTree({ a: 1, b: 2 }, { b: 2, a: 1 })); // key order does not count
    assert.ok(sameTree(NaN, NaN));
    assert.ok(!sameTree(0, -0));
    assert.ok(!sameTree({ a: 0 }, { a: -0 }));
    assert.ok(!sameTree({ a: 1 }, { a: 1, b: undefined }));
    assert.ok(!sameTree({ a: 1, b: undefined }, { a: 1, c: undefined }));
    assert.ok(!sameTree([1, 2], { 0: 1, 1: 2 }));
    assert.ok(!sameTree({}, []));
    assert.ok(!sameTree('1', 1));
    assert.ok(!sameTree(null, {}));
    assert.ok(!sameTree({ toString: 1 }, {}));
  });
});

describe('actionsOfType', () => {
  it('finds the actions the full walk finds, same contents, same order', () => {
    for (const { file, text } of samples) {
      for (const parsed of [parseFlowFast(text), parseFlow(text)]) {
        const flow = parsed && 'ok' in parsed ? (parsed.ok ? parsed.flow : undefined) : parsed;
        if (!flow) continue;
        const all = allActions(flow);
        for (const type of new Set([...all.map((a) => a.type), 'none'])) {
          const expected = all.filter((a) => a.type === type);
          const got = actionsOfType(flow, type);
          assert.deepEqual(got, expected, `${file}: ${type}`);
          got.forEach((a, i) => assert.ok(a.item === expected[i]!.item && a.list.seq === expected[i]!.list.seq));
        }
      }
    }
  });
});

describe('unified diff', () => {
  it('reads every edit as reading all the lines did (same text), and applies', () => {
    const line = fc.constantFrom('alpha', 'beta', '', '    - gamma: 1', 'x'.repeat(300), 'delta\r', 'a', 'b');
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 60 }),
        fc.boolean(),
        fc.nat(),
        fc.array(fc.constantFrom('alpha', 'new', '', 'a', 'x'.repeat(300)), { maxLength: 8 }),
        fc.nat(8),
        fc.option(fc.nat()),
        (lines, finalNewline, where, inserted, deleted, replaced) => {
          const a = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '');
          const changed = [...lines];
          const at = lines.length > 0 ? where % (lines.length + 1) : 0;
          changed.splice(at, Math.min(deleted, changed.length - at), ...inserted);
          if (replaced !== null && changed.length > 0) changed[replaced % changed.length] = 'REPLACED';
          const b = changed.join('\n') + (finalNewline && changed.length > 0 ? '\n' : '');
          for (const [x, y] of [
            [a, b],
            [b, a],
          ] as const) {
            const expected = x === y ? '' : (splitDiff(x, y, 'f.yaml') ?? createTwoFilesPatch('f.yaml', 'f.yaml', x, y, undefined, undefined, { context: 3 }));
            assert.equal(unifiedDiff(x, y, 'f.yaml'), expected);
          }
        },
      ),
      { numRuns: 3000, seed: 2718 },
    );
  });
});

describe('fast-path fallbacks', () => {
  it('are counted when the fast path declines a flow, and only then', () => {
    const plain = 'inboundCall:\n  name: Plain\n  startUpTaskActions:\n    - disconnect:\n        name: Bye\n';
    const anchored = 'inboundCall:\n  name: &n Anchored\n  startUpTaskActions:\n    - disconnect:\n        name: Bye\n';
    let before = fastPathFallbacks();
    findModuleCalls(plain);
    const ins = insertModuleCall(plain, { module: 'M' });
    removeModuleCall(ins.yaml, 'M');
    assert.equal(fastPathFallbacks(), before);
    before = fastPathFallbacks();
    findModuleCalls(anchored);
    assert.equal(insertModuleCall(anchored, { module: 'M' }).status, 'inserted');
    assert.equal(fastPathFallbacks(), before + 2);
  });
});

/** The diff as the engine wrote it before (every line of both texts split out): the reference for the one above. */
const CONTEXT = 3;
interface LineEdit {
  at: number;
  removed: number;
  added: string[];
}
function splitDiff(a: string, b: string, name: string): string | undefined {
  const finalNewline = a.endsWith('\n');
  if (finalNewline !== b.endsWith('\n')) return undefined;
  const A = a.split('\n');
  const B = b.split('\n');
  // With a final newline split() yields a last empty string that is not a line.
  const na = finalNewline ? A.length - 1 : A.length;
  const nb = finalNewline ? B.length - 1 : B.length;
  const edits = findEdits(A, na, B, nb)?.filter((e) => e.removed > 0 || e.added.length > 0);
  if (!edits || edits.length === 0) return undefined;

  const hunks: string[] = [];
  let shift = 0; // new-minus-old line numbers before the current hunk
  for (let first = 0; first < edits.length; ) {
    let last = first;
    while (last + 1 < edits.length && edits[last + 1]!.at - (edits[last]!.at + edits[last]!.removed) <= 2 * CONTEXT) last++;
    const from = Math.max(0, edits[first]!.at - CONTEXT);
    const to = Math.min(na, edits[last]!.at + edits[last]!.removed + CONTEXT);
    if (to === na && !finalNewline) return undefined; // the package adds "\ No newline at end of file" markers there
    if (to === from) return undefined;
    const out: string[] = [];
    let line = from;
    let added = 0;
    let removed = 0;
    for (let e = first; e <= last; e++) {
      const edit = edits[e]!;
      for (; line < edit.at; line++) out.push(` ${A[line]}`);
      for (; line < edit.at + edit.removed; line++) out.push(`-${A[line]}`);
      for (const l of edit.added) out.push(`+${l}`);
      added += edit.added.length;
      removed += edit.removed;
    }
    for (; line < to; line++) out.push(` ${A[line]}`);
    const oldCount = to - from;
    hunks.push(`@@ -${from + 1},${oldCount} +${from + 1 + shift},${oldCount - removed + added} @@\n${out.join('\n')}\n`);
    shift += added - removed;
    first = last + 1;
  }
  return `Index: ${name}\n${'='.repeat(67)}\n--- ${name}\n+++ ${name}\n${hunks.join('')}`;
}

/**
 * The changed region between the common leading and trailing lines, read as: a pure insertion or deletion; or one
 * line replaced at its start or end plus a pure insertion or deletion in the rest. Undefined otherwise.
 */
function findEdits(A: string[], na: number, B: string[], nb: number): LineEdit[] | undefined {
  let p = 0;
  while (p < na && p < nb && A[p] === B[p]) p++;
  let s = 0;
  while (s < na - p && s < nb - p && A[na - 1 - s] === B[nb - 1 - s]) s++;
  const ea = na - s; // the changed region is A[p, ea) and B[p, eb)
  const eb = nb - s;
  if (p === ea || p === eb) return [{ at: p, removed: ea - p, added: B.slice(p, eb) }];
  // One line replaced at the start, the rest a pure insertion or deletion.
  const rest = blockIn(A, p + 1, ea, B, p + 1, eb);
  if (rest) return [{ at: p, removed: 1, added: [B[p]!] }, ...rest];
  // A pure insertion or deletion, then one line replaced at the end.
  const before = blockIn(A, p, ea - 1, B, p, eb - 1);
  if (before) return [...before, { at: ea - 1, removed: 1, added: [B[eb - 1]!] }];
  return undefined;
}

/** A[a0, a1) and B[b0, b1) differ by one block of lines inserted or deleted: that edit ([] when equal). */
function blockIn(A: string[], a0: number, a1: number, B: string[], b0: number, b1: number): LineEdit[] | undefined {
  const la = a1 - a0;
  const lb = b1 - b0;
  if (la < 0 || lb < 0) return undefined;
  let p = 0;
  while (p < la && p < lb && A[a0 + p] === B[b0 + p]) p++;
  let s = 0;
  while (s < la - p && s < lb - p && A[a1 - 1 - s] === B[b1 - 1 - s]) s++;
  if (p + s === la && p + s === lb) return [];
  if (p + s === la) return [{ at: a0 + p, removed: 0, added: B.slice(b0 + p, b1 - s) }];
  if (p + s === lb) return [{ at: a0 + p, removed: la - p - s, added: [] }];
  return undefined;
}
