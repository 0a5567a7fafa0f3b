/**
 * `npm run bench`: every benchmark in one run (engine, list, rollout at N = 100/300/1000, the tutorial-style
 * baseline, planning and listing a 10,000-flow org), one table on stdout, every figure in bench/results.json.
 * Benchmarks, not tests: nothing here asserts; the aims are evaluated and printed as met or not.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runEngineBench } from './engine.js';
import { runListBench, type ListBenchResult } from './list.js';
import { runRolloutBench, minApplyRequests, APPLY_CHUNK, CONFIRM_BATCH, EXPORT_JOB_FLOWS, type RolloutBenchResult } from './rollout.js';
import { runBaselineBench, type BaselineBenchResult } from './baseline.js';
import { runOrgScaleBench, type OrgScaleResult } from './org-scale.js';
import { childMain, isChildOf, runChild } from './lib/child.js';
import { rolloutFixtures } from './lib/fixture.js';
import { DEFAULT_SETTINGS, describeSettings } from './lib/settings.js';
import { formatTable, round } from './lib/table.js';

const ROLLOUT_SIZES = [100, 300, 1000];
/** The baseline at N=1000 would take ~8 minutes of wall time on its own; it runs at 100 and 300 and is extrapolated. */
const BASELINE_SIZES = [100, 300];
const RESULTS_PATH = fileURLToPath(new URL('./results.json', import.meta.url));

const log = (line: string): void => console.error(line);

interface Aim {
  aim: string;
  met: boolean;
  detail: string;
}

async function main(): Promise<void> {
  const settings = DEFAULT_SETTINGS;
  const began = performance.now();
  log(`flowlink bench: ${describeSettings(settings)}`);

  // The engine in a child process of its own, so that its peak RSS is not that of this process (emulators, seeds).
  log('engine: 10,000 demo flows through find + insert + self-check + diff ...');
  const engine = await runChild<Record<string, number | string>>(import.meta.url, ['engine'], 10 * 60_000);
  log(`engine: ${JSON.stringify(engine)}`);

  log('list (bench/list.ts) ...');
  const list: ListBenchResult[] = await runListBench({ log });

  log('building the rollout org fixtures ...');
  const fixtures = rolloutFixtures(ROLLOUT_SIZES);
  const rollout = await runRolloutBench({ sizes: ROLLOUT_SIZES, settings, fixtures, log });
  const baseline = await runBaselineBench({ sizes: BASELINE_SIZES, settings, fixtures, log });
  const orgScale = await runOrgScaleBench({ flowCount: 10_000, settings, log });

  const ratios = compare(rollout, baseline);
  const aims = evaluateAims(rollout, ratios);
  const totalSeconds = round((performance.now() - began) / 1000, 1);

  const results = {
    date: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGB: round(totalmem() / 2 ** 30, 1), node: process.version, platform: `${process.platform} ${process.arch}` },
    settings: {
      ...settings,
      description: describeSettings(settings),
      scaling:
        'emulator and client read a clock running `factor` times faster than the wall clock: rate window, job durations, ' +
        'Retry-After, polls, back-offs and pacing keep their real-world values; emulator latency (a real sleep) is divided by the factor. ' +
        'realWorldMs = wall ms x factor. CPU and disk work are not scaled, so they weigh `factor` times more in realWorldMs than in a real run.',
      minApplyRequests: `1 (org check) + 2 per ${EXPORT_JOB_FLOWS} flows (originals proven: export start + poll) + 2 per flow (import register + 1 poll) + 1 per ${APPLY_CHUNK} flows (just-in-time precheck lookup) + 1 per ${CONFIRM_BATCH} flows (confirmation lookup); N=1000: ${minApplyRequests(1000)}`,
      efficiency: 'achieved flows/min (real-world) / (budget per minute / minimum requests per flow)',
      baseline: `sequential, tutorial-style, at N = ${BASELINE_SIZES.join(', ')}; N=1000 extrapolated from N=300`,
    },
    totalSeconds,
    engine,
    list,
    rollout,
    baseline,
    ratios,
    orgScale,
    aims,
  };
  writeFileSync(RESULTS_PATH, JSON.stringify(results, null, 2) + '\n');
  console.log(render(results, engine, list, rollout, baseline, ratios, orgScale, aims, totalSeconds));
  log(`figures written to ${RESULTS_PATH}`);
}

interface Ratio {
  n: number;
  extrapolated: boolean;
  baselineFlowsPerMinute: number;
  flowlinkFlowsPerMinute: number;
  /** flowlink apply flows/min / baseline loop flows/min */
  applyRatio: number;
  /** baseline (setup + loop) wall / flowlink (plan + apply) wall: the whole job either way */
  endToEndRatio: number;
}

function compare(rollout: RolloutBenchResult[], baseline: BaselineBenchResult[]): Ratio[] {
  const largestBaseline = baseline[baseline.length - 1];
  return rollout.flatMap((r) => {
    const measured = baseline.find((b) => b.n === r.n);
    const base = measured ?? largestBaseline;
    if (!base) return [];
    // Extrapolated: the largest measured baseline's per-flow time and fixed setup, times N.
    const loopWall = measured ? base.loop.wallMs : (base.loop.wallMs / base.n) * r.n;
    const baseFpm = measured ? base.loop.flowsPerMinute : base.loop.flowsPerMinute;
    return [{
      n: r.n,
      extrapolated: !measured,
      baselineFlowsPerMinute: baseFpm,
      flowlinkFlowsPerMinute: r.apply.flowsPerMinute,
      applyRatio: round(r.apply.flowsPerMinute / baseFpm, 1),
      endToEndRatio: round((base.setup.wallMs + loopWall) / (r.plan.wallMs + r.apply.wallMs), 1),
    }];
  });
}

function evaluateAims(rollout: RolloutBenchResult[], ratios: Ratio[]): Aim[] {
  const bound = rollout.filter((r) => r.apply.budgetBinds);
  const unbound = rollout.filter((r) => !r.apply.budgetBinds).map((r) => r.n);
  const byN = (f: (r: RolloutBenchResult) => string): string => rollout.map((r) => `N=${r.n}: ${f(r)}`).join(', ');
  const rss = rollout.map((r) => r.apply.peakRssMB);
  const rssGrowth = (rss[rss.length - 1] ?? 0) / Math.max(1, rss[0] ?? 1);
  return [
    {
      aim: 'efficiency >= 0.9',
      met: bound.length > 0 && bound.every((r) => r.apply.efficiency >= 0.9),
      detail: byN((r) => String(r.apply.efficiency)) + (unbound.length ? ` (N=${unbound.join(', ')}: the whole apply fits in one rate window, so the budget does not bind and efficiency can exceed 1; judged on the others)` : ''),
    },
    { aim: '<= 3 rate-limited requests per flow', met: rollout.every((r) => r.apply.requestsPerFlow <= 3), detail: byN((r) => String(r.apply.requestsPerFlow)) },
    { aim: '429s < 1% of requests', met: rollout.every((r) => r.apply.rateLimitedShare < 0.01), detail: byN((r) => `${r.apply.rateLimited} of ${r.apply.apiRequests}`) },
    {
      aim: '>= 5x the baseline',
      met: ratios.every((r) => r.applyRatio >= 5 && r.endToEndRatio >= 5),
      detail: ratios.map((r) => `N=${r.n}${r.extrapolated ? ' (baseline extrapolated)' : ''}: apply ${r.applyRatio}x, end to end ${r.endToEndRatio}x`).join(', '),
    },
    {
      aim: 'memory flat in N',
      met: rssGrowth <= 1.25,
      detail: `apply peak RSS ${byN((r) => `${r.apply.peakRssMB} MB (heap ${r.apply.peakHeapMB} MB)`)}; x${round(rssGrowth, 2)} from the smallest to the largest N`,
    },
  ];
}

function seconds(ms: number): number {
  return round(ms / 1000, 1);
}

function render(
  results: { date: string; machine: { cores: number; cpu: string; node: string } },
  engine: Record<string, number | string>,
  list: ListBenchResult[],
  rollout: RolloutBenchResult[],
  baseline: BaselineBenchResult[],
  ratios: Ratio[],
  orgScale: OrgScaleResult[],
  aims: Aim[],
  totalSeconds: number,
): string {
  const out: string[] = [];
  out.push(`flowlink benchmarks, ${results.date}, Node ${results.machine.node}, ${results.machine.cores} cores (${results.machine.cpu})`);
  out.push(describeSettings(DEFAULT_SETTINGS));
  out.push('');
  out.push('Rollout: flowlink apply --concurrency auto (plan reported, not counted). real = wall x factor.');
  out.push(formatTable(
    ['N', 'plan wall s', 'plan req', 'apply wall s', 'apply real s', 'flows/min', 'req/flow', 'min req/flow', '429s', 'efficiency', 'RSS plan MB', 'RSS apply MB'],
    rollout.map((r) => [
      r.n, seconds(r.plan.wallMs), r.plan.apiRequests, seconds(r.apply.wallMs), seconds(r.apply.realWorldMs), r.apply.flowsPerMinute,
      r.apply.requestsPerFlow, r.apply.minRequestsPerFlow, r.apply.rateLimited, r.apply.budgetBinds ? r.apply.efficiency : `${r.apply.efficiency}*`,
      r.plan.peakRssMB, r.apply.peakRssMB,
    ]),
  ));
  if (rollout.some((r) => !r.apply.budgetBinds)) out.push('  * the whole apply fits in one rate window: the budget does not bind, so efficiency is not meaningful there');
  out.push('');
  out.push('Baseline: the tutorial\'s way (one flow after another, plain fetch, poll every 1 s, sleep on 429).');
  out.push(formatTable(
    ['N', 'setup req', 'loop wall s', 'loop real s', 'flows/min', 'req/flow', '429s', 'flowlink apply x', 'end to end x'],
    ratios.map((ratio) => {
      const b = baseline.find((x) => x.n === ratio.n);
      return b
        ? [b.n, b.setup.apiRequests, seconds(b.loop.wallMs), seconds(b.loop.realWorldMs), b.loop.flowsPerMinute, b.loop.requestsPerFlow, b.loop.rateLimited, ratio.applyRatio, ratio.endToEndRatio]
        : [`${ratio.n} (extrapolated)`, null, null, null, ratio.baselineFlowsPerMinute, null, null, ratio.applyRatio, ratio.endToEndRatio];
    }),
  ));
  out.push('');
  out.push('Org scale: a 10,000-flow demo org, each command in its own process.');
  out.push(formatTable(
    ['task', 'selected', 'wall s', 'CPU s', 'wall x factor s', 'API req', '429s', 'peak RSS MB', 'plan file MB'],
    orgScale.map((o) => [o.task, o.selectedFlows, seconds(o.wallMs), seconds(o.cpuMs), seconds(o.realWorldMs), o.apiRequests, o.rateLimited, o.peakRssMB, o.planFileMB]),
  ));
  out.push('');
  out.push('Engine (bench/engine.ts): find + insert + self-check + diff, one core.');
  out.push(formatTable(
    ['flows', 'large', 'flows/s', 'median ms', 'p99 ms', 'peak RSS MB'],
    [[engine.flows, engine.largeFlows, engine.flowsPerSecond, engine.medianMs, engine.p99Ms, engine.peakRssMB] as (string | number)[]],
  ));
  out.push('');
  out.push('List (bench/list.ts): list + classify the demo org.');
  out.push(formatTable(
    ['scenario', 'flows', 'API req', 'req/flow', 'wall s', '429s', 'ratio to budget bound'],
    list.map((l) => [l.scenario, l.flows, l.apiRequests, round(l.requestsPerFlow, 3), seconds(l.wallMs), l.rateLimited, l.ratioToBudgetBound === null ? 'not binding' : round(l.ratioToBudgetBound, 2)]),
  ));
  out.push('');
  out.push('Aims');
  out.push(formatTable(['aim', 'met', 'detail'], aims.map((a) => [a.aim, a.met ? 'yes' : 'NO', a.detail])));
  out.push('');
  out.push(`whole run ${totalSeconds} s`);
  return out.join('\n');
}

if (isChildOf(import.meta.url)) {
  await childMain(async () => runEngineBench());
} else {
  await main();
}
