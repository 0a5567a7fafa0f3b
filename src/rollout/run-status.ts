import { readJournal } from './journal.js';
import { reduceJournal } from './journal-state.js';
import { readPlanFile } from './plan-file.js';
import { isTarget } from './states.js';
import { RunDir, listRunIds } from './run-dir.js';

export interface RunStatus {
  runId: string;
  module: string;
  createdAt: string;
  /** finished: the last apply attempt ran to the end; interrupted: stopped early; crashed: the journal just stops. */
  apply: 'not-started' | 'finished' | 'interrupted' | 'crashed';
  resumable: boolean;
  rollback: 'none' | 'finished' | 'interrupted';
  targets: number;
  counts: Record<string, number>;
  flows: { id: string; name: string; state: string; reason?: string }[];
}

/** What the journals say of a run: per-flow state from the last step of each flow, and whether it can resume. */
export function runStatus(runDir: RunDir): RunStatus {
  const plan = readPlanFile(runDir.planPath);
  const entries = readJournal(runDir.journalPath);
  const rollbackEntries = readJournal(runDir.rollbackJournalPath);
  const targets = plan.flows.filter((flow) => isTarget(flow.state));
  const lastRunStep = [...entries].reverse().find((entry) => entry.step.startsWith('run-'))?.step;
  const apply: RunStatus['apply'] = entries.length === 0
    ? 'not-started'
    : lastRunStep === 'run-finished' ? 'finished' : lastRunStep === 'run-interrupted' ? 'interrupted' : 'crashed';
  const applied = reduceJournal(entries);
  const rolledBack = reduceJournal(rollbackEntries);
  const flowState = new Map<string, { state: string; reason?: string }>();
  for (const [id, flow] of applied) flowState.set(id, { state: flow.state, ...(flow.reason ? { reason: flow.reason } : {}) });
  // A rollback's journal speaks of the same flows: its states are prefixed (ROLLED_BACK for its DONE).
  for (const [id, flow] of rolledBack) {
    if (flow.state === 'NOT_STARTED') continue;
    const state = flow.state === 'DONE' ? 'ROLLED_BACK' : flow.state === 'FAILED' ? 'ROLLBACK_FAILED' : `ROLLBACK_${flow.state}`;
    flowState.set(id, { state, ...(flow.reason ? { reason: flow.reason } : {}) });
  }
  const flows = targets.map((flow) => ({ id: flow.id, name: flow.name, ...(flowState.get(flow.id) ?? { state: 'NOT_STARTED' }) }));
  const counts: Record<string, number> = {};
  for (const flow of flows) counts[flow.state] = (counts[flow.state] ?? 0) + 1;
  const lastRollback = [...rollbackEntries].reverse().find((entry) => entry.step.startsWith('rollback-'))?.step;
  return {
    runId: runDir.runId,
    module: plan.module.name,
    createdAt: plan.createdAt,
    apply,
    // A rolled-back run is over: its flows are back to what they were, so only a new plan applies the change again.
    resumable: rollbackEntries.length === 0
      && (apply !== 'finished' || flows.some((flow) => ['NOT_STARTED', 'FAILED', 'CONFLICT', 'IMPORTED_UNCONFIRMED', 'IN_FLIGHT'].includes(flow.state))),
    rollback: rollbackEntries.length === 0 ? 'none' : lastRollback === 'rollback-finished' ? 'finished' : 'interrupted',
    targets: targets.length,
    counts,
    flows,
  };
}

export function allRunStatuses(cwd: string): RunStatus[] {
  return listRunIds(cwd).map((runId) => runStatus(new RunDir(RunDir.runsRoot(cwd), runId)));
}
