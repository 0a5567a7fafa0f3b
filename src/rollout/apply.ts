import type { RolloutApi } from './api-port.js';
import { Journal, readJournal } from './journal.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { readPlanFile, writePlanFile, sha256, type PlanFile } from './plan-file.js';
import type { RunDir } from './run-dir.js';
import { countStates, writeReports, type FlowOutcome, type RunReport } from './reports.js';
import { runRewrites, type ApplyEvent } from './rewrite.js';

export interface ApplyOptions {
  api: RolloutApi;
  runDir: RunDir;
  concurrency: number | 'auto';
  signal?: AbortSignal;
  onEvent?: (event: ApplyEvent) => void;
  chunkSize?: number;
}

export interface ApplyResult {
  runId: string;
  report: RunReport;
  interrupted: boolean;
  resumed: boolean;
  stopReason?: string;
}

/** A flow of the plan as the run keeps it: metadata only, its texts are in the run directory. */
type RunFlow = Omit<PlanFile['flows'][number], 'original' | 'updated' | 'diff'> & { updatedSha256?: string };

interface PreparedRun {
  checksum: string;
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
  return runPrepared(prepareRun(plan, options.runDir), options);
}

/**
 * The same as applyPlan for a plan file: the plan's texts are read, moved to the run directory and let go before
 * the first write, so a run of thousands of flows holds their metadata only (what `flowlink apply` uses).
 */
export async function applyPlanFile(path: string, options: ApplyOptions): Promise<ApplyResult> {
  return runPrepared(prepareRun(readPlanFile(path), options.runDir), options);
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
    if (flow.state !== 'ELIGIBLE') return flow;
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
  return { checksum: plan.checksum, module: plan.module, flows, resumed, startedAt, journal };
}

async function runPrepared(run: PreparedRun, options: ApplyOptions): Promise<ApplyResult> {
  const { runDir } = options;
  const { journal } = run;
  const result = await runRewrites(
    run.flows.filter((flow) => flow.state === 'ELIGIBLE').map((flow) => ({
      id: flow.id,
      name: flow.name,
      type: flow.type,
      ...(flow.publishedVersion ? { expectedVersion: flow.publishedVersion } : {}),
      newYamlSha256: flow.updatedSha256 as string,
      loadNewYaml: () => readFileSync(runDir.plannedYamlPath(flow.id), 'utf8'),
    })),
    {
      api: options.api, journal, concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
    },
  );

  const flows: FlowOutcome[] = run.flows.map(
    (flow) =>
      result.outcomes.get(flow.id) ?? {
        id: flow.id, name: flow.name, type: flow.type, state: flow.state,
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
  };
}
