import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archyKeyForType } from '../../src/genesys/flow-types.js';
import { generateDemoOrg } from '../../src/emulator/seed/demo.js';
import { currentText, lineCount, parseArchyText, type Json } from './archy-facts.js';

test('the benchmark org: 10,000 flows, a quarter of them over 1,000 lines, all well-formed', () => {
  const org = generateDemoOrg({ flowCount: 10_000, largeFlowShare: 0.25 });
  const inbound = org.flows.filter((f) => f.type !== 'commonmodule');
  assert.equal(inbound.length, 10_000);
  assert.equal(new Set(inbound.map((f) => `${f.type}/${f.name}`)).size, 10_000);
  assert.equal(inbound.filter((f) => f.name.startsWith('Sales_Line_')).length, 40);

  const lines = inbound.map((f) => lineCount(currentText(f)));
  const large = lines.filter((n) => n > 1000).length;
  assert.equal(large, 2500);
  assert.ok(Math.max(...lines) < 2000, 'large flows stay realistic (under 2,000 lines)');

  // Parse an evenly spread sample (every 50th flow), large and small alike.
  const sample = inbound.filter((_, i) => i % 50 === 0);
  assert.ok(sample.some((f) => lineCount(currentText(f)) > 1000));
  for (const flow of sample) {
    const body = parseArchyText(currentText(flow))[archyKeyForType(flow.type) as string] as Json;
    assert.equal(body.name, flow.name);
  }
});
