/**
 * Baseline benchmark (not a test): the rollout written the way the tutorial in ../shared/seed/ does it, with the
 * real API and plain fetch (no flowlink client): find the shared flow, page through the inbound flows, then one flow
 * after another: GET the flow, export job for its YAML (start, poll, download), splice the call in
 * (insertModuleCall, the only flowlink piece), import job (register, upload, poll), GET the flow to verify.
 * On a 429 it sleeps Retry-After seconds (1 s when absent), as the tutorial's handler says. Polls every second: the
 * tutorial has no jobs, and a one-second sleep is its own unit of waiting. Same org, budget and time scale as the
 * rollout benchmark. Run alone: `node --import tsx bench/baseline.ts [N ...]`.
 */
import type { SeedFixture } from '../src/emulator/seed/types.js';
import { insertModuleCall } from '../src/flow/index.js';
import { INBOUND_FLOW_TYPES } from '../src/genesys/flow-types.js';
import { childMain, isChildOf, isMain, runChild } from './lib/child.js';
import { clearRequestLog, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, startBenchEmulator, takeRequestCounts, type RequestCounts } from './lib/emulator.js';
import { BENCH_MODULE, rolloutFixtures } from './lib/fixture.js';
import { sampleRss, type PeakRss } from './lib/memory.js';
import { DEFAULT_SETTINGS, type BenchSettings } from './lib/settings.js';

/** Bounds on every loop: attempts per request, polls per job. */
const MAX_ATTEMPTS = 100;
const MAX_POLLS = 600;

interface FlowSummary {
  id: string;
  name: string;
  type: string;
  publishedVersion?: { id: string };
}

/** The tutorial's client: a token, then requests that sleep and try again on 429. Times are real-world ms. */
class TutorialApi {
  private token = '';
  constructor(readonly baseUrl: string, private readonly factor: number) {}

  sleep(realWorldMs: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, realWorldMs / this.factor));
  }

  async login(): Promise<void> {
    const response = await fetch(`${this.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${DEFAULT_CLIENT_ID}:${DEFAULT_CLIENT_SECRET}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    if (!response.ok) throw new Error(`login: HTTP ${response.status}`);
    this.token = ((await response.json()) as { access_token: string }).access_token;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        // Every API POST carries Content-Type: application/json, body or not (as the SDKs send it; the emulator's 415).
        headers: { Authorization: `Bearer ${this.token}`, ...(body === undefined && method !== 'POST' ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (response.status === 429) {
        await response.arrayBuffer();
        const retryAfter = Number(response.headers.get('retry-after'));
        await this.sleep((Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1) * 1000);
        continue;
      }
      if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    }
    throw new Error(`${method} ${path}: still rate limited after ${MAX_ATTEMPTS} attempts`);
  }

  /** Polls a job every second until it is done. */
  async waitJob(path: string): Promise<{ status: string; downloadUrl?: string }> {
    for (let poll = 1; poll <= MAX_POLLS; poll++) {
      await this.sleep(1000);
      const job = await this.call<{ status: string; downloadUrl?: string }>('GET', path);
      if (job.status === 'Success' || job.status === 'Failure') return job;
    }
    throw new Error(`${path}: not done after ${MAX_POLLS} polls`);
  }
}

type Outcome = 'updated' | 'already-integrated' | 'failed';

async function updateOne(api: TutorialApi, flowId: string): Promise<Outcome> {
  const flow = await api.call<FlowSummary>('GET', `/api/v2/flows/${flowId}`);
  const version = flow.publishedVersion?.id;
  if (!version) return 'failed';
  const exportJob = await api.call<{ id: string }>('POST', '/api/v2/flows/export/jobs', {
    flows: [{ flow: { id: flowId, version }, exportType: 'Yaml' }],
  });
  const exported = await api.waitJob(`/api/v2/flows/export/jobs/${exportJob.id}`);
  if (exported.status !== 'Success' || !exported.downloadUrl) return 'failed';
  const download = await fetch(new URL(exported.downloadUrl, api.baseUrl));
  if (!download.ok) return 'failed';
  // Keep a BOM if the flow has one: the splice must see the file as exported.
  const yaml = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await download.arrayBuffer());

  const edit = insertModuleCall(yaml, { module: BENCH_MODULE, placement: { at: 'start' } });
  if (edit.status === 'already-present') return 'already-integrated';
  if (edit.status !== 'inserted') return 'failed';

  const job = await api.call<{ id: string; presignedUrl: string; headers: Record<string, string> }>('POST', '/api/v2/flows/jobs');
  const upload = await fetch(new URL(job.presignedUrl, api.baseUrl), { method: 'PUT', headers: job.headers, body: new TextEncoder().encode(edit.yaml) });
  await upload.arrayBuffer();
  if (!upload.ok) return 'failed';
  const imported = await api.waitJob(`/api/v2/flows/jobs/${job.id}`);
  if (imported.status !== 'Success') return 'failed';

  const after = await api.call<FlowSummary>('GET', `/api/v2/flows/${flowId}`);
  return after.publishedVersion?.id !== version ? 'updated' : 'failed';
}

interface ChildResult {
  n: number;
  found: number;
  setupWallMs: number;
  setup: RequestCounts;
  loopWallMs: number;
  loop: RequestCounts;
  outcomes: Record<Outcome, number>;
  memory: PeakRss;
}

async function baselineChild(args: string[]): Promise<ChildResult> {
  const [url, settingsJson, nText] = args as [string, string, string];
  const settings = JSON.parse(settingsJson) as BenchSettings;
  const rss = sampleRss();
  await clearRequestLog(url);
  const api = new TutorialApi(url, settings.factor);

  const setupStart = performance.now();
  await api.login();
  // Step 1: the shared flow by name (a list filter, then the exact name, as the tutorial's search does).
  const modules = await api.call<{ entities: FlowSummary[] }>('GET', `/api/v2/flows?type=commonmodule&name=${encodeURIComponent(BENCH_MODULE)}&pageSize=20`);
  if (!modules.entities.some((m) => m.name === BENCH_MODULE)) throw new Error(`shared flow ${BENCH_MODULE} not found`);
  // Step 2: page through the inbound flows, 25 a page as in the tutorial.
  const flows: FlowSummary[] = [];
  for (let page = 1; page <= 10_000; page++) {
    const answer = await api.call<{ entities: FlowSummary[]; pageCount?: number }>(
      'GET', `/api/v2/flows?type=${INBOUND_FLOW_TYPES.join(',')}&pageSize=25&pageNumber=${page}`,
    );
    flows.push(...answer.entities);
    if (answer.entities.length < 25 || (answer.pageCount !== undefined && page >= answer.pageCount)) break;
  }
  const setupWallMs = performance.now() - setupStart;
  const setup = await takeRequestCounts(url);

  // Step 3: one flow after another.
  const outcomes: Record<Outcome, number> = { updated: 0, 'already-integrated': 0, failed: 0 };
  const loopStart = performance.now();
  for (const flow of flows) outcomes[await updateOne(api, flow.id)] += 1;
  const loopWallMs = performance.now() - loopStart;
  const loop = await takeRequestCounts(url);
  return { n: Number(nText), found: flows.length, setupWallMs, setup, loopWallMs, loop, outcomes, memory: rss.stop() };
}

export interface BaselineBenchResult {
  n: number;
  updated: number;
  failed: number;
  /** Finding the shared flow and listing the inbound flows. */
  setup: { wallMs: number; realWorldMs: number; apiRequests: number };
  /** The per-flow loop: the part comparable with flowlink's apply. */
  loop: {
    wallMs: number;
    realWorldMs: number;
    flowsPerMinute: number;
    apiRequests: number;
    requestsPerFlow: number;
    rateLimited: number;
    byRoute: Record<string, number>;
  };
  peakRssMB: number;
}

export interface BaselineBenchOptions {
  sizes?: number[];
  settings?: BenchSettings;
  fixtures?: Map<number, SeedFixture>;
  log?: (line: string) => void;
}

export async function runBaselineBench(options: BaselineBenchOptions = {}): Promise<BaselineBenchResult[]> {
  const sizes = options.sizes ?? [100, 300];
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const log = options.log ?? ((line: string) => console.error(line));
  const fixtures = options.fixtures ?? rolloutFixtures(sizes);
  const results: BaselineBenchResult[] = [];
  for (const n of sizes) {
    const fixture = fixtures.get(n);
    if (!fixture) throw new Error(`no fixture for N=${n}`);
    const emulator = await startBenchEmulator(fixture, settings);
    try {
      const child = await runChild<ChildResult>(import.meta.url, [emulator.url, JSON.stringify(settings), String(n)], 15 * 60_000);
      if (child.found !== n || child.outcomes.updated !== n) log(`baseline N=${n}: WARNING found ${child.found}, outcomes ${JSON.stringify(child.outcomes)}`);
      const loopReal = child.loopWallMs * settings.factor;
      const result: BaselineBenchResult = {
        n,
        updated: child.outcomes.updated,
        failed: child.outcomes.failed,
        setup: { wallMs: Math.round(child.setupWallMs), realWorldMs: Math.round(child.setupWallMs * settings.factor), apiRequests: child.setup.api },
        loop: {
          wallMs: Math.round(child.loopWallMs),
          realWorldMs: Math.round(loopReal),
          flowsPerMinute: +(child.outcomes.updated / (loopReal / 60_000)).toFixed(1),
          apiRequests: child.loop.api,
          requestsPerFlow: +(child.loop.api / Math.max(1, child.outcomes.updated)).toFixed(3),
          rateLimited: child.loop.rateLimited,
          byRoute: child.loop.byRoute,
        },
        peakRssMB: child.memory.maxRssMB,
      };
      results.push(result);
      log(
        `baseline N=${n}: loop ${(result.loop.wallMs / 1000).toFixed(1)} s wall = ${(result.loop.realWorldMs / 1000).toFixed(0)} s real-world, ` +
          `${result.loop.flowsPerMinute} flows/min, ${result.loop.requestsPerFlow} req/flow, ${result.loop.rateLimited} 429s`,
      );
    } finally {
      await emulator.close();
    }
  }
  return results;
}

if (isChildOf(import.meta.url)) {
  await childMain(baselineChild);
} else if (isMain(import.meta.url)) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  console.log(JSON.stringify(await runBaselineBench(sizes.length > 0 ? { sizes } : {}), null, 2));
}
