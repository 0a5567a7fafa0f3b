import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RolloutApi } from '../../src/rollout/api-port.js';
import { rolloutApiFromClient } from '../../src/rollout/client-adapter.js';
import { PlanError } from '../../src/rollout/errors.js';
import { assemblePlan, gatherFacts, type PlanRequest } from '../../src/rollout/plan.js';
import { readPlanFile } from '../../src/rollout/plan-file.js';
import { writePlan, writePlanTo } from '../../src/rollout/plan-stream.js';
import { selectorsFromOptions } from '../../src/rollout/select.js';
import { sharedEmulator, tempDir, DEMO_MODULE } from './helpers.js';

// `flowlink plan` writes the plan as it exports the flows' texts (plan-stream.ts): the same plan as the pure
// assemblePlan over all the facts, with only a couple of export jobs' texts held at a time.

const emulator = sharedEmulator({ rateLimit: 100_000, jobMs: 20 });

const request = (moduleName = DEMO_MODULE): PlanRequest => ({
  moduleName, selectors: selectorsFromOptions({}), typesExplicit: false, placement: { at: 'start' }, inputs: {}, outputs: {}, selection: [],
});

test('the plan written as it is exported is the plan assemblePlan makes from all the facts; two export jobs at most in flight', async () => {
  const harness = emulator();
  await harness.reset();
  const client = harness.client();
  const api = rolloutApiFromClient(client);
  let inFlight = 0;
  let most = 0;
  const sizes: number[] = [];
  const counting: RolloutApi = {
    ...api,
    async exportFlows(refs) {
      sizes.push(refs.length);
      most = Math.max(most, ++inFlight);
      try {
        return await api.exportFlows(refs);
      } finally {
        inFlight -= 1;
      }
    },
  };
  const path = join(tempDir(), 'plan.json');
  const pieces: string[] = [];
  const written = await writePlan(counting, client.environment.apiBaseUrl, request(), () => ({ write: (piece) => void pieces.push(piece) }));
  writeFileSync(path, pieces.join(''));
  const plan = readPlanFile(path);

  const whole = assemblePlan(await gatherFacts(api, client.environment.apiBaseUrl, request()), request());
  const targets = whole.flows.filter((flow) => flow.state === 'ELIGIBLE').length;
  assert.ok(targets > 200, `${targets} targets: more than two export jobs' worth`);
  assert.deepEqual(plan.flows, whole.flows, 'the same flows, in the same order');
  const { createdAt: _a, ...header } = plan;
  const { createdAt: _b, ...wholeHeader } = whole;
  assert.deepEqual({ ...header, flows: [], checksum: '' }, { ...wholeHeader, flows: [], checksum: '' });
  assert.equal(sizes.reduce((a, b) => a + b, 0), targets);
  assert.ok(sizes.every((size) => size <= 100), `export jobs of ${sizes.join(', ')}`);
  assert.ok(most <= 2, `${most} export jobs in flight at once`);
  // What the command prints from: the plan as written, without the originals.
  assert.equal(written.checksum, plan.checksum);
  assert.deepEqual(written.flows, plan.flows.map(({ original: _original, ...flow }) => flow));
});

test('a plan refused before any flow (unknown module) opens no file; writePlanTo leaves none behind', async () => {
  const harness = emulator();
  const client = harness.client();
  let opened = false;
  await assert.rejects(
    writePlan(rolloutApiFromClient(client), client.environment.apiBaseUrl, request('No_Such_Module'), () => {
      opened = true;
      return { write: () => undefined };
    }),
    PlanError,
  );
  assert.equal(opened, false);
  const dir = tempDir();
  await assert.rejects(writePlanTo(client, request('No_Such_Module'), join(dir, 'plan.json')), PlanError);
  assert.deepEqual(readdirSync(dir), []);
});
