import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from './lib/lab.js';
import { ensureBuilt } from './lib/processes.js';
import { SCENARIOS } from './lib/scenarios.js';
import { formatTrial, runTrial } from './lib/suite.js';

/**
 * The fault suite (bench/faults.ts, `npm run test:faults`) at a small size: every scenario once (kill -9 three
 * times) on a plan of the demo org's Sales_Line_00x flows (six targets). Seeded; the seed is printed, and
 * FLOWLINK_FAULT_SEED=N replays it.
 */
const seed = process.env.FLOWLINK_FAULT_SEED !== undefined ? Number(process.env.FLOWLINK_FAULT_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 31);
const TRIALS: Record<string, number> = { 'kill -9': 3 };
let lab: Lab;

before(async () => {
  console.log(`fault suite seed ${seed} (replay: FLOWLINK_FAULT_SEED=${seed})`);
  await ensureBuilt((line) => console.log(line));
  // Six targets in one wave of import jobs: the same paths as the full suite in a fraction of its time.
  lab = new Lab({ select: ['--prefix', 'Sales_Line_00'], applyArgs: ['--concurrency', '8'], log: (line) => console.log(line), restartable: true });
  await lab.open();
});
after(async () => lab?.close());

for (const scenario of SCENARIOS) {
  test(`${scenario.name}: ${scenario.fault}; resumed to the end, checked`, async () => {
    for (let index = 1; index <= (TRIALS[scenario.name] ?? 1); index++) {
      const result = await runTrial(lab, scenario, index, seed);
      console.log(formatTrial(result));
      assert.deepEqual(result.problems, [], `seed ${seed}: ${formatTrial(result)}`);
    }
  });
}
