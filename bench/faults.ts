/**
 * The fault suite (`npm run test:faults`): kill -9 of `flowlink apply` at random moments, 429 storms, 503 runs,
 * connection resets, token expiry, failing and hanging import jobs, and an emulator restart mid-run; every run is
 * resumed to the end and the org, the journal and the backups are checked (test/faults/lib/). Seeded: the seed is
 * printed first and last, and `--seed N` (or FLOWLINK_FAULT_SEED) replays the same decisions.
 *
 *   node --import tsx bench/faults.ts [--seed N] [--kill-trials N] [--trials N] [--only NAME]... [--workers N] [--budget-s S]
 */
import { parseArgs } from 'node:util';
import { ensureBuilt } from '../test/faults/lib/processes.js';
import { formatSummary, runSuite } from '../test/faults/lib/suite.js';
import { SCENARIOS } from '../test/faults/lib/scenarios.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    'kill-trials': { type: 'string', default: '24' },
    trials: { type: 'string', default: '3' },
    only: { type: 'string', multiple: true },
    prefix: { type: 'string', default: 'Sales_Line_' },
    'budget-s': { type: 'string', default: '480' },
    workers: { type: 'string', default: '3' },
  },
});

const seedText = values.seed ?? process.env.FLOWLINK_FAULT_SEED;
const seed = seedText !== undefined ? Number(seedText) >>> 0 : Math.floor(Math.random() * 2 ** 31);
const names = SCENARIOS.map((scenario) => scenario.name);
for (const name of values.only ?? []) {
  if (!names.includes(name)) {
    console.error(`unknown scenario '${name}'; scenarios: ${names.join(', ')}`);
    process.exit(2);
  }
}

// Ctrl-C or a kill ends the suite through process.exit, which also ends every process it started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));

const log = (line: string): void => console.log(line);
log(`fault suite seed ${seed} (replay: npm run test:faults -- --seed ${seed})`);
await ensureBuilt(log);
const result = await runSuite({
  seed,
  trials: { 'kill -9': Number(values['kill-trials']) },
  defaultTrials: Number(values.trials),
  select: ['--prefix', values.prefix],
  budgetMs: Number(values['budget-s']) * 1000,
  workers: Number(values.workers),
  log,
  ...(values.only ? { only: values.only } : {}),
});
log('');
log(formatSummary(result));
process.exitCode = result.failed > 0 ? 1 : 0;
