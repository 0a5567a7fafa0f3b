import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { flowInfoFromYaml, moduleInfoFromFlow, unifiedDiff, validateCall } from '../../src/flow/index.js';

const SAMPLES = new URL('../../../shared/samples/', import.meta.url);
const MESSAGE_FLOW = readFileSync(new URL('bp-merge-ephemeral-contact_inboundshortmessage_merge-external-contact-calls-module.yaml', SAMPLES), 'utf8');

const module = moduleInfoFromFlow({
  name: 'Resolve Contact',
  compatibleFlowTypes: ['INBOUNDSHORTMESSAGE', 'inboundCall', 'WORKFLOW'],
  inputSchema: {
    type: 'object',
    properties: { 'Common.conversationId': { type: 'string' }, 'Common.retries': { type: 'integer' }, 'Common.tags': { type: 'array', items: { type: 'string' } } },
    required: ['Common.conversationId'],
  },
  outputSchema: { type: 'object', properties: { 'Common.success': { type: 'boolean' }, 'Common.externalContactId': { type: 'string' } } },
});

describe('flow and module info', () => {
  it('reads the flow type, name and variables of every scope', () => {
    const info = flowInfoFromYaml(MESSAGE_FLOW);
    assert.equal(info.type, 'inboundshortmessage');
    assert.equal(info.name, '{{flow_name}}');
    assert.deepEqual(info.variables, [
      { name: 'State.CustomerEmail', type: 'string' },
      { name: 'State.CustomerId', type: 'string' },
      { name: 'State.ModuleSuccess', type: 'boolean' },
    ]);
    const workflow = flowInfoFromYaml(readFileSync(new URL('bp-update-gc-presence-communicate_workflow_set-user-busy-large.yaml', SAMPLES), 'utf8'));
    assert.equal(workflow.type, 'workflow');
    assert.ok(workflow.variables.some((v) => v.name === 'Flow.userId' && v.type === 'string'));
    assert.ok(workflow.variables.some((v) => v.name === 'State.PickUpCheck' && v.type === 'integer'));
  });

  it('reads the module schemas, required inputs and compatible types', () => {
    assert.deepEqual(module.compatibleFlowTypes, ['inboundshortmessage', 'inboundcall', 'workflow']);
    assert.deepEqual(module.inputs, [
      { name: 'Common.conversationId', type: 'string', required: true },
      { name: 'Common.retries', type: 'integer', required: false },
      { name: 'Common.tags', type: 'stringCollection', required: false },
    ]);
    assert.deepEqual(moduleInfoFromFlow({ name: 'Bare' }), { name: 'Bare', compatibleFlowTypes: [], inputs: [], outputs: [] });
  });
});

describe('validateCall', () => {
  const flow = flowInfoFromYaml(MESSAGE_FLOW);

  it('accepts a complete, well-typed mapping', () => {
    const r = validateCall(flow, module, {
      inputs: { 'Common.conversationId': { exp: 'Message.ConversationId' }, 'Common.retries': { lit: 2 } },
      outputs: { 'Common.success': { var: 'State.ModuleSuccess' }, 'Common.externalContactId': { var: 'State.CustomerId' } },
    });
    assert.deepEqual(r, { ok: true, problems: [] });
  });

  it('reports each problem with its code', () => {
    const r = validateCall(flow, module, {
      inputs: { 'Common.conversationId': { noValue: true }, 'Common.retries': { lit: 'two' }, 'Common.nope': { exp: 'x' } },
      outputs: { 'Common.success': { var: 'State.CustomerId' }, 'Common.externalContactId': { var: 'Flow.Missing' }, 'Common.ghost': { var: 'State.CustomerId' } },
    });
    assert.equal(r.ok, false);
    assert.deepEqual(r.problems.map((p) => p.code).sort(), [
      'INPUT_TYPE_MISMATCH', 'MISSING_REQUIRED_INPUT', 'OUTPUT_TYPE_MISMATCH', 'UNKNOWN_INPUT', 'UNKNOWN_OUTPUT', 'UNKNOWN_VARIABLE',
    ]);
    for (const p of r.problems) assert.ok(p.message.length > 10);
  });

  it('refuses an incompatible flow type (case-insensitively compared) and unmapped required inputs', () => {
    const email = flowInfoFromYaml(readFileSync(new URL('bp-email-aws-comprehend_inboundemail_email-comprehend-flow.yaml', SAMPLES), 'utf8'));
    const r = validateCall(email, module, {});
    assert.deepEqual(r.problems.map((p) => p.code), ['INCOMPATIBLE_TYPE', 'MISSING_REQUIRED_INPUT']);
    assert.match(r.problems[0]!.message, /inboundemail/);
  });
});

describe('unifiedDiff', () => {
  it('is a unified diff with context, empty when nothing changed', () => {
    const a = 'one\ntwo\nthree\nfour\nfive\n';
    const d = unifiedDiff(a, a.replace('three\n', 'three\nthree and a half\n'), 'f.yaml');
    assert.match(d, /^--- f\.yaml$/m);
    assert.match(d, /^@@ -1,5 \+1,6 @@$/m);
    assert.match(d, /^\+three and a half$/m);
    assert.match(d, /^ two$/m);
    assert.equal(unifiedDiff(a, a, 'f.yaml'), '');
  });
});
