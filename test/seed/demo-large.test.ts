import assert from 'node:assert/strict';
import { test } from 'node:test';
import { archyKeyForType } from '../../src/genesys/flow-types.js';
import { streamDemoOrg } from '../../src/emulator/seed/demo.js';
import { currentText, lineCount, parseArchyText, type Json } from './archy-facts.js';

test('the benchmark org: 10,000 flows, a quarter of them over 1,000 lines, all well-formed', () => {
  // Streamed (the flows are the generateDemoOrg ones, see demo-org.test.ts), so the test holds one flow at a time.
  const { flows } = streamDemoOrg({ flowCount: 10_000, largeFlowShare: 0.25 });
  const names = new Set<string>();
  let inbound = 0;
  let salesLines = 0;
  let large = 0;
  let longest = 0;
  let parsedLarge = 0;
  for (const flow of flows) {
    if (flow.type === 'commonmodule') continue;
    names.add(`${flow.type}/${flow.name}`);
    if (flow.name.startsWith('Sales_Line_')) salesLines++;
    const text = currentText(flow);
    const lines = lineCount(text);
    if (lines > 1000) large++;
    longest = Math.max(longest, lines);
    // Parse an evenly spread sample (every 100th flow), large and small alike.
    if (inbound++ % 100 === 0) {
      const body = parseArchyText(text)[archyKeyForType(flow.type) as string] as Json;
      assert.equal(body.name, flow.name);
      if (lines > 1000) parsedLarge++;
    }
  }
  assert.equal(inbound, 10_000);
  assert.equal(names.size, 10_000);
  assert.equal(salesLines, 40);
  assert.equal(large, 2500);
  assert.ok(longest < 2000, `large flows stay realistic (longest ${longest} lines)`);
  assert.ok(parsedLarge > 0);
});
