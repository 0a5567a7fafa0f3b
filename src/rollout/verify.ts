import type { RolloutApi } from './api-port.js';
import { readPlanFile } from './plan-file.js';
import type { RunDir } from './run-dir.js';
import { countStates, writeReports, type FlowOutcome, type RunReport } from './reports.js';
import { appliedFlows } from './applied-flows.js';
import { compareMeaning } from '../flow/meaning.js';
import { readJournal } from './journal.js';
import { callsOf } from './apply.js';

export interface VerifyOptions {
  api: RolloutApi;
  runDir: RunDir;
  /** Dependency tracking lags publishes: how often to look again, and how long to wait between looks. */
  dependencyAttempts?: number;
  dependencyDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface VerifyResult {
  report: RunReport;
  drift: boolean;
}

const versionNumber = (version: string | undefined): number => (version === undefined ? Number.NaN : Number.parseFloat(version));

/**
 * Checks every applied flow from three angles (design.md): its published version advanced; the exported YAML of
 * that version means exactly the planned YAML (the original plus the call at the planned place, compared by
 * meaning: Genesys regenerates exports, flow/meaning.ts); and dependency tracking lists the flow as a consumer of
 * the module's published version (consumer lists are per module version), asked again while its data lags.
 */
export async function verifyRun(options: VerifyOptions): Promise<VerifyResult> {
  const { api, runDir } = options;
  const plan = readPlanFile(runDir.planPath);
  const applied = appliedFlows(plan, runDir);
  // Flows whose write was rebased onto someone else's version: they hold their version plus the change, not the plan.
  const rebased = new Set(readJournal(runDir.journalPath).filter((e) => e.step === 'rebase' && e.flowId).map((e) => e.flowId as string));
  const startedAt = new Date().toISOString();
  const ids = applied.map(({ flow }) => flow.id);
  // The module is looked up in the same batch: its published version now is what dependency tracking is asked for.
  const metas = ids.length > 0 ? await api.getFlows([...ids, plan.module.id]) : new Map();
  const moduleVersions = [...new Set([metas.get(plan.module.id)?.publishedVersion, plan.module.publishedVersion])]
    .filter((version): version is string => typeof version === 'string');
  const exported = ids.length > 0
    ? await api.exportFlows(applied.flatMap(({ flow }) => {
      const version = metas.get(flow.id)?.publishedVersion;
      return version ? [{ id: flow.id, version }] : [];
    }))
    : new Map();
  const rolledBackIds = new Set(readJournal(runDir.rollbackJournalPath).filter((e) => e.step === 'flow-done').map((e) => e.flowId));
  const consumerIds = ids.filter((id) => !rolledBackIds.has(id));
  const consumers = consumerIds.length > 0 && moduleVersions.length > 0
    ? await waitForConsumers(api, plan.module.id, moduleVersions, consumerIds, options)
    : new Set<string>();

  // A rolled-back flow is checked against its backup: "rolled back" is its state, not drift from the plan.
  const rolledBack = new Set(readJournal(runDir.rollbackJournalPath).filter((e) => e.step === 'flow-done' && e.flowId).map((e) => e.flowId as string));
  const versionAfterOf = new Map(applied.map((item) => [item.flow.id, item.versionAfter]));
  const flows: FlowOutcome[] = applied.map(({ flow }) => {
    const meta = metas.get(flow.id);
    const problems: string[] = [];
    if (rolledBack.has(flow.id)) {
      const yaml = exported.get(flow.id)?.yaml;
      if (!meta) problems.push('the flow no longer exists');
      else if (yaml === undefined) problems.push('could not export the published version');
      else {
        const meaning = compareMeaning(yaml, flow.original ?? '');
        if (!meaning.same) problems.push(`rolled back, but the published version no longer means the backup (first difference at ${meaning.difference ?? '/'})`);
      }
      return {
        id: flow.id, name: flow.name, type: flow.type,
        state: problems.length === 0 ? 'ROLLED_BACK' : 'DRIFT',
        ...(problems.length > 0 ? { reason: problems.join('; ') } : { reason: 'rolled back: the published version means the backup' }),
        ...(flow.publishedVersion ? { versionBefore: flow.publishedVersion } : {}),
        ...(meta?.publishedVersion ? { versionAfter: meta.publishedVersion } : {}),
      };
    }
    if (!meta) problems.push('the flow no longer exists');
    else if (!(versionNumber(meta.publishedVersion) > versionNumber(flow.publishedVersion))) {
      problems.push(`published version ${meta.publishedVersion ?? 'none'} did not advance from ${flow.publishedVersion ?? 'none'}`);
    }
    const yaml = exported.get(flow.id)?.yaml;
    if (meta && yaml === undefined) problems.push('could not export the published version');
    else if (meta && yaml !== undefined) {
      const meaning = compareMeaning(yaml, flow.updated ?? '');
      const rebasedHere = rebased.has(flow.id) && versionAfterOf.get(flow.id) === meta.publishedVersion && callsOf(yaml, plan.module.name) === 1;
      if (!meaning.same && !rebasedHere) problems.push(`the published version does not mean the planned YAML (first difference at ${meaning.difference ?? '/'})`);
    }
    if (!consumers.has(flow.id)) problems.push(`dependency tracking does not list it as a consumer of ${plan.module.name}`);
    return {
      id: flow.id, name: flow.name, type: flow.type,
      state: problems.length === 0 ? 'VERIFIED' : 'DRIFT',
      ...(problems.length > 0 ? { reason: problems.join('; ') } : {}),
      ...(flow.publishedVersion ? { versionBefore: flow.publishedVersion } : {}),
      ...(meta?.publishedVersion ? { versionAfter: meta.publishedVersion } : {}),
    };
  });
  const report: RunReport = {
    runId: runDir.runId, command: 'verify', module: { id: plan.module.id, name: plan.module.name },
    startedAt, finishedAt: new Date().toISOString(), counts: countStates(flows), flows,
  };
  writeReports(runDir, report);
  return { report, drift: flows.some((flow) => flow.state === 'DRIFT') };
}

/**
 * Consumers of the module's published version(s), asked again while dependency tracking lags. The module's version
 * now comes first; the one the plan saw is asked too when it differs (a flow published before the module was
 * republished consumes the older version).
 */
async function waitForConsumers(
  api: RolloutApi,
  moduleId: string,
  versions: readonly string[],
  ids: readonly string[],
  options: VerifyOptions,
): Promise<Set<string>> {
  const attempts = options.dependencyAttempts ?? 10;
  const delayMs = options.dependencyDelayMs ?? 1000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let latest = new Set<string>();
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    latest = new Set<string>();
    let partial = false;
    for (const version of versions) {
      const answer = await api.moduleConsumers(moduleId, version);
      for (const id of answer.ids) latest.add(id);
      partial ||= answer.partial;
      if (!partial && ids.every((id) => latest.has(id))) break;
    }
    if (!partial && ids.every((id) => latest.has(id))) break;
    if (attempt < attempts) await sleep(delayMs);
  }
  return latest;
}
