import type { RolloutApi } from './api-port.js';
import { Journal } from './journal.js';
import { readPlanFile, sha256, type PlanFile } from './plan-file.js';
import { plannedYaml } from './plan-edit.js';
import { acquireRunLock } from './run-lock.js';
import { assertPlanBelongsToOrgUnlessUnreachable } from './org-check.js';
import { DEFAULT_JOB_TIMEOUT_MS, withJobTimeout } from './job-timeout.js';
import { compareMeaning } from '../flow/meaning.js';
import type { RunDir } from './run-dir.js';
import { countStates, writeReports, type FlowOutcome, type RunReport } from './reports.js';
import { runRewrites, type ApplyEvent } from './rewrite.js';
import { appliedFlows } from './applied-flows.js';
import { PlanError, type RunStopReason } from './errors.js';

export interface RollbackOptions {
  api: RolloutApi;
  /** As ApplyOptions: the client's API base (checked against the plan's), the job timeout and the client's clock. */
  environment?: string;
  jobTimeoutMs?: number;
  now?: () => number;
  runDir: RunDir;
  /** Only these flows (ids); all applied flows when absent. */
  flowIds?: readonly string[];
  concurrency: number | 'auto';
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
}

export interface RollbackResult {
  report: RunReport;
  interrupted: boolean;
  stopReason?: string;
  stopKind?: RunStopReason;
}

/**
 * Puts each applied flow's backed-up YAML back (a new published version whose content equals the backup), but
 * only where the flow still holds exactly what the run wrote; then exports it again to prove the bytes match.
 * Journaled in the run's rollback.jsonl, so it resumes like apply.
 */
export async function rollbackRun(options: RollbackOptions): Promise<RollbackResult> {
  const plan = readPlanFile(options.runDir.planPath);
  const lock = acquireRunLock(options.runDir.path, plan.checksum, 'rollback');
  try {
    await assertPlanBelongsToOrgUnlessUnreachable(options.api, plan, options.environment);
    return await rollbackLocked(plan, { ...options, api: withJobTimeout(options.api, options.jobTimeoutMs ?? DEFAULT_JOB_TIMEOUT_MS, options.now) });
  } finally {
    lock.release();
  }
}

async function rollbackLocked(plan: PlanFile, options: RollbackOptions): Promise<RollbackResult> {
  const { runDir, api } = options;
  let applied = appliedFlows(plan, runDir);
  if (options.flowIds && options.flowIds.length > 0) {
    const known = new Set(applied.map((item) => item.flow.id));
    const unknown = options.flowIds.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new PlanError(`run ${runDir.runId} did not change flow ${unknown.join(', ')}`);
    const wanted = new Set(options.flowIds);
    applied = applied.filter((item) => wanted.has(item.flow.id));
  }

  const journal = new Journal(runDir.rollbackJournalPath);
  const startedAt = new Date().toISOString();
  journal.append('rollback-started', { runId: runDir.runId, flows: applied.length });
  const result = await runRewrites(
    applied.map(({ flow, versionAfter }) => ({
      id: flow.id,
      name: flow.name,
      type: flow.type,
      ...(versionAfter ? { expectedVersion: versionAfter } : {}),
      loadExpectedText: () => plannedYaml(plan, flow) ?? '',
      newYamlSha256: sha256(flow.original ?? ''),
      loadNewYaml: () => flow.original ?? '',
    })),
    {
      api, journal, concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    },
  );

  // Proof: the published version of every rolled-back flow means what its backup meant (an export is regenerated,
  // so its bytes are not the backup's: compared by meaning, flow/meaning.ts).
  const rolled = applied.filter(({ flow }) => result.outcomes.get(flow.id)?.state === 'DONE');
  const metas = rolled.length > 0 ? await api.getFlows(rolled.map(({ flow }) => flow.id)) : new Map();
  const exported = rolled.length > 0
    ? await api.exportFlows(rolled.map(({ flow }) => ({ id: flow.id, version: metas.get(flow.id)?.publishedVersion })))
    : new Map();
  const flows: FlowOutcome[] = applied.map(({ flow }) => {
    const outcome = { ...(result.outcomes.get(flow.id) as FlowOutcome) };
    if (outcome.state === 'DONE') {
      const yaml = exported.get(flow.id)?.yaml;
      outcome.versionAfter = metas.get(flow.id)?.publishedVersion ?? outcome.versionAfter;
      const proof = yaml === undefined ? undefined : compareMeaning(yaml, flow.original ?? '');
      if (proof?.same) outcome.state = 'ROLLED_BACK';
      else {
        outcome.state = 'ROLLBACK_FAILED';
        outcome.error = proof === undefined
          ? 'could not export the restored version'
          : `the restored version does not mean what the backup meant (first difference at ${proof.difference ?? '/'})`;
      }
    } else if (outcome.state.startsWith('SKIPPED_')) {
      // A flow rollback cannot restore is a failure with its reason, never a silent skip.
      outcome.error = `not restored: ${outcome.reason ?? outcome.state}`;
      outcome.state = 'ROLLBACK_FAILED';
    }
    return outcome;
  });
  const counts = countStates(flows);
  journal.append('rollback-finished', { counts, interrupted: result.interrupted, ...(result.stopReason ? { reason: result.stopReason } : {}) });
  journal.close();
  const report: RunReport = {
    runId: runDir.runId, command: 'rollback', module: { id: plan.module.id, name: plan.module.name },
    startedAt, finishedAt: new Date().toISOString(), counts, flows,
  };
  writeReports(runDir, report);
  return { report, interrupted: result.interrupted, ...(result.stopReason ? { stopReason: result.stopReason } : {}), ...(result.stopKind ? { stopKind: result.stopKind } : {}) };
}
