import type { RolloutApi } from './api-port.js';
import { Journal, readJournal } from './journal.js';
import { writePlanFile, sha256, type PlanFile } from './plan-file.js';
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

/**
 * Applies exactly the plan: backups of every target on disk first, then the journaled rewrite of each eligible
 * flow from its planned original to its planned new YAML. Calling it again on the same plan resumes the run.
 */
export async function applyPlan(plan: PlanFile, options: ApplyOptions): Promise<ApplyResult> {
  const { runDir } = options;
  const resumed = runDir.exists() && readJournal(runDir.journalPath).length > 0;
  runDir.create();
  writePlanFile(runDir.planPath, plan);
  const journal = new Journal(runDir.journalPath);
  const startedAt = new Date().toISOString();
  journal.append(resumed ? 'run-resumed' : 'run-started', { runId: runDir.runId, module: plan.module.name });

  const targets = plan.flows.filter((flow) => flow.state === 'ELIGIBLE');
  for (const flow of targets) {
    if (!runDir.hasBackup(flow.id, flow.publishedVersion)) {
      runDir.writeBackup(flow.id, flow.publishedVersion, flow.original ?? '', {
        id: flow.id, name: flow.name, type: flow.type, division: flow.division,
        publishedVersion: flow.publishedVersion, sha256: flow.sha256, planChecksum: plan.checksum,
      });
      journal.append('backup-written', { flowId: flow.id, version: flow.publishedVersion });
    }
  }

  const result = await runRewrites(
    targets.map((flow) => ({
      id: flow.id,
      name: flow.name,
      type: flow.type,
      ...(flow.publishedVersion ? { expectedVersion: flow.publishedVersion } : {}),
      expectedSha256: flow.sha256 ?? sha256(flow.original ?? ''),
      newYaml: flow.updated ?? '',
    })),
    {
      api: options.api, journal, concurrency: options.concurrency,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      ...(options.chunkSize ? { chunkSize: options.chunkSize } : {}),
    },
  );

  const flows: FlowOutcome[] = plan.flows.map(
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
    runId: runDir.runId, command: 'apply', module: { id: plan.module.id, name: plan.module.name },
    startedAt, finishedAt: new Date().toISOString(), counts, flows,
  };
  writeReports(runDir, report);
  return {
    runId: runDir.runId, report, interrupted: result.interrupted, resumed,
    ...(result.stopReason ? { stopReason: result.stopReason } : {}),
  };
}
