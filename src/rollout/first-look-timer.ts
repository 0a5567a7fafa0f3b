/**
 * When to take the first look at an import job. A look that finds the job still running costs a request (at ~300
 * a minute, budget another flow could have used); a look that comes late costs only that flow's latency, which the
 * pool's concurrency hides. So the first look is learnt from hits and misses alone: a miss sets it at least 25 %
 * above the wait that missed, a hit lowers it by 2 % (a short run learns within a few dozen jobs), but never below 10 %
 * over the longest wait that missed within
 * the last 200 looks. That floor matters when the token's budget is saturated: looks then wait in the throttle's
 * queue and hit however early they were asked for, which alone would wear the wait down to nothing until the queue
 * empties and every look misses. Counting looks instead of timing jobs keeps it free of that queueing (a timed
 * median kept adding it to itself, so the wait grew flow after flow) and of the clock the client runs on.
 */
export class FirstLookTimer {
  private current: number;
  private looks = 0;
  private readonly recentMisses: { waitedMs: number; look: number }[] = [];
  private longestMiss = 0;

  constructor(initialMs = 1000, private readonly minMs = 100, private readonly maxMs = 30_000, private readonly memory = 200) {
    this.current = initialMs;
  }

  get ms(): number {
    return this.current;
  }

  /**
   * For a look whose miss costs more than its wait (the last jobs of a run: a miss there adds a second round to the
   * run's end): the first look, but never before the longest wait that missed in this timer's life, plus 10 %.
   */
  get cautiousMs(): number {
    return Math.min(this.maxMs, Math.max(this.current, Math.round(this.longestMiss * 1.1)));
  }

  /** The job was done at the first look: try a little sooner next time. */
  hit(): void {
    this.looks += 1;
    this.current = Math.max(this.minMs, this.floor(), Math.round(this.current * 0.98));
  }

  /** The job was still running at the first look after `waitedMs`. */
  miss(waitedMs: number): void {
    this.looks += 1;
    this.recentMisses.push({ waitedMs, look: this.looks });
    this.longestMiss = Math.max(this.longestMiss, waitedMs);
    this.current = Math.min(this.maxMs, Math.max(this.current, Math.round(waitedMs * 1.25)));
  }

  private floor(): number {
    while (this.recentMisses.length > 0 && (this.recentMisses[0]?.look ?? 0) <= this.looks - this.memory) this.recentMisses.shift();
    return Math.min(this.maxMs, Math.round(Math.max(0, ...this.recentMisses.map((m) => m.waitedMs)) * 1.1));
  }
}
