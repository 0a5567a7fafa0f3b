import { readFileSync } from 'node:fs';
import type { RolloutApi } from './api-port.js';
import { PlanError } from './errors.js';
import { readJournal } from './journal.js';
import { RunStopped } from './rewrite-context.js';
import type { RunDir } from './run-dir.js';
import type { PreparedRun, RunFlow } from './run-prepare.js';
import { isTarget } from './states.js';
import { compareMeaning } from '../flow/meaning.js';

/** Originals exported and compared at a time: one export job each, so that a run holds a hundred texts, not all. */
const PROOF_CHUNK = 100;
/**
 * Export jobs in flight at once while proving: the proof is the one wait before the first write, and four jobs
 * (a few requests each) prove 400 flows in one job's time.
 */
const PROOF_JOBS = 4;

/**
 * The originals are what the org holds: the published version each target was planned from is exported (a
 * version never changes, so this can be asked any time) and must mean the plan's original, the backup. A plan
 * whose original was edited (and the new YAML recomputed from it) would otherwise replace the real flow with the
 * forged one while showing reviewers a one-call diff. Proven before the first write, a hundred flows at a time,
 * each hundred journaled (a resumed run does not prove them again).
 */
export async function proveOriginals(run: PreparedRun, options: { api: RolloutApi; runDir: RunDir }): Promise<void> {
  const proven = new Set<string>();
  for (const entry of readJournal(options.runDir.journalPath)) {
    if (entry.step === 'originals-proven' && Array.isArray(entry.flowIds)) for (const id of entry.flowIds) proven.add(String(id));
    if (entry.step === 'flow-done' && entry.flowId) proven.add(entry.flowId);
  }
  const todo = run.flows.filter((flow) => isTarget(flow.state) && flow.publishedVersion && !proven.has(flow.id));
  const chunks: RunFlow[][] = [];
  for (let i = 0; i < todo.length; i += PROOF_CHUNK) chunks.push(todo.slice(i, i + PROOF_CHUNK));
  for (let i = 0; i < chunks.length; i += PROOF_JOBS) {
    // Every job of the group ends before a failure is raised: nothing is journaled after the run has stopped.
    const settled = await Promise.allSettled(chunks.slice(i, i + PROOF_JOBS).map((chunk) => proveChunk(chunk, run, options)));
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

async function proveChunk(flows: readonly RunFlow[], run: PreparedRun, options: { api: RolloutApi; runDir: RunDir }): Promise<void> {
  const exported = await options.api.exportFlows(flows.map((flow) => ({ id: flow.id, version: flow.publishedVersion as string })));
  const unexported = flows.filter((flow) => exported.get(flow.id)?.yaml === undefined);
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
  const ok: string[] = [];
  for (const flow of flows) {
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
