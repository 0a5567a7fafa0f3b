import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parse, parseDocument, stringify } from 'yaml';
import { compareMeaning, flowMeaning, insertModuleCall } from '../../src/flow/index.js';
import { meaningOf } from '../../src/flow/meaning.js';
import { PARSE_OPTIONS } from '../../src/flow/parse-flow.js';
import { maskSubstitutions } from '../../src/flow/text-format.js';
import { damaged, styledDocument } from './yaml-arbitraries.js';

// What a real org does to a flow between import and export (genesys-api.md §15.1), written here independently of
// the emulator's regenerator: every refId renamed `<name>_<n>`, every reference made absolute, keys reordered,
// another indentation, comments and CRLF added. None of it may change the meaning; any real edit must.

const HAND_WRITTEN = [
  '# a hand-written flow, as in the Terraform examples',
  'inboundCall:',
  '  name: Support Line',
  '  startUpRef: ./menus/menu[mainMenu]   # relative',
  '  menus:',
  '    - menu:',
  '        name: Main Menu',
  '        refId: mainMenu',
  '        choices:',
  '          - menuTask:',
  '              name: Agent',
  '              dtmf: digit_1',
  '              task:',
  '                actions:',
  '                  - jumpToTask:',
  '                      name: go',
  '                      targetTaskRef: ./tasks/task[helper]',
  '  tasks:',
  '    - task:',
  '        name: Helper',
  '        refId: helper',
  '        actions:',
  '          - decision:',
  '              name: Open?',
  '              condition:',
  '                exp: "true"',
  '              outputs:',
  '                yes:',
  '                  actions:',
  '                    - transferToAcd: {name: Transfer, targetQueue: {lit: {name: Sales}}}',
  '                "no":',
  '                  actions:',
  '                    - disconnect: {name: Bye}',
  '',
].join('\n');

const EXPORTED = [
  'inboundCall:',
  '  name: "Support Line"',
  '  menus:',
  '  - menu:',
  '      refId: Main Menu_10',
  '      choices:',
  '      - menuTask:',
  '          dtmf: digit_1',
  '          name: Agent',
  '          task:',
  '            actions:',
  '            - jumpToTask:',
  '                targetTaskRef: "/inboundCall/tasks/task[Helper_14]"',
  '                name: go',
  '      name: Main Menu',
  '  startUpRef: "/inboundCall/menus/menu[Main Menu_10]"',
  '  tasks:',
  '  - task:',
  '      name: Helper',
  '      refId: Helper_14',
  '      actions:',
  '      - decision:',
  '          name: Open?',
  '          condition: {exp: "true"}',
  '          outputs:',
  '            "yes":',
  '              actions:',
  '              - transferToAcd:',
  '                  name: Transfer',
  '                  targetQueue:',
  '                    lit:',
  '                      name: Sales',
  '            "no":',
  '              actions:',
  '              - disconnect:',
  '                  name: Bye',
  '',
].join('\r\n');

describe('flow meaning', () => {
  it('a hand-written flow and its regenerated export mean the same', () => {
    assert.deepEqual(compareMeaning(HAND_WRITTEN, EXPORTED), { same: true });
    assert.deepEqual(compareMeaning(`\uFEFF${HAND_WRITTEN}`, EXPORTED), { same: true });
  });

  it('a reference that names another object, a changed value, reordered actions or a new key all differ, with where', () => {
    const otherTarget = EXPORTED.replace('task[Helper_14]', 'task[Nowhere_3]');
    assert.equal(compareMeaning(HAND_WRITTEN, otherTarget).same, false);
    const value = compareMeaning(HAND_WRITTEN, EXPORTED.replace('name: Sales', 'name: Billing'));
    assert.deepEqual(value, { same: false, difference: '/inboundCall/tasks/0/task/actions/0/decision/outputs/yes/actions/0/transferToAcd/targetQueue/lit/name' });
    const swapped = HAND_WRITTEN.replace('                yes:', '                "tmp":').replace('                "no":', '                yes:').replace('                "tmp":', '                "no":');
    assert.equal(compareMeaning(HAND_WRITTEN, swapped).same, false);
    const extra = compareMeaning(HAND_WRITTEN, EXPORTED.replace('          name: Agent', '          name: Agent\r\n          globalDtmf: true'));
    assert.equal(extra.difference, '/inboundCall/menus/0/menu/choices/0/menuTask/globalDtmf');
  });

  it('scalar style does not count (5 and "5", empty value and {}), list order does', () => {
    assert.equal(compareMeaning('a:\n  lit: 5\n  v:\n', 'a:\n  lit: "5"\n  v: {}\n').same, true);
    assert.equal(compareMeaning('a: [x, y]\n', 'a: [y, x]\n').same, false);
  });

  it('an unparseable text means nothing (never the same as anything)', () => {
    assert.equal(flowMeaning('a: [\n').ok, false);
    assert.equal(compareMeaning('a: [\n', 'a: [\n').same, false);
  });

  it('every shared sample means what its export-like rewrite means, and not what a one-value edit means', () => {
    const dir = join(import.meta.dirname, '../../../shared/samples');
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 10);
    for (const file of files) {
      const text = readFileSync(join(dir, file), 'utf8');
      if (text.includes('{{')) continue; // templates: not a flow until substituted
      const rewritten = exportLike(text, 7);
      assert.equal(compareMeaning(text, rewritten).same, true, `${file}: ${compareMeaning(text, rewritten).difference}`);
      const edited = text.replace(/name: ([^\n]+)/, 'name: $1 (edited)');
      assert.equal(compareMeaning(text, edited).same, false, file);
    }
  });

  it('property: any export-like rewrite keeps the meaning; renaming one action does not', () => {
    fc.assert(
      fc.property(flowDoc, fc.integer({ min: 1, max: 1000 }), fc.boolean(), (doc, seed, crlf) => {
        const text = stringify(doc);
        const rewritten = exportLike(text, seed, crlf);
        assert.equal(compareMeaning(text, rewritten).same, true, compareMeaning(text, rewritten).difference);
        const edited = text.replace(/name: Act(\d+)/, 'name: Act$1x');
        if (edited !== text) assert.equal(compareMeaning(text, edited).same, false);
      }),
      { numRuns: 150 },
    );
  });

  it('property: the fast readers give every text the meaning the yaml package reads, and reject only what it rejects', () => {
    // flowMeaning reads with the block reader or js-yaml (issue 15: a tenth of the time and garbage); the yaml
    // package is the reference. A text yaml reads must mean what yaml's value means; a text flowMeaning calls
    // invalid must be invalid to yaml too.
    const dir = join(import.meta.dirname, '../../../shared/samples');
    const samples = readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join(dir, f), 'utf8'));
    const byYaml = (text: string): string | undefined => {
      const doc = parseDocument(maskSubstitutions(text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')), PARSE_OPTIONS);
      return doc.errors.length > 0 ? undefined : meaningOf(doc.toJS({ maxAliasCount: -1 })).text;
    };
    let read = 0;
    let rejected = 0;
    fc.assert(
      fc.property(fc.oneof(styledDocument, damaged([...samples, HAND_WRITTEN, EXPORTED])), (text) => {
        const mine = flowMeaning(text);
        const reference = byYaml(text);
        if (reference !== undefined) {
          read += 1;
          assert.ok(mine.ok, `yaml reads it, flowMeaning does not:\n${text}`);
          assert.equal(mine.text, reference, text);
        } else {
          rejected += 1;
        }
        if (!mine.ok) assert.equal(reference, undefined, text);
      }),
      { numRuns: 400, seed: 1515 },
    );
    assert.ok(read > 200 && rejected > 10, `read ${read}, rejected ${rejected}: the texts did not cover both`);
  });

  it('a call inserted by the engine, then exported the way Genesys would, means the planned YAML', () => {
    const planned = insertModuleCall(HAND_WRITTEN, { module: 'Compliance_Logging', placement: { at: 'start' } });
    assert.equal(planned.status, 'inserted');
    assert.equal(compareMeaning(planned.yaml, exportLike(planned.yaml, 3)).same, true);
    assert.equal(compareMeaning(HAND_WRITTEN, planned.yaml).same, false);
  });
});

// ---- an export-like rewrite, independent of the emulator ----

type Plain = Record<string, unknown>;
const isMap = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

function exportLike(text: string, seed: number, crlf = true): string {
  const doc = parse(text.replace(/^\uFEFF/, ''), { version: '1.2' }) as Plain;
  const topKey = Object.keys(doc)[0] as string;
  const renames = new Map<string, string>();
  let counter = seed;
  const collect = (value: unknown, itemType?: string): void => {
    if (Array.isArray(value)) {
      for (const item of value) {
        const keys = isMap(item) ? Object.keys(item) : [];
        if (keys.length === 1) collect((item as Plain)[keys[0]!], keys[0]);
        else collect(item);
      }
    } else if (isMap(value)) {
      if (itemType && typeof value.refId === 'string') {
        counter += 1;
        renames.set(`${itemType}[${value.refId}]`, `${String(value.name ?? 'x')}_${counter}`);
        value.refId = renames.get(`${itemType}[${value.refId}]`);
      }
      for (const child of Object.values(value)) collect(child);
    }
  };
  collect(doc);
  const rewrite = (value: unknown, key?: string, depth = 0): unknown => {
    if (Array.isArray(value)) return value.map((v) => rewrite(v, undefined, depth + 1));
    if (isMap(value)) {
      const keys = Object.keys(value);
      // keys reversed at every other depth: key order must not count
      const ordered = (depth + seed) % 2 === 0 ? keys.reverse() : keys;
      return Object.fromEntries(ordered.map((k) => [k, rewrite(value[k], k, depth + 1)]));
    }
    if (typeof value === 'string' && key?.endsWith('Ref')) {
      const m = /(?:^|\/)([A-Za-z]+)\[([^\]]*)\]$/.exec(value);
      const renamed = m ? renames.get(`${m[1]}[${m[2]}]`) : undefined;
      if (m && renamed) return `/${topKey}/${m[1]}s/${m[1]}[${renamed}]`;
    }
    return value;
  };
  const out = `# exported\n${stringify(rewrite(doc), { indent: 2 + (seed % 3), indentSeq: seed % 2 === 0, lineWidth: 0 })}`;
  return crlf ? out.replace(/\n/g, '\r\n') : out;
}

const actionName = fc.integer({ min: 0, max: 99 }).map((n) => `Act${n}`);
const leaf = fc.tuple(fc.constantFrom('playAudio', 'transferToAcd', 'disconnect', 'updateData'), actionName).map(([t, n]) => ({ [t]: { name: n } }));
const actions = fc.array(leaf, { minLength: 1, maxLength: 4 });
const flowDoc = fc.oneof(
  fc.tuple(actions, actions, fc.boolean()).map(([start, other, relative]) => ({
    inboundCall: {
      name: 'Generated',
      startUpRef: relative ? './tasks/task[start]' : '/inboundCall/tasks/task[Start_1]',
      tasks: [
        { task: { name: 'Start', refId: relative ? 'start' : 'Start_1', actions: [...start, { jumpToTask: { name: 'j', targetTaskRef: './tasks/task[other]' } }] } },
        { task: { name: 'Other', refId: 'other', actions: other } },
      ],
    },
  })),
  fc.tuple(actions, fc.constantFrom('inboundShortMessage', 'inboundChat', 'inboundEmail')).map(([start, key]) => ({
    [key]: { name: 'States', startUpRef: `./states/state[initial]`, states: [{ state: { name: 'Initial', refId: 'initial', actions: start } }] },
  })),
);
