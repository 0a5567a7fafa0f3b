import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyFlow, hasNewerDraft, lockHolder, newerDraftVersion, type FlowMetadata } from '../../src/rollout/eligibility.js';

const base: FlowMetadata = { id: 'f', name: 'Sales_Line_001', type: 'INBOUNDCALL', publishedVersion: { id: '2.0' } };
const module = { id: 'm', name: 'Fraud_Check_Voice', compatibleFlowTypes: ['inboundcall'] };

test('a published, unlocked flow without a draft is ELIGIBLE', () => {
  assert.deepEqual(classifyFlow({ flow: base }), { state: 'ELIGIBLE', reasons: ['ELIGIBLE'] });
  assert.equal(classifyFlow({ flow: base, module, callsModule: false }).state, 'ELIGIBLE');
});

test('NEVER_PUBLISHED: no published version (a draft alone does not count)', () => {
  const flow = { ...base, publishedVersion: undefined, savedVersion: { id: '1.0' } } as FlowMetadata;
  delete (flow as { publishedVersion?: unknown }).publishedVersion;
  const result = classifyFlow({ flow });
  assert.equal(result.state, 'NEVER_PUBLISHED');
  assert.deepEqual(result.reasons, ['NEVER_PUBLISHED']);
});

test('LOCKED names its holder, user or OAuth client', () => {
  const user = classifyFlow({ flow: { ...base, lockedUser: { id: 'u1', name: 'Jane Doe' } } });
  assert.equal(user.state, 'LOCKED');
  assert.deepEqual(user.lockedBy, { kind: 'user', id: 'u1', name: 'Jane Doe' });
  assert.match(user.detail ?? '', /locked by user Jane Doe/);
  const client = classifyFlow({ flow: { ...base, lockedClient: { id: 'c1', name: 'CX as Code' } } });
  assert.deepEqual(client.lockedBy, { kind: 'client', id: 'c1', name: 'CX as Code' });
  assert.deepEqual(lockHolder(base), undefined);
});

test('HAS_UNPUBLISHED_DRAFT: a saved or checked-in version newer than the published one', () => {
  assert.equal(classifyFlow({ flow: { ...base, savedVersion: { id: '3.0' } } }).state, 'HAS_UNPUBLISHED_DRAFT');
  assert.equal(classifyFlow({ flow: { ...base, checkedInVersion: { id: '10.0' } } }).state, 'HAS_UNPUBLISHED_DRAFT');
  assert.equal(newerDraftVersion({ ...base, checkedInVersion: { id: '2.0' } }), undefined, 'checked in = published');
  assert.equal(hasNewerDraft({ ...base, savedVersion: { id: '1.0' } }), false, 'an older saved version is no draft');
});

test('INCOMPATIBLE_TYPE compares compatibleFlowTypes case-insensitively; no list means no restriction', () => {
  assert.equal(classifyFlow({ flow: { ...base, type: 'INBOUNDCHAT' }, module }).state, 'INCOMPATIBLE_TYPE');
  assert.equal(classifyFlow({ flow: base, module: { ...module, compatibleFlowTypes: ['INBOUNDCALL'] } }).state, 'ELIGIBLE');
  assert.equal(classifyFlow({ flow: { ...base, type: 'INBOUNDCHAT' }, module: { id: 'm', name: 'M' } }).state, 'ELIGIBLE');
});

test('ALREADY_CALLS_MODULE only with a module', () => {
  assert.equal(classifyFlow({ flow: base, module, callsModule: true }).state, 'ALREADY_CALLS_MODULE');
  assert.equal(classifyFlow({ flow: base, callsModule: true }).state, 'ELIGIBLE');
});

test('precedence: EXCLUDED, NEVER_PUBLISHED, INCOMPATIBLE_TYPE, ALREADY_CALLS_MODULE, LOCKED, HAS_UNPUBLISHED_DRAFT; all reasons kept', () => {
  const flow = { ...base, lockedUser: { id: 'u' }, savedVersion: { id: '3.0' } };
  assert.deepEqual(classifyFlow({ flow, module, callsModule: true }).reasons, ['ALREADY_CALLS_MODULE', 'LOCKED', 'HAS_UNPUBLISHED_DRAFT']);
  assert.deepEqual(classifyFlow({ flow, excluded: true }).reasons, ['EXCLUDED', 'LOCKED', 'HAS_UNPUBLISHED_DRAFT']);
  assert.equal(classifyFlow({ flow: { ...flow, type: 'INBOUNDEMAIL' }, module, callsModule: true }).state, 'INCOMPATIBLE_TYPE');
});
