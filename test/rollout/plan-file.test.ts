import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlanError } from '../../src/rollout/errors.js';
import {
  planChecksum, readPlanFile, readPlanFlows, readPlanHead, runIdForPlan, sealPlan, sealedPlanPieces, sha256, writePlanFile,
  type PlanFile, type PlanFlow,
} from '../../src/rollout/plan-file.js';
import { writeFileDurably } from '../../src/rollout/durable-write.js';

// The plan file read one flow a line (plan-read.ts) must be exactly the plan JSON.parse sees, whatever the layout.

const GUID = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A plan of `count` flows, every third a target with an original; names and texts that look like the layout. */
function samplePlan(count = 12, format: 1 | 2 | 3 = 3): PlanFile {
  const flows: PlanFlow[] = Array.from({ length: count }, (_, i) => {
    const name = [`Flow ${i}`, '  ],', '    {"id": "x"},', 'naïve “quotes” \u2028 \\ "', `emoji 🚀 ${i}`][i % 5] as string;
    const base: PlanFlow = { id: GUID(i), name, type: 'inboundcall', publishedVersion: `${i + 1}.0`, state: i % 3 === 0 ? 'ELIGIBLE' : 'LOCKED' };
    if (base.state !== 'ELIGIBLE') return { ...base, reason: 'locked by "Jane"\n  ],' };
    const original = `inboundCall:\n  name: ${name}\n  description: "line\\n  ],"\r\n  startUpRef: ./menus/menu[Main]\n`;
    return { ...base, sha256: sha256(original), original, diff: `--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y ${i}\n`, ...(format < 3 ? { updated: `${original}# new\n` } : {}) };
  });
  return sealPlan({
    kind: 'flowlink-plan', formatVersion: format, createdAt: '2025-03-04T10:20:30.000Z', environment: 'https://api.mypurecloud.ie',
    module: { id: GUID(999), name: 'Global_Exception_Handler', publishedVersion: '3.0' },
    ...(format > 1 ? { change: { kind: 'add' as const, module: { id: GUID(999), name: 'Global_Exception_Handler' }, placement: { at: 'start' as const }, inputs: {}, outputs: {} } } : {}),
    placement: { at: 'start' }, inputs: {}, outputs: {}, selection: ['--prefix Sales_'], flows,
  });
}

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'flowlink-planfile-'));
}

function written(plan: PlanFile, text?: string): string {
  const path = join(dir(), 'plan.json');
  if (text === undefined) writePlanFile(path, plan);
  else writeFileSync(path, text);
  return path;
}

/** The error `fn` throws, which must be a one-line PlanError. */
function planError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof PlanError, `a PlanError, not ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return error.message;
  }
  assert.fail('no error');
}

test('the streaming reader yields exactly what JSON.parse sees, from the writer\'s one-flow-a-line layout', () => {
  const plan = samplePlan(30);
  const path = written(plan);
  const text = readFileSync(path, 'utf8');
  assert.equal(text.split('\n').filter((line) => line.startsWith('    {')).length, 30, 'one flow a line');
  assert.deepEqual(readPlanFile(path), JSON.parse(text));
  assert.deepEqual(readPlanFile(path), plan);
  const head = readPlanHead(path);
  assert.deepEqual(head.source, { path, layout: 'lines' });
  assert.equal(head.checksum, plan.checksum);
  assert.equal(head.runId, runIdForPlan(plan));
  const { flows: _flows, checksum: _checksum, ...header } = plan;
  assert.deepEqual(head.header, header);
});

test('a plan with no flows, and one written as it is made (sealed at the end), read back the same', () => {
  const empty = samplePlan(0);
  assert.deepEqual(readPlanFile(written(empty)), empty);
  const plan = samplePlan(7);
  const { flows, checksum, ...header } = plan;
  const path = join(dir(), 'streamed.json');
  writeFileDurably(path, sealedPlanPieces(header, flows));
  assert.equal(readFileSync(path, 'utf8'), readFileSync(written(plan), 'utf8'));
  assert.equal(readPlanHead(path).checksum, checksum);
});

test('a plan reformatted by hand with the same content is accepted: pretty, minified, keys reordered, CRLF', () => {
  const plan = samplePlan(10);
  const backwards = (value: object): object => Object.fromEntries(Object.entries(value).reverse());
  const reordered = JSON.stringify({ ...backwards(plan), flows: plan.flows.map(backwards) }, null, 1);
  assert.ok(reordered.indexOf('"checksum"') < reordered.indexOf('"kind"'), 'keys reordered');
  const layouts = {
    pretty: JSON.stringify(plan, null, 2),
    minified: JSON.stringify(plan),
    reordered,
    crlf: readFileSync(written(plan), 'utf8').replace(/\n/g, '\r\n'),
    tabs: JSON.stringify(plan, null, '\t'),
  };
  for (const [name, text] of Object.entries(layouts)) {
    const path = written(plan, text);
    assert.deepEqual(readPlanFile(path), JSON.parse(text), name);
    const { head, flows } = readPlanFlows(path, (flow) => flow.id);
    assert.equal(head.checksum, plan.checksum, name);
    assert.deepEqual(flows, plan.flows.map((flow) => flow.id), name);
  }
});

test('a truncated or garbled plan is a one-line PlanError, wherever it breaks', () => {
  const plan = samplePlan(12);
  const text = readFileSync(written(plan), 'utf8');
  const lines = text.split('\n');
  const flowLine = lines.findIndex((line) => line.startsWith('    {')) + 4;
  const cases: Record<string, string> = {
    'cut in the middle of a flow': text.slice(0, text.indexOf(lines[flowLine] as string) + 40),
    'cut after a flow line': lines.slice(0, flowLine + 1).join('\n') + '\n',
    'a flow line garbled': lines.map((line, i) => (i === flowLine ? line.replace('"state"', '"state') : line)).join('\n'),
    'a comma missing between flows': lines.map((line, i) => (i === flowLine ? line.replace(/,$/, '') : line)).join('\n'),
    'a flow line lost': lines.filter((_, i) => i !== flowLine).join('\n'),
    'the checksum line garbled': text.replace(/"checksum": "/, '"checksum": '),
    empty: '',
  };
  for (const [name, broken] of Object.entries(cases)) {
    const path = written(plan, broken);
    const message = planError(() => readPlanFile(path));
    assert.match(message, /is not valid JSON|was modified after it was written/, `${name}: ${message}`);
  }
  assert.match(planError(() => readPlanFile(join(dir(), 'absent.json'))), /plan file not found/);
});

test('an edit is reported as a checksum mismatch even where it also breaks an entry (not re-sealed)', () => {
  const plan = samplePlan(9);
  const text = readFileSync(written(plan), 'utf8');
  const edits: Record<string, string> = {
    'a target\'s original': text.replace('startUpRef: ./menus/menu[Main]', 'startUpRef: ./menus/menu[Evil]'),
    'a flow id': text.replace(GUID(3), '../../../x'),
    'a state': text.replace('"state":"LOCKED"', '"state":"ELIGIBLE"'),
    'the module id': text.replace(`"id": "${GUID(999)}"`, '"id": "../m"'),
  };
  for (const [name, edited] of Object.entries(edits)) {
    assert.notEqual(edited, text, name);
    assert.match(planError(() => readPlanFile(written(plan, edited))), /was modified after it was written \(checksum mismatch\)/, name);
  }
});

test('re-sealed plans are still checked entry by entry: ids, versions, originals, and no new YAML in format 3', () => {
  const reseal = (edit: (plan: PlanFile) => void): string => {
    const plan = structuredClone(samplePlan(6));
    edit(plan);
    return written({ ...plan, checksum: planChecksum(plan) });
  };
  const target = (plan: PlanFile): PlanFlow => plan.flows.find((flow) => flow.state === 'ELIGIBLE') as PlanFlow;
  assert.match(planError(() => readPlanFile(reseal((plan) => { target(plan).id = '../../x'; }))), /flow id "\.\.\/\.\.\/x" is not a Genesys id/);
  assert.match(planError(() => readPlanFile(reseal((plan) => { target(plan).publishedVersion = '1.0/../..'; }))), /has a version that is not a Genesys version id/);
  assert.match(planError(() => readPlanFile(reseal((plan) => { target(plan).original += ' '; }))), /inconsistent entry for flow/);
  assert.match(planError(() => readPlanFile(reseal((plan) => { target(plan).updated = 'smuggled: yes\n'; }))), /inconsistent entry for flow/);
  assert.match(planError(() => readPlanFile(reseal((plan) => { plan.module.id = 'module'; }))), /module id "module" is not a Genesys id/);
  assert.match(planError(() => readPlanFile(reseal((plan) => { (plan as { formatVersion: number }).formatVersion = 4; }))), /plan file format 4 is not supported/);
  assert.match(planError(() => readPlanFile(reseal((plan) => { delete plan.change; }))), /does not say what change it makes/);
});

test('formats 1 and 2 (with their new YAML) are read; a format 2 target without it is refused', () => {
  for (const format of [1, 2] as const) {
    const plan = samplePlan(6, format);
    assert.deepEqual(readPlanFile(written(plan)), plan, `format ${format}`);
  }
  const plan = structuredClone(samplePlan(6, 2));
  delete (plan.flows.find((flow) => flow.state === 'ELIGIBLE') as PlanFlow).updated;
  assert.match(planError(() => readPlanFile(written({ ...plan, checksum: planChecksum(plan) }))), /inconsistent entry for flow/);
});

test('readPlanHead reads the header and checksum without the flows (a file whose flows are broken still gives its run id)', () => {
  const plan = samplePlan(12);
  const text = readFileSync(written(plan), 'utf8');
  const path = written(plan, text.replace('"state"', '"sta'));
  assert.equal(readPlanHead(path).runId, runIdForPlan(plan));
  assert.throws(() => readPlanFile(path), PlanError);
});
