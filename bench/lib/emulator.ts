/**
 * Emulators for the benchmarks (127.0.0.1, port 0, time-scaled as in settings.ts) and the request log, which is
 * the authority for what a run cost: every API call the emulator answered, 429s included.
 */
import { startEmulator, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, type EmulatorHandle } from '../../src/emulator/index.js';
import type { SeedFixture } from '../../src/emulator/seed/types.js';
import { createClient, type GenesysClient } from '../../src/client/index.js';
import { scaledClock, type BenchSettings } from './settings.js';

export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET };

export function startBenchEmulator(seed: SeedFixture, settings: BenchSettings): Promise<EmulatorHandle> {
  const clock = scaledClock(settings.factor);
  return startEmulator({
    host: '127.0.0.1',
    port: 0,
    seed,
    rateLimit: settings.budgetPerMinute,
    rateWindowMs: 60_000,
    jobMs: settings.jobMs,
    // A real sleep in the emulator, so scaled here; the clock scales everything else.
    latencyMs: settings.latencyMs / settings.factor,
    now: clock.now,
  });
}

/** A flowlink client on the same time scale, with the real-world budget (as the CLI would have it). */
export function benchClient(url: string, settings: BenchSettings): GenesysClient {
  return createClient({
    environment: url,
    clientId: DEFAULT_CLIENT_ID,
    clientSecret: DEFAULT_CLIENT_SECRET,
    limits: { requestsPerMinute: settings.budgetPerMinute, rateWindowMs: 60_000 },
    clock: scaledClock(settings.factor),
  });
}

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  status: number;
  kind: 'api' | 'oauth' | 'upload' | 'download';
  /** On the emulator's clock (real-world ms when scaled). */
  time: number;
}

export interface RequestCounts {
  /** Rate-limited API requests (kind 'api'), 429s included. */
  api: number;
  /** Of which answered 429. */
  rateLimited: number;
  oauth: number;
  uploads: number;
  downloads: number;
  /** API requests by `METHOD path-pattern`, ids folded, for finding where requests go. */
  byRoute: Record<string, number>;
  /** API requests in each real-world minute from the first one: the ramp-up, the steady windows, the tail. */
  perWindow: number[];
}

/**
 * A control-plane call, tried up to 3 times on a network error: a keep-alive socket the busy emulator closes
 * just as it is reused fails with "other side closed", and fetch does not retry that itself.
 */
async function control(url: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

export async function readRequestLog(url: string): Promise<LoggedRequest[]> {
  const response = await control(`${url}/__emulator/requests`);
  if (!response.ok) throw new Error(`request log: HTTP ${response.status}`);
  return ((await response.json()) as { requests: LoggedRequest[] }).requests;
}

export async function clearRequestLog(url: string): Promise<void> {
  const response = await control(`${url}/__emulator/requests`, { method: 'DELETE' });
  if (!response.ok) throw new Error(`clearing the request log: HTTP ${response.status}`);
  await response.arrayBuffer();
}

const ID_SEGMENT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$|^[0-9a-f-]{16,}$/i;

export function countRequests(log: readonly LoggedRequest[]): RequestCounts {
  const counts: RequestCounts = { api: 0, rateLimited: 0, oauth: 0, uploads: 0, downloads: 0, byRoute: {}, perWindow: [] };
  const first = log.find((entry) => entry.kind === 'api')?.time;
  for (const entry of log) {
    // TRACE_REQUESTS=all: the presigned uploads and downloads too (not rate limited, but on a run's path).
    if (process.env.TRACE_REQUESTS === 'all' && entry.kind !== 'api') console.error(`REQ ${((entry.time - (first ?? 0)) / 1000).toFixed(2)} ${entry.kind} ${entry.status}`);
    if (entry.kind === 'oauth') counts.oauth += 1;
    else if (entry.kind === 'upload') counts.uploads += 1;
    else if (entry.kind === 'download') counts.downloads += 1;
    else {
      counts.api += 1;
      if (entry.status === 429) counts.rateLimited += 1;
      const route = `${entry.method} ${entry.path.split('/').map((part) => (ID_SEGMENT.test(part) ? '{id}' : part)).join('/')}`;
      counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
      const window = Math.floor((entry.time - (first ?? entry.time)) / 60_000);
      while (counts.perWindow.length <= window) counts.perWindow.push(0);
      counts.perWindow[window] = (counts.perWindow[window] ?? 0) + 1;
      // TRACE_REQUESTS=1: every API request on stderr, seconds from the first (where a run's time went).
      if (process.env.TRACE_REQUESTS) console.error(`REQ ${((entry.time - (first ?? 0)) / 1000).toFixed(2)} ${route} ${entry.status}`);
    }
  }
  return counts;
}

/** Reads the log, counts it and empties it, so that the next phase starts from zero. */
export async function takeRequestCounts(url: string): Promise<RequestCounts> {
  const counts = countRequests(await readRequestLog(url));
  await clearRequestLog(url);
  return counts;
}
