import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archyKeyForType, INBOUND_FLOW_TYPES } from '../../src/genesys/flow-types.js';
import { DEMO_CLIENTS, DEMO_MODULES, DEMO_USERS, generateDemoOrg, streamDemoOrg } from '../../src/emulator/seed/demo.js';
import type { SeedFixture, SeedFlow } from '../../src/emulator/seed/types.js';
import {
  containers, currentText, declaredVariables, firstIndent, hasComment, hasFlushSequence, isMap, lineCount, moduleCalls,
  moduleInterface, parseArchyText, parseRef, texts, valuesOfKey, type Json,
} from './archy-facts.js';

const org = generateDemoOrg();
const modules = org.flows.filter((f) => f.type === 'commonmodule');
const inbound = org.flows.filter((f) => f.type !== 'commonmodule');
const N = inbound.length;
const divisionName = new Map(org.divisions.map((d) => [d.id, d.name]));
const bodyOf = (text: string, flow: SeedFlow): Json => parseArchyText(text)[archyKeyForType(flow.type) as string] as Json;
const currentCalls = (flow: SeedFlow) => moduleCalls(parseArchyText(currentText(flow)));

const within = (count: number, share: number, tolerance: number, what: string): void => {
  assert.ok(Math.abs(count / N - share) <= tolerance, `${what}: ${count} of ${N} is not about ${share * 100}%`);
};

test('the same options give the same org byte for byte; another seed gives another org', () => {
  const again = generateDemoOrg({ flowCount: 360, seed: 1, largeFlowShare: 0.05 });
  assert.equal(JSON.stringify(again), JSON.stringify(org));
  const other = generateDemoOrg({ seed: 2 });
  assert.notEqual(JSON.stringify(other), JSON.stringify(org));
  assert.notDeepEqual(other.flows.map((f) => f.id), org.flows.map((f) => f.id));
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  for (const id of [...org.divisions.map((d) => d.id), ...org.flows.map((f) => f.id)]) assert.match(id, uuid);
  const lockIds = org.flows.flatMap((f) => (f.lockedBy ? [f.lockedBy.id] : []));
  assert.equal(new Set([...org.divisions.map((d) => d.id), ...org.flows.map((f) => f.id)]).size, org.divisions.length + org.flows.length);
  for (const id of lockIds) assert.match(id, uuid);
});

test('360 inbound flows of the four inbound types in five divisions; YAML names, types and divisions match', () => {
  assert.equal(N, 360);
  assert.deepEqual(org.divisions.map((d) => d.name).sort(), ['Billing', 'Collections', 'Home', 'Sales', 'Support']);
  for (const type of INBOUND_FLOW_TYPES) assert.ok(inbound.filter((f) => f.type === type).length >= 30, type);
  const familyType: Record<string, string> = { Line: 'inboundcall', Chat: 'inboundchat', Message: 'inboundshortmessage', Email: 'inboundemail' };
  const keys = new Set<string>();
  for (const flow of inbound) {
    const m = /^([A-Z][a-z]+)_(Line|Chat|Message|Email)_\d{3,}$/.exec(flow.name);
    assert.ok(m, flow.name);
    assert.equal(flow.type, familyType[m[2] as string], flow.name);
    keys.add(`${flow.type}/${flow.name}`);
    assert.ok(divisionName.has(flow.divisionId), flow.name);
    for (const text of texts(flow)) {
      const doc = parseArchyText(text);
      assert.deepEqual(Object.keys(doc), [archyKeyForType(flow.type)], flow.name);
      const body = bodyOf(text, flow);
      assert.equal(body.name, flow.name);
      assert.equal(body.division, divisionName.get(flow.divisionId), flow.name);
    }
  }
  assert.equal(keys.size, N, 'type + name is unique');
  for (const prefix of ['Sales_Line_', 'Support_Chat_', 'Support_Message_', 'Billing_Email_', 'Billing_Line_', 'Collections_']) {
    assert.ok(inbound.some((f) => f.name.startsWith(prefix)), prefix);
  }
  assert.ok(new Set(inbound.map((f) => f.divisionId)).size >= 5);
});

test('references resolve: startUpRef, callTask and jumpToMenu targets exist; refIds are unique', () => {
  let menuStarts = 0;
  let stateStarts = 0;
  for (const flow of inbound) {
    const key = archyKeyForType(flow.type) as string;
    const body = bodyOf(currentText(flow), flow);
    const found = containers(body);
    const start = parseRef(body.startUpRef as string);
    assert.ok(start, `${flow.name} startUpRef ${String(body.startUpRef)}`);
    assert.equal(start.root, key);
    assert.ok(found.has(`${start.kind}:${start.refId}`), `${flow.name} -> ${String(body.startUpRef)}`);
    if (start.kind === 'menu') menuStarts++;
    if (start.kind === 'state') stateStarts++;
    assert.equal(start.kind === 'state', flow.type !== 'inboundcall', flow.name);
    for (const ref of [...valuesOfKey(body, 'targetTaskRef'), ...valuesOfKey(body, 'targetMenuRef')]) {
      const r = parseRef(ref as string);
      assert.ok(r && found.has(`${r.kind}:${r.refId}`), `${flow.name}: ${String(ref)}`);
    }
    const refIds = valuesOfKey(body, 'refId');
    assert.equal(new Set(refIds).size, refIds.length, `${flow.name} refIds unique`);
  }
  assert.ok(menuStarts >= 20, `menu starts ${menuStarts}`);
  assert.equal(stateStarts, inbound.filter((f) => f.type !== 'inboundcall').length);
});

test('common modules: the four named ones with the promised interfaces; Holiday_Check is never published', () => {
  assert.deepEqual(modules.map((m) => m.name).sort(), Object.values(DEMO_MODULES).sort());
  const iface = new Map(modules.map((m) => [m.name, moduleInterface(parseArchyText(currentText(m)))]));
  for (const m of modules) {
    for (const text of texts(m)) assert.equal((parseArchyText(text).commonModule as Json).name, m.name);
  }
  const geh = iface.get(DEMO_MODULES.globalExceptionHandler)!;
  assert.deepEqual([...geh.compatible].sort(), [...INBOUND_FLOW_TYPES].sort());
  assert.ok(geh.inputs.size > 0);
  assert.deepEqual([...geh.inputs.values()].filter(Boolean), [], 'no required input');
  assert.deepEqual([...geh.outputs], [['Common.handled', 'boolean']]);
  const compliance = iface.get(DEMO_MODULES.complianceLogging)!;
  assert.deepEqual([...compliance.compatible].sort(), [...INBOUND_FLOW_TYPES].sort());
  assert.deepEqual([...compliance.inputs].filter(([, req]) => req).map(([n]) => n), ['Common.reason']);
  assert.ok([...compliance.inputs.values()].some((req) => !req), 'an optional input too');
  assert.deepEqual(iface.get(DEMO_MODULES.fraudCheckVoice)!.compatible, ['inboundcall']);
  const holiday = modules.find((m) => m.name === DEMO_MODULES.holidayCheck)!;
  assert.equal(holiday.published?.length ?? 0, 0);
  assert.ok(holiday.draft);
  for (const m of modules.filter((x) => x !== holiday)) assert.ok((m.published?.length ?? 0) >= 1, m.name);
  assert.ok(modules.some((m) => (m.published?.length ?? 0) > 1), 'a module with several versions');
});

/** What the import job checks for each call (design: module published + compatible, required inputs mapped). */
function checkCall(fixture: SeedFixture, flow: SeedFlow, text: string): string[] {
  const problems: string[] = [];
  const doc = parseArchyText(text);
  const declared = declaredVariables(doc);
  for (const call of moduleCalls(doc)) {
    const module = fixture.flows.find((f) => f.type === 'commonmodule' && f.name === call.module);
    if (!module?.published?.length) {
      problems.push(`${flow.name}: ${call.module} missing or unpublished`);
      continue;
    }
    const iface = moduleInterface(parseArchyText(module.published.at(-1) as string));
    if (!iface.compatible.includes(flow.type)) problems.push(`${flow.name}: ${call.module} not compatible`);
    for (const [input, required] of iface.inputs) {
      const v = call.inputs[input];
      if (required && !(isMap(v) && ('lit' in v || 'exp' in v))) problems.push(`${flow.name}: ${input} not mapped`);
    }
    for (const input of Object.keys(call.inputs)) if (!iface.inputs.has(input)) problems.push(`${flow.name}: unknown input ${input}`);
    for (const [output, target] of Object.entries(call.outputs)) {
      const kind = iface.outputs.get(output);
      const variable = isMap(target) ? target.var : undefined;
      if (kind === undefined) problems.push(`${flow.name}: unknown output ${output}`);
      else if (typeof variable !== 'string' || declared.get(variable) !== kind) problems.push(`${flow.name}: ${output} -> ${String(variable)}`);
    }
  }
  return problems;
}

test('every pre-existing module call names a published, compatible module and maps its required inputs', () => {
  const problems = org.flows.flatMap((flow) => texts(flow).flatMap((text) => checkCall(org, flow, text)));
  assert.deepEqual(problems, []);
  const callers = inbound.filter((f) => currentCalls(f).length > 0);
  within(callers.length, 0.1, 0.02, 'flows calling a module');
  const geh = callers.filter((f) => currentCalls(f).some((c) => c.module === DEMO_MODULES.globalExceptionHandler));
  assert.ok(geh.length > callers.length / 2, 'mostly Global_Exception_Handler');
  // "At the start of the startup container": the first action of the task/state startUpRef names.
  const atStart = geh.filter((flow) => {
    const body = bodyOf(currentText(flow), flow);
    const ref = parseRef(body.startUpRef as string)!;
    const start = containers(body).get(`${ref.kind}:${ref.refId}`)!;
    const first = (start.actions as Json[])[0]!;
    return isMap(first.callCommonModule) && Object.keys(first.callCommonModule.commonModule as Json)[0] === DEMO_MODULES.globalExceptionHandler;
  });
  assert.ok(atStart.length >= geh.length * 0.8, `${atStart.length} of ${geh.length} at the start`);
  assert.ok(callers.some((f) => currentCalls(f).some((c) => c.module === DEMO_MODULES.complianceLogging)));
  assert.ok(callers.some((f) => currentCalls(f).some((c) => c.module === DEMO_MODULES.fraudCheckVoice)));
});

test('states: about 5% locked (users and clients), 5% drafts, a few never published, several versions', () => {
  const locked = inbound.filter((f) => f.lockedBy);
  within(locked.length, 0.05, 0.01, 'locked');
  assert.ok(locked.some((f) => f.lockedBy!.kind === 'user') && locked.some((f) => f.lockedBy!.kind === 'client'));
  for (const f of locked) assert.ok((f.lockedBy!.kind === 'user' ? DEMO_USERS : DEMO_CLIENTS).includes(f.lockedBy!.name));
  const lockIdByName = new Map<string, string>();
  for (const f of locked) {
    const seen = lockIdByName.get(f.lockedBy!.name);
    if (seen) assert.equal(f.lockedBy!.id, seen, 'one id per holder');
    lockIdByName.set(f.lockedBy!.name, f.lockedBy!.id);
  }

  const drafts = inbound.filter((f) => f.draft !== undefined && (f.published?.length ?? 0) > 0);
  within(drafts.length, 0.05, 0.01, 'unpublished drafts');
  for (const f of drafts) {
    const published = f.published!.at(-1)!;
    assert.notEqual(f.draft, published);
    const a = published.split('\n');
    const b = f.draft!.split('\n');
    assert.equal(a.length, b.length, `${f.name}: a small change`);
    assert.equal(a.filter((line, i) => line !== b[i]).length, 1, `${f.name}: one line changed`);
  }

  const never = inbound.filter((f) => (f.published?.length ?? 0) === 0);
  assert.ok(never.length >= 3 && never.length <= N * 0.03, `never published: ${never.length}`);
  for (const f of never) assert.ok(f.draft, `${f.name} has a draft`);

  const multi = inbound.filter((f) => (f.published?.length ?? 0) > 1);
  assert.ok(multi.length >= N * 0.05, `several versions: ${multi.length}`);
  for (const f of multi) assert.equal(new Set(f.published).size, f.published!.length, `${f.name}: versions differ`);
});

/** The document without its callCommonModule actions and description (what older versions differ by). */
function withoutCallsAndDescription(node: unknown): unknown {
  if (Array.isArray(node)) return node.filter((x) => !(isMap(x) && 'callCommonModule' in x)).map(withoutCallsAndDescription);
  if (isMap(node)) return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'description').map(([k, v]) => [k, withoutCallsAndDescription(v)]));
  return node;
}

test('older published versions are the latest one before its module calls, with another description', () => {
  const bigger = generateDemoOrg({ flowCount: 600, seed: 11 });
  const multi = bigger.flows.filter((f) => f.type !== 'commonmodule' && (f.published?.length ?? 0) > 1);
  let olderWithoutCalls = 0;
  for (const flow of multi) {
    const latest = parseArchyText(flow.published!.at(-1)!);
    for (const older of flow.published!.slice(0, -1)) {
      const doc = parseArchyText(older);
      assert.deepEqual(withoutCallsAndDescription(doc), withoutCallsAndDescription(latest), flow.name);
      assert.equal(moduleCalls(doc).length, 0, flow.name);
      if (moduleCalls(latest).length > 0) olderWithoutCalls++;
    }
  }
  assert.ok(olderWithoutCalls > 0, 'some calling flows have older versions');
});

test('Sales_Line_001..040: exactly 40 call flows with every promised case', () => {
  const sales = inbound.filter((f) => f.name.startsWith('Sales_Line_'));
  assert.deepEqual(sales.map((f) => f.name), Array.from({ length: 40 }, (_, i) => `Sales_Line_${String(i + 1).padStart(3, '0')}`));
  for (const f of sales) {
    assert.equal(f.type, 'inboundcall');
    assert.equal(divisionName.get(f.divisionId), 'Sales');
  }
  const count = (what: string, pred: (f: SeedFlow) => boolean, min: number): void => {
    const n = sales.filter(pred).length;
    assert.ok(n >= min, `${what}: ${n} < ${min}`);
  };
  count('locked', (f) => f.lockedBy !== undefined, 2);
  count('drafts', (f) => f.draft !== undefined && (f.published?.length ?? 0) > 0, 2);
  count('calling Global_Exception_Handler', (f) => currentCalls(f).some((c) => c.module === DEMO_MODULES.globalExceptionHandler), 3);
  count('never published', (f) => (f.published?.length ?? 0) === 0, 1);
  count('menu start', (f) => String(bodyOf(currentText(f), f).startUpRef).includes('/menus/menu['), 5);
  count('CRLF', (f) => currentText(f).includes('\r\n'), 2);
  count('# comments', (f) => hasComment(currentText(f)), 2);
  count('4-space indentation', (f) => firstIndent(currentText(f)) === 4, 1);
  count('flush sequences', (f) => hasFlushSequence(currentText(f)), 1);
  count('transferToAcd in the startup task', (f) => {
    const body = bodyOf(currentText(f), f);
    const ref = parseRef(body.startUpRef as string)!;
    const start = containers(body).get(`${ref.kind}:${ref.refId}`)!;
    return ref.kind === 'task' && (start.actions as Json[]).some((a) => 'transferToAcd' in a);
  }, 1);
  for (const f of sales) {
    const text = currentText(f);
    if (text.includes('\r\n')) assert.ok(!/[^\r]\n/.test(text), `${f.name}: CRLF throughout`);
  }
});

test('varied shapes: reusable tasks, decisions with yes/no, callData outputs, quoted strings, unicode, variables', () => {
  const all = inbound.map(currentText).join('\n');
  for (const needle of ['- callTask:', '- decision:', '"yes":', '"no":', '- callData:', 'successOutputs:', '- menuTask:',
    '- menuDisconnect:', '- jumpToMenu:', '- stringVariable:', '- booleanVariable:', '- integerVariable:', 'exp: "',
    '\\"', "'", 'settingsInboundEmailHandling:', '- sendResponse:', '- sendAutoReply:', '{{']) {
    assert.ok(all.includes(needle), needle);
  }
  assert.ok(/^ +yes:/m.test(all), 'some hand-written bare yes:');
  assert.ok(/[^\u0000-\u00ff]/.test(all) && /[é]/.test(all), 'unicode text');
  assert.ok(inbound.some((f) => !currentText(f).endsWith('\n')), 'some files without a final newline');
  assert.ok(inbound.some((f) => isMap(bodyOf(currentText(f), f)) && Array.isArray(bodyOf(currentText(f), f).variables)), 'flow-level variables');
  // `{{…}}` only ever inside quoted text, never as a name or a whole value.
  for (const f of inbound) for (const v of valuesOfKey(parseArchyText(currentText(f)), 'name')) assert.ok(!String(v).includes('{{'));
});

test('about largeFlowShare of the flows are over 1,000 lines', () => {
  const large = inbound.filter((f) => lineCount(currentText(f)) > 1000);
  assert.equal(large.length, Math.round(N * 0.05));
  const none = generateDemoOrg({ flowCount: 50, largeFlowShare: 0 });
  assert.ok(none.flows.every((f) => lineCount(currentText(f)) < 1000));
});

test('streamDemoOrg yields exactly the flows of generateDemoOrg, one at a time', () => {
  const options = { flowCount: 120, seed: 3, largeFlowShare: 0.1 };
  const stream = streamDemoOrg(options);
  const whole = generateDemoOrg(options);
  assert.deepEqual(stream.divisions, whole.divisions);
  const iterator = stream.flows[Symbol.iterator]();
  for (const expected of whole.flows) assert.deepEqual(iterator.next().value, expected);
  assert.equal(iterator.next().done, true);
});

test('other sizes and bad options', () => {
  const empty = generateDemoOrg({ flowCount: 0 });
  assert.deepEqual(empty.flows.map((f) => f.type), modules.map(() => 'commonmodule'));
  const small = generateDemoOrg({ flowCount: 25, seed: 7 });
  assert.equal(small.flows.filter((f) => f.type !== 'commonmodule').length, 25);
  assert.deepEqual(small.flows.flatMap((flow) => texts(flow).flatMap((text) => checkCall(small, flow, text))), []);
  assert.throws(() => generateDemoOrg({ flowCount: -1 }), RangeError);
  assert.throws(() => generateDemoOrg({ flowCount: 1.5 }), RangeError);
  assert.throws(() => generateDemoOrg({ largeFlowShare: 2 }), RangeError);
  assert.throws(() => generateDemoOrg({ seed: Number.NaN }), RangeError);
});
