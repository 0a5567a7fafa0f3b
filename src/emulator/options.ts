import type { SeedFixture } from './seed/types.js';

/** Options of `startEmulator`; every field has a default (docs/emulator.md). */
export interface EmulatorOptions {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** 0 = any free port (default 0). */
  port?: number;
  /** Keep state here (append-only log + snapshot); without it state lives in memory only. */
  dataDir?: string;
  /** 'demo' | 'empty' | a SeedFixture | path of a JSON SeedFixture file (default 'empty'). Ignored when dataDir already holds state. */
  seed?: EmulatorSeed;
  clientId?: string;
  clientSecret?: string;
  /** Requests per window per token (default 300). */
  rateLimit?: number;
  /** Rate-limit window in ms (default 60000). */
  rateWindowMs?: number;
  /** Added to every API response (default 0). */
  latencyMs?: number;
  /** Duration of import/export jobs and Operations in ms (default 200). */
  jobMs?: number;
  /** Token lifetime in seconds (default 86400). */
  tokenTtlSec?: number;
  /** Dependency tracking reflects a publish only after this many ms (default 0). */
  dependencyLagMs?: number;
  /**
   * GET /api/v2/flows, /flows/lookup and /flows/{id} show a new published version only after this many ms, the one
   * before it until then (default 0): an eventually consistent read, which the real API may or may not have.
   */
  readLagMs?: number;
  /** Seed of the PRNG behind probability faults (default 1). */
  faultSeed?: number;
  /** Injectable clock (epoch ms). */
  now?: () => number;
  /**
   * What an export job answers (default 'regenerate'): 'regenerate' writes new YAML from the stored version as
   * Genesys Cloud does (refIds `<name>_<trackingId>`, absolute references, no comments, fixed layout; docs/emulator.md);
   * 'verbatim' echoes the stored text byte for byte.
   */
  exportMode?: ExportMode;
}

export type ExportMode = 'regenerate' | 'verbatim';
export const EXPORT_MODES: readonly ExportMode[] = ['regenerate', 'verbatim'];

export type EmulatorSeed = 'demo' | 'empty' | SeedFixture | string;

export interface EmulatorHandle {
  /** `http://127.0.0.1:PORT`: serves both /oauth/token and /api/v2. */
  url: string;
  port: number;
  /** Stops serving; with dataDir, writes a snapshot first. */
  close(): Promise<void>;
}

export type ResolvedOptions = Required<Omit<EmulatorOptions, 'dataDir'>> & { dataDir?: string };

export const DEFAULT_CLIENT_ID = 'flowlink-demo';
export const DEFAULT_CLIENT_SECRET = 'flowlink-demo-secret';

export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const resolved: ResolvedOptions = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    seed: options.seed ?? 'empty',
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: options.clientSecret ?? DEFAULT_CLIENT_SECRET,
    rateLimit: options.rateLimit ?? 300,
    rateWindowMs: options.rateWindowMs ?? 60_000,
    latencyMs: options.latencyMs ?? 0,
    jobMs: options.jobMs ?? 200,
    tokenTtlSec: options.tokenTtlSec ?? 86_400,
    dependencyLagMs: options.dependencyLagMs ?? 0,
    readLagMs: options.readLagMs ?? 0,
    faultSeed: options.faultSeed ?? 1,
    now: options.now ?? Date.now,
    exportMode: options.exportMode ?? 'regenerate',
    ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
  };
  const check = (name: string, value: number, min: number): void => {
    if (!Number.isFinite(value) || value < min) throw new RangeError(`emulator option ${name} must be a number >= ${min}`);
  };
  check('port', resolved.port, 0);
  check('rateLimit', resolved.rateLimit, 1);
  check('rateWindowMs', resolved.rateWindowMs, 1);
  check('latencyMs', resolved.latencyMs, 0);
  check('jobMs', resolved.jobMs, 0);
  check('tokenTtlSec', resolved.tokenTtlSec, 1);
  check('dependencyLagMs', resolved.dependencyLagMs, 0);
  check('readLagMs', resolved.readLagMs, 0);
  if (!EXPORT_MODES.includes(resolved.exportMode)) {
    throw new RangeError(`emulator option exportMode must be one of ${EXPORT_MODES.join(', ')} (got ${JSON.stringify(resolved.exportMode)})`);
  }
  if (resolved.port > 65535) throw new RangeError('emulator option port must be <= 65535');
  if (!resolved.clientId || !resolved.clientSecret) throw new RangeError('emulator clientId and clientSecret must not be empty');
  return resolved;
}
