// Library entry: each area adds its public exports here.
export * from './genesys/flow-types.js';
export type { SeedFixture, SeedFlow, SeedDivision, SeedLock } from './emulator/seed/types.js';
export { redact, registerSecret } from './shared/redact.js';
export { main } from './cli/main.js';
export * from './flow/index.js';
export { generateDemoOrg, streamDemoOrg, DEMO_MODULES, DEMO_MODULE_SPECS, DEMO_USERS, DEMO_CLIENTS, DEMO_DIVISIONS, type DemoOrgOptions, type DemoOrgStream } from './emulator/seed/demo.js';
export { startEmulator } from './emulator/index.js';
export type { EmulatorOptions, EmulatorHandle, EmulatorSeed } from './emulator/index.js';
export {
  createClient, ApiError, ClientOptionsError, resolveEnvironment, REGION_DOMAINS, DEFAULT_LIMITS, parseRetryAfter,
  type GenesysClient, type ClientOptions, type ClientLimits, type ClientStats, type ApiErrorKind, type ApiResponse,
  type RequestOptions, type RequestFn, type Transport, type Logger, type Clock, type Page, type PageOptions, type PollOptions,
  type FlowListQuery, type FlowsResource, type ExportJobsResource, type ExportRef, type ExportResult as FlowExportResult,
  type ExportOptions, type ImportJobsResource, type ImportJobResult, type DependenciesResource, type DependencyList,
  type Flow, type FlowVersion, type Operation, type Dependency, type DependencyStatus, type EntityListing, type ErrorBody,
  type ImportJobState, type ExportJobState, type RegisterImportJobResponse, type ArchitectJobMessage,
} from './client/index.js';
