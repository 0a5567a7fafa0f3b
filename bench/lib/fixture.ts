/**
 * The org the rollout benchmarks run against: the demo generator's four common modules plus exactly N inbound
 * flows that a rollout of Global_Exception_Handler at the start can change (published, not locked, no newer draft,
 * not calling it yet, and the engine finds a place for the call). The flows for a smaller N are the first of those
 * for a larger one, so every size and the baseline see the same flows.
 */
import { generateDemoOrg, DEMO_MODULES } from '../../src/emulator/seed/demo.js';
import type { SeedFixture, SeedFlow } from '../../src/emulator/seed/types.js';
import { insertModuleCall } from '../../src/flow/index.js';
import { INBOUND_FLOW_TYPES } from '../../src/genesys/flow-types.js';

export const BENCH_MODULE = DEMO_MODULES.globalExceptionHandler;

const inbound = new Set<string>(INBOUND_FLOW_TYPES);

function changeable(flow: SeedFlow): boolean {
  const latest = flow.published?.at(-1);
  if (!inbound.has(flow.type) || latest === undefined || flow.draft !== undefined || flow.lockedBy) return false;
  return insertModuleCall(latest, { module: BENCH_MODULE, placement: { at: 'start' } }).status === 'inserted';
}

/** Fixtures for each N from one demo org (seed 7, about 30 % more flows than the largest N needs). */
export function rolloutFixtures(sizes: readonly number[]): Map<number, SeedFixture> {
  const largest = Math.max(...sizes);
  const org = generateDemoOrg({ flowCount: Math.ceil(largest * 1.35) + 50, seed: 7 });
  const modules = org.flows.filter((flow) => flow.type === 'commonmodule');
  const candidates: SeedFlow[] = [];
  for (const flow of org.flows) {
    if (candidates.length >= largest) break;
    if (changeable(flow)) candidates.push(flow);
  }
  if (candidates.length < largest) throw new Error(`the demo org has only ${candidates.length} changeable flows, ${largest} needed`);
  return new Map(sizes.map((n) => [n, { divisions: org.divisions, flows: [...modules, ...candidates.slice(0, n)] }]));
}
