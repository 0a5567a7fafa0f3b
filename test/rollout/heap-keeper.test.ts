import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapStatistics } from 'node:v8';
import { collectIfGrown, heapKeeperStats } from '../../src/shared/heap-keeper.js';

test('the heap keeper collects once 16 MB of garbage has piled up, and only then', () => {
  collectIfGrown(); // whatever the test runner left: from here the last collection is now
  const before = heapKeeperStats().collections;
  assert.equal(collectIfGrown(), false, 'nothing grew: no collection');
  // Garbage that a young-generation collection promotes (kept alive across allocations, then dropped).
  let kept: string[][] = [];
  for (let i = 0; i < 60; i += 1) kept.push(Array.from({ length: 20_000 }, (_, j) => `row ${i} ${j} ${'x'.repeat(40)}`));
  const grown = getHeapStatistics().used_heap_size;
  kept = [];
  assert.equal(kept.length, 0);
  assert.equal(collectIfGrown(), true, 'a full collection was made');
  assert.equal(heapKeeperStats().collections, before + 1);
  const after = getHeapStatistics().used_heap_size;
  assert.ok(grown - after > 16 * 1024 * 1024, `the collection freed ${((grown - after) / 1048576).toFixed(0)} MB`);
});
