/**
 * Org-scale benchmark (not a test): `flowlink plan` and `flowlink list` over a 10,000-flow demo org, each in its
 * own child process so that its peak RSS is that of the work (the emulator and the seed data stay in the parent).
 * Same budget and time scale as the rollout benchmark. Run alone: `node --import tsx bench/org-scale.ts [flows]`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectListRows } from '../src/rollout/list-flows.js';
import { generateDemoOrg } from '../src/emulator/seed/demo.js';
import { writePlanTo } from '../src/rollout/plan-stream.js';
import { countStates } from '../src/rollout/reports.js';
import { selectorsFromOptions } from '../src/rollout/select.js';
import { childMain, isChildOf, isMain, runChild } from './lib/child.js';
import { benchClient, clearRequestLog, startBenchEmulator, takeRequestCounts, type RequestCounts } from './lib/emulator.js';
import { BENCH_MODULE } from './lib/fixture.js';
import { sampleRss, type PeakRss } from './lib/memory.js';
import { DEFAULT_SETTINGS, type BenchSettings } from './lib/settings.js';

type Task = 'plan' | 'list' | 'idle';

interface ChildResult {
  task: Task;
  wallMs: number;
  /** CPU time of the child during the work (user + system), ms. */
  cpuMs: number;
  requests: RequestCounts;
  flows: number;
  states: Record<string, number>;
  planFileMB?: number;
  memory: PeakRss;
}

async function orgScaleChild(args: string[]): Promise<ChildResult> {
  const [task, url, settingsJson, outDir] = args as [Task, string, string, string];
  const settings = JSON.parse(settingsJson) as BenchSettings;
  const rss = sampleRss();
  if (task === 'idle') {
    // What a child holds before any work: Node, tsx and the modules the others import.
    return { task, wallMs: 0, cpuMs: 0, requests: emptyCounts(), flows: 0, states: {}, memory: rss.stop() };
  }
  await clearRequestLog(url);
  const client = benchClient(url, settings);
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  let flows: number;
  let states: Record<string, number>;
  let planFileMB: number | undefined;
  if (task === 'plan') {
    // As `flowlink plan` does: the plan file written as the flows are planned.
    const file = join(outDir, 'plan.json');
    const plan = await writePlanTo(client, {
      moduleName: BENCH_MODULE, selectors: selectorsFromOptions({}), typesExplicit: false,
      placement: { at: 'start' }, inputs: {}, outputs: {}, selection: [],
    }, file);
    planFileMB = +(statSync(file).size / 1024 / 1024).toFixed(1);
    flows = plan.flows.length;
    states = countStates(plan.flows);
  } else {
    const listed = await collectListRows(client, selectorsFromOptions({}), BENCH_MODULE);
    flows = listed.rows.length;
    states = countStates(listed.rows);
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const requests = await takeRequestCounts(url);
  return { task, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, requests, flows, states, ...(planFileMB !== undefined ? { planFileMB } : {}), memory: rss.stop() };
}

function emptyCounts(): RequestCounts {
  return { api: 0, rateLimited: 0, oauth: 0, uploads: 0, downloads: 0, byRoute: {}, perWindow: [] };
}

export interface OrgScaleResult {
  task: Task;
  orgFlows: number;
  selectedFlows: number;
  states: Record<string, number>;
  wallMs: number;
  /** wall x factor: an upper bound, since the CPU time in it is multiplied too. */
  realWorldMs: number;
  cpuMs: number;
  apiRequests: number;
  rateLimited: number;
  downloads: number;
  peakRssMB: number;
  planFileMB?: number;
}

export interface OrgScaleOptions {
  flowCount?: number;
  settings?: BenchSettings;
  log?: (line: string) => void;
}

export async function runOrgScaleBench(options: OrgScaleOptions = {}): Promise<OrgScaleResult[]> {
  const flowCount = options.flowCount ?? 10_000;
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const log = options.log ?? ((line: string) => console.error(line));
  const outDir = mkdtempSync(join(tmpdir(), 'flowlink-bench-org-'));
  const results: OrgScaleResult[] = [];
  const emulator = await startBenchEmulator(generateDemoOrg({ flowCount }), settings);
  try {
    for (const task of (process.env.ORG_TASKS?.split(',') ?? ['idle', 'list', 'plan']) as Task[]) {
      const child = await runChild<ChildResult>(import.meta.url, [task, emulator.url, JSON.stringify(settings), outDir], 10 * 60_000);
      const result: OrgScaleResult = {
        task,
        orgFlows: flowCount,
        selectedFlows: child.flows,
        states: child.states,
        wallMs: Math.round(child.wallMs),
        realWorldMs: Math.round(child.wallMs * settings.factor),
        cpuMs: Math.round(child.cpuMs),
        apiRequests: child.requests.api,
        rateLimited: child.requests.rateLimited,
        downloads: child.requests.downloads,
        peakRssMB: child.memory.maxRssMB,
        ...(child.planFileMB !== undefined ? { planFileMB: child.planFileMB } : {}),
      };
      results.push(result);
      log(
        task === 'idle'
          ? `org-scale: an idle child process (Node + tsx + modules) peaks at ${result.peakRssMB} MB`
          : `org-scale ${task} of ${flowCount} flows: ${(result.wallMs / 1000).toFixed(1)} s wall = ${(result.realWorldMs / 1000).toFixed(0)} s real-world, ` +
              `${result.apiRequests} API requests, ${result.rateLimited} 429s, peak RSS ${result.peakRssMB} MB` +
              (result.planFileMB !== undefined ? `, plan file ${result.planFileMB} MB` : ''),
      );
    }
  } finally {
    await emulator.close();
    rmSync(outDir, { recursive: true, force: true });
  }
  return results;
}

if (isChildOf(import.meta.url)) {
  await childMain(orgScaleChild);
} else if (isMain(import.meta.url)) {
  const flowCount = process.argv[2] ? Number(process.argv[2]) : undefined;
  console.log(JSON.stringify(await runOrgScaleBench(flowCount ? { flowCount } : {}), null, 2));
}
