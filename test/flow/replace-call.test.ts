import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareMeaning, findModuleCalls, insertModuleCall, readCallMapping, replaceModuleCall } from '../../src/flow/index.js';

const FLOW = [
  'inboundCall:',
  '    name: Support',
  '    startUpRef: ./tasks/task[start]',
  '    tasks:',
  '        -   task:',
  '                name: Start',
  '                refId: start',
  '                actions:',
  '                    -   playAudio: {name: Hi}   # greeting',
  '                    -   callCommonModule:',
  '                            name: Call Old_Module',
  '                            commonModule:',
  '                                Old_Module:',
  '                                    ver_latestPublished:',
  '                                        inputs:',
  '                                            Common.x:',
  '                                                exp: Call.Ani',
  '                                            Common.gone:',
  '                                                lit: 1',
  '                    # after the call',
  '                    -   disconnect:',
  '                            name: Bye',
  '',
].join('\r\n');

describe('replaceModuleCall', () => {
  it('puts the new call in the same place, laid out like the old one, and changes nothing else', () => {
    const result = replaceModuleCall(FLOW, { from: 'Old_Module', to: 'New_Module', inputs: { 'Common.x': { exp: 'Call.Ani' } } });
    assert.equal(result.status, 'replaced', result.reason);
    const calls = findModuleCalls(result.yaml);
    assert.deepEqual(calls.map((c) => [c.module, c.actionName, c.where]), [['New_Module', 'Call New_Module', 'tasks[start].actions[1]']]);
    assert.ok(result.yaml.includes('\r\n') && !/[^\r]\n/.test(result.yaml), 'CRLF kept');
    assert.ok(result.yaml.includes('# greeting') && result.yaml.includes('# after the call'), 'comments kept');
    assert.ok(result.yaml.includes('                    -   callCommonModule:\r\n                            name: Call New_Module'), 'same layout');
    // Exactly the call changed: replacing back and re-adding the dropped input means the original.
    const back = replaceModuleCall(result.yaml, { from: 'New_Module', to: 'Old_Module', inputs: { 'Common.x': { exp: 'Call.Ani' }, 'Common.gone': { lit: 1 } }, actionName: 'Call Old_Module' });
    assert.equal(compareMeaning(back.yaml, FLOW).same, true, compareMeaning(back.yaml, FLOW).difference);
  });

  it('reads the old call inputs to carry over; refuses a flow without the call or one that already calls the new module', () => {
    assert.deepEqual(readCallMapping(FLOW, 'Old_Module')?.inputs, { 'Common.x': { exp: 'Call.Ani' }, 'Common.gone': { lit: 1 } });
    assert.equal(replaceModuleCall(FLOW, { from: 'Nope', to: 'New_Module' }).status, 'not-present');
    const both = insertModuleCall(FLOW, { module: 'New_Module' });
    assert.equal(both.status, 'inserted');
    assert.equal(replaceModuleCall(both.yaml, { from: 'Old_Module', to: 'New_Module' }).status, 'UNSUPPORTED_SHAPE');
  });

  it('keeps a custom action name; a file without final newline keeps none', () => {
    const custom = FLOW.replace('name: Call Old_Module', 'name: Compliance hook').replace(/\r\n$/, '');
    const result = replaceModuleCall(custom, { from: 'Old_Module', to: 'New_Module' });
    assert.equal(result.status, 'replaced', result.reason);
    assert.equal(findModuleCalls(result.yaml)[0]?.actionName, 'Compliance hook');
    assert.equal(result.yaml.endsWith('\n'), false);
  });
});
