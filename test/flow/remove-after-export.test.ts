import assert from 'node:assert/strict';
import { it } from 'node:test';
import { compareMeaning, findModuleCalls, insertModuleCall, removeModuleCall } from '../../src/flow/index.js';
import { regenerateExport } from '../../src/emulator/archy/regenerate-export.js';

// After a round trip through the org, the startup task flowlink added in front of a startup menu has a renamed
// refId (`Startup: Call X_21`, not `flowlink_start`): remove must still take the whole task and restart at the menu.
const MENU_START = [
  'inboundCall:',
  '  name: Menu line',
  '  startUpRef: ./menus/menu[mainMenu]',
  '  menus:',
  '    - menu:',
  '        name: Main Menu',
  '        refId: mainMenu',
  '        audio:',
  '          tts: Hello',
  '        choices:',
  '          - menuDisconnect:',
  '              name: Bye',
  '              dtmf: digit_9',
  '',
].join('\n');

it('remove after an export renamed every refId: the added startup task goes with its call, the flow starts at the menu', () => {
  const added = insertModuleCall(MENU_START, { module: 'Compliance_Logging' });
  assert.equal(added.status, 'inserted');
  const exported = regenerateExport(added.yaml);
  assert.doesNotMatch(exported, /flowlink_start/, 'the org renamed the task refId');
  const removed = removeModuleCall(exported, 'Compliance_Logging');
  assert.equal(removed.status, 'removed', removed.reason);
  assert.deepEqual(findModuleCalls(removed.yaml), []);
  assert.doesNotMatch(removed.yaml, /Startup: /, 'the startup task is gone');
  assert.equal(compareMeaning(removed.yaml, MENU_START).same, true, compareMeaning(removed.yaml, MENU_START).difference);
});
