import cliProgress from 'cli-progress';
import type { CliIO } from './io.js';
import type { ApplyEvent } from '../rollout/rewrite.js';
import { forTerminal } from '../shared/terminal-text.js';

/**
 * Apply/rollback progress on stderr: a live bar (done / skipped / failed, flows per minute, ETA) on an interactive
 * terminal, one plain line per flow in CI or a pipe, nothing in --json mode.
 */
export function createProgress(io: CliIO, total: number, verb: string): { onEvent: (event: ApplyEvent) => void; stop: () => void } {
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
      format: `${verb} {bar} {value}/{total} | done {done} skipped {skipped} failed {failed} | {rate} flows/min | ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { ...counts, rate: '0' });
  return {
    onEvent(event) {
      tally(event);
      bar.increment(1, { ...counts, rate: perMinute() });
    },
    stop: () => bar.stop(),
  };
}
