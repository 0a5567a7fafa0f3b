import { createHash } from 'node:crypto';
import type { Change } from './change.js';

import type { InputValue, Placement } from '../flow/index.js';

export type { InputValue, Placement };

/** The format plan writes: 3 has no new YAML per flow (recomputed from the original and the change: plan-edit.ts). */
export const PLAN_FORMAT = 3;

/** One flow in a plan: what was seen at plan time, the state it was classified into, and the edit if eligible. */
export interface PlanFlow {
  id: string;
  name: string;
  type: string;
  division?: { id: string; name?: string };
  publishedVersion?: string;
  state: string;
  reason?: string;
  /** sha256 of the exported published YAML the edit was computed from. */
  sha256?: string;
  /** The exported published YAML (eligible flows): the backup and the base of the edit. */
  original?: string;
  /** Formats 1 and 2 only: the YAML apply will import (format 3 recomputes it: plannedYaml in plan-edit.ts). */
  updated?: string;
  /** The unified diff a reviewer reads (format 3: without the `Index:` and `====` lines, which name the file again). */
  diff?: string;
  /** replace: this flow's call inputs/outputs (carried over from the old call, and given by --input/--output). */
  mapping?: { inputs: Record<string, InputValue>; outputs: Record<string, { var: string }> };
}

export interface PlanFile {
  kind: 'flowlink-plan';
  /** 3: no `updated`; 2 records the change (`change`); 1 (older plans) is always an add, described by the fields below. */
  formatVersion: 1 | 2 | 3;
  /** The change every target gets (formats 2 and 3). Read it with planChange(), which also reads format 1. */
  change?: Change;
  createdAt: string;
  /** The API base the plan was made against; apply refuses a plan from another environment. */
  environment: string;
  /** The module the change is about (added, removed, called instead, refreshed). */
  module: { id: string; name: string; publishedVersion?: string };
  /** add: where the call goes (all formats); the other kinds write `{at: start}` here, unused. */
  placement: Placement;
  inputs: Record<string, InputValue>;
  outputs: Record<string, { var: string }>;
  actionName?: string;
  selection: string[];
  flows: PlanFlow[];
  /** sha256 over the canonical JSON of everything else: a plan edited by hand is refused. */
  checksum: string;
}

/** A plan without its flows and checksum: what is known before the first flow (and what the change is read from). */
export type PlanHeader = Omit<PlanFile, 'flows' | 'checksum'>;

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** JSON with object keys sorted, so a checksum does not depend on key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/**
 * The plan checksum, fed piece by piece: the canonical JSON of the header, then of each flow after a newline. A
 * plan of 10,000 flows is about 100 MB, so it is hashed as it is read or written, never as one string.
 */
export class PlanHasher {
  private readonly hash = createHash('sha256');

  constructor(header: object) {
    this.hash.update(canonicalJson(header), 'utf8');
  }

  add(flow: unknown): void {
    this.hash.update('\n', 'utf8').update(canonicalJson(flow), 'utf8');
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** sha256 over the canonical JSON of the plan's header and then of each flow (PlanHasher). */
export function planChecksum(plan: Omit<PlanFile, 'checksum'> & { checksum?: string }): string {
  const { checksum: _ignored, flows, ...header } = plan;
  const hasher = new PlanHasher(header);
  for (const flow of flows) hasher.add(flow);
  return hasher.digest();
}

export function sealPlan(plan: Omit<PlanFile, 'checksum'>): PlanFile {
  return { ...plan, checksum: planChecksum(plan) };
}

/** A stable run id for a plan: the same plan always maps to the same run, which is what makes apply resumable. */
export function runIdForPlan(plan: Pick<PlanFile, 'createdAt' | 'checksum'>): string {
  const stamp = plan.createdAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${plan.checksum.slice(0, 8)}`;
}

const CHANGE_KINDS = new Set(['add', 'remove', 'replace', 'refresh']);

export function isChange(value: unknown): value is Change {
  const change = value as Partial<Change> | undefined;
  return typeof change === 'object' && change !== null && CHANGE_KINDS.has(String(change.kind)) && typeof change.module?.name === 'string'
    && (change.kind !== 'replace' || typeof (change as { replaces?: { name?: unknown } }).replaces?.name === 'string');
}

/** The plan's change: formats 2 and 3 record it; a format 1 plan is always an add, described by its top-level fields. */
export function planChange(plan: PlanHeader): Change {
  if (plan.change) return plan.change;
  return {
    kind: 'add', module: plan.module, placement: plan.placement, inputs: plan.inputs, outputs: plan.outputs,
    ...(plan.actionName ? { actionName: plan.actionName } : {}),
  };
}

/** The change as one flow of the plan gets it (replace: with that flow's carried-over inputs and outputs). */
export function flowChange(plan: PlanHeader, flow: PlanFlow): Change {
  const change = planChange(plan);
  return change.kind === 'replace' && flow.mapping ? { ...change, inputs: flow.mapping.inputs, outputs: flow.mapping.outputs } : change;
}
