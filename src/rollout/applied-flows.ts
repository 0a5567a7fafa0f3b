import { existsSync, readFileSync } from 'node:fs';
import { readJournal } from './journal.js';
import { reduceJournal } from './journal-state.js';
import type { PlanFile, PlanFlow } from './plan-file.js';
import type { RunDir } from './run-dir.js';
import type { RunReport } from './reports.js';

export interface AppliedFlow {
  flow: PlanFlow;
  /** The published version the run created, when known (journal or report). */
  versionAfter?: string;
}

/** The plan's flows that the run's journal records as done, with the version each run created when known. */
export function appliedFlows(plan: PlanFile, runDir: RunDir): AppliedFlow[] {
  // Changed by the run: confirmed DONE, or imported and never confirmed (a run killed in between still changed it).
  const versions = new Map<string, string | undefined>();
  for (const [id, flow] of reduceJournal(readJournal(runDir.journalPath))) {
    if (flow.state === 'DONE' || flow.imported) versions.set(id, flow.versionAfter);
  }
  const reportPath = runDir.reportPath('json');
  if (existsSync(reportPath)) {
    try {
      const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunReport;
      if (report.command === 'apply') {
        for (const outcome of report.flows) {
          if (versions.has(outcome.id) && outcome.versionAfter && !versions.get(outcome.id)) versions.set(outcome.id, outcome.versionAfter);
        }
      }
    } catch {
      // The report is a convenience; the journal alone is enough.
    }
  }
  return plan.flows
    .filter((flow) => versions.has(flow.id))
    .map((flow) => {
      const versionAfter = versions.get(flow.id);
      return versionAfter ? { flow, versionAfter } : { flow };
    });
}
