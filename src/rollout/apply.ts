import type { RolloutApi } from './api-port.js';
import { Journal, readJournal } from './journal.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { flowChange, readPlanFile, writePlanFile, sha256, type PlanFile } from './plan-file.js';
import type { RunDir } from './run-dir.js';
import { countStates, writeReports, type FlowOutcome, type RunReport } from './reports.js';
import { runRewrites, type ApplyEvent, type RewriteResult } from './rewrite.js';
import { isRunFatal, RunStopped } from './rewrite-context.js';
import { redact } from '../shared/redact.js';
import { planEdit } from './plan-edit.js';
import { holdsChange } from './change.js';
import { isTarget } from './states.js';
import { acquireRunLock, type LockOwner } from './run-lock.js';
import { compareMeaning } from '../flow/meaning.js';
import { findModuleCalls } from '../flow/index.js';
import { PlanError, type RunStopReason } from './errors.js';
import { assertPlanBelongsToOrgUnlessUnreachable } from './org-check.js';
import { DEFAULT_JOB_TIMEOUT_MS, withJobTimeout } from './job-timeout.js';

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

/** A flow of the plan as the run keeps it: metadata only, its texts are in the run directory. */
type RunFlow = Omit<PlanFile['flows'][number], 'original' | 'updated' | 'diff'> & { updatedSha256?: string };

interface PreparedRun {
  checksum: string;
  header: PlanFile;
  module: PlanFile['module'];
  flows: RunFlow[];
  resumed: boolean;
  startedAt: string;
  journal: Journal;
}

/**
 * Applies exactly the plan: backups of every target on disk first, then the journaled rewrite of each eligible
 * flow from its planned original to its planned new YAML. Calling it again on the same plan resumes the run.
 */
export async function applyPlan(plan: PlanFile, options: ApplyOptions): Promise<ApplyResult> {
  return withRunLock(plan, options, (wrapped) => runPrepared(prepareRun(plan, wrapped.runDir), wrapped));
}

/**
 * The same as applyPlan for a plan file: the plan's texts are read, moved to the run directory and let go before
 * the first write, so a run of thousands of flows holds their metadata only (what `flowlink apply` uses).
 */
export async function applyPlanFile(path: string, options: ApplyOptions): Promise<ApplyResult> {
  const plan = readPlanFile(path);
  return withRunLock(plan, options, (wrapped) => runPrepared(prepareRun(plan, wrapped.runDir), wrapped));
}

/** One run at a time per plan (run-lock.ts); a rolled-back run is not resumed into DONE. */
async function withRunLock(plan: PlanFile, given: ApplyOptions, run: (options: ApplyOptions) => Promise<ApplyResult>): Promise<ApplyResult> {
  const { runDir } = given;
  // One deadline per import job, here in the library so that a library caller gets the CLI's safety.
  const options: ApplyOptions = { ...given, api: withJobTimeout(given.api, given.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS, given.now) };
  const lock = acquireRunLock(runDir.path, plan.checksum, 'apply');
  try {
    const rolledBack = readJournal(runDir.rollbackJournalPath).find((entry) => entry.step === 'rollback-started');
    if (rolledBack) {
      throw new PlanError(
        `run ${runDir.runId} was rolled back (${rolledBack.at}); its flows are back to what they were, so this plan is stale: make a new plan to apply the change again`);
    }
    await assertPlanBelongsToOrgUnlessUnreachable(given.api, plan, given.environment);
    provePlan(plan);
    const result = await run(options);
    return lock.replacedStale ? { ...result, replacedStaleLock: lock.replacedStale } : result;
  } finally {
    lock.release();
  }
}

/**
 * The plan proves itself: each target's new YAML and diff are recomputed from its original and the plan's change
 * with the engine, and must be what the plan holds. A checksum proves nothing here (anyone can recompute it), so an
 * edited-and-resealed plan would otherwise upload YAML that differs from the diff a reviewer approved.
 */
export function provePlan(plan: PlanFile): void {
  for (const flow of plan.flows) {
    if (!isTarget(flow.state)) continue;
    const edit = planEdit(plan, flow.original ?? '', flow);
    if (!edit.ok || edit.yaml !== flow.updated || edit.diff !== (flow.diff ?? '')) {
      throw new PlanError(
        `plan refused: the new YAML of flow ${flow.id} is not what the plan's change makes of its original (the plan file was edited); make a new plan`);
    }
  }
}

/** Plan copy, journal start, backups (durable) and the planned texts in the run directory; returns metadata only. */
function prepareRun(plan: PlanFile, runDir: RunDir): PreparedRun {
  const resumed = runDir.exists() && readJournal(runDir.journalPath).length > 0;
  runDir.create();
  writePlanFile(runDir.planPath, plan);
  const journal = new Journal(runDir.journalPath);
  const startedAt = new Date().toISOString();
  journal.append(resumed ? 'run-resumed' : 'run-started', { runId: runDir.runId, module: plan.module.name });
  const flows: RunFlow[] = plan.flows.map(({ original, updated, diff: _diff, ...flow }) => {
    if (!isTarget(flow.state)) return flow;
    if (!runDir.hasBackup(flow.id, flow.publishedVersion)) {
      runDir.writeBackup(flow.id, flow.publishedVersion, original ?? '', {
        id: flow.id, name: flow.name, type: flow.type, division: flow.division,
        publishedVersion: flow.publishedVersion, sha256: flow.sha256, planChecksum: plan.checksum,
      });
      journal.append('backup-written', { flowId: flow.id, version: flow.publishedVersion });
    }
    // Rewritten at every start from the plan, so it needs no fsync: the sha256 is checked before each upload.
    writeFileSync(runDir.plannedYamlPath(flow.id), updated ?? '');
    return { ...flow, sha256: flow.sha256 ?? sha256(original ?? ''), updatedSha256: sha256(updated ?? '') };
  });
  // The plan without its flows: what the change of each flow is read from (flowChange), for rebases.
  const header: PlanFile = { ...plan, flows: [] };
  return { checksum: plan.checksum, header, module: plan.module, flows, resumed, startedAt, journal };
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
    run.flows.filter((flow) => isTarget(flow.state)).map((flow) => ({
      id: flow.id,
      name: flow.name,
      type: flow.type,
      ...(flow.publishedVersion ? { expectedVersion: flow.publishedVersion } : {}),
      newYamlSha256: flow.updatedSha256 as string,
      loadNewYaml: () => readFileSync(runDir.plannedYamlPath(flow.id), 'utf8'),
      // Someone published between the check and the write: the same change, made to their version.
      holdsChange: (yaml: string) => holdsChange(flowChange(run.header, flow), yaml),
      rebase: (theirYaml: string) => {
        // Their version already holds the change (e.g. they made it too): re-importing theirs restores their work.
        if (holdsChange(flowChange(run.header, flow), theirYaml)) return { yaml: theirYaml };
        const edit = planEdit(run.header, theirYaml, flow);
        return edit.ok ? { yaml: edit.yaml } : { reason: edit.reason };
      },
    })),
    {
      api: options.api, journal, concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
    },
  );

  return finishRun(run, options, result);
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
    runId: runDir.runId, command: 'apply', module: { id: run.module.id, name: run.module.name },
    startedAt: run.startedAt, finishedAt: new Date().toISOString(), counts, flows,
  };
  writeReports(runDir, report);
  return {
    runId: runDir.runId, report, interrupted: result.interrupted, resumed: run.resumed,
    ...(result.stopReason ? { stopReason: result.stopReason } : {}),
    ...(result.stopKind ? { stopKind: result.stopKind } : {}),
  };
}

/**
 * The originals are what the org holds: the published version each target was planned from is exported (batched;
 * a version never changes, so this can be asked any time) and must mean the plan's original, the backup. A plan
 * whose original was edited (and the new YAML recomputed from it) would otherwise replace the real flow with the
 * forged one while showing reviewers a one-call diff. Proven once per run (journaled), before the first write.
 */
async function proveOriginals(run: PreparedRun, options: ApplyOptions): Promise<void> {
  const proven = new Set<string>();
  for (const entry of readJournal(options.runDir.journalPath)) {
    if (entry.step === 'originals-proven' && Array.isArray(entry.flowIds)) for (const id of entry.flowIds) proven.add(String(id));
    if (entry.step === 'flow-done' && entry.flowId) proven.add(entry.flowId);
  }
  const todo = run.flows.filter((flow) => isTarget(flow.state) && flow.publishedVersion && !proven.has(flow.id));
  if (todo.length === 0) return;
  const exported = await options.api.exportFlows(todo.map((flow) => ({ id: flow.id, version: flow.publishedVersion as string })));
  const ok: string[] = [];
  const unexported = todo.filter((flow) => exported.get(flow.id)?.yaml === undefined);
  if (unexported.length > 0) {
    // A deleted flow is the precheck's to skip; any other flow that cannot be proven now stops the run (fail closed).
    const existing = await options.api.getFlows(unexported.map((flow) => flow.id));
    const stuck = unexported.filter((flow) => existing.has(flow.id));
    if (stuck.length > 0) {
      throw new RunStopped(new Error(
        `could not export ${stuck.length} original version(s) to prove the plan against the org (${exported.get(stuck[0]!.id)?.error ?? 'no answer'}); nothing was written`,
      ));
    }
  }
  for (const flow of todo) {
    const result = exported.get(flow.id);
    if (result?.yaml === undefined) continue;
    const backup = readFileSync(options.runDir.backupPath(flow.id, flow.publishedVersion), 'utf8');
    // Equal bytes need no parse (two exports of one version usually are); otherwise meaning decides.
    if (result.yaml !== backup && !compareMeaning(result.yaml, backup).same) {
      run.journal.append('run-refused', { flowId: flow.id, reason: 'original differs from the org' });
      throw new PlanError(
        `plan refused: the original of flow ${flow.id} in the plan is not what version ${flow.publishedVersion} holds in the org (the plan file was edited); make a new plan`);
    }
    ok.push(flow.id);
  }
  run.journal.append('originals-proven', { flowIds: ok });
}

