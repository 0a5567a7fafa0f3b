import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { PlanError } from './errors.js';
import { writeFileDurably } from './durable-write.js';
import { isGenesysId } from './genesys-id.js';
import { isTarget } from './states.js';
import type { Change } from './change.js';

import type { InputValue, Placement } from '../flow/index.js';

export type { InputValue, Placement };

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
  /** The YAML that apply will import (eligible flows). */
  updated?: string;
  diff?: string;
  /** replace: this flow's call inputs/outputs (carried over from the old call, and given by --input/--output). */
  mapping?: { inputs: Record<string, InputValue>; outputs: Record<string, { var: string }> };
}

export interface PlanFile {
  kind: 'flowlink-plan';
  /** 2 records the change (`change`); 1 (older plans) is always an add, described by the fields below. */
  formatVersion: 1 | 2;
  /** The change every target gets (format 2). Read it with planChange(), which also reads format 1. */
  change?: Change;
  createdAt: string;
  /** The API base the plan was made against; apply refuses a plan from another environment. */
  environment: string;
  /** The module the change is about (added, removed, called instead, refreshed). */
  module: { id: string; name: string; publishedVersion?: string };
  /** add: where the call goes (format 1 and 2); the other kinds write `{at: start}` here, unused. */
  placement: Placement;
  inputs: Record<string, InputValue>;
  outputs: Record<string, { var: string }>;
  actionName?: string;
  selection: string[];
  flows: PlanFlow[];
  /** sha256 over the canonical JSON of everything else: a plan edited by hand is refused. */
  checksum: string;
}

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
 * sha256 over the canonical JSON of the plan's header and then of each flow, fed to the hash piece by piece: a
 * plan of 10,000 flows is hundreds of MB, and one canonical string of all of it would double the peak memory.
 */
export function planChecksum(plan: Omit<PlanFile, 'checksum'> & { checksum?: string }): string {
  const { checksum: _ignored, flows, ...header } = plan;
  const hash = createHash('sha256').update(canonicalJson(header), 'utf8');
  for (const flow of flows) hash.update('\n', 'utf8').update(canonicalJson(flow), 'utf8');
  return hash.digest('hex');
}

export function sealPlan(plan: Omit<PlanFile, 'checksum'>): PlanFile {
  return { ...plan, checksum: planChecksum(plan) };
}

/** Written flow by flow (one JSON object a line in the `flows` array), never as one string of the whole plan. */
export function writePlanFile(path: string, plan: PlanFile): void {
  writeFileDurably(path, planFileText(plan));
}

/** The plan file's text in pieces (a header, then one piece per flow): for a file, or for stdout (`--out -`). */
export function* planFileText(plan: PlanFile): Generator<string> {
  const { flows, checksum, ...header } = plan;
  const head = JSON.stringify(header, null, 2).replace(/\n}$/, '');
  yield `${head},\n  "flows": [`;
  let first = true;
  for (const flow of flows) {
    yield `${first ? '' : ','}\n    ${JSON.stringify(flow)}`;
    first = false;
  }
  yield `\n  ],\n  "checksum": ${JSON.stringify(checksum)}\n}\n`;
}

/** Reads and checks a plan file; every problem is a one-line PlanError (the CLI: exit 2). */
export function readPlanFile(path: string): PlanFile {
  if (!existsSync(path)) throw new PlanError(`plan file not found: ${path}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new PlanError(`plan file ${path} is not valid JSON`);
  }
  const plan = parsed as Partial<PlanFile>;
  if (!plan || typeof plan !== 'object' || plan.kind !== 'flowlink-plan') {
    throw new PlanError(`${path} is not a flowlink plan file`);
  }
  if (plan.formatVersion !== 1 && plan.formatVersion !== 2) throw new PlanError(`plan file format ${String(plan.formatVersion)} is not supported`);
  if (plan.formatVersion === 2 && !isChange(plan.change)) throw new PlanError(`plan file ${path} does not say what change it makes`);
  if (typeof plan.checksum !== 'string' || !Array.isArray(plan.flows) || !plan.module || typeof plan.environment !== 'string') {
    throw new PlanError(`plan file ${path} is incomplete`);
  }
  if (planChecksum(plan as PlanFile) !== plan.checksum) {
    throw new PlanError(`plan file ${path} was modified after it was written (checksum mismatch); make a new plan`);
  }
  // Ids become file names in the run directory: only Genesys ids (GUIDs) get that far.
  if (!isGenesysId(plan.module.id)) throw new PlanError(`plan file ${path}: module id ${JSON.stringify(String(plan.module.id)).slice(0, 60)} is not a Genesys id`);
  for (const flow of plan.flows) {
    if (!isGenesysId(flow.id)) throw new PlanError(`plan file ${path}: flow id ${JSON.stringify(String(flow.id)).slice(0, 60)} is not a Genesys id`);
    if (flow.publishedVersion !== undefined && !/^[0-9]+(?:\.[0-9]+)*$/.test(String(flow.publishedVersion))) {
      throw new PlanError(`plan file ${path}: flow ${flow.id} has a version that is not a Genesys version id`);
    }
    if (!isTarget(flow.state)) continue;
    if (typeof flow.original !== 'string' || typeof flow.updated !== 'string' || sha256(flow.original) !== flow.sha256) {
      throw new PlanError(`plan file ${path} has an inconsistent entry for flow ${flow.id}`);
    }
  }
  return plan as PlanFile;
}

/** A stable run id for a plan: the same plan always maps to the same run, which is what makes apply resumable. */
export function runIdForPlan(plan: PlanFile): string {
  const stamp = plan.createdAt.replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${plan.checksum.slice(0, 8)}`;
}

const CHANGE_KINDS = new Set(['add', 'remove', 'replace', 'refresh']);

function isChange(value: unknown): value is Change {
  const change = value as Partial<Change> | undefined;
  return typeof change === 'object' && change !== null && CHANGE_KINDS.has(String(change.kind)) && typeof change.module?.name === 'string'
    && (change.kind !== 'replace' || typeof (change as { replaces?: { name?: unknown } }).replaces?.name === 'string');
}

/** The plan's change: format 2 records it; a format 1 plan is always an add, described by its top-level fields. */
export function planChange(plan: PlanFile): Change {
  if (plan.change) return plan.change;
  return {
    kind: 'add', module: plan.module, placement: plan.placement, inputs: plan.inputs, outputs: plan.outputs,
    ...(plan.actionName ? { actionName: plan.actionName } : {}),
  };
}

/** The change as one flow of the plan gets it (replace: with that flow's carried-over inputs and outputs). */
export function flowChange(plan: PlanFile, flow: PlanFlow): Change {
  const change = planChange(plan);
  return change.kind === 'replace' && flow.mapping ? { ...change, inputs: flow.mapping.inputs, outputs: flow.mapping.outputs } : change;
}
