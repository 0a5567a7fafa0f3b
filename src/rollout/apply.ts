import type { RolloutApi, FlowMeta } from './api-port.js';
import { Journal, readJournal, type JournalEntry } from './journal.js';
import type { PlanFile, PlanFlow } from './plan-file.js';
import { sha256, writePlanFile } from './plan-file.js';
import { RunDir } from './run-dir.js';
import { countStates, writeReports, type FlowOutcome, type RunReport } from './reports.js';
import { runPool, AdaptiveConcurrency } from './pool.js';
import { redact } from '../shared/redact.js';

export type ApplyState =
  | 'DONE'
  | 'FAILED'
  | 'SKIPPED_CHANGED'
  | 'SKIPPED_LOCKED'
  | 'SKIPPED_DRAFT'
  | 'SKIPPED_DELETED'
  | 'NOT_STARTED';

export interface ApplyEvent {
  flowId: string;
  name: string;
  state: ApplyState;
  reason?: string;
}

export interface ApplyOptions {
  api: RolloutApi;
  runDir: RunDir;
  /** A number, or 'auto' to adapt to 429s. */
  concurrency: number | 'auto';
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  /** Flows prechecked together (one metadata lookup + one export job per chunk). */
  chunkSize?: number;
}

export interface ApplyResult {
  runId: string;
  report: RunReport;
  interrupted: boolean;
  resumed: boolean;
  /** Why the run stopped early (auth, rate-limit storm, server down), if it did; resume with the same plan. */
  stopReason?: string;
}

interface Progress {
  outcome: FlowOutcome;
  /** An import job registered in an earlier, interrupted run, still to be looked at. */
  pendingJobId?: string;
}

const FINAL: ReadonlySet<string> = new Set(['DONE']);

/**
 * Applies exactly the plan, journaled and resumable (design.md "One flow's path"). Per flow: re-read (batched),
 * skip if anything changed since the plan, then register an import job, upload, wait. The journal line for
 * each step is fsynced before the step is taken, so an interrupted run is resumed by calling this again.
 */
export async function applyPlan(plan: PlanFile, options: ApplyOptions): Promise<ApplyResult> {
  const { api, runDir } = options;
  const resumed = runDir.exists() && readJournal(runDir.journalPath).length > 0;
  runDir.create();
  writePlanFile(runDir.planPath, plan);
  const journal = new Journal(runDir.journalPath);
  const startedAt = new Date().toISOString();
  journal.append(resumed ? 'run-resumed' : 'run-started', { runId: runDir.runId, module: plan.module.name });

  const targets = plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  const progress = restoreProgress(targets, readJournal(runDir.journalPath));
  const emit = (flow: PlanFlow, state: ApplyState, reason?: string): void =>
    options.onEvent?.({ flowId: flow.id, name: flow.name, state, ...(reason ? { reason } : {}) });

  // Backups first: every target's exported YAML is durable on disk before the run's first write.
  for (const flow of targets) {
    if (!runDir.hasBackup(flow.id, flow.publishedVersion)) {
      runDir.writeBackup(flow.id, flow.publishedVersion, flow.original ?? '', {
        id: flow.id, name: flow.name, type: flow.type, division: flow.division,
        publishedVersion: flow.publishedVersion, sha256: flow.sha256, planChecksum: plan.checksum,
      });
      journal.append('backup-written', { flowId: flow.id, version: flow.publishedVersion });
    }
  }

  const adaptive = new AdaptiveConcurrency();
  const limit = (): number => (options.concurrency === 'auto' ? adaptive.value : options.concurrency);
  const stopped = (): boolean => options.signal?.aborted === true;
  const todo = targets.filter((flow) => !FINAL.has(progress.get(flow.id)?.outcome.state ?? ''));
  for (const flow of targets) if (FINAL.has(progress.get(flow.id)?.outcome.state ?? '')) emit(flow, 'DONE', 'done in an earlier attempt');

  const chunkSize = options.chunkSize ?? 50;
  let stopError: RunStopped | undefined;
  try {
    for (let start = 0; start < todo.length && !stopped(); start += chunkSize) {
      const chunk = todo.slice(start, start + chunkSize);
      const ready = await precheck(chunk, progress, api, journal, emit);
      await runPool(ready, limit, async (flow) => {
        await applyOne(flow, progress.get(flow.id) as Progress, api, journal, emit, options.signal);
        adaptive.observe(api.stats().rateLimited);
      }, () => stopped() || stopError !== undefined);
    }
  } catch (error) {
    stopError = error instanceof RunStopped ? error : new RunStopped(error);
  }

  const interrupted = stopError !== undefined || (stopped() && todo.some((flow) => progress.get(flow.id)?.outcome.state === 'NOT_STARTED'));
  if (!stopError) await fillVersionsAfter(targets, progress, api);
  journal.append(interrupted ? 'run-interrupted' : 'run-finished', {
    counts: countStates(outcomesOf(plan, progress)),
    ...(stopError ? { reason: redact(stopError.message) } : {}),
  });
  journal.close();

  const report: RunReport = {
    runId: runDir.runId,
    command: 'apply',
    module: { id: plan.module.id, name: plan.module.name },
    startedAt,
    finishedAt: new Date().toISOString(),
    counts: countStates(outcomesOf(plan, progress)),
    flows: outcomesOf(plan, progress),
  };
  writeReports(runDir, report);
  return { runId: runDir.runId, report, interrupted, resumed, ...(stopError ? { stopReason: redact(stopError.message) } : {}) };
}

/** Rebuilds each target's state from the journal of earlier attempts. */
function restoreProgress(targets: readonly PlanFlow[], entries: readonly JournalEntry[]): Map<string, Progress> {
  const progress = new Map<string, Progress>();
  for (const flow of targets) {
    progress.set(flow.id, {
      outcome: { id: flow.id, name: flow.name, type: flow.type, state: 'NOT_STARTED', versionBefore: flow.publishedVersion },
    });
  }
  for (const entry of entries) {
    const item = entry.flowId ? progress.get(entry.flowId) : undefined;
    if (!item) continue;
    if (entry.step === 'import-registered') item.pendingJobId = String(entry.jobId);
    if (entry.step === 'import-succeeded' || entry.step === 'import-failed') delete item.pendingJobId;
    if (entry.step === 'flow-done') {
      item.outcome.state = 'DONE';
      if (typeof entry.versionAfter === 'string') item.outcome.versionAfter = entry.versionAfter;
    }
  }
  return progress;
}

/**
 * Re-reads a chunk of flows (one lookup, one export job) and decides, per flow, whether it may be written.
 * A flow that already holds exactly the planned YAML was written by an earlier attempt: it is DONE, not redone.
 */
async function precheck(
  chunk: readonly PlanFlow[],
  progress: Map<string, Progress>,
  api: RolloutApi,
  journal: Journal,
  emit: (flow: PlanFlow, state: ApplyState, reason?: string) => void,
): Promise<PlanFlow[]> {
  // In-flight jobs from an interrupted attempt are looked at before anything else is decided.
  for (const flow of chunk) {
    const item = progress.get(flow.id) as Progress;
    if (!item.pendingJobId) continue;
    const job = await api.getImport(item.pendingJobId);
    if (job.status === 'Started') Object.assign(job, await api.waitImport(item.pendingJobId));
    if (job.status === 'Success') {
      journal.append('import-succeeded', { flowId: flow.id, jobId: item.pendingJobId, resumed: true });
      finish(flow, item, journal, emit);
    } else if (job.status === 'Failure') {
      journal.append('import-failed', { flowId: flow.id, jobId: item.pendingJobId, messages: job.messages, resumed: true });
    }
    delete item.pendingJobId;
  }
  const open = chunk.filter((flow) => progress.get(flow.id)?.outcome.state !== 'DONE');
  if (open.length === 0) return [];
  const metas = await api.getFlows(open.map((flow) => flow.id));
  const exports = await api.exportFlows(
    open.flatMap((flow) => {
      const meta = metas.get(flow.id);
      return meta?.publishedVersion ? [{ id: flow.id, version: meta.publishedVersion }] : [];
    }),
  );
  const ready: PlanFlow[] = [];
  for (const flow of open) {
    const item = progress.get(flow.id) as Progress;
    const verdict = judge(flow, metas.get(flow.id), exports.get(flow.id)?.yaml);
    if (verdict === 'ready') {
      ready.push(flow);
    } else if (verdict === 'already-applied') {
      journal.append('import-succeeded', { flowId: flow.id, detectedBy: 'content' });
      finish(flow, item, journal, emit, metas.get(flow.id)?.publishedVersion);
    } else {
      item.outcome.state = verdict.state;
      item.outcome.reason = verdict.reason;
      journal.append('precheck-skipped', { flowId: flow.id, state: verdict.state, reason: verdict.reason });
      emit(flow, verdict.state, verdict.reason);
    }
  }
  return ready;
}

function judge(
  flow: PlanFlow,
  meta: FlowMeta | undefined,
  currentYaml: string | undefined,
): 'ready' | 'already-applied' | { state: ApplyState; reason: string } {
  if (!meta) return { state: 'SKIPPED_DELETED', reason: 'the flow no longer exists' };
  if (meta.lockedBy) {
    return { state: 'SKIPPED_LOCKED', reason: `locked by ${meta.lockedBy.kind} ${meta.lockedBy.name ?? meta.lockedBy.id ?? ''}`.trim() };
  }
  if (meta.hasDraft) return { state: 'SKIPPED_DRAFT', reason: 'has an unpublished draft newer than the published version' };
  if (currentYaml !== undefined && currentYaml === flow.updated) return 'already-applied';
  if (meta.publishedVersion !== flow.publishedVersion) {
    return { state: 'SKIPPED_CHANGED', reason: `published version is ${meta.publishedVersion ?? 'none'}, plan saw ${flow.publishedVersion ?? 'none'}` };
  }
  if (currentYaml === undefined) return { state: 'SKIPPED_CHANGED', reason: 'could not export the published version to compare it' };
  if (sha256(currentYaml) !== flow.sha256) return { state: 'SKIPPED_CHANGED', reason: 'published YAML differs from the planned one' };
  return 'ready';
}

async function applyOne(
  flow: PlanFlow,
  item: Progress,
  api: RolloutApi,
  journal: Journal,
  emit: (flow: PlanFlow, state: ApplyState, reason?: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal?.aborted) return;
  const started = Date.now();
  item.outcome.startedAt = new Date(started).toISOString();
  try {
    const registration = await api.registerImport();
    journal.append('import-registered', { flowId: flow.id, jobId: registration.jobId });
    await api.uploadImport(registration, flow.updated ?? '');
    journal.append('import-uploaded', { flowId: flow.id, jobId: registration.jobId });
    // In-flight jobs are always awaited, even after Ctrl-C: stopping mid-job would leave the outcome unknown.
    const result = await api.waitImport(registration.jobId);
    item.outcome.durationMs = Date.now() - started;
    if (result.status === 'Success') {
      journal.append('import-succeeded', { flowId: flow.id, jobId: registration.jobId });
      finish(flow, item, journal, emit);
    } else {
      const message = result.messages.join('; ') || 'import job failed without messages';
      journal.append('import-failed', { flowId: flow.id, jobId: registration.jobId, messages: result.messages });
      fail(flow, item, journal, emit, message);
    }
  } catch (error) {
    item.outcome.durationMs = Date.now() - started;
    // Not this flow's fault (auth, rate-limit storm past the retry cap, server or network down): stop the run and
    // leave the flow's journal at its last step, so that resume looks at any in-flight job before redoing anything.
    if (isRunFatal(error)) throw new RunStopped(error);
    fail(flow, item, journal, emit, error instanceof Error ? error.message : String(error));
  }
}

/** Raised to stop a run early; the journal and reports are still closed and written. */
export class RunStopped extends Error {
  constructor(readonly causeError: unknown) {
    super(`run stopped: ${causeError instanceof Error ? causeError.message : String(causeError)}`);
    this.name = 'RunStopped';
  }
}

const RUN_FATAL_STATUSES = new Set([0, 401, 403, 429, 500, 502, 503, 504]);

function isRunFatal(error: unknown): boolean {
  if (error instanceof Error && error.name === 'AbortError') return true;
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && RUN_FATAL_STATUSES.has(status);
}

function finish(
  flow: PlanFlow,
  item: Progress,
  journal: Journal,
  emit: (flow: PlanFlow, state: ApplyState, reason?: string) => void,
  versionAfter?: string,
): void {
  item.outcome.state = 'DONE';
  delete item.outcome.reason;
  item.outcome.finishedAt = new Date().toISOString();
  if (versionAfter) item.outcome.versionAfter = versionAfter;
  journal.append('flow-done', { flowId: flow.id, ...(versionAfter ? { versionAfter } : {}) });
  emit(flow, 'DONE');
}

function fail(
  flow: PlanFlow,
  item: Progress,
  journal: Journal,
  emit: (flow: PlanFlow, state: ApplyState, reason?: string) => void,
  message: string,
): void {
  item.outcome.state = 'FAILED';
  item.outcome.error = redact(message);
  item.outcome.finishedAt = new Date().toISOString();
  journal.append('flow-failed', { flowId: flow.id, error: item.outcome.error });
  emit(flow, 'FAILED', item.outcome.error);
}

/** One batched read at the end gives every written flow its new published version for the report. */
async function fillVersionsAfter(targets: readonly PlanFlow[], progress: Map<string, Progress>, api: RolloutApi): Promise<void> {
  const done = targets.filter((flow) => progress.get(flow.id)?.outcome.state === 'DONE' && !progress.get(flow.id)?.outcome.versionAfter);
  if (done.length === 0) return;
  try {
    const metas = await api.getFlows(done.map((flow) => flow.id));
    for (const flow of done) {
      const version = metas.get(flow.id)?.publishedVersion;
      if (version) (progress.get(flow.id) as Progress).outcome.versionAfter = version;
    }
  } catch {
    // Versions after are informative; verify reads them again. A failed read here must not fail the run.
  }
}

function outcomesOf(plan: PlanFile, progress: Map<string, Progress>): FlowOutcome[] {
  return plan.flows.map((flow) => {
    const item = progress.get(flow.id);
    if (item) return item.outcome;
    return { id: flow.id, name: flow.name, type: flow.type, state: flow.state, ...(flow.reason ? { reason: flow.reason } : {}), versionBefore: flow.publishedVersion };
  });
}
