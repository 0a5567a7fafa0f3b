import type { JournalEntry } from './journal.js';

/** What a run's journal says of one flow, after every line up to now. */
export interface FlowJournalState {
  /**
   * NOT_STARTED: nothing written yet; IN_FLIGHT: an import job registered, its outcome not journaled;
   * IMPORTED_UNCONFIRMED: a job succeeded, not yet confirmed from the API; DONE / FAILED / CONFLICT: settled in
   * this attempt or an earlier one (FAILED and CONFLICT are tried again by the next apply); SKIPPED_*: the precheck.
   */
  state: string;
  /** An import job whose outcome is unknown (registered, or given up while still running): looked at first. */
  pendingJobId?: string;
  /** An import of this run succeeded at some point: the flow was changed by the run (rollback must know it). */
  imported: boolean;
  /** The published version the run created, once confirmed. */
  versionAfter?: string;
  reason?: string;
  /** A write was rebased onto someone else's version. */
  rebased: boolean;
}

/**
 * The one reading of a journal (apply's journal.jsonl or rollback.jsonl): resume, status, verify and rollback all
 * take a flow's state from here, so that they cannot disagree about what a run did.
 */
export function reduceJournal(entries: readonly JournalEntry[]): Map<string, FlowJournalState> {
  const flows = new Map<string, FlowJournalState>();
  for (const entry of entries) {
    if (!entry.flowId) continue;
    const flow = flows.get(entry.flowId) ?? { state: 'NOT_STARTED', imported: false, rebased: false };
    flows.set(entry.flowId, flow);
    switch (entry.step) {
      case 'import-registered':
        flow.pendingJobId = String(entry.jobId);
        flow.state = 'IN_FLIGHT';
        delete flow.reason;
        break;
      case 'import-succeeded':
        delete flow.pendingJobId;
        flow.imported = true;
        flow.state = 'IMPORTED_UNCONFIRMED';
        break;
      case 'import-failed':
        // A job whose wait was given up (timedOut) may still publish: it stays pending, so that the next attempt
        // looks at it before importing the flow again (two jobs for one flow could publish it twice).
        if (entry.timedOut !== true) delete flow.pendingJobId;
        break;
      case 'flow-done':
        // Outcomes learnt from batched lookups journal the job's success and the confirmation as this one line.
        if (entry.jobId !== undefined) {
          delete flow.pendingJobId;
          flow.imported = true;
        }
        flow.state = 'DONE';
        delete flow.reason;
        if (typeof entry.versionAfter === 'string') flow.versionAfter = entry.versionAfter;
        break;
      case 'flow-version':
        if (typeof entry.versionAfter === 'string') flow.versionAfter = entry.versionAfter;
        break;
      case 'flow-failed':
        flow.state = 'FAILED';
        if (entry.error !== undefined) flow.reason = String(entry.error);
        break;
      case 'flow-conflict':
        flow.state = 'CONFLICT';
        if (entry.error !== undefined) flow.reason = String(entry.error);
        break;
      case 'precheck-skipped':
        flow.state = String(entry.state);
        if (entry.reason !== undefined) flow.reason = String(entry.reason);
        break;
      case 'rebase':
        flow.rebased = true;
        break;
      default:
        break;
    }
  }
  return flows;
}
