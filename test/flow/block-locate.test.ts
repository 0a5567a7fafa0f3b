import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isMap, isPair, isScalar, isSeq } from 'yaml';
import { streamDemoOrg } from '../../src/emulator/seed/demo.js';
import { locateBlockYaml, readBlockYaml } from '../../src/flow/block-reader.js';
import { fastParse } from '../../src/flow/fast-parse.js';
import { findModuleCalls, insertModuleCall } from '../../src/flow/index.js';
import { blockReaderDeclines, parseFlow, parseFlowFast, type ParsedFlow } from '../../src/flow/parse-flow.js';
import { getAt, sameTree, selfCheck, takeFromArray, type Adjust } from '../../src/flow/self-check.js';
import { maskSubstitutions } from '../../src/flow/text-format.js';
import { damaged, styledDocument } from './yaml-arbitraries.js';

// The block reader locates the original flow on the fast path (instead of js-yaml and its event rebuild,
// fast-parse.ts): wherever it does not decline, its located tree must be the rebuild's exactly (every node's kind,
// range, style, value and flow flag; every pair) and its value js-yaml's, so that every engine result is the same.

const DIR = new URL('../../../shared/samples/', import.meta.url);
const samples = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => ({ file: f, text: readFileSync(new URL(f, DIR), 'utf8') }));

const kind = (n: unknown): string => (isMap(n) ? 'map' : isSeq(n) ? 'seq' : isScalar(n) ? 'scalar' : isPair(n) ? 'pair' : String(n));

/** The first difference between two located trees, or undefined: every field the nodes carry is compared. */
function nodeDiff(a: unknown, b: unknown, path = '$'): string | undefined {
  if (kind(a) !== kind(b)) return `${path}: ${kind(a)} vs ${kind(b)}`;
  if (isPair(a) && isPair(b)) return nodeDiff(a.key, b.key, `${path}.key`) ?? nodeDiff(a.value, b.value, `${path}.value`);
  if (!isMap(a) && !isSeq(a) && !isScalar(a)) return undefined;
  const x = a as unknown as Record<string, unknown>;
  const y = b as unknown as Record<string, unknown>;
  if (Object.keys(x).sort().join() !== Object.keys(y).sort().join()) return `${path}: fields ${Object.keys(x)} vs ${Object.keys(y)}`;
  if (JSON.stringify(x.range) !== JSON.stringify(y.range)) return `${path}: range ${String(x.range)} vs ${String(y.range)}`;
  if (isScalar(a)) return x.type !== y.type || !Object.is(x.value, y.value) ? `${path}: ${String(x.type)} ${String(x.value)} vs ${String(y.type)} ${String(y.value)}` : undefined;
  if (x.flow !== y.flow) return `${path}: flow ${String(x.flow)} vs ${String(y.flow)}`;
  const xs = x.items as unknown[];
  const ys = y.items as unknown[];
  if (xs.length !== ys.length) return `${path}: ${xs.length} vs ${ys.length} items`;
  for (let i = 0; i < xs.length; i++) {
    const d = nodeDiff(xs[i], ys[i], `${path}[${i}]`);
    if (d) return d;
  }
  return undefined;
}

/** The block reader's located tree of `text`, held to the rebuild's: 'declined', or 'same' (else fails). */
function locatesAsRebuild(text: string): 'declined' | 'same' {
  const mine = locateBlockYaml(text);
  if (!mine) return 'declined';
  const theirs = fastParse(text);
  assert.ok(theirs, `the block reader located a text the js-yaml rebuild does not:\n${text}`);
  assert.equal(nodeDiff(mine.root, theirs.root), undefined, text);
  assert.ok(sameTree(mine.plain, theirs.plain), `the block reader read differently from js-yaml:\n${text}`);
  // Locating changes nothing in what is read: the values-only reading (the self-check's) is the same.
  assert.ok(sameTree(readBlockYaml(text), mine.plain), text);
  return 'same';
}

const body = (text: string): string => maskSubstitutions(text.replace(/^\uFEFF/, ''));

describe('block reader: located tree', () => {
  it('locates every sample, and every sample with a call inserted, as the js-yaml rebuild does', () => {
    for (const { file, text } of samples) {
      assert.equal(locatesAsRebuild(body(text)), 'same', file);
      assert.equal(locatesAsRebuild(body(text).replace(/\r?\n/g, '\r\n')), 'same', `${file} (CRLF)`);
      const ins = insertModuleCall(text, { module: 'Locate Check', outputs: { 'Common.y': { var: 'Flow.y' } } });
      if (ins.status === 'inserted') assert.equal(locatesAsRebuild(body(ins.yaml)), 'same', file);
    }
  });

  it('locates the demo generator\'s flows as the js-yaml rebuild does (none declined)', () => {
    let n = 0;
    for (const flow of streamDemoOrg({ flowCount: 300, largeFlowShare: 0.25 }).flows) {
      for (const text of [flow.draft, ...(flow.published ?? [])]) {
        if (text === undefined) continue;
        assert.equal(locatesAsRebuild(body(text)), 'same', flow.name);
        n++;
      }
    }
    assert.ok(n >= 300);
  });

  it('locates generated documents in many styles as the js-yaml rebuild does, or declines', () => {
    let located = 0;
    fc.assert(
      fc.property(styledDocument, (text) => {
        if (locatesAsRebuild(text) === 'same') located++;
      }),
      { numRuns: 1500, seed: 8080 },
    );
    assert.ok(located > 300, `the block reader located only ${located} of 1500 documents`);
  });

  it('never locates a damaged flow differently from the js-yaml rebuild', () => {
    const bases = samples.map((s) => body(s.text));
    let located = 0;
    fc.assert(
      fc.property(damaged(bases), (text) => {
        if (locatesAsRebuild(text) === 'same') located++;
      }),
      { numRuns: 3000, seed: 4711 },
    );
    assert.ok(located > 100, `the block reader located only ${located} of 3000 damaged flows`);
  });

  it('declines empty sequence entries and keys that are not strings or numbers, as the rebuild does', () => {
    for (const text of ['a:\n  -\n  - x\n', 'a:\n  - # c\n  - x\n', 'true: 1\n', 'null: 1\n', '~: 1\n']) {
      assert.equal(locateBlockYaml(text), undefined, JSON.stringify(text));
      assert.notEqual(readBlockYaml(text), undefined);
    }
  });

  it('is what the engine parses a flow with; a text it declines is read by js-yaml (counted apart)', () => {
    const plain = 'inboundCall:\n  name: Plain\n  startUpTaskActions:\n    - disconnect:\n        name: Bye\n';
    const literal = 'inboundCall:\n  name: Literal\n  description: |\n    two\n    lines\n  startUpTaskActions:\n    - disconnect:\n        name: Bye\n';
    const before = blockReaderDeclines();
    assert.ok(parseFlowFast(plain));
    assert.equal(blockReaderDeclines(), before);
    assert.ok(parseFlowFast(literal)); // a block scalar: the block reader declines, js-yaml's rebuild locates it
    assert.equal(blockReaderDeclines(), before + 1);
  });
});

/** A flow, a correct insertion into it (lines [at, at + count) of the edited text) and the adjust that undoes it. */
interface Edit {
  name: string;
  fast: ParsedFlow;
  reference: ParsedFlow;
  lines: string[];
  at: number;
  count: number;
  eol: string;
  adjust: Adjust;
}

function editOf(name: string, text: string): Edit | undefined {
  const module = 'Safety Net';
  const ins = insertModuleCall(text, { module, inputs: { 'Common.x': { exp: 'Call.Ani' } }, outputs: { 'Common.y': { var: 'Flow.y' } } });
  const fast = parseFlowFast(text);
  const reference = parseFlow(text);
  if (ins.status !== 'inserted' || !fast || !reference.ok) return undefined;
  assert.ok(locateBlockYaml(fast.masked), `${name}: the block reader declined it`);
  const eol = fast.format.eol;
  const before = fast.format.body.split(eol);
  const lines = ins.yaml.replace(/^\uFEFF/, '').split(eol);
  let at = 0;
  while (at < before.length && before[at] === lines[at]) at++;
  const count = lines.length - before.length;
  // Only a pure insertion of whole lines (a menu start also rewrites startUpRef: left out here).
  if (count <= 0 || lines.slice(at + count).join(eol) !== before.slice(at).join(eol)) return undefined;
  const call = findModuleCalls(ins.yaml).find((c) => c.module === module)!;
  const listPath = call.path.slice(0, -1);
  const index = call.path.at(-1) as number;
  const expected = getAt(parseFlowFast(ins.yaml)!.plain(), call.path);
  return { name, fast, reference: reference.flow, lines, at, count, eol, adjust: (after) => takeFromArray(after, listPath, index, expected) };
}

describe('self-check on a flow the block reader located', () => {
  const edits = [
    ...samples.map((s) => editOf(s.file, s.text)),
    ...[...streamDemoOrg({ flowCount: 60, largeFlowShare: 0 }).flows].slice(-50).map((f) => editOf(f.name, (f.draft ?? f.published?.at(-1))!)),
  ].filter((e): e is Edit => e !== undefined);

  it('passes exactly the edits the yaml parser passes: the correct one, and none of many wrong ones', () => {
    assert.ok(edits.length >= 30, `only ${edits.length} flows to edit`);
    const mutation = fc.record({
      which: fc.nat(),
      kind: fc.integer({ min: 0, max: 6 }),
      line: fc.nat(),
      shift: fc.constantFrom(-4, -2, -1, 1, 2, 4),
      char: fc.constantFrom(':', ' ', '#', '-', '"', 'x', '{'),
      pos: fc.nat(),
    });
    let refused = 0;
    fc.assert(
      fc.property(mutation, ({ which, kind, line, shift, char, pos }) => {
        const e = edits[which % edits.length]!;
        const lines = [...e.lines];
        const inserted = lines.slice(e.at, e.at + e.count);
        const i = line % e.count;
        const indent = (l: string): string => (shift > 0 ? ' '.repeat(shift) + l : l.slice(Math.min(-shift, /^ */.exec(l)![0].length)));
        if (kind === 1) lines.splice(e.at, e.count, ...inserted.map(indent)); // the block at the wrong depth
        else if (kind === 2) lines[e.at + i] = indent(lines[e.at + i]!); // one line at the wrong depth
        else if (kind === 3) {
          lines.splice(e.at, e.count); // the block at the wrong place
          lines.splice(Math.max(0, Math.min(lines.length, e.at + shift)), 0, ...inserted);
        } else if (kind === 4) lines.splice(e.at + i, 1); // a line lost
        else if (kind === 5) lines.splice(e.at + i, 0, lines[e.at + i]!); // a line twice
        else if (kind === 6) {
          const l = lines[e.at + i]!;
          const p = pos % (l.length + 1);
          lines[e.at + i] = l.slice(0, p) + char + l.slice(p); // a character too many
        }
        const body = lines.join(e.eol);
        const fast = selfCheck(e.fast, body, e.adjust);
        const reference = selfCheck(e.reference, body, e.adjust);
        assert.equal(fast === undefined, reference === undefined, `${e.name}, mutation ${kind}: fast ${fast}, yaml ${reference}`);
        if (kind === 0) assert.equal(fast, undefined, e.name);
        if (fast !== undefined) refused++;
      }),
      { numRuns: 600, seed: 1515 },
    );
    assert.ok(refused > 300, `only ${refused} of 600 edits refused`);
  });
});
