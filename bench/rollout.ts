/**
 * Rollout benchmark (not a test): flowlink's plan and apply (`--concurrency auto`) of Global_Exception_Handler to N
 * flows against the emulator, at the real-world budget and job times of lib/settings.ts, run time-scaled.
 * Each N gets a fresh emulator (parent process); plan and apply each run in a child process of their own, as
 * `flowlink plan` and `flowlink apply` would, so that each peak RSS is that of the command's work. Request counts come from the emulator's request log.
 * Run alone: `node --import tsx bench/rollout.ts [N ...]`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeedFixture } from '../src/emulator/seed/types.js';
import { applyPlanFile } from '../src/rollout/apply.js';
import { rolloutApiFromClient } from '../src/rollout/client-adapter.js';
import { writePlanTo } from '../src/rollout/plan-stream.js';
import { readPlanHead } from '../src/rollout/plan-file.js';
import { RunDir } from '../src/rollout/run-dir.js';
import { selectorsFromOptions } from '../src/rollout/select.js';
import { heapKeeperStats } from '../src/shared/heap-keeper.js';
import { childMain, isChildOf, isMain, runChild } from './lib/child.js';
import { benchClient, clearRequestLog, startBenchEmulator, takeRequestCounts, type RequestCounts } from './lib/emulator.js';
import { BENCH_MODULE, rolloutFixtures } from './lib/fixture.js';
import { sampleRss, type PeakRss } from './lib/memory.js';
import { DEFAULT_SETTINGS, type BenchSettings } from './lib/settings.js';

/** What rewrite.ts does per chunk of flows (precheck: one metadata lookup) and per export job. */
export const APPLY_CHUNK = 40;
export const EXPORT_JOB_FLOWS = 100;

/**
 * The fewest rate-limited API requests apply can make for N flows, counted from its code (src/rollout/rewrite.ts,
 * precheck.ts, outcome-watcher.ts, apply.ts, client-adapter.ts): the org check (1 lookup); the proof of the plan's
 * originals (an export job per 100 flows: start + 1 poll; the download is presigned); per flow an import job's
 * register (the upload goes to a presigned URL and is not rate limited); per batch of 40 flows the just-in-time
 * precheck lookup, which carries the outcomes due; one lookup of its own for the last outcomes; and the check of
 * the new versions' content (an export job per 100 flows: start + 1 poll).
 */
export function minApplyRequests(n: number): number {
  const exportJobs = Math.ceil(n / EXPORT_JOB_FLOWS);
  return 1 + 2 * exportJobs + n + Math.ceil(n / APPLY_CHUNK) + (n > 0 ? 1 : 0) + 2 * exportJobs;
}

interface PhaseResult {
  wallMs: number;
  cpuMs: number;
  requests: RequestCounts;
  memory: PeakRss;
}

interface PlanChildResult extends PhaseResult {
  eligible: number;
  planFileMB: number;
}

interface ApplyChildResult extends PhaseResult {
  counts: Record<string, number>;
  /** Full collections flowlink asked for (src/shared/heap-keeper.ts), and their time. */
  collections: { collections: number; ms: number };
  interrupted: boolean;
  clientRetries: number;
}

export interface RolloutBenchResult {
  n: number;
  /** The time scale this N ran at (lib/settings.ts). */
  factor: number;
  eligible: number;
  done: number;
  /** `flowlink plan` in its own process. realWorldMs = wall x factor: an upper bound, the plan being mostly CPU. */
  plan: { wallMs: number; realWorldMs: number; cpuMs: number; apiRequests: number; rateLimited: number; peakRssMB: number; planFileMB: number };
  /** `flowlink apply plan.json --concurrency auto` in its own process. */
  apply: {
    wallMs: number;
    realWorldMs: number;
    cpuMs: number;
    flowsPerMinute: number;
    apiRequests: number;
    requestsPerFlow: number;
    rateLimited: number;
    rateLimitedShare: number;
    minRequestsPerFlow: number;
    /** budget per minute / minRequestsPerFlow */
    boundFlowsPerMinute: number;
    efficiency: number;
    /** Whether the apply needed more than one rate window's budget (below that the budget does not bind). */
    budgetBinds: boolean;
    byRoute: Record<string, number>;
    /** API requests in each real-world minute of the apply (the budget is 300). */
    perWindow: number[];
    retries: number;
    peakRssMB: number;
    /** Highest sampled V8 heap in use (live + not yet collected). */
    peakHeapMB: number;
    /** Full collections flowlink asked for to keep memory flat, and the wall ms they took together. */
    fullCollections: number;
    collectionMs: number;
  };
}

const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000;

/** `flowlink plan --module Global_Exception_Handler --out <file>`: every inbound flow of the org is selected. */
async function planChild(url: string, settings: BenchSettings, planPath: string): Promise<PlanChildResult> {
  const rss = sampleRss();
  await clearRequestLog(url);
  const client = benchClient(url, settings);
  const start = performance.now();
  const cpu = process.cpuUsage();
  // As `flowlink plan` does: the plan file written as the flows are planned.
  const plan = await writePlanTo(client, {
    moduleName: BENCH_MODULE,
    selectors: selectorsFromOptions({}),
    typesExplicit: false,
    placement: { at: 'start' },
    inputs: {},
    outputs: {},
    selection: [],
  }, planPath);
  const wallMs = performance.now() - start;
  const cpuUsed = cpuMs(process.cpuUsage(cpu));
  return {
    wallMs,
    cpuMs: cpuUsed,
    requests: await takeRequestCounts(url),
    eligible: plan.flows.filter((flow) => flow.state === 'ELIGIBLE').length,
    planFileMB: +(statSync(planPath).size / 1024 / 1024).toFixed(1),
    memory: rss.stop(),
  };
}

/** `flowlink apply <file> --concurrency auto --yes`: a new process, client and token, as the CLI would have. */
async function applyChild(url: string, settings: BenchSettings, planPath: string, runRoot: string): Promise<ApplyChildResult> {
  const rss = sampleRss();
  await clearRequestLog(url);
  const start = performance.now();
  const cpu = process.cpuUsage();
  // The run id from the plan's head and tail only; applyPlanFile reads the flows, one at a time.
  const runId = readPlanHead(planPath).runId;
  const client = benchClient(url, settings);
  const result = await applyPlanFile(planPath, { api: rolloutApiFromClient(client), runDir: new RunDir(runRoot, runId), concurrency: 'auto' });
  const wallMs = performance.now() - start;
  const cpuUsed = cpuMs(process.cpuUsage(cpu));
  return {
    wallMs,
    cpuMs: cpuUsed,
    requests: await takeRequestCounts(url),
    counts: result.report.counts,
    interrupted: result.interrupted,
    clientRetries: client.stats().retries,
    collections: heapKeeperStats(),
    memory: rss.stop(),
  };
}

async function rolloutChild(args: string[]): Promise<PlanChildResult | ApplyChildResult> {
  const [phase, url, settingsJson, planPath, runRoot] = args as ['plan' | 'apply', string, string, string, string];
  const settings = JSON.parse(settingsJson) as BenchSettings;
  return phase === 'plan' ? planChild(url, settings, planPath) : applyChild(url, settings, planPath, runRoot);
}

function summarise(n: number, plan: PlanChildResult, apply: ApplyChildResult, settings: BenchSettings): RolloutBenchResult {
  const done = apply.counts.DONE ?? 0;
  const applyReal = apply.wallMs * settings.factor;
  const flowsPerMinute = done / (applyReal / 60_000);
  const minRequestsPerFlow = minApplyRequests(plan.eligible) / plan.eligible;
  const bound = settings.budgetPerMinute / minRequestsPerFlow;
  return {
    n,
    factor: settings.factor,
    eligible: plan.eligible,
    done,
    plan: {
      wallMs: Math.round(plan.wallMs),
      realWorldMs: Math.round(plan.wallMs * settings.factor),
      cpuMs: Math.round(plan.cpuMs),
      apiRequests: plan.requests.api,
      rateLimited: plan.requests.rateLimited,
      peakRssMB: plan.memory.maxRssMB,
      planFileMB: plan.planFileMB,
    },
    apply: {
      wallMs: Math.round(apply.wallMs),
      realWorldMs: Math.round(applyReal),
      cpuMs: Math.round(apply.cpuMs),
      flowsPerMinute: +flowsPerMinute.toFixed(1),
      apiRequests: apply.requests.api,
      requestsPerFlow: +(apply.requests.api / Math.max(1, done)).toFixed(3),
      rateLimited: apply.requests.rateLimited,
      rateLimitedShare: +(apply.requests.rateLimited / Math.max(1, apply.requests.api)).toFixed(4),
      minRequestsPerFlow: +minRequestsPerFlow.toFixed(3),
      boundFlowsPerMinute: +bound.toFixed(1),
      efficiency: +(flowsPerMinute / bound).toFixed(3),
      budgetBinds: apply.requests.api > settings.budgetPerMinute,
      byRoute: apply.requests.byRoute,
      perWindow: apply.requests.perWindow,
      retries: apply.clientRetries,
      peakRssMB: apply.memory.maxRssMB,
      peakHeapMB: apply.memory.heapPeakMB,
      fullCollections: apply.collections.collections,
      collectionMs: Math.round(apply.collections.ms),
    },
  };
}

export interface RolloutBenchOptions {
  sizes?: number[];
  settings?: BenchSettings;
  /** Prebuilt fixtures (run.ts shares them with the baseline); built here when absent. */
  fixtures?: Map<number, SeedFixture>;
  log?: (line: string) => void;
}

export async function runRolloutBench(options: RolloutBenchOptions = {}): Promise<RolloutBenchResult[]> {
  const sizes = options.sizes ?? [100, 300, 1000];
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const log = options.log ?? ((line: string) => console.error(line));
  const fixtures = options.fixtures ?? rolloutFixtures(sizes);
  const runRoot = mkdtempSync(join(tmpdir(), 'flowlink-bench-runs-'));
  const results: RolloutBenchResult[] = [];
  try {
    for (const n of sizes) {
      const fixture = fixtures.get(n);
      if (!fixture) throw new Error(`no fixture for N=${n}`);
      const emulator = await startBenchEmulator(fixture, settings);
      try {
        const planPath = join(runRoot, `plan-${n}.json`);
        const common = [emulator.url, JSON.stringify(settings), planPath, runRoot];
        const plan = await runChild<PlanChildResult>(import.meta.url, ['plan', ...common], 10 * 60_000);
        const apply = await runChild<ApplyChildResult>(import.meta.url, ['apply', ...common], 10 * 60_000);
        const result = summarise(n, plan, apply, settings);
        if (result.eligible !== n || result.done !== n || apply.interrupted) {
          log(`rollout N=${n}: WARNING eligible ${result.eligible}, done ${result.done}, states ${JSON.stringify(apply.counts)}`);
        }
        results.push(result);
        log(
          `rollout N=${n}: plan ${(result.plan.wallMs / 1000).toFixed(1)} s wall (${(result.plan.cpuMs / 1000).toFixed(1)} s CPU), ` +
            `apply ${(result.apply.wallMs / 1000).toFixed(1)} s wall = ${(result.apply.realWorldMs / 1000).toFixed(0)} s real-world, ` +
            `${result.apply.flowsPerMinute} flows/min, ${result.apply.requestsPerFlow} req/flow, ${result.apply.rateLimited} 429s, ` +
            `efficiency ${result.apply.efficiency}, ${result.apply.fullCollections} full collections (${result.apply.collectionMs} ms), peak RSS plan ${result.plan.peakRssMB} MB / apply ${result.apply.peakRssMB} MB (heap ${apply.memory.heapPeakMB} MB, external ${apply.memory.externalPeakMB} MB, sampled ${apply.memory.sampledPeakMB} MB), plan file ${plan.planFileMB} MB`,
        );
      } finally {
        await emulator.close();
      }
    }
  } finally {
    // BENCH_KEEP_RUNS=1: the plans and run directories stay (to look at a run's files and reports).
    if (process.env.BENCH_KEEP_RUNS) log(`run directories kept in ${runRoot}`);
    else rmSync(runRoot, { recursive: true, force: true });
  }
  return results;
}

if (isChildOf(import.meta.url)) {
  await childMain(rolloutChild);
} else if (isMain(import.meta.url)) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  // BENCH_FACTOR=1 runs in real time (no scaling at all: CPU and disk weigh what they would in a real run).
  const factor = Number(process.env.BENCH_FACTOR ?? DEFAULT_SETTINGS.factor);
  const results = await runRolloutBench({ ...(sizes.length > 0 ? { sizes } : {}), settings: { ...DEFAULT_SETTINGS, factor } });
  console.log(JSON.stringify(results, null, 2));
}
