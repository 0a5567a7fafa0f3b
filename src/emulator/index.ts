// The emulator's public surface: start it, and the option/handle types.
export { startEmulator } from './server.js';
export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from './options.js';
export type { EmulatorOptions, EmulatorHandle, EmulatorSeed } from './options.js';
