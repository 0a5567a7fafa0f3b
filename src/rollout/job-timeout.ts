import type { ImportResult, RolloutApi } from './api-port.js';

/** How long one import job may run before a wait gives up on it (`--job-timeout`), when nothing else is said. */
export const DEFAULT_JOB_TIMEOUT_MS = 600_000;

/**
 * Gives up on an import job that has not finished within `timeoutMs` (a job can stay `Started` for good): each wait
 * gets that deadline (the earlier one wins when the caller passes its own), the client takes its last look at the
 * deadline, and a job still running then comes back `Started` and `timedOut` with a message saying so. The flow is
 * reported failed, and the next `apply` looks at that job before anything else: still running, the flow fails again
 * without a second job; ended, its outcome counts.
 *
 * `now` is the clock the client runs on (the deadline is read on it); the system clock unless the client was given
 * another.
 */
export function withJobTimeout(api: RolloutApi, timeoutMs: number = DEFAULT_JOB_TIMEOUT_MS, now: () => number = Date.now): RolloutApi {
  return {
    ...api,
    async waitImport(jobId, options = {}) {
      const ours = now() + timeoutMs;
      const deadline = options.deadline === undefined ? ours : Math.min(options.deadline, ours);
      const result = await api.waitImport(jobId, { ...options, deadline });
      return result.timedOut && deadline === ours ? timedOut(jobId, timeoutMs, result) : result;
    },
  };
}

function timedOut(jobId: string, timeoutMs: number, result: ImportResult): ImportResult {
  const seconds = Math.round(timeoutMs / 1000);
  return {
    ...result,
    timedOut: true,
    messages: [`import job ${jobId} did not finish within ${seconds} s (--job-timeout); apply again: the job is looked at first, and the flow is imported again only if it ended without publishing`],
  };
}
