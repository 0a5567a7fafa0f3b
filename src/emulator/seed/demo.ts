import type { SeedFixture } from './types.js';

export interface DemoOrgOptions {
  /** Number of inbound flows (default 360). */
  flowCount?: number;
  /** PRNG seed; the same seed gives the same org byte for byte (default 1). */
  seed?: number;
  /** Share of flows generated over 1,000 lines (default 0.05; the engine benchmark uses 0.25). */
  largeFlowShare?: number;
}

// Placeholder until the demo generator lands (being written now); returns an empty org with a Home division.
export function generateDemoOrg(_options: DemoOrgOptions = {}): SeedFixture {
  return { divisions: [{ id: '00000000-0000-4000-8000-000000000001', name: 'Home' }], flows: [] };
}
