import type { RolloutApi } from './api-port.js';
import type { Journal } from './journal.js';
import type { FlowOutcome } from './reports.js';
import { redact } from '../shared/redact.js';
import { stopReasonOf, type RunStopReason } from './errors.js';

import type { ApplyState } from './states.js';

export type { ApplyState };

export interface ApplyEvent {
  flowId: string;
  name: string;
  state: ApplyState;
  reason?: string;
}

/**
 * One flow to rewrite: it must still be what we expect, and then becomes the new YAML. A published version never
 * changes, so "still what we expect" is: the same published version id, the same name, not locked, no newer draft;
 * no export is needed to know it. Only when the version is not known (or has moved) is content read, and then
 * compared by meaning (flow/meaning.ts), never by bytes: Genesys regenerates every export. The texts are loaded
 * only when needed (apply keeps them in the run directory), so a run holds metadata, not every text. Its functions
 * are called on the item (`item.loadNewYaml()`), never detached: apply's are methods.
 */
export interface RewriteItem {
  id: string;
  name: string;
  type: string;
  /** The published version the flow must still have, when known. */
  expectedVersion?: string;
  /** What the published version must mean when expectedVersion is not known (rollback of a flow whose new version was never journaled). */
  loadExpectedText?: () => string;
  newYamlSha256: string;
  loadNewYaml: () => string;
  /**
   * The same change made to someone else's newer version (apply: the plan's edit), for a write that superseded a
   * version published between the check and the write. Absent (rollback): such a write is a CONFLICT.
   */
  rebase?: (theirYaml: string) => { yaml: string } | { reason: string };
  /**
   * Whether a text already holds the change exactly once (apply: one call of the module). A version someone else
   * published after ours that holds it lost nothing of ours; one that does not is a CONFLICT.
   */
  holdsChange?: (yaml: string) => boolean;
}

/** What an imported flow must become: its published version directly follows `base` and means `text`. */
export interface Awaiting {
  base?: string;
  text: () => string;
  rebases: number;
}

/** What a flow imported from its plan must become: the version after the planned one, meaning the planned YAML. */
export function awaitingOf(flow: RewriteItem): Awaiting {
  return { ...(flow.expectedVersion ? { base: flow.expectedVersion } : {}), text: () => flow.loadNewYaml(), rebases: 0 };
}

export interface Progress {
  outcome: FlowOutcome;
  /** An import job registered in an earlier, interrupted attempt, still to be looked at. */
  pendingJobId?: string;
  /**
   * Imported, but not yet confirmed from the API: the flow's published version must directly follow `base` and
   * mean `text` (what was imported last: the planned YAML, or a rebase of it).
   */
  awaiting?: Awaiting;
  /** An earlier attempt of this run imported the flow: a version that now means neither text is a CONFLICT, not a skip. */
  importedEarlier?: boolean;
}

/** What every step of a rewrite run shares. */
export interface RunContext {
  api: RolloutApi;
  journal: Journal;
  progress: Map<string, Progress>;
  emit: (flow: RewriteItem, state: ApplyState, reason?: string) => void;
  signal?: AbortSignal;
}

export const progressOf = (ctx: RunContext, flow: RewriteItem): Progress => ctx.progress.get(flow.id) as Progress;

/** Raised to stop a run early; the journal and reports are still closed and written. */
export class RunStopped extends Error {
  /** Why, for the caller's exit code (auth, unreachable, rate-limited, server, aborted). */
  readonly reason: RunStopReason;
  constructor(readonly causeError: unknown, reason?: RunStopReason) {
    super(`run stopped: ${causeError instanceof Error ? causeError.message : String(causeError)}`);
    this.name = 'RunStopped';
    this.reason = reason ?? stopReasonOf(causeError) ?? 'server';
  }
}

/** Not this flow's fault (auth, rate-limit storm past the retry cap, server or network down): the run stops. */
export function isRunFatal(error: unknown): boolean {
  return stopReasonOf(error) !== undefined;
}

/** The flow is done: confirmed from the API (its published version is the one this run wrote). */
export function finish(ctx: RunContext, flow: RewriteItem, versionAfter?: string, fields: Record<string, unknown> = {}): void {
  const item = progressOf(ctx, flow);
  delete item.awaiting;
  item.outcome.state = 'DONE';
  delete item.outcome.reason;
  delete item.outcome.error;
  item.outcome.finishedAt = new Date().toISOString();
  if (versionAfter) item.outcome.versionAfter = versionAfter;
  ctx.journal.append('flow-done', { flowId: flow.id, ...(versionAfter ? { versionAfter } : {}), ...fields });
  ctx.emit(flow, 'DONE');
}

export function fail(ctx: RunContext, flow: RewriteItem, message: string, state: 'FAILED' | 'CONFLICT' = 'FAILED', fields: Record<string, unknown> = {}): void {
  const item = progressOf(ctx, flow);
  delete item.awaiting;
  item.outcome.state = state;
  item.outcome.error = redact(message);
  item.outcome.finishedAt = new Date().toISOString();
  ctx.journal.append(state === 'CONFLICT' ? 'flow-conflict' : 'flow-failed', { flowId: flow.id, error: item.outcome.error, ...fields });
  ctx.emit(flow, state, item.outcome.error);
}

/** Published version ids are `N.0`: the one a single publish after `base` gets (genesys-api.md; see docs/emulator.md). */
export function versionNumber(version: string | undefined): number {
  return version === undefined ? Number.NaN : Number.parseFloat(version);
}

export function directlyFollows(base: string, version: string): boolean {
  return versionNumber(version) === versionNumber(base) + 1;
}
