import type { RolloutApi, FlowMeta, ImportResult } from './api-port.js';
import { readJournal, type Journal, type JournalEntry } from './journal.js';
import { sha256 } from './plan-file.js';
import { compareMeaning } from '../flow/meaning.js';
import type { FlowOutcome } from './reports.js';
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

/**
 * One flow to rewrite: it must still be what we expect, and then becomes the new YAML. A published version never
 * changes, so "still what we expect" is: the same published version id, not locked, no newer draft; no export is
 * needed to know it. Only when the version is not known (or has moved) is content read, and then compared by
 * meaning (flow/meaning.ts), never by bytes: Genesys regenerates every export. The texts are loaded only when
 * needed (apply keeps them in the run directory), so a run holds metadata, not every text.
 */
export interface RewriteItem {
  id: string;
  name: string;
  type: string;
  /** The published version the flow must still have, when known. */
  expectedVersion?: string;
  /** What the published version must mean when expectedVersion is not known (rollback of a flow whose new version was never journaled). */
  loadExpectedText?: () => string;
  newYamlSha256: string;
  loadNewYaml: () => string;
}

export interface RewriteOptions {
  api: RolloutApi;
  journal: Journal;
  /** A number, or 'auto' to adapt to 429s. */
  concurrency: number | 'auto';
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  /** Flows prechecked together (one metadata lookup + one export job per chunk). */
  chunkSize?: number;
}

export interface RewriteResult {
  outcomes: Map<string, FlowOutcome>;
  interrupted: boolean;
  /** Why the run stopped early (auth, rate-limit storm, server down), if it did; resume with the same command. */
  stopReason?: string;
}

interface Progress {
  outcome: FlowOutcome;
  /** An import job registered in an earlier, interrupted attempt, still to be looked at. */
  pendingJobId?: string;
}

/**
 * Rewrites flows through import jobs, journaled and resumable; apply and rollback are both this. Per flow:
 * re-read (batched), skip if anything changed since it was planned, then register an import job, upload, wait.
 * The journal line for each step is fsynced before the step is taken, so an interrupted run is resumed by
 * calling this again with the same journal.
 */
export async function runRewrites(items: readonly RewriteItem[], options: RewriteOptions): Promise<RewriteResult> {
  const { api, journal } = options;
  const progress = restoreProgress(items, readJournal(journal.path));
  const emit = (flow: RewriteItem, state: ApplyState, reason?: string): void =>
    options.onEvent?.({ flowId: flow.id, name: flow.name, state, ...(reason ? { reason } : {}) });

  const adaptive = new AdaptiveConcurrency();
  const limit = (): number => (options.concurrency === 'auto' ? adaptive.value : options.concurrency);
  const stopped = (): boolean => options.signal?.aborted === true;
  const todo = items.filter((flow) => progress.get(flow.id)?.outcome.state !== 'DONE');
  for (const flow of items) if (progress.get(flow.id)?.outcome.state === 'DONE') emit(flow, 'DONE', 'done in an earlier attempt');

  const chunkSize = options.chunkSize ?? 50;
  const chunkCount = Math.ceil(todo.length / chunkSize);
  // One continuous pool over every flow; each chunk's precheck (one lookup, one export job) is started while the
  // chunk before it is still importing, so the pool neither waits for prechecks nor drains between chunks.
  const prechecks = new Map<number, Promise<ReadonlySet<string>>>();
  const readyIn = (chunk: number): Promise<ReadonlySet<string>> => {
    let pending = prechecks.get(chunk);
    if (!pending) {
      const flows = todo.slice(chunk * chunkSize, (chunk + 1) * chunkSize);
      pending = precheck(flows, progress, api, journal, emit).then((ready) => new Set(ready.map((flow) => flow.id)));
      pending.catch(() => undefined); // raised where it is awaited
      prechecks.set(chunk, pending);
    }
    return pending;
  };
  let stopError: RunStopped | undefined;
  try {
    await runPool(todo.map((flow, index) => ({ flow, chunk: Math.floor(index / chunkSize) })), limit, async ({ flow, chunk }) => {
      const ready = await readyIn(chunk);
      if (chunk + 1 < chunkCount && !stopped()) void readyIn(chunk + 1);
      if (!ready.has(flow.id) || stopped()) return;
      await rewriteOne(flow, progress.get(flow.id) as Progress, api, journal, emit, options.signal);
      adaptive.observe(api.stats().rateLimited);
    }, stopped);
  } catch (error) {
    stopError = error instanceof RunStopped ? error : new RunStopped(error);
  }
  // A precheck started ahead of time is finished before the journal is closed (it may journal skips).
  await Promise.allSettled(prechecks.values());

  const interrupted = stopError !== undefined || (stopped() && todo.some((flow) => progress.get(flow.id)?.outcome.state === 'NOT_STARTED'));
  if (!stopError) await fillVersionsAfter(items, progress, api, journal);
  const outcomes = new Map([...progress].map(([id, item]) => [id, item.outcome]));
  return { outcomes, interrupted, ...(stopError ? { stopReason: redact(stopError.message) } : {}) };
}

/** Rebuilds each target's state from the journal of earlier attempts. */
function restoreProgress(targets: readonly RewriteItem[], entries: readonly JournalEntry[]): Map<string, Progress> {
  const progress = new Map<string, Progress>();
  for (const flow of targets) {
    progress.set(flow.id, {
      outcome: { id: flow.id, name: flow.name, type: flow.type, state: 'NOT_STARTED', ...(flow.expectedVersion ? { versionBefore: flow.expectedVersion } : {}) },
    });
  }
  for (const entry of entries) {
    const item = entry.flowId ? progress.get(entry.flowId) : undefined;
    if (!item) continue;
    if (entry.step === 'import-registered') item.pendingJobId = String(entry.jobId);
    // A job whose wait was given up (timedOut) may still publish: it stays pending, so that the next attempt looks
    // at it before importing the flow again (two jobs for one flow could publish it twice).
    if (entry.step === 'import-succeeded' || (entry.step === 'import-failed' && entry.timedOut !== true)) delete item.pendingJobId;
    if (entry.step === 'flow-done') item.outcome.state = 'DONE';
    if ((entry.step === 'flow-done' || entry.step === 'flow-version') && typeof entry.versionAfter === 'string') {
      item.outcome.versionAfter = entry.versionAfter;
    }
  }
  return progress;
}

/**
 * Re-reads a chunk of flows (one lookup, one export job) and decides, per flow, whether it may be written.
 * A flow that already holds exactly the planned YAML was written by an earlier attempt: it is DONE, not redone.
 */
async function precheck(
  chunk: readonly RewriteItem[],
  progress: Map<string, Progress>,
  api: RolloutApi,
  journal: Journal,
  emit: (flow: RewriteItem, state: ApplyState, reason?: string) => void,
): Promise<RewriteItem[]> {
  // In-flight jobs from an interrupted attempt are looked at before anything else is decided.
  for (const flow of chunk) {
    const item = progress.get(flow.id) as Progress;
    if (!item.pendingJobId) continue;
    const jobId = item.pendingJobId;
    const job = await lookAtPendingJob(api, jobId);
    if (job.status === 'Started') Object.assign(job, await api.waitImport(jobId));
    if (job.status === 'Success' && job.flowId !== undefined && job.flowId !== flow.id) {
      const message = `the import job published flow ${job.flowId}, not the target ${flow.id} (was the flow renamed?)`;
      journal.append('import-failed', { flowId: flow.id, jobId, messages: [message], otherFlowId: job.flowId, resumed: true });
      fail(flow, item, journal, emit, message);
      continue; // not judged again in this attempt (the pending job keeps it out of the batch below)
    } else if (job.status === 'Success') {
      journal.append('import-succeeded', { flowId: flow.id, jobId, resumed: true });
      finish(flow, item, journal, emit);
    } else if (job.timedOut) {
      // Still running after another full wait: importing again now could publish the flow twice.
      journal.append('import-failed', { flowId: flow.id, jobId, messages: job.messages, resumed: true, timedOut: true });
      fail(flow, item, journal, emit, `an earlier import job (${jobId}) is still running; not importing again until it ends`);
      continue;
    } else if (job.status === 'Failure') {
      journal.append('import-failed', { flowId: flow.id, jobId, messages: job.messages, resumed: true });
    }
    delete item.pendingJobId;
  }
  const open = chunk.filter((flow) => {
    const item = progress.get(flow.id) as Progress;
    return item.outcome.state !== 'DONE' && item.pendingJobId === undefined;
  });
  if (open.length === 0) return [];
  const metas = await api.getFlows(open.map((flow) => flow.id));
  // Content is read only where identity cannot decide: the version moved (our own earlier import, or someone
  // else's publish) or was never known. An unchanged flow costs no export.
  const toRead = open.flatMap((flow) => {
    const meta = metas.get(flow.id);
    if (!meta?.publishedVersion || meta.lockedBy || meta.hasDraft || meta.publishedVersion === flow.expectedVersion) return [];
    return [{ id: flow.id, version: meta.publishedVersion }];
  });
  const exports = toRead.length > 0 ? await api.exportFlows(toRead) : new Map<string, { yaml?: string; error?: string }>();
  const ready: RewriteItem[] = [];
  for (const flow of open) {
    const item = progress.get(flow.id) as Progress;
    const exported = exports.get(flow.id);
    const verdict = judge(flow, metas.get(flow.id), exported?.yaml, exported?.error);
    if (verdict === 'ready') {
      ready.push(flow);
    } else if (verdict === 'already-applied') {
      journal.append('import-succeeded', { flowId: flow.id, detectedBy: 'content' });
      finish(flow, item, journal, emit, metas.get(flow.id)?.publishedVersion);
    } else if (verdict.state === 'FAILED') {
      fail(flow, item, journal, emit, verdict.reason);
    } else {
      item.outcome.state = verdict.state;
      item.outcome.reason = verdict.reason;
      journal.append('precheck-skipped', { flowId: flow.id, state: verdict.state, reason: verdict.reason });
      emit(flow, verdict.state, verdict.reason);
    }
  }
  return ready;
}

/**
 * An in-flight job of an earlier attempt, as the server reports it now. A job the server no longer knows (404:
 * job records expire, or the org was restored) is reported as failed, so that the flow is re-read and judged by its
 * content: already holding the planned YAML means done, unchanged means import again. Letting the 404 stop the run
 * made every later resume stop at the same place.
 */
async function lookAtPendingJob(api: RolloutApi, jobId: string): Promise<ImportResult> {
  try {
    return await api.getImport(jobId);
  } catch (error) {
    if ((error as { status?: unknown } | null)?.status !== 404) throw error;
    return { status: 'Failure', messages: [`import job ${jobId} is no longer known to the server; the flow is re-read to decide`] };
  }
}

function judge(
  flow: RewriteItem,
  meta: FlowMeta | undefined,
  currentYaml: string | undefined,
  exportError?: string,
): 'ready' | 'already-applied' | { state: ApplyState; reason: string } {
  if (!meta) return { state: 'SKIPPED_DELETED', reason: 'the flow no longer exists' };
  if (meta.lockedBy) {
    return { state: 'SKIPPED_LOCKED', reason: `locked by ${meta.lockedBy.kind} ${meta.lockedBy.name ?? meta.lockedBy.id ?? ''}`.trim() };
  }
  if (meta.hasDraft) return { state: 'SKIPPED_DRAFT', reason: 'has an unpublished draft newer than the published version' };
  // Imports match by name and type: importing under the old name would create a second flow, not change this one.
  if (meta.name !== flow.name) return { state: 'SKIPPED_CHANGED', reason: `renamed since the plan (now ${JSON.stringify(meta.name)})` };
  if (flow.expectedVersion !== undefined && meta.publishedVersion === flow.expectedVersion) return 'ready';
  const moved = flow.expectedVersion === undefined
    ? 'its published version was not recorded'
    : `published version is ${meta.publishedVersion ?? 'none'}, expected ${flow.expectedVersion}`;
  if (!meta.publishedVersion) return { state: 'SKIPPED_CHANGED', reason: `${moved}; the flow has no published version` };
  // Not knowing the content is not a change: an export that failed (a 503 run past the retry cap, a throttled
  // job) fails the flow, so that the run does not end "done" with flows skipped for a reason that is not true,
  // and the next apply tries the flow again.
  if (currentYaml === undefined) {
    return { state: 'FAILED', reason: `${moved}, and its content could not be exported to compare it${exportError ? `: ${exportError}` : ''}` };
  }
  if (compareMeaning(currentYaml, flow.loadNewYaml()).same) return 'already-applied';
  if (flow.expectedVersion === undefined && flow.loadExpectedText && compareMeaning(currentYaml, flow.loadExpectedText()).same) return 'ready';
  return { state: 'SKIPPED_CHANGED', reason: `${moved}, and it means neither what was planned nor the change (someone else changed it)` };
}

async function rewriteOne(
  flow: RewriteItem,
  item: Progress,
  api: RolloutApi,
  journal: Journal,
  emit: (flow: RewriteItem, state: ApplyState, reason?: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (signal?.aborted) return;
  const started = Date.now();
  item.outcome.startedAt = new Date(started).toISOString();
  try {
    const registration = await api.registerImport();
    journal.append('import-registered', { flowId: flow.id, jobId: registration.jobId });
    const newYaml = flow.loadNewYaml();
    if (sha256(newYaml) !== flow.newYamlSha256) throw new Error(`the planned YAML kept for flow ${flow.id} is damaged; make a new plan`);
    await api.uploadImport(registration, newYaml);
    journal.append('import-uploaded', { flowId: flow.id, jobId: registration.jobId });
    // In-flight jobs are always awaited, even after Ctrl-C: stopping mid-job would leave the outcome unknown.
    const result = await api.waitImport(registration.jobId);
    item.outcome.durationMs = Date.now() - started;
    if (result.status === 'Success' && result.flowId !== undefined && result.flowId !== flow.id) {
      // Imports match by name: a flow renamed since the plan gets a new twin instead (genesys-api.md §15.8).
      const message = `the import job published flow ${result.flowId}, not the target ${flow.id} (was the flow renamed?)`;
      journal.append('import-failed', { flowId: flow.id, jobId: registration.jobId, messages: [message], otherFlowId: result.flowId });
      fail(flow, item, journal, emit, message);
    } else if (result.status === 'Success') {
      journal.append('import-succeeded', { flowId: flow.id, jobId: registration.jobId });
      finish(flow, item, journal, emit);
    } else {
      const message = result.messages.join('; ') || 'import job failed without messages';
      journal.append('import-failed', { flowId: flow.id, jobId: registration.jobId, messages: result.messages, ...(result.timedOut ? { timedOut: true } : {}) });
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
  flow: RewriteItem,
  item: Progress,
  journal: Journal,
  emit: (flow: RewriteItem, state: ApplyState, reason?: string) => void,
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
  flow: RewriteItem,
  item: Progress,
  journal: Journal,
  emit: (flow: RewriteItem, state: ApplyState, reason?: string) => void,
  message: string,
): void {
  item.outcome.state = 'FAILED';
  item.outcome.error = redact(message);
  item.outcome.finishedAt = new Date().toISOString();
  journal.append('flow-failed', { flowId: flow.id, error: item.outcome.error });
  emit(flow, 'FAILED', item.outcome.error);
}

/** One batched read at the end gives every written flow its new published version for the report. */
async function fillVersionsAfter(targets: readonly RewriteItem[], progress: Map<string, Progress>, api: RolloutApi, journal: Journal): Promise<void> {
  const done = targets.filter((flow) => progress.get(flow.id)?.outcome.state === 'DONE' && !progress.get(flow.id)?.outcome.versionAfter);
  if (done.length === 0) return;
  try {
    const metas = await api.getFlows(done.map((flow) => flow.id));
    for (const flow of done) {
      const version = metas.get(flow.id)?.publishedVersion;
      if (!version) continue;
      (progress.get(flow.id) as Progress).outcome.versionAfter = version;
      // The version this run created is its identity: rollback acts only where it is still the published one.
      journal.append('flow-version', { flowId: flow.id, versionAfter: version });
    }
  } catch {
    // Versions after are informative; verify reads them again. A failed read here must not fail the run.
  }
}
