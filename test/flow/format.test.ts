import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { findModuleCalls, insertModuleCall, removeModuleCall } from '../../src/flow/index.js';

const SAMPLES = new URL('../../../shared/samples/', import.meta.url);
const sample = (name: string): string => readFileSync(new URL(name, SAMPLES), 'utf8');
const TASK_FLOW = sample('bp-automated-callback_inboundcall_trigger-proactive-callback.yaml');
const MENU_FLOW = sample('bp-simple-ivr_inboundcall_simple-financial-ivr.yaml');
const STATE_FLOW = sample('bp-email-aws-comprehend_inboundemail_email-comprehend-flow.yaml');

const MOD = 'Compliance Check';
const OPTS = { module: MOD, inputs: { 'Common.ani': { exp: 'Call.Ani' } }, outputs: { 'Common.ok': { var: 'Flow.ok' } } };

/** Inserts and removes; asserts the inverse, the detection and that only added lines differ. */
function check(src: string, placement: { at: 'start' } | { before: string } | { after: string } = { at: 'start' }) {
  const ins = insertModuleCall(src, { ...OPTS, placement });
  assert.equal(ins.status, 'inserted', ins.reason);
  assert.equal(findModuleCalls(ins.yaml).filter((c) => c.module === MOD).length, 1);
  const rem = removeModuleCall(ins.yaml, MOD);
  assert.equal(rem.status, 'removed', rem.reason);
  assert.equal(rem.yaml, src, 'remove inverts insert byte for byte');
  return ins.yaml;
}

const toCrlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');
const indentTimes2 = (s: string): string => s.replace(/^( +)/gm, (m) => m + m);

describe('file format is kept', () => {
  it('CRLF files get CRLF lines, and no bare LF', () => {
    for (const src of [TASK_FLOW, MENU_FLOW, STATE_FLOW].map(toCrlf)) {
      const out = check(src);
      assert.equal(out.replace(/\r\n/g, '').includes('\n'), false);
    }
  });

  it('a real CRLF sample without final newline', () => {
    const src = sample('bp-data-actions-resiliency_inboundcall_cache-example-flow.yaml');
    assert.ok(src.includes('\r\n') && !src.endsWith('\n'));
    const out = check(src, { after: 'Needs update?' });
    assert.ok(!out.endsWith('\n'));
    assert.equal(out.replace(/\r\n/g, '').includes('\n'), false);
  });

  it('mixed line endings are refused with a reason', () => {
    const mixed = toCrlf(TASK_FLOW).replace('\r\n', '\n');
    const r = insertModuleCall(mixed, OPTS);
    assert.equal(r.status, 'MIXED_LINE_ENDINGS');
    assert.match(r.reason ?? '', /mixed line endings/);
    assert.equal(r.yaml, mixed);
  });

  it('a BOM stays first', () => {
    for (const src of [TASK_FLOW, MENU_FLOW]) {
      const out = check('\uFEFF' + src);
      assert.ok(out.startsWith('\uFEFFinboundCall:'));
      assert.equal(out.lastIndexOf('\uFEFF'), 0);
    }
  });

  it('no final newline: still none, also when the call goes last in the file', () => {
    const src = STATE_FLOW.replace(/\n$/, '');
    const lastName = 'Transfer to ACD';
    const out = check(src, { after: lastName });
    assert.ok(!out.endsWith('\n'));
    assert.ok(!check(MENU_FLOW.replace(/\n$/, '')).endsWith('\n'));
    assert.ok(check(MENU_FLOW).endsWith('\n'));
  });

  it('4-space indentation: the new lines use 4-space steps', () => {
    for (const src of [TASK_FLOW, MENU_FLOW].map(indentTimes2)) {
      const out = check(src);
      const added = out.split('\n').filter((l) => !src.includes(l + '\n'));
      for (const line of added) assert.equal((/^ */.exec(line)![0].length) % 4, 0, line);
    }
  });

  it('flush sequences (and 4-space flush) are followed', () => {
    for (const indent of [2, 4]) {
      for (const base of [TASK_FLOW, MENU_FLOW, STATE_FLOW]) {
        const src = stringify(parse(base), { indent, indentSeq: false, lineWidth: 0 });
        const out = check(src);
        // flush: the dash sits in the column of `actions:` (or `startUpTaskActions:`)
        const m = /\n( *)actions:\n( *)- callCommonModule:\n( *)name:[\s\S]*?\n( *)- (?!callCommonModule)\w+:\n( *)\w/.exec(out);
        assert.ok(m, 'call placed under an actions key');
        // yaml's 4-space "flush" puts the dash 2 right of the key; 2-space flush is truly flush
        if (indent === 2) assert.equal(m[2]!.length, m[1]!.length);
        // laid out like the action after it
        assert.equal(m[4]!.length, m[2]!.length);
        assert.equal(m[3]!.length, m[5]!.length);
      }
    }
    // menu start in a flush file: the added tasks list is flush too
    const flushMenu = stringify(parse(MENU_FLOW), { indentSeq: false, lineWidth: 0 });
    assert.match(check(flushMenu), /\n {2}tasks:\n {2}- task:\n {6}name: .*\n {6}refId: flowlink_start\n {6}actions:\n {6}- callCommonModule:\n {10}name:/);
  });

  it('comments stay where they were, attached to their lines', () => {
    let src = TASK_FLOW.replace('inboundCall:\n', '# exported by hand\ninboundCall: # top\n');
    src = src.replace(/\n(\s+)(- \w+:\n\s+name: Put)/, '\n$1# first action explains itself\n$1$2');
    src += '# trailing comment\n';
    const out = check(src);
    assert.match(out, /# first action explains itself\n\s+- \w+:\n\s+name: Put/);
    assert.ok(out.endsWith('# trailing comment\n'));
    const menuWithComments = MENU_FLOW.replace('  menus:\n', '  menus: # the menus\n') + '# end\n';
    check(menuWithComments);
    // an end-of-line comment on startUpRef survives the menu-start rewrite
    const refComment = MENU_FLOW.replace(/(startUpRef: .*)\n/, '$1 # start here\n');
    const out2 = check(refComment);
    assert.match(out2, /startUpRef: "\/inboundCall\/tasks\/task\[flowlink_start\]" # start here\n/);
  });

  it('{{substitutions}} are left as they are', () => {
    const src = sample('bp-dr-fallback-ivr_inboundcall_dr-emergency-ivr.yaml');
    const out = check(src);
    const subs = (s: string): string[] => s.match(/\{\{[^}]*\}\}/g) ?? [];
    assert.deepEqual(subs(out), subs(src));
  });
});

describe('hostile names and expressions', () => {
  const names = [
    'He said "hi"', "it's", 'a: b', 'x #y', '#start', 'Ünïcødé 模块 🚀', '*star', '&amp', '!tag', '%pct', '@at', '`tick',
    '{{module_name}}', 'pre {{x}} post', 'yes', 'No', 'true', 'null', '~', '123', '0x1F', '1e3', '-dash', '? q', ' padded ',
    'tab\there', 'line\nbreak', 'back\\slash', '[list]', '{map}', '>fold', '|lit', 'trail:', 'x\u2028y', '\u0085nel', '',
  ].filter((n) => n.length > 0);

  for (const name of names) {
    it(`module ${JSON.stringify(name)} reads back exactly and round-trips`, () => {
      const ins = insertModuleCall(TASK_FLOW, {
        module: name,
        actionName: name,
        inputs: { [name]: { exp: name }, 'Common.lit': { lit: name } },
        outputs: { [`${name}.out`]: { var: name } },
      });
      assert.equal(ins.status, 'inserted', ins.reason);
      const calls = findModuleCalls(ins.yaml);
      assert.deepEqual(calls.map((c) => [c.module, c.actionName]), [[name, name]]);
      const tree = parse(ins.yaml).inboundCall.tasks[0].task.actions[0].callCommonModule;
      assert.deepEqual(tree.commonModule[name].ver_latestPublished.inputs[name], { exp: name });
      assert.equal(insertModuleCall(ins.yaml, { module: name }).status, 'already-present');
      assert.equal(removeModuleCall(ins.yaml, name).yaml, TASK_FLOW);
    });
  }

  it('a {{…}} in a module name is written escaped, so neither masking nor Terraform substitutes it', () => {
    const ins = insertModuleCall(TASK_FLOW, { module: '{{module_name}}' });
    assert.ok(!ins.yaml.slice(TASK_FLOW.length > 0 ? 0 : 0).match(/callCommonModule:[\s\S]*\{\{module_name\}\}/));
  });
});
