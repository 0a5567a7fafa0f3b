import type { FlowMeta, RolloutApi } from './api-port.js';
import { flowChange, planChange, readPlanFile, type PlanFile, type PlanFlow } from './plan-file.js';
import { plannedYaml } from './plan-edit.js';
import type { RunDir } from './run-dir.js';
import { countStates, writeReports, type FlowOutcome, type RunReport } from './reports.js';
import { appliedFlows } from './applied-flows.js';
import { compareMeaning } from '../flow/meaning.js';
import { readJournal } from './journal.js';
import { expectedConsumers, holdsChange, type ModuleRef } from './change.js';
import { versionNumber } from './rewrite-context.js';

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

/**
 * Checks every applied flow from three angles (design.md), per the plan's kind of change:
 *  1. its published version advanced past the planned one;
 *  2. that version means exactly the planned YAML (the original plus exactly the change; compared by meaning:
 *     Genesys regenerates exports, flow/meaning.ts); a write rebased onto someone else's version must hold the
 *     change and be the version the run journaled;
 *  3. dependency tracking says what the change implies (change.ts expectedConsumers): listed as a consumer of the
 *     module's published version (add, replace's new module, refresh) or not listed (remove, replace's old module),
 *     asked again while its data lags.
 * A flow that was rolled back is checked against its backup instead, and is ROLLED_BACK, not drift.
 */
export async function verifyRun(options: VerifyOptions): Promise<VerifyResult> {
  const { api, runDir } = options;
  const plan = readPlanFile(runDir.planPath);
  const change = planChange(plan);
  const applied = appliedFlows(plan, runDir);
  const journal = readJournal(runDir.journalPath);
  const rebased = new Set(journal.filter((e) => e.step === 'rebase' && e.flowId).map((e) => e.flowId as string));
  const rolledBack = new Set(readJournal(runDir.rollbackJournalPath).filter((e) => e.step === 'flow-done' && e.flowId).map((e) => e.flowId as string));
  const startedAt = new Date().toISOString();
  const ids = applied.map(({ flow }) => flow.id);
  const expectations = expectedConsumers(change);
  // The modules are looked up in the same batch: their published versions now are what dependency tracking is asked.
  const metas = ids.length > 0 ? await api.getFlows([...ids, ...expectations.map((e) => e.module.id)]) : new Map<string, FlowMeta>();
  const exported = ids.length > 0
    ? await api.exportFlows(applied.flatMap(({ flow }) => {
      const version = metas.get(flow.id)?.publishedVersion;
      return version ? [{ id: flow.id, version }] : [];
    }))
    : new Map<string, { yaml?: string }>();
  const live = ids.filter((id) => !rolledBack.has(id));
  const consumers = live.length > 0 ? await waitForConsumers(api, expectations, metas, live, options) : new Map<string, Set<string>>();

  const versionAfterOf = new Map(applied.map((item) => [item.flow.id, item.versionAfter]));
  const flows: FlowOutcome[] = applied.map(({ flow }) => {
    const meta = metas.get(flow.id);
    const yaml = exported.get(flow.id)?.yaml;
    const problems: string[] = [];
    const outcome = (state: string, okReason?: string): FlowOutcome => ({
      id: flow.id, name: flow.name, type: flow.type,
      state: problems.length === 0 ? state : 'DRIFT',
      ...(problems.length > 0 ? { reason: problems.join('; ') } : okReason ? { reason: okReason } : {}),
      ...(flow.publishedVersion ? { versionBefore: flow.publishedVersion } : {}),
      ...(meta?.publishedVersion ? { versionAfter: meta.publishedVersion } : {}),
    });
    if (!meta) problems.push('the flow no longer exists');
    else if (yaml === undefined) problems.push('could not export the published version');
    if (rolledBack.has(flow.id)) {
      if (yaml !== undefined) {
        const meaning = compareMeaning(yaml, flow.original ?? '');
        if (!meaning.same) problems.push(`rolled back, but the published version no longer means the backup (first difference at ${meaning.difference ?? '/'})`);
      }
      return outcome('ROLLED_BACK', 'rolled back: the published version means the backup');
    }
    if (meta && !(versionNumber(meta.publishedVersion) > versionNumber(flow.publishedVersion))) {
      problems.push(`published version ${meta.publishedVersion ?? 'none'} did not advance from ${flow.publishedVersion ?? 'none'}`);
    }
    if (meta && yaml !== undefined) contentProblem(yaml, plan, flow, rebased.has(flow.id) && versionAfterOf.get(flow.id) === meta.publishedVersion, problems);
    for (const expected of expectations) {
      const listed = consumers.get(expected.module.id)?.has(flow.id) ?? false;
      if (expected.listed && !listed) problems.push(`dependency tracking does not list it as a consumer of ${expected.module.name}`);
      if (!expected.listed && listed) problems.push(`dependency tracking still lists it as a consumer of ${expected.module.name}`);
    }
    return outcome('VERIFIED');
  });
  const report: RunReport = {
    runId: runDir.runId, command: 'verify', module: { id: plan.module.id, name: plan.module.name },
    startedAt, finishedAt: new Date().toISOString(), counts: countStates(flows), flows,
  };
  writeReports(runDir, report);
  return { report, drift: flows.some((flow) => flow.state === 'DRIFT') };
}

function contentProblem(yaml: string, plan: PlanFile, flow: PlanFlow, rebasedHere: boolean, problems: string[]): void {
  const meaning = compareMeaning(yaml, plannedYaml(plan, flow) ?? '');
  if (meaning.same) return;
  // A write rebased onto someone else's version holds their version plus the change, not the plan's text.
  if (rebasedHere && holdsChange(flowChange(plan, flow), yaml)) return;
  problems.push(`the published version does not mean the planned YAML (first difference at ${meaning.difference ?? '/'})`);
}

/**
 * Dependency tracking per module of the change: the consumers of its published version now (and of the version
 * the plan saw, when it differs: a flow published before a module republish consumes the older one), asked again
 * while the answers lag (206) or do not yet say what is expected.
 */
async function waitForConsumers(
  api: RolloutApi,
  expectations: readonly { module: ModuleRef; listed: boolean }[],
  metas: ReadonlyMap<string, FlowMeta>,
  ids: readonly string[],
  options: VerifyOptions,
): Promise<Map<string, Set<string>>> {
  const attempts = options.dependencyAttempts ?? 10;
  const delayMs = options.dependencyDelayMs ?? 1000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let latest = new Map<string, Set<string>>();
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    latest = new Map();
    let partial = false;
    for (const { module } of expectations) {
      const versions = [...new Set([metas.get(module.id)?.publishedVersion, module.publishedVersion])]
        .filter((version): version is string => typeof version === 'string');
      const found = new Set<string>();
      for (const version of versions) {
        const answer = await api.moduleConsumers(module.id, version);
        for (const id of answer.ids) found.add(id);
        partial ||= answer.partial;
      }
      latest.set(module.id, found);
    }
    const settled = expectations.every(({ module, listed }) => ids.every((id) => (latest.get(module.id)?.has(id) ?? false) === listed));
    if (!partial && settled) break;
    if (attempt < attempts) await sleep(delayMs);
  }
  return latest;
}
