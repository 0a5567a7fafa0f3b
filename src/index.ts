// Library entry: each area adds its public exports here.
export * from './genesys/flow-types.js';
export type { SeedFixture, SeedFlow, SeedDivision, SeedLock } from './emulator/seed/types.js';
export { redact, registerSecret } from './shared/redact.js';
export { main } from './cli/main.js';
