import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError } from '../../src/rollout/errors.js';
import { allowsFlowType, moduleInfoFromFlow } from '../../src/flow/module-info.js';
import { validateCall } from '../../src/flow/validate-call.js';
import { classifyFlow, isCompatibleType, UNKNOWN_TYPES_NOTE } from '../../src/rollout/eligibility.js';
import { collectListRows } from '../../src/rollout/list-flows.js';
import { buildPlan, type PlanRequest } from '../../src/rollout/plan.js';
import type { FlowSelectors } from '../../src/rollout/select.js';
import { callFlowYaml, moduleYaml, smallOrg } from '../emulator/fixtures.js';
import { emulatorHarness, on, type Harness } from '../client/harness.js';

/* list and plan against the real shapes: consumers of any module version, one compatibleFlowTypes rule. */

const seed = () => {
  const org = smallOrg();
  // A module whose compatible flow types are not known (none listed), with one input marked required.
  org.flows.push({ id: 'mod-untyped', type: 'commonmodule', name: 'Untyped', divisionId: 'div-home', published: [moduleYaml('Untyped', [], ['Common.reason'])] });
  return org;
};

let h: Harness;
before(async () => {
  h = await emulatorHarness({ seed: seed() });
});
after(() => h.close());
beforeEach(() => h.reset(seed()));

const selectors = (extra: Partial<FlowSelectors> = {}): FlowSelectors => ({
  types: ['inboundcall', 'inboundchat', 'inboundemail', 'inboundshortmessage'],
  nameGlobs: [], divisions: [], include: [], exclude: [], calls: [], notCalls: [],
  ...extra,
});

test('one rule: absent or empty compatibleFlowTypes allow every type, in eligibility, call validation and the rule itself', () => {
  for (const module of [{ id: 'm', name: 'M' }, { id: 'm', name: 'M', compatibleFlowTypes: [] }]) {
    assert.equal(allowsFlowType(module, 'inboundemail'), true);
    assert.equal(isCompatibleType('INBOUNDEMAIL', module), true);
    const classified = classifyFlow({ flow: { id: 'f', name: 'F', type: 'INBOUNDEMAIL', publishedVersion: { id: '1.0' } }, module });
    assert.deepEqual([classified.state, classified.detail], ['ELIGIBLE', UNKNOWN_TYPES_NOTE]);
  }
  assert.equal(allowsFlowType({ compatibleFlowTypes: ['INBOUNDCALL'] }, 'inboundcall'), true);
  assert.equal(allowsFlowType({ compatibleFlowTypes: ['inboundcall'] }, 'inboundemail'), false);
  const known = classifyFlow({ flow: { id: 'f', name: 'F', type: 'INBOUNDCALL', publishedVersion: { id: '1.0' } }, module: { id: 'm', name: 'M', compatibleFlowTypes: ['inboundcall'] } });
  assert.deepEqual([known.state, known.detail], ['ELIGIBLE', undefined], 'no note when the types are known');

  const flow = { type: 'inboundemail' as const, archyKey: 'inboundEmail', name: 'F', variables: [] };
  const absent = moduleInfoFromFlow({ name: 'M' });
  assert.deepEqual(validateCall(flow, absent, {}).problems, []);
  const listed = moduleInfoFromFlow({ name: 'M', compatibleFlowTypes: ['inboundCall'] });
  assert.deepEqual(validateCall(flow, listed, {}).problems.map((p) => p.code), ['INCOMPATIBLE_TYPE']);
});

test('list --module: a module listing no compatible types leaves every flow ELIGIBLE, with the reason in the detail', async () => {
  const listed = await collectListRows(h.client(), selectors(), 'Untyped');
  assert.equal(listed.module?.compatibleFlowTypes?.length ?? 0, 0);
  const byName = new Map(listed.rows.map((row) => [row.name, row]));
  for (const name of ['Sales_Line_002', 'Sales_Chat', 'Support_Mail']) {
    assert.equal(byName.get(name)?.state, 'ELIGIBLE', name);
    assert.equal(byName.get(name)?.detail, UNKNOWN_TYPES_NOTE, name);
  }
  // The same org with a module that names its types still refuses the others.
  const logger = await collectListRows(h.client(), selectors(), 'Logger');
  assert.equal(logger.rows.find((row) => row.name === 'Support_Mail')?.state, 'INCOMPATIBLE_TYPE');
});

const planRequest = (extra: Partial<PlanRequest> = {}): PlanRequest => ({
  moduleName: 'Untyped',
  selectors: selectors({ types: ['inboundemail'] }),
  typesExplicit: true,
  placement: { at: 'start' },
  inputs: { 'Common.reason': { lit: 'audit' } },
  outputs: {},
  selection: ['--type inboundemail'],
  ...extra,
});

test('plan: the same rule (an asked type is not refused, flows are not INCOMPATIBLE_TYPE); a required-marked input must still be mapped', async () => {
  const plan = await buildPlan(h.client(), planRequest());
  const mail = plan.flows.find((f) => f.name === 'Support_Mail');
  assert.equal(mail?.state, 'ELIGIBLE', JSON.stringify(mail));
  assert.ok(plan.flows.every((f) => f.state !== 'INCOMPATIBLE_TYPE'));

  await assert.rejects(buildPlan(h.client(), planRequest({ inputs: {} })), (error: unknown) =>
    error instanceof PlanError && /required input Common\.reason of Untyped is not mapped/.test(error.message));
  // Logger names its types: asking only for a type it does not list is still a usage error.
  await assert.rejects(buildPlan(h.client(), planRequest({ moduleName: 'Logger' })), (error: unknown) =>
    error instanceof PlanError && /cannot be called from inboundemail flows \(compatible: inboundcall, inboundshortmessage\)/.test(error.message));
});

test('list --module / --calls: callers of ANY module version (per-version consumer lists, merged)', async () => {
  // Logger publishes 2.0; Sales_Line_001 last published while 1.0 was live, so it consumes 1.0 only.
  await h.control('POST', '/flows/mod-log/state', { publish: moduleYaml('Logger', ['inboundcall', 'inboundshortmessage'], ['Common.reason'], ['Common.tag', 'Common.extra']) });
  // Sales_Line_002 starts calling Logger after that (so it consumes 2.0).
  await new Promise((resolve) => setTimeout(resolve, 5));
  await h.control('POST', '/flows/call-2/state', { publish: callFlowYaml('Sales_Line_002', [{ module: 'Logger', inputs: { 'Common.reason': 'r' } }]) });
  const client = h.client();
  const module = (await client.flows.findByName('Logger', 'commonmodule'))!;
  assert.equal(module.publishedVersion?.id, '2.0');
  const onlyCurrent = await client.dependencies.consumers(module.id, { version: '2.0' });
  assert.deepEqual(onlyCurrent.items.map((d) => d.name), ['Sales_Line_002'], 'version 2.0 alone misses Sales_Line_001');

  await h.clearRequests();
  const listed = await collectListRows(client, selectors(), 'Logger');
  const calls = listed.rows.filter((row) => row.callsModule).map((row) => [row.name, row.state]);
  assert.deepEqual(calls, [['Sales_Line_001', 'ALREADY_CALLS_MODULE'], ['Sales_Line_002', 'ALREADY_CALLS_MODULE']]);
  const asked = on(await h.requests(), 'GET', '/api/v2/architect/dependencytracking/consumingresources')
    .map((r) => new URLSearchParams(r.query).get('version')).sort();
  assert.deepEqual(asked, ['1.0', '2.0'], 'one question per published module version');
  assert.equal(on(await h.requests(), 'GET', `/api/v2/flows/${module.id}/versions`).length, 1);

  const callers = await collectListRows(client, selectors({ calls: ['Logger'] }));
  assert.deepEqual(callers.rows.map((row) => row.name), ['Sales_Line_001', 'Sales_Line_002']);
  const others = await collectListRows(client, selectors({ notCalls: ['Logger'], types: ['inboundcall'] }));
  assert.ok(others.rows.length > 0 && others.rows.every((row) => !['Sales_Line_001', 'Sales_Line_002'].includes(row.name)));
});
