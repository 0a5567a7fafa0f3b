import cliProgress from 'cli-progress';
import type { CliIO } from './io.js';
import type { ApplyEvent } from '../rollout/rewrite.js';
import { forTerminal } from '../shared/terminal-text.js';

/**
 * Apply/rollback progress on stderr: a live bar (done / skipped / failed, flows per minute, ETA) on an interactive
 * terminal, one plain line per flow in CI or a pipe, nothing in --json mode.
 */
export function createProgress(
  io: CliIO,
  total: number,
  verb: string,
  budget?: ProgressBudget,
): { onEvent: (event: ApplyEvent) => void; stop: () => void } {
  const counts = { done: 0, skipped: 0, failed: 0 };
  const started = Date.now();
  const perMinute = (): string => {
    const minutes = (Date.now() - started) / 60000;
    return minutes > 0 ? ((counts.done + counts.failed) / minutes).toFixed(0) : '0';
  };
  const tally = (event: ApplyEvent): void => {
    if (event.state === 'DONE') counts.done += 1;
    else if (event.state === 'FAILED' || event.state === 'CONFLICT') counts.failed += 1;
    else if (event.state !== 'NOT_STARTED') counts.skipped += 1;
  };

  if (io.json) return { onEvent: tally, stop: () => undefined };
  if (!io.interactive) {
    let seen = 0;
    return {
      onEvent(event) {
        tally(event);
        seen += 1;
        // One line per flow: the name and reason are escaped, so a newline in a name cannot forge a progress line.
        io.err(`[${seen}/${total}] ${event.state.padEnd(15)} ${forTerminal(event.name)}${event.reason ? ` (${forTerminal(event.reason)})` : ''}`);
      },
      stop: () => io.err(`${verb}: done ${counts.done}, skipped ${counts.skipped}, failed ${counts.failed}, ${perMinute()} flows/min`),
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: io.host.stderr as NodeJS.WritableStream,
      format: `${verb} {bar} {value}/{total} | done {done} skipped {skipped} failed {failed} | {rate} flows/min | ETA {etaText}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let seen = 0;
  const eta = (): string => (budget ? budgetEta(budget, total - seen, seen) : '?');
  bar.start(total, 0, { ...counts, rate: '0', etaText: eta() });
  return {
    onEvent(event) {
      tally(event);
      seen += 1;
      bar.increment(1, { ...counts, rate: perMinute(), etaText: eta() });
    },
    stop: () => bar.stop(),
  };
}

/** What the ETA is computed from: the token's request budget and the requests made so far. */
export interface ProgressBudget {
  /** Rate-limited requests per minute the token may make (Genesys: 300). */
  requestsPerMinute: number;
  /** Rate-limited requests made so far by this run. */
  requests: () => number;
}

/**
 * The time left, from the token's budget and the work left: (requests per flow so far x flows left) / budget. The
 * budget, not the last seconds' rate, is what bounds a rollout; a rate measured over a window boundary swings (from
 * 35 s to 7m30s on the demo org). Before any flow is finished, two requests per flow are assumed.
 */
export function budgetEta(budget: ProgressBudget, left: number, finished: number, assumedPerFlow = 2): string {
  const perFlow = finished > 0 ? Math.max(1, budget.requests() / finished) : assumedPerFlow;
  const seconds = Math.ceil((left * perFlow * 60) / Math.max(1, budget.requestsPerMinute));
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
