import type { Journal, JournalEntry } from './journal.js';
import { readJournal } from './journal.js';
import { reduceJournal } from './journal-state.js';
import type { FlowOutcome } from './reports.js';
import { runPool, AdaptiveConcurrency } from './pool.js';
import { redact } from '../shared/redact.js';
import type { RunStopReason } from './errors.js';
import type { RolloutApi } from './api-port.js';
import { precheck } from './precheck.js';
import { startImport } from './import-one.js';
import { OutcomeWatcher, type WatcherOptions } from './outcome-watcher.js';
import { confirmWrites } from './confirm.js';
import { RunStopped, awaitingOf, progressOf, type ApplyEvent, type ApplyState, type Progress, type RewriteItem, type RunContext } from './rewrite-context.js';

export { RunStopped, type ApplyEvent, type ApplyState, type RewriteItem } from './rewrite-context.js';

/** Batches prechecked ahead of the one being written (their lookups wait in the token's queue behind registrations). */
const PRECHECK_AHEAD = 1;

export interface RewriteOptions {
  api: RolloutApi;
  journal: Journal;
  /** A number, or 'auto' to adapt to 429s. */
  concurrency: number | 'auto';
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  /** Flows prechecked together, just in time (one metadata lookup per batch, carrying due outcomes). */
  chunkSize?: number;
  /** How outcomes are learnt in batches (outcome-watcher.ts); tests shorten its waits. */
  watcher?: WatcherOptions;
  /** Imported flows confirmed together (one lookup per batch). */
  confirmBatch?: number;
}

export interface RewriteResult {
  outcomes: Map<string, FlowOutcome>;
  interrupted: boolean;
  /** Why the run stopped early (auth, rate-limit storm, server down), if it did; resume with the same command. */
  stopReason?: string;
  /** The same, as a kind the caller maps to an exit code. */
  stopKind?: RunStopReason;
}

/**
 * Rewrites flows through import jobs, journaled and resumable; apply and rollback are both this. Per flow:
 * re-read just before the write (batched: precheck.ts), skip if anything changed since it was planned, register and
 * upload an import job (import-one.ts), then learn from batched lookups and exports that the flow's published
 * version directly follows the one checked and means what was written (outcome-watcher.ts; flow by flow, with the
 * job's own answer, where it does not: confirm.ts). The journal line for each step is fsynced before the step is
 * taken, so an interrupted run is resumed by calling this again with the same journal.
 */
export async function runRewrites(items: readonly RewriteItem[], options: RewriteOptions): Promise<RewriteResult> {
  const { api, journal } = options;
  const ctx: RunContext = {
    api, journal,
    progress: restoreProgress(items, readJournal(journal.path)),
    emit: (flow: RewriteItem, state: ApplyState, reason?: string): void =>
      options.onEvent?.({ flowId: flow.id, name: flow.name, state, ...(reason ? { reason } : {}) }),
    ...(options.signal ? { signal: options.signal } : {}),
  };

  const adaptive = new AdaptiveConcurrency();
  const limit = (): number => (options.concurrency === 'auto' ? adaptive.value : options.concurrency);
  const stopped = (): boolean => options.signal?.aborted === true;
  const todo = items.filter((flow) => progressOf(ctx, flow).outcome.state !== 'DONE');
  for (const flow of items) if (progressOf(ctx, flow).outcome.state === 'DONE') ctx.emit(flow, 'DONE', 'done in an earlier attempt');

  const chunkSize = options.chunkSize ?? 40;
  const chunkCount = Math.ceil(todo.length / chunkSize);
  // Outcomes of uploaded jobs are learnt in batches (outcome-watcher.ts), mostly within the prechecks' lookups.
  // `--concurrency N` bounds the import jobs in flight, as an admin expects; auto lets up to 400 be learnt together.
  const watcher = new OutcomeWatcher(ctx, {
    ...(options.concurrency === 'auto' ? {} : { maxWatched: options.concurrency }),
    ...options.watcher,
  });
  // One continuous pool over every flow. A batch's precheck (one lookup, carrying due outcomes) is started when the
  // batch before it starts writing: close to each write without the pool ever waiting for it.
  const prechecks = new Map<number, Promise<ReadonlySet<string>>>();
  const readyIn = (chunk: number): Promise<ReadonlySet<string>> => {
    let pending = prechecks.get(chunk);
    if (!pending) {
      const flows = todo.slice(chunk * chunkSize, (chunk + 1) * chunkSize);
      pending = precheck(ctx, flows, (ids) => watcher.lookup(ids)).then((ready) => new Set(ready.map((flow) => flow.id)));
      pending.catch(() => undefined); // raised where it is awaited
      prechecks.set(chunk, pending);
    }
    return pending;
  };
  // Flows found imported by an earlier attempt are confirmed in batches as they come; each by one batch only.
  const confirmBatch = options.confirmBatch ?? 25;
  let queued: RewriteItem[] = [];
  const confirmQueued = async (): Promise<void> => {
    const batch = queued;
    queued = [];
    if (batch.length > 0) await confirmWrites(ctx, batch);
  };
  let stopError: RunStopped | undefined;
  try {
    await runPool(todo.map((flow, index) => ({ flow, chunk: Math.floor(index / chunkSize) })), limit, async ({ flow, chunk }) => {
      for (let ahead = 1; ahead <= PRECHECK_AHEAD && chunk + ahead < chunkCount && !stopped(); ahead += 1) void readyIn(chunk + ahead);
      const ready = await readyIn(chunk);
      const item = progressOf(ctx, flow);
      if (ready.has(flow.id) && !stopped()) {
        // The stop may have come while this writer waited for room: then nothing is uploaded.
        await watcher.upload(flow, awaitingOf(flow), async () =>
          stopped() ? undefined : startImport(ctx, flow, { load: () => flow.loadNewYaml(), sha256: flow.newYamlSha256 }));
        adaptive.observe(api.stats().rateLimited);
      }
      if (item.awaiting && !watcher.has(flow)) queued.push(flow);
      if (queued.length >= confirmBatch) await confirmQueued();
      if (watcher.failure) throw watcher.failure;
    }, stopped);
    await confirmQueued();
  } catch (error) {
    stopError = error instanceof RunStopped ? error : new RunStopped(error);
  }
  // Uploaded jobs are always settled, even after Ctrl-C or a stop: stopping mid-job would leave the outcome unknown
  // (a watcher that cannot ask the API any more leaves them to the next attempt, which looks at each job first).
  try {
    await watcher.close();
  } catch (error) {
    stopError ??= error instanceof RunStopped ? error : new RunStopped(error);
  }
  // A precheck started ahead of time is finished before the journal is closed (it may journal skips).
  await Promise.allSettled(prechecks.values());

  const unfinished = (flow: RewriteItem): boolean => {
    const item = progressOf(ctx, flow);
    return item.outcome.state === 'NOT_STARTED' || item.awaiting !== undefined;
  };
  const interrupted = stopError !== undefined || (stopped() && todo.some(unfinished));
  const outcomes = new Map([...ctx.progress].map(([id, item]) => [id, item.outcome]));
  return { outcomes, interrupted, ...(stopError ? { stopReason: redact(stopError.message), stopKind: stopError.reason } : {}) };
}

/** Rebuilds each target's state from the journal of earlier attempts (the one reading: journal-state.ts). */
function restoreProgress(targets: readonly RewriteItem[], entries: readonly JournalEntry[]): Map<string, Progress> {
  const journaled = reduceJournal(entries);
  const progress = new Map<string, Progress>();
  for (const target of targets) {
    const item: Progress = {
      outcome: { id: target.id, name: target.name, type: target.type, state: 'NOT_STARTED', ...(target.expectedVersion ? { versionBefore: target.expectedVersion } : {}) },
    };
    const seen = journaled.get(target.id);
    if (seen?.pendingJobId !== undefined) item.pendingJobId = seen.pendingJobId;
    if (seen?.imported) item.importedEarlier = true;
    // Imported in an earlier attempt but never confirmed: confirmed now, before anything else is decided.
    if (seen?.state === 'IMPORTED_UNCONFIRMED') item.awaiting = awaitingOf(target);
    // Only DONE is final; FAILED, CONFLICT and skipped flows are looked at again.
    if (seen?.state === 'DONE') item.outcome.state = 'DONE';
    if (seen?.versionAfter !== undefined) item.outcome.versionAfter = seen.versionAfter;
    progress.set(target.id, item);
  }
  return progress;
}
