import type { RolloutApi } from './api-port.js';
import { readJournal } from './journal.js';
import { readFileSync } from 'node:fs';
import { flowChange, type PlanFile } from './plan-format.js';
import { planHeadOf, readPlanFlows, type PlanHead } from './plan-read.js';
import { prepareRun, type PreparedRun, type RunFlow } from './run-prepare.js';
import { proveOriginals } from './prove-originals.js';
import type { RunDir } from './run-dir.js';
import { countStates, writeReports, type FlowOutcome, type RunReport } from './reports.js';
import { runRewrites, type ApplyEvent, type RewriteItem, type RewriteResult } from './rewrite.js';
import { isRunFatal, RunStopped } from './rewrite-context.js';
import { redact } from '../shared/redact.js';
import { planEdit } from './plan-edit.js';
import { holdsChange } from './change.js';
import { isTarget } from './states.js';
import { acquireRunLock, type LockOwner } from './run-lock.js';
import { PlanError, type RunStopReason } from './errors.js';
import { assertPlanBelongsToOrgUnlessUnreachable } from './org-check.js';
import { DEFAULT_JOB_TIMEOUT_MS, withJobTimeout } from './job-timeout.js';
import { collectIfGrown } from '../shared/heap-keeper.js';

export interface ApplyOptions {
  api: RolloutApi;
  /** The API base the client talks to: a plan made against another is refused (the org's module is checked too). */
  environment?: string;
  /** How long one import job may run before it is given up as that flow's failure (default DEFAULT_JOB_TIMEOUT_MS). */
  jobTimeoutMs?: number;
  /** The client's clock, when it is not Date.now (the deadline of a job is on it). */
  now?: () => number;
  runDir: RunDir;
  concurrency: number | 'auto';
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  chunkSize?: number;
}

export interface ApplyResult {
  runId: string;
  /** A run lock left by a process that is gone (kill -9) was taken over. */
  replacedStaleLock?: LockOwner;
  report: RunReport;
  interrupted: boolean;
  resumed: boolean;
  stopReason?: string;
  stopKind?: RunStopReason;
}

/**
 * Applies exactly the plan: backups of every target on disk first, then the journaled rewrite of each eligible
 * flow from its planned original to its planned new YAML. Calling it again on the same plan resumes the run.
 */
export async function applyPlan(plan: PlanFile, options: ApplyOptions): Promise<ApplyResult> {
  return applyChecked(planHeadOf(plan), options);
}

/**
 * The same as applyPlan for a plan file, which is never held whole: it is read through once to check it, then
 * again flow by flow as each flow is proven and its texts go to the run directory, so a run of thousands of flows
 * holds their metadata only (what `flowlink apply` uses).
 */
export async function applyPlanFile(path: string, options: ApplyOptions): Promise<ApplyResult> {
  return applyChecked(readPlanFlows(path, () => undefined).head, options);
}

async function applyChecked(head: PlanHead, given: ApplyOptions): Promise<ApplyResult> {
  const { runDir } = given;
  // One deadline per import job, here in the library so that a library caller gets the CLI's safety.
  const options: ApplyOptions = { ...given, api: withJobTimeout(given.api, given.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS, given.now) };
  const fresh = !runDir.exists();
  // One run at a time per plan (run-lock.ts).
  const lock = acquireRunLock(runDir.path, head.checksum, 'apply');
  try {
    // A rolled-back run is not resumed into DONE.
    const rolledBack = readJournal(runDir.rollbackJournalPath).find((entry) => entry.step === 'rollback-started');
    if (rolledBack) {
      throw new PlanError(
        `run ${runDir.runId} was rolled back (${rolledBack.at}); its flows are back to what they were, so this plan is stale: make a new plan to apply the change again`);
    }
    await assertPlanBelongsToOrgUnlessUnreachable(given.api, head.header, given.environment);
    const result = await runPrepared(await prepareRun(head, runDir, fresh), options);
    return lock.replacedStale ? { ...result, replacedStaleLock: lock.replacedStale } : result;
  } finally {
    lock.release();
  }
}

async function runPrepared(run: PreparedRun, options: ApplyOptions): Promise<ApplyResult> {
  const { runDir } = options;
  const { journal } = run;
  let result: RewriteResult;
  try {
    await proveOriginals(run, options);
  } catch (error) {
    // The org could not be asked (unreachable, 5xx past the retry cap, auth): a stop before any write, resumable.
    if (!(error instanceof RunStopped) && !isRunFatal(error)) throw error;
    const stop = error instanceof RunStopped ? error : new RunStopped(error);
    return finishRun(run, options, { outcomes: new Map(), interrupted: true, stopReason: redact(stop.message), stopKind: stop.reason });
  }
  result = await runRewrites(
    run.flows.filter((flow) => isTarget(flow.state)).map((flow) => new PlannedRewrite(flow, run.header, runDir)),
    {
      api: options.api, journal, concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
    },
  );

  return finishRun(run, options, result);
}

/**
 * A target of the plan as the rewrite sees it: one object a flow, its methods shared (a closure each, times
 * 10,000 flows, was 10 MB of apply's heap; issue 15). Callers call the methods on the item, never detached.
 */
class PlannedRewrite implements RewriteItem {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly expectedVersion?: string;
  readonly newYamlSha256: string;

  constructor(private readonly flow: RunFlow, private readonly header: PreparedRun['header'], private readonly runDir: RunDir) {
    this.id = flow.id;
    this.name = flow.name;
    this.type = flow.type;
    if (flow.publishedVersion) this.expectedVersion = flow.publishedVersion;
    this.newYamlSha256 = flow.updatedSha256 as string;
  }

  loadNewYaml(): string {
    return readFileSync(this.runDir.plannedYamlPath(this.id), 'utf8');
  }

  /** Someone published between the check and the write: whether their text holds the change already. */
  holdsChange(yaml: string): boolean {
    return holdsChange(flowChange(this.header, this.flow), yaml);
  }

  /** The same change, made to their version. */
  rebase(theirYaml: string): { yaml: string } | { reason: string } {
    // Their version already holds the change (e.g. they made it too): re-importing theirs restores their work.
    if (this.holdsChange(theirYaml)) return { yaml: theirYaml };
    const edit = planEdit(this.header, theirYaml, this.flow);
    return edit.ok ? { yaml: edit.yaml } : { reason: edit.reason };
  }
}

function finishRun(run: PreparedRun, options: ApplyOptions, result: RewriteResult): ApplyResult {
  const { runDir } = options;
  const { journal } = run;
  const flows: FlowOutcome[] = run.flows.map(
    (flow) =>
      result.outcomes.get(flow.id) ?? {
        // A target the run never reached (it stopped before the writes) is NOT_STARTED, not its plan state.
        id: flow.id, name: flow.name, type: flow.type, state: isTarget(flow.state) ? 'NOT_STARTED' : flow.state,
        ...(flow.reason ? { reason: flow.reason } : {}),
        ...(flow.publishedVersion ? { versionBefore: flow.publishedVersion } : {}),
      },
  );
  const counts = countStates(flows);
  journal.append(result.interrupted ? 'run-interrupted' : 'run-finished', { counts, ...(result.stopReason ? { reason: result.stopReason } : {}) });
  journal.close();
  const report: RunReport = {
    runId: runDir.runId, command: 'apply', module: { id: run.header.module.id, name: run.header.module.name },
    startedAt: run.startedAt, finishedAt: new Date().toISOString(), counts, flows,
  };
  collectIfGrown();
  writeReports(runDir, report);
  return {
    runId: runDir.runId, report, interrupted: result.interrupted, resumed: run.resumed,
    ...(result.stopReason ? { stopReason: result.stopReason } : {}),
    ...(result.stopKind ? { stopKind: result.stopKind } : {}),
  };
}

