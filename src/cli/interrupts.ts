/**
 * Stop signals. The first SIGINT, SIGTERM or SIGHUP stops cleanly: no new writes start, in-flight import jobs are
 * awaited, the journal is closed, the reports are written (what Ctrl-C always did). A second one leaves at once,
 * after printing which flows still had an import job in flight and how to resume.
 *
 * Exit codes: a command that a signal stopped exits 128 + the signal's number, as shells report it: 130 for
 * SIGINT (Ctrl-C), 129 for SIGHUP (the terminal went away), 143 for SIGTERM; the second signal exits with its own
 * code. A command that finished its work although a signal came (the emulator shutting down as asked, an apply
 * whose last flow was already done) exits with its own code, 0 when it succeeded.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export const SIGNAL_EXIT_CODES: Readonly<Record<StopSignal, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

/** What a long-running command says when it is stopped, and when it is left with work in flight. */
export interface StopReporter {
  /** Printed at the first signal. */
  stopping(signal: StopSignal): void;
  /** Printed at the second signal, just before the process exits: what is still in flight, how to resume. */
  leaving(signal: StopSignal): void;
}

export class Interrupts {
  private readonly controller = new AbortController();
  private reporter: StopReporter | undefined;
  /** The first stop signal received, if any. */
  first: StopSignal | undefined;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * Records a signal. Returns 'stop' for the first (the controller is aborted: commands wind down) and 'leave' for
   * any later one (the caller exits at once).
   */
  receive(signal: StopSignal): 'stop' | 'leave' {
    if (this.first === undefined) {
      this.first = signal;
      this.controller.abort();
      try {
        this.reporter?.stopping(signal);
      } catch {
        // A note that cannot be printed (the terminal is gone) must not stop the clean shutdown.
      }
      return 'stop';
    }
    try {
      this.reporter?.leaving(signal);
    } catch {
      // leaving anyway
    }
    return 'leave';
  }

  get hasReporter(): boolean {
    return this.reporter !== undefined;
  }

  /** A command with work that must not be cut off registers what to say; undefined when it is done. */
  setReporter(reporter: StopReporter | undefined): void {
    this.reporter = reporter;
  }

  /** The process's exit code once main() returned `code`: a command stopped by a signal exits 128 + its number. */
  exitCode(code: number): number {
    return this.first !== undefined && code !== 0 ? SIGNAL_EXIT_CODES[this.first] : code;
  }
}
