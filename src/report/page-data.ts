/**
 * The plain data the change-record page and the markdown summaries are made from, and the pure functions that
 * make it from a plan and from run reports. No I/O here: who and when come in as arguments.
 */
import type { PlanFlow } from '../rollout/plan-file.js';

/** One run step's outcome for a flow (apply, verify or rollback), as the run reports have it. */
export interface PageOutcome {
  state: string;
  reason?: string;
  error?: string;
  versionBefore?: string;
  versionAfter?: string;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface PageFlow {
  id: string;
  name: string;
  type: string;
  division?: string;
  /** The plan's eligibility state. */
  state: string;
  reason?: string;
  /** Published version when planned. */
  publishedVersion?: string;
  /** "user Jane Doe" / "client Other Tool" for a locked flow. */
  lockHolder?: string;
  /** Unified diff of the change (changed flows). */
  diff?: string;
  apply?: PageOutcome;
  verify?: PageOutcome;
  rollback?: PageOutcome;
}

export type RunCommand = 'apply' | 'verify' | 'rollback';

export interface PageRun {
  command: RunCommand;
  runId: string;
  startedAt: string;
  finishedAt: string;
  counts: Record<string, number>;
}

export interface ReportPage {
  module: { id: string; name: string; publishedVersion?: string };
  /** "add call" today; from the plan when it says. */
  changeKind: string;
  /** Where the call goes: "at start", "before transferToAcd". */
  placement?: string;
  /** The org's host (GENESYS_ENVIRONMENT), never credentials. */
  environment: string;
  selection: string[];
  planChecksum: string;
  planCreatedAt: string;
  runId?: string;
  /** The OS user who made this page, and when. */
  generatedBy: string;
  generatedAt: string;
  /** apply / verify / rollback reports merged in (a run's page); empty for a plan's page. */
  runs: PageRun[];
  flows: PageFlow[];
}

/** What of a plan the page needs (a plan file, or a plan read without its YAML texts). */
export interface PlanLike {
  createdAt: string;
  environment: string;
  module: { id: string; name: string; publishedVersion?: string };
  placement?: unknown;
  selection?: string[];
  checksum: string;
  flows: readonly PlanFlowLike[];
  /** A plan that records its kind of change (`add`, `remove`, `replace`, `refresh`) says so here. */
  change?: unknown;
  changeKind?: unknown;
}

/** The plan-file fields a page shows (PlanFlow's own, without the YAML texts), plus a lock holder when known. */
export type PlanFlowLike = Pick<PlanFlow, 'id' | 'name' | 'type' | 'division' | 'publishedVersion' | 'state' | 'reason' | 'diff'> & { lockedBy?: unknown };

/** A run report (report.json, verify-report.json, rollback-report.json) as far as the page reads it. */
export interface RunReportLike {
  runId: string;
  command: RunCommand;
  startedAt: string;
  finishedAt: string;
  counts: Record<string, number>;
  flows: readonly (PageOutcome & { id: string })[];
}

export interface PageMeta {
  generatedBy: string;
  generatedAt: string;
  runId?: string;
}

const CHANGE_WORDS: Record<string, string> = {
  add: 'add call', 'add-call': 'add call', remove: 'remove calls', replace: 'replace calls', refresh: 'refresh consumers',
};

/**
 * The plan's kind of change when it records one (`change.kind`, `change`, `changeKind`; a replace names the module
 * it replaces); a plan that records none adds a call.
 */
export function changeKindOf(plan: Pick<PlanLike, 'change' | 'changeKind'>): string {
  const change = typeof plan.change === 'object' && plan.change !== null ? (plan.change as { kind?: unknown; replaces?: { name?: unknown } }) : undefined;
  const raw = (change ? change.kind : plan.change) ?? plan.changeKind;
  if (typeof raw !== 'string' || raw.trim() === '') return 'add call';
  const words = CHANGE_WORDS[raw.trim().toLowerCase()] ?? raw.trim();
  const replaced = change?.replaces?.name;
  return words === 'replace calls' && typeof replaced === 'string' ? `replace calls of ${replaced}` : words;
}

export function placementText(placement: unknown): string | undefined {
  if (!placement || typeof placement !== 'object') return undefined;
  const value = placement as { at?: unknown; before?: unknown; after?: unknown };
  if (typeof value.before === 'string') return `before ${value.before}`;
  if (typeof value.after === 'string') return `after ${value.after}`;
  if (typeof value.at === 'string') return `at ${value.at}`;
  return undefined;
}

/** The host of the plan's API base (`api.mypurecloud.ie`, `127.0.0.1:8787`): no path, no user or password. */
export function environmentHost(apiBase: string): string {
  try {
    const url = new URL(apiBase);
    if (url.host) return url.host;
  } catch {
    // not a URL: cut it by hand below
  }
  return apiBase.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^@/]*@/, '').replace(/\/.*$/, '');
}

/** Who holds a locked flow's lock: from `lockedBy` when the plan has it, else from the reason the plan gives. */
export function lockHolderOf(flow: PlanFlowLike): string | undefined {
  const locked = flow.lockedBy as { kind?: unknown; name?: unknown; id?: unknown } | undefined;
  if (locked && typeof locked === 'object') {
    const who = typeof locked.name === 'string' ? locked.name : typeof locked.id === 'string' ? locked.id : undefined;
    if (who) return typeof locked.kind === 'string' ? `${locked.kind} ${who}` : who;
  }
  if (flow.state !== 'LOCKED' || !flow.reason) return undefined;
  const match = /^locked by (.+)$/s.exec(flow.reason);
  return match?.[1];
}

/**
 * A page's flows as the HTML writer reads them: how many, their plan states, how many carry a diff, and the flows
 * themselves as often as asked: an array's, or a run's plan file read again each time (a 10,000-flow page is then
 * never held whole: issue 15).
 */
export interface PageFlowSource {
  count: number;
  states: Record<string, number>;
  changed: number;
  each(): Iterable<PageFlow>;
}

export function flowSourceOf(flows: readonly PageFlow[]): PageFlowSource {
  return { count: flows.length, states: countStates(flows), changed: flows.filter((flow) => flow.diff).length, each: () => flows };
}

/** One flow of a plan as a page shows it. */
export function pageFlowOf(flow: PlanFlowLike): PageFlow {
  const lockHolder = lockHolderOf(flow);
  const division = flow.division?.name ?? flow.division?.id;
  return {
    id: flow.id, name: flow.name, type: flow.type, state: flow.state,
    ...(division ? { division } : {}),
    ...(flow.reason ? { reason: flow.reason } : {}),
    ...(flow.publishedVersion ? { publishedVersion: flow.publishedVersion } : {}),
    ...(lockHolder ? { lockHolder } : {}),
    ...(flow.diff ? { diff: flow.diff } : {}),
  };
}

export function pageFromPlan(plan: PlanLike, meta: PageMeta): ReportPage {
  const changePlacement = typeof plan.change === 'object' && plan.change !== null ? (plan.change as { placement?: unknown }).placement : undefined;
  const placement = placementText(changePlacement ?? plan.placement);
  return {
    module: { ...plan.module },
    changeKind: changeKindOf(plan),
    ...(placement ? { placement } : {}),
    environment: environmentHost(plan.environment),
    selection: [...(plan.selection ?? [])],
    planChecksum: plan.checksum,
    planCreatedAt: plan.createdAt,
    ...(meta.runId ? { runId: meta.runId } : {}),
    generatedBy: meta.generatedBy,
    generatedAt: meta.generatedAt,
    runs: [],
    flows: plan.flows.map(pageFlowOf),
  };
}

const ORDER: RunCommand[] = ['apply', 'verify', 'rollback'];

/** The page with a run report's outcomes merged into its flows (a flow the plan does not have is added). */
export function withRunReport(page: ReportPage, report: RunReportLike): ReportPage {
  const outcomes = new Map(report.flows.map((flow) => [flow.id, flow]));
  const known = new Set(page.flows.map((flow) => flow.id));
  const flows = page.flows.map((flow) => withOutcome(flow, report.command, outcomes.get(flow.id)));
  for (const extra of report.flows) if (!known.has(extra.id)) flows.push(notInPlan(extra, report.command));
  return { ...withRunStep(page, report), flows };
}

/** The page's run steps and run id with `report`'s step in them (its flows left to the caller). */
export function withRunStep(page: ReportPage, report: RunReportLike): ReportPage {
  const runs = [...page.runs.filter((run) => run.command !== report.command), {
    command: report.command, runId: report.runId, startedAt: report.startedAt, finishedAt: report.finishedAt, counts: { ...report.counts },
  }].sort((a, b) => ORDER.indexOf(a.command) - ORDER.indexOf(b.command));
  return { ...page, runId: page.runId ?? report.runId, runs };
}

/** A flow with a step's outcome, when the step has one for it. */
export function withOutcome(flow: PageFlow, command: RunCommand, outcome: RunReportLike['flows'][number] | undefined): PageFlow {
  return outcome ? { ...flow, [command]: outcomeOf(outcome) } : flow;
}

/** A flow a step reports that the plan does not have. */
export function notInPlan(extra: RunReportLike['flows'][number], command: RunCommand): PageFlow {
  const named = extra as { name?: unknown; type?: unknown };
  return {
    id: extra.id, name: typeof named.name === 'string' ? named.name : extra.id, type: typeof named.type === 'string' ? named.type : '',
    state: 'NOT_IN_PLAN', [command]: outcomeOf(extra),
  };
}

function outcomeOf(flow: PageOutcome): PageOutcome {
  const keys: (keyof PageOutcome)[] = ['state', 'reason', 'error', 'versionBefore', 'versionAfter', 'startedAt', 'finishedAt', 'durationMs'];
  const result: Record<string, unknown> = {};
  for (const key of keys) if (flow[key] !== undefined && flow[key] !== null) result[key] = flow[key];
  return result as unknown as PageOutcome;
}

export function countStates(flows: readonly { state: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const flow of flows) counts[flow.state] = (counts[flow.state] ?? 0) + 1;
  return counts;
}

/** Whole-run duration, `1.2 s`, `3 min 4 s`. */
export function durationText(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms - minutes * 60_000) / 1000)} s`;
}

export function spanMs(startedAt: string, finishedAt: string): number | undefined {
  const ms = Date.parse(finishedAt) - Date.parse(startedAt);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Failures first, then the flows that change (the plan's ELIGIBLE, a step's DONE), then those held back by
 * something a person can clear, then the rest.
 */
export function stateRank(state: string): number {
  const ranks: Record<string, number> = {
    FAILED: 0, ROLLBACK_FAILED: 0, DRIFT: 0, CONFLICT: 0,
    ELIGIBLE: 1, STALE: 1, DONE: 1, ALREADY_DONE: 1, VERIFIED: 1, ROLLED_BACK: 1,
    LOCKED: 2, HAS_UNPUBLISHED_DRAFT: 2, MISSING_REQUIRED_INPUTS: 3,
    ANCHOR_NOT_FOUND: 3, UNPARSEABLE: 3, INCOMPATIBLE_TYPE: 4, NEVER_PUBLISHED: 4, ALREADY_CALLS_MODULE: 5, EXCLUDED: 6,
  };
  return ranks[state] ?? (state.startsWith('SKIPPED') ? 2 : 3);
}
