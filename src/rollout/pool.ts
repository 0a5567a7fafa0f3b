/**
 * Runs tasks with a concurrency limit that may change while running (for `--concurrency auto`). Hand-written:
 * p-limit's limit is fixed per instance, and the loop here is a dozen lines.
 */
export async function runPool<T>(
  items: readonly T[],
  limit: () => number,
  worker: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  let running = 0;
  let firstError: { error: unknown } | undefined;
  // On a worker error no new task starts, the running ones are awaited, then the first error is raised.
  await new Promise<void>((resolve) => {
    const pump = (): void => {
      const halted = firstError !== undefined || shouldStop();
      if (running === 0 && (next >= items.length || halted)) {
        resolve();
        return;
      }
      while (!halted && running < Math.max(1, limit()) && next < items.length) {
        const item = items[next++] as T;
        running += 1;
        worker(item).then(
          () => {
            running -= 1;
            pump();
          },
          (error: unknown) => {
            firstError ??= { error };
            running -= 1;
            pump();
          },
        );
        if (shouldStop()) break;
      }
    };
    pump();
  });
  if (firstError) throw firstError.error;
}

/** Additive-increase, multiplicative-decrease concurrency: grows while no 429 arrives, halves when one does. */
export class AdaptiveConcurrency {
  private current: number;
  private seenRateLimited = 0;

  constructor(private readonly min = 1, private readonly max = 32, start = 4) {
    this.current = start;
  }

  get value(): number {
    return this.current;
  }

  /** Called after each finished task with the client's running count of 429s. */
  observe(rateLimitedSoFar: number): void {
    if (rateLimitedSoFar > this.seenRateLimited) {
      this.seenRateLimited = rateLimitedSoFar;
      this.current = Math.max(this.min, Math.floor(this.current / 2));
    } else {
      this.current = Math.min(this.max, this.current + 1);
    }
  }
}
