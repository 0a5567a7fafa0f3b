import type { RolloutApi } from '../rollout/api-port.js';
import { readJournal } from '../rollout/journal.js';
import { forTerminal, shellArg } from '../shared/terminal-text.js';
import type { CliIO } from './io.js';
import type { StopReporter, StopSignal } from './interrupts.js';

/**
 * The import jobs an apply or rollback has in flight right now (registered and not yet seen to an end), learnt by
 * wrapping the rollout's API port; which flow each job is for comes from the run's journal, which records every
 * registered job before it is uploaded.
 */
export class InFlightJobs {
  private readonly jobs = new Set<string>();

  wrap(api: RolloutApi): RolloutApi {
    const jobs = this.jobs;
    return {
      ...api,
      async registerImport() {
        const registration = await api.registerImport();
        jobs.add(registration.jobId);
        return registration;
      },
      async uploadImport(registration, yaml) {
        try {
          await api.uploadImport(registration, yaml);
        } catch (error) {
          jobs.delete(registration.jobId); // never uploaded: it cannot publish anything
          throw error;
        }
      },
      async waitImport(jobId, signal) {
        jobs.add(jobId); // also a job of an earlier attempt that is looked at again
        try {
          return await api.waitImport(jobId, signal);
        } finally {
          jobs.delete(jobId);
        }
      },
    };
  }

  get count(): number {
    return this.jobs.size;
  }

  /** The flows of the jobs in flight, by the journal (flow id and job id), in journal order. */
  flows(journalPath: string): { flowId: string | undefined; jobId: string }[] {
    const byJob = new Map<string, string>();
    try {
      for (const entry of readJournal(journalPath)) {
        if (entry.step === 'import-registered' && entry.flowId && typeof entry.jobId === 'string') byJob.set(entry.jobId, entry.flowId);
      }
    } catch {
      // A journal that cannot be read now still leaves the job ids to report.
    }
    return [...this.jobs].map((jobId) => ({ flowId: byJob.get(jobId), jobId }));
  }
}

/**
 * What apply and rollback print when stopped: at the first signal that they are finishing what is in flight, at
 * the second which flows had an import job in flight and the command that resumes them.
 */
export function rolloutStopReporter(
  io: CliIO,
  inFlight: InFlightJobs,
  options: { journalPath: () => string; names: ReadonlyMap<string, string>; resume: string[] },
): StopReporter {
  const resume = `flowlink ${options.resume.map(shellArg).join(' ')}`;
  return {
    stopping(signal: StopSignal) {
      const n = inFlight.count;
      const waiting = n === 0 ? 'no import job is in flight' : `waiting for ${n} import job${n === 1 ? '' : 's'} in flight to finish`;
      io.err(`flowlink: ${signal}: stopping: no new flow is started; ${waiting} (send it again to exit now, leaving ${n === 1 ? 'it' : 'them'} in flight)`);
    },
    leaving(signal: StopSignal) {
      const flows = inFlight.flows(options.journalPath());
      for (const { flowId, jobId } of flows) {
        const name = flowId ? options.names.get(flowId) : undefined;
        io.err(`flowlink: in flight: ${name !== undefined ? `${forTerminal(name)} (${flowId})` : flowId ?? 'a flow'}: import job ${jobId}`);
      }
      const n = flows.length;
      const what = n === 0 ? 'no import job was in flight' : `${n} import job${n === 1 ? ' was' : 's were'} in flight and may still publish`;
      io.err(`flowlink: ${signal} again: exiting now; ${what}; run \`${resume}\` again to resume (it looks at in-flight jobs first)`);
    },
  };
}
