import type { Flow } from '../client/index.js';

/**
 * What the rollout needs from Genesys, and nothing more. The CLI adapts the real client to it
 * (client-adapter.ts); keeping the port narrow makes each rollout step's API cost visible in one place.
 */
export interface FlowMeta {
  id: string;
  name: string;
  /** lowercase flow type */
  type: string;
  division?: { id: string; name?: string };
  publishedVersion?: string;
  lockedBy?: { kind: 'user' | 'client'; id?: string; name?: string };
  /** A saved or checked-in version newer than the published one. */
  hasDraft: boolean;
}

export interface ImportRegistration {
  jobId: string;
  presignedUrl: string;
  headers: Record<string, string>;
}

export interface ImportResult {
  status: 'Registered' | 'Started' | 'Success' | 'Failure';
  flowId?: string;
  messages: string[];
  /** The wait was given up while the job was still running (`--job-timeout`): it may still finish later. */
  timedOut?: true;
}

export interface ExportResult {
  yaml?: string;
  error?: string;
}

/** The client's clock: the rollout's own waits (between outcome lookups) run on it, like the client's polls. */
export interface RolloutClock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface RolloutApi {
  readonly clock: RolloutClock;
  /** Every flow of these types (lowercase query spellings), metadata only: what list and plan classify. */
  listFlows(types: readonly string[]): Promise<Flow[]>;
  /** The common module of this exact name, with its input/output schemas; undefined when there is none. */
  findModule(name: string): Promise<Flow | undefined>;
  /**
   * Who consumes the module, per dependency tracking, asked per published version of the module (a real org lists
   * consumers per module version): each consumer's id and the module version its published version embeds.
   */
  moduleConsumersByVersion(moduleId: string, options?: { currentVersion?: string; types?: readonly string[] }): Promise<{ byFlow: Map<string, string>; partial: boolean }>;
  /** Current metadata of these flows, batched; a flow missing from the map no longer exists. */
  getFlows(ids: readonly string[]): Promise<Map<string, FlowMeta>>;
  /** Exported Archy YAML of the given versions, batched into export jobs. */
  exportFlows(refs: readonly { id: string; version?: string }[]): Promise<Map<string, ExportResult>>;
  registerImport(): Promise<ImportRegistration>;
  uploadImport(registration: ImportRegistration, yaml: string): Promise<void>;
  /**
   * Waits for the import job to end (Success or Failure). With a `deadline` (epoch ms on the client's clock) that
   * passes first, the job as last seen (Started) marked `timedOut`, not an exception.
   */
  waitImport(jobId: string, options?: { deadline?: number; signal?: AbortSignal }): Promise<ImportResult>;
  /** One look at an import job (used on resume to learn what became of an in-flight job). */
  getImport(jobId: string): Promise<ImportResult>;
  /**
   * Ids of flows whose published version consumes this published version of the module, per dependency tracking
   * (a real org wants `version`, and lists consumers per module version); `partial` while it lags.
   */
  moduleConsumers(moduleId: string, moduleVersion: string): Promise<{ ids: Set<string>; partial: boolean }>;
  /** The flow's versions (id and, where the API says, PUBLISH / CHECKIN / SAVE), to see who published between two. */
  flowVersions(flowId: string): Promise<{ id: string; type?: string }[]>;
  /** Rate-limited API requests made so far and 429s received (for reports and `--concurrency auto`). */
  stats(): { requests: number; rateLimited: number };
}
