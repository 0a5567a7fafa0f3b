import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { strFromU8, unzipSync } from 'fflate';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { regenerateExport } from '../../src/emulator/archy/regenerate-export.js';
import { startEmulator } from '../../src/emulator/index.js';
import { memoryHost } from '../helpers/cli-host.js';
import { importYaml, startApi, until, type TestApi } from './api.js';
import { smallOrg } from './fixtures.js';

/*
 * Genesys Cloud stores a flow as configuration and writes new YAML on every export (genesys-api.md §15 item 1):
 * the emulator's default export regenerates the YAML from the stored version (src/emulator/archy/regenerate-export.ts).
 */

let api: TestApi;
before(async () => {
  api = await startApi({ jobMs: 10 });
});
beforeEach(() => api.control('POST', '/reset', { seed: smallOrg() }));
after(() => api.close());

/** A hand-written flow: comments, CRLF, a BOM, 4-space indentation, relative references, a menu as start. */
function handWritten(options: { greetFirst?: boolean } = {}): string {
  const greet = options.greetFirst
    ? ['                                - playAudio:', '                                      name: Greet', '                                      audio:', '                                          tts: Hello there']
    : [];
  return '\ufeff' + [
    '# Hand-written: the export must not give this comment back.',
    'inboundCall:',
    '    name: Regen Test Flow   # a comment after a value',
    '    division: Home',
    '    defaultLanguage: en-us',
    '    startUpRef: ./menus/menu[mainMenu]',
    '    initialGreeting:',
    '        tts: Welcome!',
    '    menus:',
    '        - menu:',
    '              refId: mainMenu',
    '              name: Main Menu',
    '              audio:',
    '                  tts: Press 1 for help.',
    '              choices:',
    '                  - menuTask:',
    '                        name: Help',
    '                        refId: helpChoice',
    '                        dtmf: digit_1',
    '                        task:',
    '                            actions:',
    ...greet,
    '                                - decision:',
    '                                      name: Open now',
    '                                      condition:',
    '                                          lit: true',
    '                                      outputs:',
    '                                          yes:',
    '                                              actions:',
    '                                                  - jumpToTask:',
    '                                                        name: To help',
    '                                                        targetTaskRef: ./tasks/task[helpTask]',
    '                                          no:',
    '                                              actions:',
    '                                                  - jumpToMenu:',
    '                                                        name: To goodbye',
    '                                                        targetMenuRef: ../menus/menu[byeMenu]',
    '              defaultChildMenuRef: ./choices/menuTask[helpChoice]',
    '        - menu:',
    '              name: Goodbye Menu',
    '              refId: byeMenu',
    '              audio:',
    '                  tts: Goodbye.',
    '              choices:',
    '                  - menuDisconnect:',
    '                        name: Hang up',
    '                        dtmf: digit_9',
    '    tasks:',
    '        - task:',
    '              name: Help Task',
    '              refId: helpTask',
    '              actions:',
    '                  - updateData:',
    '                        name: Set values',
    '                        statements:',
    '                            - string:',
    '                                  variable: Flow.code',
    '                                  value:',
    '                                      lit: "5"',
    '                            - string:',
    '                                  variable: Flow.answer',
    '                                  value:',
    "                                      lit: 'no'",
    '                  - jumpToMenu:',
    '                        name: Back',
    '                        targetMenuRef: /inboundCall/menus/menu[mainMenu]',
    '                  - jumpToMenu:',
    '                        name: Nowhere',
    '                        targetMenuRef: ./menus/menu[noSuchMenu]',
    '                  - disconnect:',
    '                        name: Bye',
    '',
  ].join('\r\n');
}

async function exportFlows(flows: unknown[], on: TestApi = api): Promise<{ job: any; contentType: string; disposition: string; text: string; bytes: Uint8Array }> {
  const reg = await on.call('POST', '/api/v2/flows/export/jobs', { flows });
  assert.equal(reg.status, 200, reg.text);
  const job = await until(() => on.call('GET', `/api/v2/flows/export/jobs/${reg.body.id}?expand=messages`), (r) => r.body.status !== 'Started');
  if (!job.body.downloadUrl) return { job: job.body, contentType: '', disposition: '', text: '', bytes: new Uint8Array() };
  const res = await fetch(job.body.downloadUrl);
  assert.equal(res.status, 200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  return {
    job: job.body,
    contentType: res.headers.get('content-type') ?? '',
    disposition: res.headers.get('content-disposition') ?? '',
    text: Buffer.from(bytes).toString('utf8'),
    bytes,
  };
}

async function importFlow(yaml: string, on: TestApi = api): Promise<string> {
  const job = await importYaml(on, yaml);
  assert.equal(job.status, 'Success', JSON.stringify(job.messages));
  return job.flow.id as string;
}

const readYaml = (text: string): any => parse(text.replace(/^\ufeff/, ''), { version: '1.2', schema: 'core' });

type Json = Record<string, any>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every map with a refId, in document order. */
function objectsWithRefId(node: unknown, out: Json[] = []): Json[] {
  if (Array.isArray(node)) for (const item of node) objectsWithRefId(item, out);
  else if (isMap(node)) {
    if (typeof node.refId === 'string') out.push(node);
    for (const value of Object.values(node)) objectsWithRefId(value, out);
  }
  return out;
}

/** Every `[key, value]` with a key ending in `Ref`. */
function references(node: unknown, out: [string, string][] = []): [string, string][] {
  if (Array.isArray(node)) for (const item of node) references(item, out);
  else if (isMap(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key.endsWith('Ref') && typeof value === 'string') out.push([key, value]);
      else references(value, out);
    }
  }
  return out;
}

/** Pairs the refIds of two documents of the same shape: original refId -> exported refId. */
function refIdMapping(original: unknown, exported: unknown, map = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(original) && Array.isArray(exported)) original.forEach((item, i) => refIdMapping(item, exported[i], map));
  else if (isMap(original) && isMap(exported)) {
    if (typeof original.refId === 'string' && typeof exported.refId === 'string') map.set(original.refId, exported.refId);
    for (const key of Object.keys(original)) refIdMapping(original[key], exported[key], map);
  }
  return map;
}

/**
 * The document's meaning with refIds and references made comparable: refIds mapped through `map`, a reference to a
 * menu/task/state (relative or absolute) replaced by `<list>:<mapped refId>`, a menu's choice reference by
 * `choice:<type>:<mapped refId>`.
 */
function meaning(node: unknown, map: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((item) => meaning(item, map));
  if (!isMap(node)) return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'refId' && typeof value === 'string') out[key] = map.get(value) ?? value;
    else if (key.endsWith('Ref') && typeof value === 'string') {
      const top = /^(?:(?:\.\.?\/)+|\/inboundCall\/)(menus|tasks|states)\/(?:menu|task|state)\[(.*)\]$/.exec(value);
      const choice = /^\.\/choices\/(\w+)\[(.*)\]$/.exec(value);
      if (top) out[key] = `${top[1]}:${map.get(top[2] as string) ?? `unresolved ${top[2]}`}`;
      else if (choice) out[key] = `choice:${choice[1]}:${map.get(choice[2] as string) ?? `unresolved ${choice[2]}`}`;
      else out[key] = value;
    } else out[key] = meaning(value, map);
  }
  return out;
}

test('regenerated export: refIds <name>_<n>, absolute references to the renamed objects, no comments, LF, 2-space layout, same meaning', async () => {
  const source = handWritten();
  const flowId = await importFlow(source);
  const exported = await exportFlows([{ flow: { id: flowId } }]);
  assert.equal(exported.job.status, 'Success');
  assert.equal(exported.contentType, 'application/x-yaml');
  const text = exported.text;

  // Layout: what an export writes, whatever the import looked like.
  assert.notEqual(text, source);
  assert.ok(!text.startsWith('\ufeff'), 'no BOM');
  assert.ok(!text.includes('\r'), 'LF only');
  assert.doesNotMatch(text, /#/, 'comments dropped');
  assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'), 'one final newline');
  assert.equal(text.split('\n')[1], '  name: Regen Test Flow', '2-space indentation, name first');
  for (const line of text.split('\n')) assert.equal(((/^ */.exec(line)?.[0].length) ?? 0) % 2, 0, `even indentation: ${JSON.stringify(line)}`);
  assert.match(text, /^ +lit: "5"$/m, 'a string "5" stays quoted');
  assert.match(text, /^ +lit: "no"$/m, 'the string no is quoted');
  assert.match(text, /^ *"yes":$/m, 'decision outputs are quoted like Archy exports');
  assert.match(text, /^ *"no":$/m);

  // Tracking ids in document order from 10: Main Menu 10, its choice Help 11, decision 12, jumpToTask 13,
  // jumpToMenu 14, Goodbye Menu 15, its choice 16, Help Task 17, then its actions 18-21.
  const doc = readYaml(text);
  const body = doc.inboundCall;
  const [main, bye] = body.menus.map((m: Json) => m.menu);
  const helpTask = body.tasks[0].task;
  assert.equal(main.refId, 'Main Menu_10');
  assert.equal(main.choices[0].menuTask.refId, 'Help_11');
  assert.equal(bye.refId, 'Goodbye Menu_15');
  assert.equal(helpTask.refId, 'Help Task_17');
  for (const object of objectsWithRefId(doc)) assert.match(object.refId, new RegExp(`^${object.name}_\\d+$`), 'refId is <name>_<trackingId>');
  assert.deepEqual(Object.keys(main).slice(0, 2), ['name', 'refId'], 'name, then refId');

  // References: absolute and naming the renamed objects; a menu's choice reference keeps its relative form.
  assert.equal(body.startUpRef, '/inboundCall/menus/menu[Main Menu_10]');
  assert.match(text, /^ {2}startUpRef: "\/inboundCall\/menus\/menu\[Main Menu_10\]"$/m, 'references double-quoted as in Archy exports');
  const decision = main.choices[0].menuTask.task.actions[0].decision;
  assert.equal(decision.outputs.yes.actions[0].jumpToTask.targetTaskRef, '/inboundCall/tasks/task[Help Task_17]');
  assert.equal(decision.outputs.no.actions[0].jumpToMenu.targetMenuRef, '/inboundCall/menus/menu[Goodbye Menu_15]');
  assert.equal(main.defaultChildMenuRef, './choices/menuTask[Help_11]');
  assert.equal(helpTask.actions[1].jumpToMenu.targetMenuRef, '/inboundCall/menus/menu[Main Menu_10]');
  assert.equal(helpTask.actions[2].jumpToMenu.targetMenuRef, './menus/menu[noSuchMenu]', 'a reference naming nothing is left as it was');
  const refIds = new Set(objectsWithRefId(doc).map((o) => o.refId));
  for (const [key, ref] of references(doc)) {
    if (ref.includes('noSuchMenu')) continue;
    const named = /\[(.*)\]$/.exec(ref)?.[1];
    assert.ok(named !== undefined && refIds.has(named), `${key} ${ref} names an object of the export`);
    if (!ref.startsWith('./choices/')) assert.ok(ref.startsWith('/inboundCall/'), `${key} ${ref} is absolute`);
  }

  // Same meaning: parse both, map the refIds, compare everything.
  const original = readYaml(source);
  const map = refIdMapping(original, doc);
  assert.deepEqual(Object.fromEntries(map), { mainMenu: 'Main Menu_10', helpChoice: 'Help_11', byeMenu: 'Goodbye Menu_15', helpTask: 'Help Task_17' });
  assert.deepEqual(meaning(doc, new Map([...map.values()].map((v) => [v, v]))), meaning(original, map));
  assert.equal(typeof helpTask.actions[0].updateData.statements[0].string.value.lit, 'string');

  // The regenerated YAML imports again (and regenerates to itself).
  const again = await importYaml(api, text);
  assert.equal(again.status, 'Success', JSON.stringify(again.messages));
  assert.equal(again.flow.id, flowId);
  assert.equal((await exportFlows([{ flow: { id: flowId } }])).text, text);
});

test('the export of a version is byte-identical across export jobs', async () => {
  const flowId = await importFlow(handWritten());
  const first = await exportFlows([{ flow: { id: flowId } }]);
  const second = await exportFlows([{ flow: { id: flowId, version: '1.0' } }]);
  const third = await exportFlows([{ flow: { id: flowId } }, { flow: { id: 'call-1' } }]);
  assert.notEqual(first.job.id, second.job.id);
  assert.equal(second.text, first.text);
  const zipped = unzipSync(third.bytes);
  assert.equal(strFromU8(zipped['Regen_Test_Flow_v1-0.yaml'] as Uint8Array), first.text, 'the same bytes inside a zip');
  // Seeded flows too (their stored text was never imported through the API).
  const seededA = await exportFlows([{ flow: { id: 'mail-1' } }]);
  const seededB = await exportFlows([{ flow: { id: 'mail-1' } }]);
  assert.equal(seededA.text, seededB.text);
  assert.match(seededA.text, /refId: Initial State_\d+\n/);
});

test('adding an action before a menu in a new version moves that menu\'s tracking id (and every reference to it)', async () => {
  const flowId = await importFlow(handWritten());
  const v1 = readYaml((await exportFlows([{ flow: { id: flowId } }])).text).inboundCall;
  assert.equal(await importFlow(handWritten({ greetFirst: true })), flowId, 'same name and type: a new version of the same flow');
  const flow = (await api.call('GET', `/api/v2/flows/${flowId}`)).body;
  assert.equal(flow.publishedVersion.id, '2.0');
  const v2 = readYaml((await exportFlows([{ flow: { id: flowId } }])).text).inboundCall;

  assert.equal(v1.menus[0].menu.refId, 'Main Menu_10', 'objects before the new action keep their ids');
  assert.equal(v2.menus[0].menu.refId, 'Main Menu_10');
  assert.equal(v1.menus[1].menu.refId, 'Goodbye Menu_15');
  assert.equal(v2.menus[1].menu.refId, 'Goodbye Menu_16', 'the menu after the new action moved');
  assert.equal(v2.tasks[0].task.refId, 'Help Task_18');
  const decision = v2.menus[0].menu.choices[0].menuTask.task.actions[1].decision;
  assert.equal(decision.outputs.no.actions[0].jumpToMenu.targetMenuRef, '/inboundCall/menus/menu[Goodbye Menu_16]');
  assert.equal(decision.outputs.yes.actions[0].jumpToTask.targetTaskRef, '/inboundCall/tasks/task[Help Task_18]');

  // A published version never changes: version 1.0 still exports with its own ids.
  const old = readYaml((await exportFlows([{ flow: { id: flowId, version: '1.0' } }])).text).inboundCall;
  assert.deepEqual(old, v1);
});

test('fileName is honoured as <fileName>.yaml; a fileName outside [A-Za-z0-9_-] is an Error for that flow only', async () => {
  const single = await exportFlows([{ flow: { id: 'call-1' }, fileName: 'my-flow_1' }]);
  assert.equal(single.contentType, 'application/x-yaml');
  assert.match(single.disposition, /filename="my-flow_1\.yaml"/);

  const two = await exportFlows([{ flow: { id: 'call-1' }, fileName: 'call-1' }, { flow: { id: 'msg-1' }, fileName: 'MSG_1' }]);
  assert.equal(two.contentType, 'application/zip');
  assert.deepEqual(Object.keys(unzipSync(two.bytes)).sort(), ['MSG_1.yaml', 'call-1.yaml']);

  const bad = await exportFlows([
    { flow: { id: 'call-1' }, fileName: 'good_name' },
    { flow: { id: 'msg-1' }, fileName: 'bad name.yaml' },
    { flow: { id: 'mail-1' }, fileName: 'x/../y' },
    { flow: { id: 'call-2' }, fileName: 42 },
  ]);
  assert.equal(bad.job.status, 'Success');
  const errors = bad.job.messages.filter((m: { type: string }) => m.type === 'Error').map((m: { text: string }) => m.text);
  assert.equal(errors.length, 3);
  assert.match(errors.find((t: string) => t.includes('msg-1')) ?? '', /fileName "bad name\.yaml"/);
  assert.match(errors.find((t: string) => t.includes('mail-1')) ?? '', /fileName "x\/\.\.\/y"/);
  assert.match(errors.find((t: string) => t.includes('call-2')) ?? '', /fileName 42/);
  assert.equal(bad.contentType, 'application/x-yaml', 'only one flow was exportable');
  assert.match(bad.disposition, /filename="good_name\.yaml"/);

  const none = await exportFlows([{ flow: { id: 'call-1' }, fileName: 'no.dots' }]);
  assert.equal(none.job.status, 'Failure');
  assert.equal(none.job.downloadUrl, undefined);
  assert.match(none.job.messages[0].text, /call-1.*fileName "no\.dots"/);
});

test('default zip entry names are <Name>_v<version>.yaml with no flow id, de-duplicated', async () => {
  const flowId = await importFlow(handWritten());
  const many = await exportFlows([
    { flow: { id: flowId } },
    { flow: { id: 'call-1' } },
    { flow: { id: 'call-1', version: '1.0' } },
    { flow: { id: 'call-1' } },
    { flow: { id: 'msg-1' } },
    { flow: { id: 'call-4' } },
  ]);
  assert.equal(many.contentType, 'application/zip');
  const names = Object.keys(unzipSync(many.bytes)).sort();
  assert.deepEqual(names, [
    'Billing__Main_v2-0.yaml',
    'Regen_Test_Flow_v1-0.yaml',
    'Sales_Chat_v1-0.yaml',
    'Sales_Line_001_v1-0.yaml',
    'Sales_Line_001_v2-0-2.yaml',
    'Sales_Line_001_v2-0.yaml',
  ]);
  for (const name of names) {
    assert.match(name, /^[A-Za-z0-9_-]+\.yaml$/);
    for (const id of [flowId, 'call-1', 'msg-1', 'call-4']) assert.ok(!name.includes(id), `${name} contains no flow id`);
  }
});

test('several flows requested, only one exportable: the answer is that flow\'s YAML, not a zip', async () => {
  const one = await exportFlows([{ flow: { id: 'ghost-flow' } }, { flow: { id: 'call-1' } }, { flow: { id: 'call-2', version: '9.0' } }]);
  assert.equal(one.job.status, 'Success');
  assert.equal(one.contentType, 'application/x-yaml');
  assert.notDeepEqual([...one.bytes.slice(0, 2)], [0x50, 0x4b], 'not a zip');
  assert.equal(readYaml(one.text).inboundCall.name, 'Sales_Line_001');
  assert.match(one.disposition, /filename="Sales_Line_001_v2-0\.yaml"/);
  const texts = one.job.messages.map((m: { text: string }) => m.text).join('\n');
  assert.match(texts, /ghost-flow/);
  assert.match(texts, /call-2/);
});

test('exportMode verbatim still echoes the stored bytes (BOM, CRLF, comments, relative references)', async () => {
  const verbatim = await startApi({ jobMs: 10, exportMode: 'verbatim' });
  try {
    const source = handWritten();
    const flowId = await importFlow(source, verbatim);
    const exported = await exportFlows([{ flow: { id: flowId } }], verbatim);
    assert.deepEqual(exported.bytes, new Uint8Array(Buffer.from(source, 'utf8')));
  } finally {
    await verbatim.close();
  }
});

test('exportMode is validated (option and --export flag)', async () => {
  await assert.rejects(startEmulator({ exportMode: 'echo' as never }), /exportMode must be one of regenerate, verbatim/);
  const io = memoryHost();
  assert.equal(await main(['emulator', '--port', '0', '--export', 'echo'], io.host), 2);
  assert.equal(io.stdout(), '');
  assert.match(io.stderr(), /--export must be regenerate or verbatim/);
});

test('regenerateExport: deterministic; unparsable text unchanged; ambiguous strings quoted; long strings unfolded; values and types kept', () => {
  const broken = 'inboundCall:\n  name: Broken\n  tasks: [\n';
  assert.equal(regenerateExport(broken), broken);
  const duplicate = 'inboundCall:\n  name: A\n  name: B\n';
  assert.equal(regenerateExport(duplicate), duplicate);

  const words = ['yes', 'No', 'ON', 'off', 'True', 'FALSE', 'null', 'Null', '~', 'y', 'N', '5', '1.0', '0x1F', '1:30', '2001-12-14', '1_000', ''];
  const long = 'word '.repeat(60).trim();
  const source = [
    'inboundCall:',
    '  name: "Quoting"',
    '  values:',
    ...words.map((w) => `    - ${JSON.stringify(w)}`),
    `    - ${long}`,
    '    - "two\\nlines"',
    '    - 7',
    '    - 1.50',
    '    - true',
    '    - 12345678901234567890',
    '    -',
    '    - Hello {{who}}, welcome',
    '',
  ].join('\n');
  const out = regenerateExport(source);
  assert.equal(regenerateExport(source), out, 'same input, same bytes');
  assert.equal(regenerateExport(out), out, 'a regenerated export regenerates to itself');
  const lines = out.split('\n');
  for (const w of words) assert.ok(lines.includes(`    - ${JSON.stringify(w)}`), `${JSON.stringify(w)} comes out double-quoted`);
  assert.ok(lines.includes(`    - ${long}`), 'a long string is one line');
  assert.ok(lines.includes('    - "two\\nlines"'));
  assert.ok(lines.includes('    - 1.50'), 'a number keeps its written form');
  assert.ok(lines.includes('    - 12345678901234567890'), 'a big integer keeps its digits');
  assert.ok(lines.includes('    -'), 'an empty value stays empty');
  const values = readYaml(out).inboundCall.values as unknown[];
  assert.deepEqual(values.slice(0, words.length), words, 'strings stay strings');
  assert.deepEqual(values.slice(words.length), [long, 'two\nlines', 7, 1.5, true, 12345678901234567000, null, 'Hello {{who}}, welcome']);
  for (const version of ['1.1', '1.2'] as const) {
    assert.deepEqual((parse(out, { version }) as any).inboundCall.values.slice(0, words.length), words, `YAML ${version} reads the same strings`);
  }
});
