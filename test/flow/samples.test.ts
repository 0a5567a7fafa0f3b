import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { findModuleCalls, insertModuleCall, removeModuleCall } from '../../src/flow/index.js';

const DIR = new URL('../../../shared/samples/', import.meta.url);
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const MOD = 'Sample Round Trip';

describe('every real sample round-trips', () => {
  it('has samples to test', () => assert.ok(files.length >= 10));

  for (const file of files) {
    it(file, () => {
      const src = readFileSync(new URL(file, DIR), 'utf8');
      const before = findModuleCalls(src);
      const ins = insertModuleCall(src, {
        module: MOD,
        inputs: { 'Common.conversationId': { exp: 'Call.ConversationId' } },
        outputs: { 'Common.ok': { var: 'Flow.ok' } },
        fileName: file,
      });
      assert.equal(ins.status, 'inserted', ins.reason);
      // common modules and in-queue flows have no startUpRef: the call goes into startUpTaskActions
      if (/^(commonModule|inqueueCall):/m.test(src)) assert.equal(ins.where, 'startUpTaskActions[0]');
      assert.ok(ins.diff.includes(`--- ${file}`));
      const after = findModuleCalls(ins.yaml);
      assert.equal(after.length, before.length + 1);
      assert.equal(insertModuleCall(ins.yaml, { module: MOD }).status, 'already-present');
      const rem = removeModuleCall(ins.yaml, MOD);
      assert.equal(rem.status, 'removed', rem.reason);
      assert.equal(rem.yaml, src);
      // only added lines in the diff (plus, for a menu start, the one startUpRef line replaced)
      const removedLines = ins.diff.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---'));
      assert.ok(removedLines.every((l) => /startUpRef|^-.*[^\n]$/.test(l) && (l.includes('startUpRef') || !src.endsWith('\n'))), removedLines.join('\n'));
    });
  }

  it('the sample that already calls a module is recognised by name', () => {
    const src = readFileSync(new URL('bp-merge-ephemeral-contact_inboundshortmessage_merge-external-contact-calls-module.yaml', DIR), 'utf8');
    const calls = findModuleCalls(src);
    assert.deepEqual(calls.map((c) => [c.module, c.where, c.line]), [['{{common_module_name}}', 'states[Initial State_10].actions[2]', 60]]);
    assert.equal(insertModuleCall(src, { module: '{{common_module_name}}' }).status, 'already-present');
    const rem = removeModuleCall(src, '{{common_module_name}}');
    assert.equal(rem.status, 'removed', rem.reason);
    assert.equal(findModuleCalls(rem.yaml).length, 0);
  });

  it('before/after anchors on the large sample', () => {
    const src = readFileSync(new URL('community-doctorh-cicd_inboundcall_test-flow-harsh-large.yaml', DIR), 'utf8');
    for (const placement of [{ before: 'callTask' }, { after: 'jumpToMenu' }, { before: 'transferToAcd' }]) {
      const ins = insertModuleCall(src, { module: MOD, placement });
      if (ins.status === 'ANCHOR_NOT_FOUND') continue;
      assert.equal(ins.status, 'inserted', ins.reason);
      assert.equal(removeModuleCall(ins.yaml, MOD).yaml, src);
    }
  });
});
