/**
 * The rollout's own errors: the library never throws the CLI's errors (it has no exit codes); the CLI maps these
 * to exit codes in one table (src/cli/errors.ts).
 */

/** The request cannot be carried out as asked (unknown module, stale or edited plan, run already running): one line. */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

/** Why a run stopped before its end (it is resumable): what the CLI turns into an exit code. */
export type RunStopReason = 'auth' | 'unreachable' | 'rate-limited' | 'server' | 'aborted';

/** The stop reason of an error that is not one flow's fault; undefined for an error that is (a 400, a 409). */
export function stopReasonOf(error: unknown): RunStopReason | undefined {
  if (error instanceof Error && error.name === 'AbortError') return 'aborted';
  const status = (error as { status?: unknown } | null)?.status;
  if (status === 401 || status === 403) return 'auth';
  if (status === 0) return 'unreachable';
  if (status === 429) return 'rate-limited';
  if (status === 500 || status === 502 || status === 503 || status === 504) return 'server';
  return undefined;
}
