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
// The rollout as a library: plan, apply, verify, roll back (what the CLI commands call).
export { buildPlan, gatherFacts, assemblePlan, type PlanRequest, type PlanFacts } from './rollout/plan.js';
export { editFlow, holdsChange, expectedConsumers, describeChange, type Change, type ChangeKind, type ModuleRef } from './rollout/change.js';
export { PlanError, type RunStopReason } from './rollout/errors.js';
export { isTarget, TARGET_STATES, FAILING_STATES, PASSING_STATES, type FlowState, type ApplyState } from './rollout/states.js';
export { DEFAULT_JOB_TIMEOUT_MS } from './rollout/job-timeout.js';
export { applyPlan, applyPlanFile, type ApplyOptions, type ApplyResult } from './rollout/apply.js';
export { verifyRun, type VerifyOptions, type VerifyResult } from './rollout/verify.js';
export { rollbackRun, type RollbackOptions, type RollbackResult } from './rollout/rollback.js';
export { rolloutApiFromClient } from './rollout/client-adapter.js';
export type { RolloutApi, FlowMeta } from './rollout/api-port.js';
export { readPlanFile, readPlanHead, writePlanFile, runIdForPlan, planChange, type PlanFile, type PlanFlow, type PlanHead } from './rollout/plan-file.js';
export { writePlanTo } from './rollout/plan-stream.js';
export { RunDir } from './rollout/run-dir.js';
export { runStatus, type RunStatus } from './rollout/run-status.js';
export { selectorsFromOptions, createFlowMatcher, type FlowSelectors } from './rollout/select.js';
export { classifyFlow, ELIGIBILITY_STATES, type EligibilityState } from './rollout/eligibility.js';
export { collectListRows, type ListRow, type ListResult } from './rollout/list-flows.js';
