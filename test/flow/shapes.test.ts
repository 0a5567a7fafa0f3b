import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { findModuleCalls, insertModuleCall, removeModuleCall } from '../../src/flow/index.js';

const MOD = 'Audit Logger';

function roundTrip(src: string, placement: Parameters<typeof insertModuleCall>[1]['placement'] = { at: 'start' }) {
  const ins = insertModuleCall(src, { module: MOD, placement });
  assert.equal(ins.status, 'inserted', ins.reason);
  const calls = findModuleCalls(ins.yaml).filter((c) => c.module === MOD);
  assert.equal(calls.length, 1);
  const rem = removeModuleCall(ins.yaml, MOD);
  assert.equal(rem.status, 'removed', rem.reason);
  assert.equal(rem.yaml, src);
  return { ins, call: calls[0]! };
}

const startupTask = `inboundCall:
  name: Task Flow
  startUpRef: "/inboundCall/tasks/task[Start_10]"
  tasks:
    - task:
        name: Start
        refId: Start_10
        actions:
          - playAudio:
              name: Greeting
              audio:
                tts: Hello
          - callTask:
              name: Shared
              targetTaskRef: "/inboundCall/tasks/task[Shared_20]"
          - transferToAcd:
              name: To queue
              targetQueue:
                lit:
                  name: Support
    - task:
        name: Shared
        refId: Shared_20
        actions:
          - decision:
              name: Open?
              condition:
                exp: true
              outputs:
                "yes":
                  actions:
                    - setParticipantData:
                        name: Mark open
                "no":
                  actions:
                    - disconnect:
                        name: Closed
          - endTask:
              name: Back
`;

describe('flow shapes', () => {
  it('startup task: the call becomes its first action', () => {
    const { ins, call } = roundTrip(startupTask);
    assert.equal(call.where, 'tasks[Start_10].actions[0]');
    assert.deepEqual(call.path, ['inboundCall', 'tasks', 0, 'task', 'actions', 0]);
    assert.equal(call.line, 9);
    assert.equal(call.actionName, `Call ${MOD}`);
    const tree = parse(ins.yaml);
    assert.deepEqual(Object.keys(tree.inboundCall.tasks[0].task.actions[0]), ['callCommonModule']);
    assert.equal(tree.inboundCall.tasks[0].task.actions[1].playAudio.name, 'Greeting');
    assert.match(ins.diff, /^\+ {10}- callCommonModule:$/m);
  });

  it('startup menu without tasks: a new startup task calls the module, then jumps to the menu', () => {
    const src = `inboundCall:
  name: Menu Flow
  startUpRef: ./menus/menu[mainMenu]
  menus:
    - menu:
        name: Main Menu
        refId: mainMenu
        choices:
          - menuDisconnect:
              name: Bye
              dtmf: digit_9
`;
    const { ins, call } = roundTrip(src);
    const flow = parse(ins.yaml).inboundCall;
    assert.equal(flow.startUpRef, './tasks/task[flowlink_start]');
    assert.equal(flow.tasks.length, 1);
    const actions = flow.tasks[0].task.actions;
    assert.equal(Object.keys(actions[0])[0], 'callCommonModule');
    assert.deepEqual(actions[1], { jumpToMenu: { name: 'Go to startup menu', targetMenuRef: '/inboundCall/menus/menu[mainMenu]' } });
    assert.equal(call.where, 'tasks[flowlink_start].actions[0]');
  });

  it('startup menu with tasks: the new task goes first, refId kept unique, quoted absolute ref kept verbatim', () => {
    const src = `inboundCall:
  name: Menu Flow
  startUpRef: "/inboundCall/menus/menu[Main Menu_10]"
  menus:
    - menu:
        name: Main Menu
        refId: Main Menu_10
        choices:
          - menuTask:
              name: Opt 1
              dtmf: digit_1
              task:
                actions:
                  - transferToAcd:
                      name: Queue it
  tasks:
    - task:
        name: Other
        refId: flowlink_start
        actions:
          - disconnect:
              name: Bye
`;
    const { ins } = roundTrip(src);
    const flow = parse(ins.yaml).inboundCall;
    assert.equal(flow.startUpRef, '/inboundCall/tasks/task[flowlink_start_2]');
    assert.equal(flow.tasks.length, 2);
    assert.equal(flow.tasks[0].task.refId, 'flowlink_start_2');
    assert.equal(flow.tasks[0].task.actions[1].jumpToMenu.targetMenuRef, '/inboundCall/menus/menu[Main Menu_10]');
  });

  for (const [key, type] of [['inboundChat', 'chat'], ['inboundShortMessage', 'message'], ['inboundEmail', 'email'], ['workflow', 'workflow']] as const) {
    it(`states in a ${type} flow: first action of the startup state`, () => {
      const src = `${key}:
  name: ${type} flow
  startUpRef: "/${key}/states/state[Initial State_10]"
  states:
    - state:
        name: Other
        refId: Other_5
        actions:
          - disconnect:
              name: Nope
    - state:
        name: Initial State
        refId: Initial State_10
        actions:
          - sendResponse:
              name: Hi
          - disconnect:
              name: Bye
`;
      const { call } = roundTrip(src);
      assert.equal(call.where, 'states[Initial State_10].actions[0]');
      assert.deepEqual(call.path, [key, 'states', 1, 'state', 'actions', 0]);
    });
  }

  it('startUpTaskActions (in-queue call): first action of the start task', () => {
    const src = `inqueueCall:
  name: In-Queue
  startUpTaskActions:
    - holdMusic:
        name: Hold Music
        prompt:
          exp: Flow.HoldPrompt
`;
    const { call } = roundTrip(src);
    assert.equal(call.where, 'startUpTaskActions[0]');
    assert.equal(call.line, 4);
  });

  it('finds calls in menu choices\' inline tasks and nested outputs, with paths and lines', () => {
    const src = `inboundCall:
  name: Finder
  startUpRef: ./menus/menu[m]
  menus:
    - menu:
        name: M
        refId: m
        choices:
          - menuTask:
              name: Opt
              dtmf: digit_1
              task:
                actions:
                  - callCommonModule:
                      name: In menu
                      commonModule:
                        Mod A:
                          ver_latestPublished: {}
  tasks:
    - task:
        name: T
        refId: t
        actions:
          - callData:
              name: Fetch
              outputs:
                success:
                  actions:
                    - decision:
                        name: D
                        outputs:
                          "no":
                            actions:
                              - callCommonModule:
                                  name: Deep
                                  commonModule:
                                    "{{module_name}}":
                                      ver_latestPublished:
                                        inputs:
                                          Common.x:
                                            exp: Call.Ani
`;
    const calls = findModuleCalls(src);
    assert.deepEqual(
      calls.map((c) => [c.module, c.actionName, c.where, c.line]),
      [
        ['Mod A', 'In menu', 'menus[m].choices[0].task.actions[0]', 14],
        ['{{module_name}}', 'Deep', 'tasks[t].actions[0].outputs.success.actions[0].outputs.no.actions[0]', 34],
      ],
    );
    assert.deepEqual(calls[1]!.path, ['inboundCall', 'tasks', 0, 'task', 'actions', 0, 'callData', 'outputs', 'success', 'actions', 0, 'decision', 'outputs', 'no', 'actions', 0]);
    // insert finds the module already there, by exact name
    assert.equal(insertModuleCall(src, { module: 'Mod A' }).status, 'already-present');
    assert.equal(insertModuleCall(src, { module: 'mod a' }).status, 'inserted');
    // the startup menu's inline tasks are on the startup path
    const before = insertModuleCall(src, { module: 'New', placement: { before: 'In menu' } });
    assert.equal(before.status, 'inserted');
    assert.equal(before.where, 'menus[m].choices[0].task.actions[0]');
  });
});

describe('placements', () => {
  it('before an action type: the first match on the startup path', () => {
    const { call } = roundTrip(startupTask, { before: 'transferToAcd' });
    assert.equal(call.where, 'tasks[Start_10].actions[2]');
  });

  it('after an action name, nested in outputs of a callTask target', () => {
    const { ins, call } = roundTrip(startupTask, { after: 'Mark open' });
    assert.equal(call.where, 'tasks[Shared_20].actions[0].outputs.yes.actions[1]');
    const no = parse(ins.yaml).inboundCall.tasks[1].task.actions[0].decision.outputs.yes.actions;
    assert.equal(no.length, 2);
  });

  it('after the last action of a list', () => {
    const { call } = roundTrip(startupTask, { after: 'To queue' });
    assert.equal(call.where, 'tasks[Start_10].actions[3]');
  });

  it('before a nested action type reached through callTask', () => {
    const { call } = roundTrip(startupTask, { before: 'disconnect' });
    assert.equal(call.where, 'tasks[Shared_20].actions[0].outputs.no.actions[0]');
  });

  it('anchor not found: unchanged text and a reason', () => {
    const r = insertModuleCall(startupTask, { module: MOD, placement: { before: 'transferToVoicemail' } });
    assert.equal(r.status, 'ANCHOR_NOT_FOUND');
    assert.equal(r.yaml, startupTask);
    assert.equal(r.diff, '');
    assert.match(r.reason ?? '', /transferToVoicemail/);
  });

  it('jump targets are not on the startup path', () => {
    const src = startupTask.replace('- callTask:', '- jumpToTask:');
    assert.equal(insertModuleCall(src, { module: MOD, placement: { before: 'decision' } }).status, 'ANCHOR_NOT_FOUND');
  });

  it('inputs and outputs are written and read back', () => {
    const r = insertModuleCall(startupTask, {
      module: MOD,
      actionName: 'Log the call',
      inputs: { 'Common.ani': { exp: 'Call.Ani' }, 'Common.level': { lit: 3 }, 'Common.flag': { lit: true }, 'Common.note': { noValue: true } },
      outputs: { 'Common.ok': { var: 'Flow.LogOk' } },
    });
    assert.equal(r.status, 'inserted', r.reason);
    const call = parse(r.yaml).inboundCall.tasks[0].task.actions[0].callCommonModule;
    assert.deepEqual(call, {
      name: 'Log the call',
      commonModule: {
        [MOD]: {
          ver_latestPublished: {
            inputs: { 'Common.ani': { exp: 'Call.Ani' }, 'Common.level': { lit: 3 }, 'Common.flag': { lit: true }, 'Common.note': { noValue: true } },
            outputs: { 'Common.ok': { var: 'Flow.LogOk' } },
          },
        },
      },
    });
    assert.equal(removeModuleCall(r.yaml, MOD).yaml, startupTask);
  });

  it('refuses bad requests and unreadable flows without changing anything', () => {
    assert.equal(insertModuleCall(startupTask, { module: '' }).status, 'INVALID_REQUEST');
    assert.equal(insertModuleCall(startupTask, { module: 'x', inputs: { a: { exp: 'a', lit: 1 } } }).status, 'INVALID_REQUEST');
    assert.equal(insertModuleCall(startupTask, { module: 'x', inputs: { a: { lit: Number.NaN } } }).status, 'INVALID_REQUEST');
    assert.equal(insertModuleCall('a: [1, 2\n', { module: 'x' }).status, 'UNPARSEABLE');
    assert.equal(insertModuleCall('a: 1\nb: 2\n', { module: 'x' }).status, 'UNPARSEABLE');
    const noStart = 'inboundCall:\n  name: x\n  startUpRef: "/inboundCall/tasks/task[gone]"\n';
    assert.equal(insertModuleCall(noStart, { module: 'x' }).status, 'ANCHOR_NOT_FOUND');
    assert.equal(removeModuleCall(startupTask, 'x').status, 'not-present');
    assert.throws(() => findModuleCalls('a: [1'), /YAML error/);
  });

  it('remove of a hand-written call leaves the rest of the list', () => {
    const ins = insertModuleCall(startupTask, { module: MOD, placement: { after: 'Greeting' } });
    const rem = removeModuleCall(ins.yaml, MOD);
    assert.equal(rem.status, 'removed');
    assert.equal(rem.yaml, startupTask);
    assert.match(rem.diff, /^- {10}- callCommonModule:$/m);
  });
});
