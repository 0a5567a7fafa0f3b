import { existsSync, readFileSync } from 'node:fs';
import { readJournal } from './journal.js';
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
  const versions = new Map<string, string | undefined>();
  for (const entry of readJournal(runDir.journalPath)) {
    if (!entry.flowId) continue;
    // Imported (confirmed or not: a run killed between the import and its confirmation still changed the flow).
    if (entry.step === 'import-succeeded' && !versions.has(entry.flowId)) versions.set(entry.flowId, undefined);
    if (entry.step === 'flow-done' || (entry.step === 'flow-version' && versions.has(entry.flowId))) {
      versions.set(entry.flowId, typeof entry.versionAfter === 'string' ? entry.versionAfter : versions.get(entry.flowId));
    }
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
