import { randomUUID } from 'node:crypto';
import { badRequest } from './errors.js';

/** A fault rule as posted to /__emulator/faults (see docs/emulator.md). */
export interface FaultSpec {
  method?: string;
  path?: string;
  count?: number;
  skip?: number;
  probability?: number;
  status?: number;
  retryAfter?: number;
  body?: unknown;
  reset?: boolean;
  latencyMs?: number;
  jobFailure?: { flowName: string; message?: string };
  jobHang?: { flowName?: string };
}

export interface FaultRule extends FaultSpec {
  id: string;
  /** Requests (or import jobs) that matched method and path. */
  matched: number;
  /** Times the fault was applied. */
  hits: number;
}

export interface FaultDecision {
  latencyMs: number;
  reset: boolean;
  response?: { status: number; retryAfter?: number; body?: unknown };
}

/** mulberry32: a small seeded PRNG so probability faults repeat run after run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Faults {
  private rules: FaultRule[] = [];
  private random: () => number;

  constructor(private readonly seed: number) {
    this.random = prng(seed);
  }

  add(spec: unknown): FaultRule {
    const rule: FaultRule = { ...validateSpec(spec), id: randomUUID(), matched: 0, hits: 0 };
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
    this.random = prng(this.seed);
  }

  /** Request-level faults (status, reset, latency) for one request. */
  forRequest(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, reset: false };
    for (const rule of this.rules) {
      if (rule.jobFailure || rule.jobHang) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (!rule.path || !pathMatches(rule.path, path)) continue;
      if (!this.fire(rule)) continue;
      decision.latencyMs += rule.latencyMs ?? 0;
      if (decision.reset || decision.response) continue; // the first terminal fault wins
      if (rule.reset) decision.reset = true;
      else if (rule.status !== undefined) {
        decision.response = { status: rule.status, ...(rule.retryAfter !== undefined ? { retryAfter: rule.retryAfter } : {}), body: rule.body };
      }
    }
    return decision;
  }

  /** Import-job faults for a flow name: a forced Failure message, a hang, or nothing. */
  forImport(flowName: string | undefined): { failure?: string; hang?: boolean } {
    for (const rule of this.rules) {
      const target = rule.jobFailure?.flowName ?? rule.jobHang?.flowName;
      if (!rule.jobFailure && !rule.jobHang) continue;
      if (target !== undefined && target !== flowName) continue;
      if (!this.fire(rule)) continue;
      if (rule.jobHang) return { hang: true };
      return { failure: rule.jobFailure?.message ?? `Archy failed to publish flow '${flowName ?? ''}' (injected fault).` };
    }
    return {};
  }

  private fire(rule: FaultRule): boolean {
    rule.matched += 1;
    if (rule.skip !== undefined && rule.matched <= rule.skip) return false;
    if (rule.count !== undefined && rule.hits >= rule.count) return false;
    if (rule.probability !== undefined && this.random() >= rule.probability) return false;
    rule.hits += 1;
    return true;
  }
}

/** `*` matches any run of characters (including `/`); `re:<regex>` is a regular expression on the path. */
export function pathMatches(pattern: string, path: string): boolean {
  if (pattern.startsWith('re:')) return new RegExp(pattern.slice(3)).test(path);
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${escaped}$`, 'i').test(path);
}

function validateSpec(spec: unknown): FaultSpec {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw badRequest('A fault rule must be a JSON object.');
  const s = spec as Record<string, unknown>;
  const isJob = s.jobFailure !== undefined || s.jobHang !== undefined;
  if (!isJob && typeof s.path !== 'string') throw badRequest('A fault rule needs a path (glob with * or "re:<regex>").');
  if (typeof s.path === 'string' && s.path.startsWith('re:')) {
    try {
      new RegExp(s.path.slice(3));
    } catch {
      throw badRequest(`Invalid regular expression in path: ${s.path}`);
    }
  }
  const nonNegative = (key: string): void => {
    const v = s[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) throw badRequest(`${key} must be a non-negative integer.`);
  };
  ['count', 'skip', 'retryAfter', 'latencyMs'].forEach(nonNegative);
  if (s.status !== undefined && (typeof s.status !== 'number' || !Number.isInteger(s.status) || s.status < 100 || s.status > 599)) {
    throw badRequest('status must be an HTTP status code.');
  }
  if (s.probability !== undefined && (typeof s.probability !== 'number' || s.probability < 0 || s.probability > 1)) {
    throw badRequest('probability must be a number from 0 to 1.');
  }
  if (s.jobFailure !== undefined) {
    const jf = s.jobFailure as Record<string, unknown> | null;
    if (!jf || typeof jf.flowName !== 'string') throw badRequest('jobFailure needs a flowName.');
  }
  if (!isJob && s.status === undefined && !s.reset && s.latencyMs === undefined) {
    throw badRequest('A fault rule needs status, reset, latencyMs, jobFailure or jobHang.');
  }
  return s as FaultSpec;
}
