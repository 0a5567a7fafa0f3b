import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { DemoRandom } from '../../../src/emulator/seed/demo-random.js';
import type { PlanFlow } from '../../../src/rollout/plan-file.js';
import type { ControlPlane } from './control.js';
import type { EmulatorProcess, Exit, Spawned } from './processes.js';

/** What a scenario sees of the trial it runs in. */
export interface TrialContext {
  rng: DemoRandom;
  control: ControlPlane;
  /** The spawned emulator (only for scenarios that restart it). */
  emulator?: EmulatorProcess;
  runDir: string;
  targets: PlanFlow[];
  /** A clean apply of this plan on this emulator: wall time and journal lines. */
  calibration: { ms: number; journalLines: number };
  /** Something that happened, for the trial's line in the log (kills, restarts, expiries). */
  note(event: string): void;
  /** Set by arm for later hooks: the flows whose import jobs hang. */
  hung?: PlanFlow[];
}

export interface Scenario {
  name: string;
  /** One line for the summary. */
  fault: string;
  /** Runs against the spawned, restartable emulator instead of the in-process one. */
  restartable?: boolean;
  /** apply attempts allowed before the trial counts as failed (each a fresh process). */
  maxAttempts: number;
  /** Exit code the first attempt must end with (a fault that must surface as a failed flow). */
  firstExit?: number;
  /** Extra flags for apply on this attempt. */
  applyArgs?(ctx: TrialContext, attempt: number): string[];
  /** Before the first apply: fault rules. */
  arm?(ctx: TrialContext): Promise<void>;
  /** While an attempt runs: kills, expiries, restarts. Must return once the run has exited. */
  during?(ctx: TrialContext, attempt: number, run: Spawned): Promise<void>;
  /** After an attempt that did not end with exit 0: e.g. the fault goes away. */
  afterAttempt?(ctx: TrialContext, attempt: number, exit: Exit): Promise<void>;
}

const API = '/api/v2/*';

function journalText(runDir: string): string {
  const path = join(runDir, 'journal.jsonl');
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

/** Journal lines so far (a torn last line counts: kill points are between and within steps alike). */
function journalLines(runDir: string): number {
  return journalText(runDir).split('\n').filter((line) => line !== '').length;
}

/** The journal's whole lines (a torn last one is skipped). */
function journalEntries(runDir: string): { step: string; flowId?: string }[] {
  return journalText(runDir).split('\n').flatMap((line) => {
    try {
      return line ? [JSON.parse(line) as { step: string; flowId?: string }] : [];
    } catch {
      return [];
    }
  });
}

/** Sleeps until `ms` passed or the run exited; true when the run is still going. */
async function waitWhileRunning(run: Spawned, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!run.exited() && Date.now() < until) await sleep(Math.min(5, Math.max(1, until - Date.now())));
  return !run.exited();
}

/**
 * kill -9 at a random moment: right after the journal reached a random line (plus 0-15 ms), which spreads kills
 * evenly over the steps of a run and always lands while it runs (the last line is written just before it ends);
 * or, `byTime`, a random time into the run, which also hits startup, planning reads and report writing.
 */
async function killAtRandom(ctx: TrialContext, run: Spawned, label: string, byTime: boolean): Promise<void> {
  const { rng, calibration } = ctx;
  if (byTime) {
    const at = Math.round(rng.next() * calibration.ms);
    if (await waitWhileRunning(run, at)) {
      run.kill9();
      ctx.note(`${label} kill -9 at ${at} ms`);
    } else ctx.note(`${label} ended before the kill at ${at} ms`);
    return;
  }
  const start = journalLines(ctx.runDir);
  // Not among the last lines (the last flow's steps, then the confirmation batch's flow-done of every target and
  // run-finished, written in one burst): a kill there can land after the run ended.
  const tail = 4 + ctx.targets.length;
  const line = start + rng.int(1, Math.max(1, calibration.journalLines - tail - start));
  while (!run.exited() && journalLines(ctx.runDir) < line) await sleep(2);
  const extra = rng.int(0, 15);
  if (await waitWhileRunning(run, extra)) {
    run.kill9();
    ctx.note(`${label} kill -9 at journal line ${line}+${extra} ms`);
  } else ctx.note(`${label} ended before the kill at journal line ${line}`);
}

/** After this many failed attempts the faults go away (outages end); the next resume runs without them. */
function clearFaultsAfter(attempts: number) {
  return async (ctx: TrialContext, attempt: number): Promise<void> => {
    if (attempt >= attempts) {
      await ctx.control.clearFaults();
      ctx.note(`faults cleared after attempt ${attempt}`);
    }
  };
}

function pickTargets(ctx: TrialContext, count: number): PlanFlow[] {
  return ctx.rng.shuffled(ctx.targets).slice(0, Math.min(count, ctx.targets.length));
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'kill -9',
    fault: 'apply killed with -9 at random moments (also while resuming)',
    maxAttempts: 8,
    async during(ctx, attempt, run) {
      // The first attempt is always killed (by journal line); resumes are killed again now and then, by either.
      if (attempt === 1) await killAtRandom(ctx, run, 'attempt 1:', false);
      else if (attempt <= 4 && ctx.rng.chance(0.4)) await killAtRandom(ctx, run, `attempt ${attempt}:`, ctx.rng.chance(0.5));
    },
  },
  {
    name: '429 storm',
    fault: '429 + Retry-After 1-3 s on 3-10 % of API requests; one Retry-After of 150 s (past the 120 s cap) stops the run',
    maxAttempts: 6,
    async arm(ctx) {
      const { rng, control } = ctx;
      // The long one first (the first matching rule answers). It lands where no other flow's request would wait it
      // out: the precheck lookup before any write, or a presigned upload (not paced by the token's throttle).
      // On an API call mid-run every in-flight flow rightly waits the whole Retry-After before its next request.
      const upload = rng.chance(0.5) ? rng.int(1, ctx.targets.length) : 0;
      const where = upload ? `upload #${upload}` : 'precheck lookup';
      await control.fault(upload
        ? { method: 'PUT', path: '/__presigned/uploads/*', status: 429, retryAfter: 150, count: 1, skip: upload - 1 }
        : { method: 'GET', path: '/api/v2/flows/lookup', status: 429, retryAfter: 150, count: 1, skip: 1 });
      const share = 0.03 + rng.next() * 0.07;
      await control.fault({ path: API, status: 429, retryAfter: rng.int(1, 2), probability: share });
      await control.fault({ path: API, status: 429, retryAfter: 3, count: rng.int(1, 3), skip: rng.int(0, 60) });
      ctx.note(`storm ${(share * 100).toFixed(0)} %, Retry-After 150 s on the ${where}`);
    },
    afterAttempt: clearFaultsAfter(3),
  },
  {
    name: '503 runs',
    fault: 'runs of 2-9 consecutive 503s (some with Retry-After) at random points; in half the trials one past the retry cap',
    maxAttempts: 6,
    async arm(ctx) {
      const { rng, control } = ctx;
      const runs: string[] = [];
      for (let i = 0; i < 3; i++) {
        const count = rng.int(2, 9);
        const skip = rng.int(0, 120);
        await control.fault({ path: API, status: 503, count, skip, ...(rng.chance(0.3) ? { retryAfter: 1 } : {}) });
        runs.push(`${count}@${skip}`);
      }
      // Half the trials also get a run past the retry cap (6 attempts) on a precheck read, where it must stop the run.
      if (rng.chance(0.5)) {
        const lookup = rng.chance(0.5);
        await control.fault(lookup
          ? { method: 'GET', path: '/api/v2/flows/lookup', status: 503, count: 6, skip: 1 }
          : { method: 'POST', path: '/api/v2/flows/export/jobs', status: 503, count: 6 });
        runs.push(`6 on the precheck ${lookup ? 'lookup' : 'export'} (past the cap)`);
      }
      ctx.note(`503 runs ${runs.join(', ')}`);
    },
    afterAttempt: clearFaultsAfter(3),
  },
  {
    name: 'connection resets',
    fault: 'sockets destroyed on 3-8 % of requests (API, token, upload, download)',
    maxAttempts: 8,
    async arm(ctx) {
      const share = 0.03 + ctx.rng.next() * 0.05;
      await ctx.control.fault({ path: '*', reset: true, probability: share });
      ctx.note(`resets ${(share * 100).toFixed(1)} %`);
    },
    afterAttempt: clearFaultsAfter(4),
  },
  {
    name: 'token expiry',
    fault: 'every token expires 1-3 times mid-run',
    maxAttempts: 4,
    async during(ctx, attempt, run) {
      if (attempt > 1) return;
      const times = ctx.rng.int(1, 3);
      for (let i = 0; i < times; i++) {
        if (!(await waitWhileRunning(run, ctx.rng.int(50, Math.max(60, Math.round(ctx.calibration.ms / times)))))) return;
        await ctx.control.expireTokens();
        ctx.note('tokens expired');
      }
    },
  },
  {
    name: 'import job fails',
    fault: 'import jobs of 1-3 targets end in Failure; the rule is then removed',
    maxAttempts: 4,
    firstExit: 1,
    async arm(ctx) {
      const victims = pickTargets(ctx, ctx.rng.int(1, 3));
      for (const flow of victims) await ctx.control.fault({ jobFailure: { flowName: flow.name, message: 'Archy failed: exit code 107 (injected)' } });
      ctx.note(`failing: ${victims.map((flow) => flow.name).join(', ')}`);
    },
    afterAttempt: clearFaultsAfter(1),
  },
  {
    name: 'import job hangs',
    fault: 'import jobs of 1-2 targets stay Started (--job-timeout 2) until released after the first attempt; sometimes apply is killed while waiting',
    maxAttempts: 4,
    applyArgs: () => ['--job-timeout', '2'],
    async arm(ctx) {
      const victims = pickTargets(ctx, ctx.rng.int(1, 2));
      for (const flow of victims) await ctx.control.fault({ jobHang: { flowName: flow.name } });
      ctx.hung = victims;
      ctx.note(`hanging: ${victims.map((flow) => flow.name).join(', ')}`);
    },
    async during(ctx, attempt, run) {
      const hung = new Set((ctx.hung ?? []).map((flow) => flow.id));
      if (attempt > 1 || !ctx.rng.chance(0.5)) return;
      // Kill while apply waits on a hung job: the resume must look at that job before importing again.
      const uploaded = (): boolean =>
        journalEntries(ctx.runDir).some((entry) => entry.step === 'import-uploaded' && hung.has(entry.flowId ?? ''));
      while (!run.exited() && !uploaded()) await sleep(5);
      if (await waitWhileRunning(run, 300)) {
        run.kill9();
        ctx.note('kill -9 while waiting on a hung job');
      }
    },
    async afterAttempt(ctx, attempt) {
      await clearFaultsAfter(1)(ctx, attempt);
      // The hung jobs end after all; the resume must take their outcome instead of importing the flows again.
      if (attempt >= 1) ctx.note(`released ${(await ctx.control.releaseJobs()).released.length} hung job(s)`);
    },
  },
  {
    name: 'emulator restart',
    fault: 'the emulator (--data) is killed with -9 mid-run and restarted on the same port after 0-3 s',
    restartable: true,
    maxAttempts: 6,
    async during(ctx, attempt, run) {
      const emulator = ctx.emulator;
      if (!emulator || attempt > 2 || (attempt === 2 && !ctx.rng.chance(0.3))) return;
      const at = Math.round((0.1 + ctx.rng.next() * 0.7) * ctx.calibration.ms);
      const midRun = await waitWhileRunning(run, at);
      await emulator.kill9();
      const down = ctx.rng.int(0, 3000);
      await sleep(down);
      await emulator.start();
      ctx.note(`attempt ${attempt}: emulator kill -9 at ${at} ms${midRun ? '' : ' (after the run ended)'}, down ${down} ms`);
    },
  },
];
