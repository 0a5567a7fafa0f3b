import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { findModuleCalls, insertModuleCall, removeModuleCall, type Placement } from '../../src/flow/index.js';

// A small generator of Archy flows: flow type and start shape, nested actions, then the textual style
// (indent, flush sequences, line ending, BOM, final newline, comment lines) applied to the emitted text.

const hostile = fc.constantFrom('a: b', 'x #y', '"q"', "it's", '*s', '&a', '!t', '%p', '@a', 'yes', 'no', '123', '{{sub}}', 'Ünï 模块', '- d', ' sp ', 'tab\tx');
const name = fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), hostile, fc.constantFrom('Greeting', 'Transfer', 'Check'));
const leafType = fc.constantFrom('playAudio', 'transferToAcd', 'disconnect', 'setParticipantData', 'sendResponse', 'updateData');

type Action = Record<string, Record<string, unknown>>;
const action: fc.Memo<Action> = fc.memo((depth) =>
  depth <= 1
    ? fc.tuple(leafType, name).map(([t, n]) => ({ [t]: { name: n } }))
    : fc.oneof(
        { weight: 3, arbitrary: fc.tuple(leafType, name).map(([t, n]) => ({ [t]: { name: n } })) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(name, fc.array(action(depth - 1), { minLength: 1, maxLength: 3 }), fc.array(action(depth - 1), { minLength: 1, maxLength: 2 }))
            .map(([n, yes, no]) => ({ decision: { name: n, condition: { exp: 'true' }, outputs: { yes: { actions: yes }, no: { actions: no } } } })),
        },
      ),
);
const actions = fc.array(action(3), { minLength: 1, maxLength: 4 });

const flowDoc = fc.oneof(
  fc.tuple(actions, actions).map(([start, other]) => ({
    inboundCall: {
      name: 'Generated',
      startUpRef: '/inboundCall/tasks/task[Start_1]',
      tasks: [{ task: { name: 'Start', refId: 'Start_1', actions: start } }, { task: { name: 'Other', refId: 'Other_2', actions: other } }],
    },
  })),
  fc.tuple(actions, fc.boolean(), fc.boolean()).map(([inline, withTasks, relative]) => ({
    inboundCall: {
      name: 'Menu start',
      startUpRef: relative ? './menus/menu[Main_1]' : '/inboundCall/menus/menu[Main_1]',
      menus: [{ menu: { name: 'Main', refId: 'Main_1', choices: [{ menuTask: { name: 'One', dtmf: 'digit_1', task: { actions: inline } } }] } }],
      ...(withTasks ? { tasks: [{ task: { name: 'T', refId: 'T_1', actions: [{ disconnect: { name: 'Bye' } }] } }] } : {}),
    },
  })),
  fc.tuple(fc.constantFrom('inboundShortMessage', 'inboundChat', 'inboundEmail', 'workflow'), actions).map(([key, start]) => ({
    [key]: { name: 'States', startUpRef: `/${key}/states/state[Initial_1]`, states: [{ state: { name: 'Initial', refId: 'Initial_1', actions: start } }] },
  })),
  actions.map((start) => ({ inqueueCall: { name: 'Queue', startUpTaskActions: start } })),
);

const style = fc.record({
  indent: fc.constantFrom(2, 4),
  indentSeq: fc.boolean(),
  crlf: fc.boolean(),
  bom: fc.boolean(),
  finalNewline: fc.boolean(),
  commentEvery: fc.integer({ min: 0, max: 7 }),
  trailing: fc.constantFrom('', '# end', '      # deep end', '\n# after a blank line'),
  eolComment: fc.boolean(),
});

type Style = typeof style extends fc.Arbitrary<infer T> ? T : never;

function render(doc: unknown, s: Style): string {
  let lines = stringify(doc, { indent: s.indent, indentSeq: s.indentSeq, lineWidth: 0 }).replace(/\n$/, '').split('\n');
  if (s.commentEvery > 0) {
    // whole comment lines at the indentation of the line they precede: harmless anywhere in block YAML
    lines = lines.flatMap((l, i) => (i > 0 && i % s.commentEvery === 0 ? [`${/^ */.exec(l)![0]}# note ${i}: keep me`, l] : [l]));
  }
  // end-of-line comments after key-only lines (`actions: # …`)
  if (s.eolComment) lines = lines.map((l) => (/^ *[\w]+:$/.test(l) ? `${l} # eol` : l));
  if (s.trailing) lines.push(...s.trailing.split('\n'));
  let text = lines.join(s.crlf ? '\r\n' : '\n') + (s.finalNewline ? (s.crlf ? '\r\n' : '\n') : '');
  if (s.bom) text = '\uFEFF' + text;
  return text;
}

const placementFor = (doc: unknown, pick: number, kind: number): Placement => {
  if (kind === 0) return { at: 'start' };
  const found: string[] = [];
  JSON.stringify(doc, (k, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof v.name === 'string' && k !== 'task' && k !== 'state' && k !== 'menu') found.push(v.name, k);
    return v;
  });
  const anchor = found.length ? found[pick % found.length]! : 'nothing';
  return kind === 1 ? { before: anchor } : { after: anchor };
};

describe('properties over generated flows', () => {
  it('insert: self-checked, found, idempotent; remove inverts it byte for byte', () => {
    fc.assert(
      fc.property(flowDoc, style, name, fc.nat(), fc.integer({ min: 0, max: 2 }), (doc, s, module, pick, kind) => {
        const text = render(doc, s);
        const placement = placementFor(doc, pick, kind);
        const ins = insertModuleCall(text, { module, placement, inputs: { 'Common.in': { exp: module } }, outputs: { 'Common.out': { var: 'Flow.x' } } });
        if (ins.status === 'ANCHOR_NOT_FOUND') {
          assert.notEqual(kind, 0, 'start always has an anchor here');
          assert.equal(ins.yaml, text);
          return;
        }
        assert.equal(ins.status, 'inserted', ins.reason);
        assert.equal(ins.yaml.startsWith('\uFEFF'), s.bom);
        assert.equal(ins.yaml.endsWith('\n'), s.finalNewline);
        const calls = findModuleCalls(ins.yaml).filter((c) => c.module === module);
        assert.equal(calls.length, 1);
        assert.equal(insertModuleCall(ins.yaml, { module }).status, 'already-present');
        const rem = removeModuleCall(ins.yaml, module);
        assert.equal(rem.status, 'removed', rem.reason);
        assert.equal(rem.yaml, text);
      }),
      { numRuns: 300, seed: 20260705 },
    );
  });

  it('text outside the inserted lines is unchanged (a pure insertion, but for a menu start\'s startUpRef)', () => {
    fc.assert(
      fc.property(flowDoc, style, name, (doc, s, module) => {
        const text = render(doc, s);
        const ins = insertModuleCall(text, { module });
        assert.equal(ins.status, 'inserted', ins.reason);
        const oldLines = text.split(/\r?\n/);
        const newLines = ins.yaml.split(/\r?\n/);
        // every old line appears, in order, in the new text (a subsequence)
        let j = 0;
        for (const line of newLines) if (j < oldLines.length && (line === oldLines[j] || (line.includes('startUpRef') && oldLines[j]!.includes('startUpRef')))) j++;
        assert.equal(j, oldLines.length);
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});
