/**
 * Benchmark (not a test): `flowlink list --module Global_Exception_Handler` over the emulator's demo org at
 * Genesys' 300 requests/minute budget. Reports requests used, requests per flow, wall time and how close the run
 * came to what the budget allows. Run: `node --import tsx bench/list.ts` (or import runListBench).
 */
import { pathToFileURL } from 'node:url';
import { createClient, type ClientStats } from '../src/client/index.js';
import { collectListRows } from '../src/rollout/list-flows.js';
import { startEmulator, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from '../src/emulator/index.js';
import { generateDemoOrg } from '../src/emulator/seed/demo.js';
import { selectorsFromOptions } from '../src/rollout/select.js';

export interface ListBenchOptions {
  /** Flow counts of the demo orgs to list (default [360, 10000]). */
  flowCounts?: number[];
  /** Requests per window for both the emulator and the client (default 300). */
  budget?: number;
  /** Window length (default 60 000 ms, Genesys' minute). */
  windowMs?: number;
  /** Emulator latency per API response (default 20 ms, a little under a real region's). */
  latencyMs?: number;
  /** Also run the budget-bound variant (list + one re-read per flow, minute scaled to 3 s). Default true. */
  budgetBound?: boolean;
  log?: (line: string) => void;
}

export interface ListBenchResult {
  scenario: string;
  flows: number;
  listed: number;
  requests: number;
  apiRequests: number;
  requestsPerFlow: number;
  wallMs: number;
  /** Requests per minute actually achieved. */
  requestsPerMinute: number;
  budgetPerMinute: number;
  /** Least wall time the budget allows for this many requests (0 when they fit in one window). */
  budgetFloorMs: number;
  /** budgetFloorMs / wallMs: 1 = as fast as the budget allows; null when the budget does not bind. */
  ratioToBudgetBound: number | null;
  rateLimited: number;
  retries: number;
}

function floorMs(requests: number, budget: number, windowMs: number): number {
  // Fixed windows: request number k (1-based) cannot start before window floor((k-1)/budget).
  return Math.floor(Math.max(0, requests - 1) / budget) * windowMs;
}

function result(scenario: string, flows: number, listed: number, stats: ClientStats, wallMs: number, budget: number, windowMs: number): ListBenchResult {
  const apiRequests = stats.requests - stats.tokenRequests;
  const floor = floorMs(apiRequests, budget, windowMs);
  return {
    scenario,
    flows,
    listed,
    requests: stats.requests,
    apiRequests,
    requestsPerFlow: listed > 0 ? stats.requests / listed : 0,
    wallMs,
    requestsPerMinute: (apiRequests / wallMs) * 60_000,
    budgetPerMinute: (budget / windowMs) * 60_000,
    budgetFloorMs: floor,
    ratioToBudgetBound: floor > 0 ? floor / wallMs : null,
    rateLimited: stats.rateLimited,
    retries: stats.retries,
  };
}

async function listOnce(flowCount: number, budget: number, windowMs: number, latencyMs: number, reread: boolean): Promise<ListBenchResult> {
  const seed = flowCount === 360 ? 'demo' : generateDemoOrg({ flowCount });
  const emulator = await startEmulator({ seed, rateLimit: budget, rateWindowMs: windowMs, latencyMs });
  try {
    const client = createClient({
      environment: emulator.url,
      clientId: DEFAULT_CLIENT_ID,
      clientSecret: DEFAULT_CLIENT_SECRET,
      limits: { requestsPerMinute: budget, rateWindowMs: windowMs },
    });
    const started = performance.now();
    const listed = await collectListRows(client, selectorsFromOptions({}), 'Global_Exception_Handler');
    if (reread) {
      // What apply's precheck costs without batching: one GET per flow, paced by the throttle.
      await Promise.all(listed.rows.map((row) => client.flows.get(row.id)));
    }
    const wallMs = performance.now() - started;
    const scenario = reread ? `list + re-read each flow, ${budget} per ${windowMs / 1000} s` : `list, ${budget}/min`;
    return result(scenario, flowCount, listed.rows.length, client.stats(), wallMs, budget, windowMs);
  } finally {
    await emulator.close();
  }
}

export async function runListBench(options: ListBenchOptions = {}): Promise<ListBenchResult[]> {
  const { flowCounts = [360, 10_000], budget = 300, windowMs = 60_000, latencyMs = 20, budgetBound = true } = options;
  const log = options.log ?? ((line: string) => console.log(line));
  const results: ListBenchResult[] = [];
  for (const flowCount of flowCounts) {
    const r = await listOnce(flowCount, budget, windowMs, latencyMs, false);
    results.push(r);
    log(format(r));
  }
  if (budgetBound) {
    // A workload larger than one window, with the minute scaled to 3 s so the run stays short.
    const r = await listOnce(360, budget, 3_000, latencyMs, true);
    results.push(r);
    log(format(r));
  }
  return results;
}

function format(r: ListBenchResult): string {
  const ratio = r.ratioToBudgetBound === null
    ? `budget not binding (${r.apiRequests} API requests fit in one window of ${r.budgetPerMinute.toFixed(0)}/min)`
    : `ratio to budget bound ${r.ratioToBudgetBound.toFixed(2)} (floor ${(r.budgetFloorMs / 1000).toFixed(1)} s)`;
  return [
    `list bench [${r.scenario}] org of ${r.flows} inbound flows: ${r.listed} listed and classified`,
    `  requests ${r.requests} (${r.apiRequests} API + ${r.requests - r.apiRequests} token), ${r.requestsPerFlow.toFixed(3)} per flow`,
    `  wall ${(r.wallMs / 1000).toFixed(2)} s, ${r.requestsPerMinute.toFixed(0)} requests/min achieved; ${ratio}`,
    `  429s ${r.rateLimited}, retries ${r.retries}`,
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runListBench().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
