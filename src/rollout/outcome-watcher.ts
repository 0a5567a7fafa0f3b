import { setImmediate } from 'node:timers/promises';
import { compareMeaning } from '../flow/meaning.js';
import type { FlowMeta } from './api-port.js';
import { confirmWrites } from './confirm.js';
import { collectIfGrown } from '../shared/heap-keeper.js';
import { FirstLookTimer } from './first-look-timer.js';
import { awaitJob } from './import-one.js';
import {
  directlyFollows, finish, progressOf, RunStopped, type Awaiting, type RewriteItem, type RunContext,
} from './rewrite-context.js';

/** Ids one batched lookup takes (the client's LOOKUP_IDS: one request). */
export const LOOKUP_IDS = 100;
/** New versions checked per export job (the API exports up to 100 flows a job). */
export const VERIFY_BATCH = 100;

export interface WatcherOptions {
  /** A lookup of its own is made once this many uploaded flows are due (otherwise they ride on the prechecks'). */
  roundFlows?: number;
  /** ...or once the oldest due flow has waited this long for one (ms on the client's clock). */
  maxLagMs?: number;
  /** A flow not advanced this long after its upload (and three job times) has its job polled: what became of it? */
  pollAfterMs?: number;
  /** Advanced flows wait at most this long for a full export batch. */
  verifyLagMs?: number;
  /**
   * Import jobs in flight at once (uploaded, outcome not yet learnt): `--concurrency N` when a number is given; a
   * writer waits for room beyond it. When writers wait, lookups and exports are made at once, not held for a batch.
   */
  maxWatched?: number;
  tickMs?: number;
}

interface Watched {
  flow: RewriteItem;
  jobId: string;
  awaiting: Awaiting;
  uploadedAt: number;
  nextLookAt: number;
  /** running: the job's outcome unknown; advanced: the version directly follows, its content to be checked. */
  phase: 'running' | 'advanced' | 'verifying' | 'polling';
  version?: string;
  advancedAt?: number;
  /** Lookups that found the version not advanced yet. */
  misses: number;
}

/**
 * Learns the outcome of uploaded import jobs without a request per job (issue 15): one batched lookup of up to 100
 * flows shows whose published version advanced, and one export job of up to 100 new versions shows what they
 * contain. A flow is DONE when its new version directly follows the version checked before the write and means
 * exactly what was imported: someone else's publish in between is not taken for ours (it would not directly follow,
 * or not mean our text). Anything else (not advanced in time, jumped, means something else, cannot be exported)
 * falls back to the job's own answer and the confirmation of confirm.ts (rebase or CONFLICT), flow by flow.
 * Lookups ride along with the prechecks' lookups where they can, so most cost no request of their own.
 */
export class OutcomeWatcher {
  private readonly watched = new Map<string, Watched>();
  private readonly tasks = new Set<Promise<void>>();
  private readonly jobTime = new FirstLookTimer(1000, 100, 60_000);
  private readonly options: Required<WatcherOptions>;
  private closed = false;
  private reserved = 0;
  private stop: RunStopped | undefined;
  private readonly loop: Promise<void>;

  constructor(private readonly ctx: RunContext, options: WatcherOptions = {}) {
    this.options = {
      roundFlows: LOOKUP_IDS, maxLagMs: 20_000, pollAfterMs: 30_000, verifyLagMs: 30_000, maxWatched: 400, tickMs: 250, ...options,
    };
    this.loop = this.run();
  }

  /** Why the watcher stopped the run (a lookup or an export that could not be made), if it did. */
  get failure(): RunStopped | undefined {
    return this.stop;
  }

  has(flow: RewriteItem): boolean {
    return this.watched.has(flow.id);
  }

  /**
   * One writer's upload, under the watcher's back-pressure: waits while the watcher is full, holds a place while
   * `start` registers and uploads (a writer still uploading counts, or two writers could both take the last place),
   * then watches the job `start` returns; no job (the flow failed, or the run is stopping): the place is given back.
   */
  async upload(flow: RewriteItem, awaiting: Awaiting, start: () => Promise<string | undefined>): Promise<void> {
    while (this.watched.size + this.reserved >= this.options.maxWatched && !this.stop) await this.ctx.api.clock.sleep(this.options.tickMs);
    if (this.stop) throw this.stop;
    this.reserved += 1;
    let jobId: string | undefined;
    try {
      jobId = await start();
    } finally {
      this.reserved -= 1;
    }
    if (jobId === undefined) return;
    const now = this.ctx.api.clock.now();
    const watched: Watched = { flow, jobId, awaiting, uploadedAt: now, nextLookAt: now + this.jobTime.ms, phase: 'running', misses: 0 };
    this.watched.set(flow.id, watched);
    // Without a version to compare with (none was published), only the job can say what became of the import.
    if (awaiting.base === undefined) this.poll(watched);
  }

  /** A precheck's lookup, with due outcomes carried in the same request (up to one request's ids). */
  async lookup(ids: readonly string[]): Promise<Map<string, FlowMeta>> {
    const carried = this.due(this.ctx.api.clock.now()).slice(0, Math.max(0, LOOKUP_IDS - ids.length));
    const metas = await this.ctx.api.getFlows([...ids, ...carried.map((w) => w.flow.id)]);
    this.learn(carried, metas);
    return metas;
  }

  /** No more uploads: returns once every watched flow is settled, or throws why the run stopped. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
    await Promise.allSettled([...this.tasks]);
    if (this.stop) throw this.stop;
  }

  private async run(): Promise<void> {
    const { clock } = this.ctx.api;
    while (!this.stop && !(this.closed && this.watched.size === 0)) {
      try {
        const now = clock.now();
        const round = this.roundDue(now);
        if (round.length > 0) {
          this.learn(round, await this.ctx.api.getFlows(round.map((w) => w.flow.id)));
          continue;
        }
        this.startVerifyIfDue(now);
        this.startPollsIfOverdue(now);
        collectIfGrown();
      } catch (error) {
        this.stop = error instanceof RunStopped ? error : new RunStopped(error);
        break;
      }
      await clock.sleep(this.options.tickMs);
    }
  }

  /** Writers are waiting for room: nothing is held back to fill a batch. */
  private get full(): boolean {
    return this.watched.size + this.reserved >= this.options.maxWatched;
  }

  private countRunning(): number {
    let running = 0;
    for (const w of this.watched.values()) if (w.phase === 'running') running += 1;
    return running;
  }

  /** Running flows whose look is due, oldest first. */
  private due(now: number): Watched[] {
    return [...this.watched.values()].filter((w) => w.phase === 'running' && w.nextLookAt <= now).sort((a, b) => a.nextLookAt - b.nextLookAt);
  }

  /** A lookup of its own: a request's worth of due flows, one waiting too long, or the last ones of the run. */
  private roundDue(now: number): Watched[] {
    const due = this.due(now);
    if (due.length === 0) return [];
    const oldest = now - due[0]!.nextLookAt;
    // The last uploads of a run are looked up together once every one of them is due, by the cautious time (a look
    // too early there costs a second round at the run's end; the oldest waiting for the last costs nothing).
    const tailReady = this.closed && due.length === this.countRunning() &&
      due.every((w) => now >= w.uploadedAt + this.jobTime.cautiousMs);
    if (due.length >= this.options.roundFlows || oldest >= this.options.maxLagMs || tailReady || this.full) return due.slice(0, LOOKUP_IDS);
    return [];
  }

  private learn(looked: readonly Watched[], metas: Map<string, FlowMeta>): void {
    const now = this.ctx.api.clock.now();
    for (const w of looked) {
      if (w.phase !== 'running' || this.watched.get(w.flow.id) !== w) continue;
      const meta = metas.get(w.flow.id);
      const version = meta?.publishedVersion;
      const base = w.awaiting.base;
      if (meta && version === base) {
        // Not advanced yet: looked at again after as long again (jobs are learnt to end by the first look, so this
        // is rare); at the third miss the job itself is asked, which tells a failed or hung job (with the job
        // timeout) from a slow one.
        if (w.misses === 0) this.jobTime.miss(now - w.uploadedAt);
        w.misses += 1;
        if (w.misses >= 3) this.poll(w);
        else w.nextLookAt = now + Math.max(1000, this.jobTime.ms, now - w.uploadedAt);
      } else if (meta && base !== undefined && version !== undefined && directlyFollows(base, version)) {
        this.jobTime.hit();
        Object.assign(w, { phase: 'advanced', version, advancedAt: now });
      } else {
        // Deleted, jumped past the next version, or no version: the job's own answer comes first.
        this.poll(w);
      }
    }
  }

  private startVerifyIfDue(now: number): void {
    const advanced = [...this.watched.values()].filter((w) => w.phase === 'advanced');
    if (advanced.length === 0) return;
    const oldest = Math.min(...advanced.map((w) => w.advancedAt ?? now));
    const waitForMore = !(this.closed && this.countRunning() === 0) && !(this.full && this.due(now).length === 0);
    if (advanced.length < VERIFY_BATCH && now - oldest < this.options.verifyLagMs && waitForMore) return;
    const batch = advanced.slice(0, VERIFY_BATCH);
    for (const w of batch) w.phase = 'verifying';
    this.track(this.verify(batch));
  }

  private startPollsIfOverdue(now: number): void {
    const after = Math.max(this.options.pollAfterMs, 3 * this.jobTime.ms);
    for (const w of this.watched.values()) if (w.phase === 'running' && now - w.uploadedAt >= after) this.poll(w);
  }

  /** One export job for up to 100 new versions: each must mean exactly what this run imported. */
  private async verify(batch: readonly Watched[]): Promise<void> {
    const exported = await this.ctx.api.exportFlows(batch.map((w) => ({ id: w.flow.id, version: w.version! })));
    for (const w of batch) {
      // A few milliseconds of parsing a flow: the writers' requests go out between flows, not after the batch.
      await setImmediate();
      const yaml = exported.get(w.flow.id)?.yaml;
      if (yaml !== undefined && compareMeaning(yaml, w.awaiting.text()).same) {
        this.watched.delete(w.flow.id);
        finish(this.ctx, w.flow, w.version, { jobId: w.jobId, confirmedBy: 'lookup and export' });
      } else {
        this.poll(w); // someone else's version, or not readable now: the job says what became of ours
      }
    }
  }

  /** The slow way, for one flow: wait for its job, then confirm it from the API (confirm.ts: rebase or CONFLICT). */
  private poll(w: Watched): void {
    w.phase = 'polling';
    this.track((async () => {
      try {
        await awaitJob(this.ctx, w.flow, w.jobId, w.awaiting);
        if (progressOf(this.ctx, w.flow).awaiting) await confirmWrites(this.ctx, [w.flow]);
      } finally {
        this.watched.delete(w.flow.id);
      }
    })());
  }

  private track(task: Promise<void>): void {
    const tracked = task.catch((error: unknown) => {
      this.stop ??= error instanceof RunStopped ? error : new RunStopped(error);
    }).finally(() => this.tasks.delete(tracked));
    this.tasks.add(tracked);
  }
}
