import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ensureBuilt } from './lib/processes.js';
import { SCENARIOS } from './lib/scenarios.js';
import { formatSummary, formatTrial, runSuite, type SuiteResult } from './lib/suite.js';

/**
 * The fault suite (bench/faults.ts, `npm run test:faults`) at a small size: every scenario once, kill -9 three
 * times, on a plan of the demo org's Sales_Line_00x flows (six targets, one wave of import jobs), two trials at a
 * time. Seeded; the seed is printed, and FLOWLINK_FAULT_SEED=N replays its decisions.
 */
const seed = process.env.FLOWLINK_FAULT_SEED !== undefined ? Number(process.env.FLOWLINK_FAULT_SEED) >>> 0 : Math.floor(Math.random() * 2 ** 31);
let suite: SuiteResult;

before(async () => {
  console.log(`fault suite seed ${seed} (replay: FLOWLINK_FAULT_SEED=${seed})`);
  await ensureBuilt((line) => console.log(line));
  suite = await runSuite({
    seed,
    trials: { 'kill -9': 3 },
    defaultTrials: 1,
    select: ['--prefix', 'Sales_Line_00'],
    applyArgs: ['--concurrency', '8'],
    workers: 2,
    // npm test runs four test files at a time: the suite shares the machine, so its trials take longer.
    budgetMs: 240_000,
    log: (line) => console.log(line),
  });
  console.log(formatSummary(suite));
});

for (const scenario of SCENARIOS) {
  test(`${scenario.name}: ${scenario.fault}; resumed to the end, end state checked`, () => {
    const trials = suite.trials.filter((trial) => trial.scenario === scenario.name);
    assert.ok(trials.length > 0, `seed ${seed}: no trial of ${scenario.name} ran`);
    for (const trial of trials) assert.deepEqual(trial.problems, [], `seed ${seed}: ${formatTrial(trial)}`);
  });
}

test('kill -9 trials each killed apply at least once', () => {
  for (const trial of suite.trials.filter((t) => t.scenario === 'kill -9')) {
    assert.ok(trial.exits.includes('killed'), `seed ${seed}: ${formatTrial(trial)}`);
  }
});
