import type { ImportResult, RolloutApi } from './api-port.js';

/**
 * Gives up on an import job that has not finished within `timeoutMs` (a job can stay `Started` for good): the
 * wait ends as a Failure saying so (marked timedOut), the flow is reported failed, and the next `apply` looks at
 * that job before anything else: still running, the flow fails again without a second job; ended, its outcome counts.
 * A wrapper over the port rather than a poll option, so it works whatever polling the adapter does.
 */
export function withJobTimeout(api: RolloutApi, timeoutMs: number): RolloutApi {
  return {
    ...api,
    async waitImport(jobId, signal) {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      try {
        return await api.waitImport(jobId, signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal);
      } catch (error) {
        if (!deadline.signal.aborted || signal?.aborted) throw error;
        // One last look: a job that finished while the poll was between looks is not a timeout.
        const last = await api.getImport(jobId);
        return last.status === 'Success' || last.status === 'Failure' ? last : timedOut(jobId, timeoutMs);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function timedOut(jobId: string, timeoutMs: number): ImportResult {
  const seconds = Math.round(timeoutMs / 1000);
  return {
    status: 'Failure',
    timedOut: true,
    messages: [`import job ${jobId} did not finish within ${seconds} s (--job-timeout); apply again: the job is looked at first, and the flow is imported again only if it ended without publishing`],
  };
}
