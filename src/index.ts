// Library entry: each area adds its public exports here.
export * from './genesys/flow-types.js';
export type { SeedFixture, SeedFlow, SeedDivision, SeedLock } from './emulator/seed/types.js';
export { redact, registerSecret } from './shared/redact.js';
export { main } from './cli/main.js';
export * from './flow/index.js';
export { generateDemoOrg, DEMO_MODULES, DEMO_MODULE_SPECS, DEMO_USERS, DEMO_CLIENTS, DEMO_DIVISIONS, type DemoOrgOptions } from './emulator/seed/demo.js';
export { startEmulator } from './emulator/index.js';
export type { EmulatorOptions, EmulatorHandle, EmulatorSeed } from './emulator/index.js';
