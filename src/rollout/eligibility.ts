/**
 * A flow's eligibility for a rollout (design.md "Eligibility states"): one state per flow in every plan, report
 * and `list`. This file holds the states and the metadata-only classifier (no YAML): `list` uses it as is;
 * `plan` adds ANCHOR_NOT_FOUND, MISSING_REQUIRED_INPUTS and UNPARSEABLE after reading each flow's YAML.
 */

import { allowsFlowType, compatibleTypesUnknown } from '../flow/module-info.js';

import { ELIGIBILITY_STATES, type EligibilityState } from './states.js';
import type { ChangeKind } from './change.js';

export { ELIGIBILITY_STATES, type EligibilityState };

/** Who holds a flow's lock: a person (`lockedUser`) or an OAuth client (`lockedClient`, e.g. another tool). */
export interface LockHolder {
  kind: 'user' | 'client';
  id: string;
  name?: string;
}

/** The Flow fields the classifier reads (a subset of the API's Flow, so both client and tests can pass one). */
export interface FlowMetadata {
  id: string;
  name: string;
  type: string;
  lockedUser?: { id: string; name?: string };
  lockedClient?: { id: string; name?: string };
  publishedVersion?: { id: string };
  savedVersion?: { id: string };
  checkedInVersion?: { id: string };
}

export interface ModuleMetadata {
  id: string;
  name: string;
  /** Flow types allowed to call it (any case); absent or empty: unknown, so every type is allowed (allowsFlowType). */
  compatibleFlowTypes?: readonly string[];
}

export interface ClassifyInput {
  flow: FlowMetadata;
  /** Named by --exclude. */
  excluded?: boolean;
  /** The module being rolled out, when there is one (`list --module`, `plan`). */
  module?: ModuleMetadata;
  /** Whether the flow's published version already calls the module (dependency tracking), when known. */
  callsModule?: boolean;
  /** The kind of change (default add). remove/replace/refresh act on flows that call the module in question. */
  kind?: ChangeKind;
  /** replace: whether the flow calls the module being replaced. */
  callsReplaced?: boolean;
  /** refresh: whether the flow's published version consumes the module's current published version. */
  consumesCurrent?: boolean;
}

export interface Classification {
  state: EligibilityState;
  /** Every state that applies, most decisive first (`state` is the first); ELIGIBLE only when alone. */
  reasons: EligibilityState[];
  lockedBy?: LockHolder;
  /** One line for people: "locked by user Jane Doe", "type INBOUNDEMAIL not in Fraud_Check_Voice's compatible types". */
  detail?: string;
}

/**
 * Precedence, most decisive first: what the user asked (EXCLUDED), then facts no retry changes (never published,
 * incompatible type, already done), then the transient blockers a person can clear (lock, draft).
 */
const PRECEDENCE: readonly EligibilityState[] = [
  'EXCLUDED',
  'NEVER_PUBLISHED',
  'NOT_CALLING',
  'UP_TO_DATE',
  'INCOMPATIBLE_TYPE',
  'ALREADY_CALLS_MODULE',
  'LOCKED',
  'HAS_UNPUBLISHED_DRAFT',
];

export function lockHolder(flow: FlowMetadata): LockHolder | undefined {
  if (flow.lockedUser) return { kind: 'user', id: flow.lockedUser.id, ...nameOf(flow.lockedUser) };
  if (flow.lockedClient) return { kind: 'client', id: flow.lockedClient.id, ...nameOf(flow.lockedClient) };
  return undefined;
}

function nameOf(ref: { name?: string }): { name?: string } {
  return ref.name === undefined ? {} : { name: ref.name };
}

/** `"3.0"` -> 3; non-numeric ids compare as unknown. */
function versionNumber(id: string | undefined): number | undefined {
  if (id === undefined) return undefined;
  const n = Number.parseFloat(id);
  return Number.isFinite(n) ? n : undefined;
}

/** The saved or checked-in version that is newer than the published one (an edit someone has not published). */
export function newerDraftVersion(flow: FlowMetadata): string | undefined {
  const published = flow.publishedVersion?.id;
  const publishedNumber = versionNumber(published);
  for (const candidate of [flow.savedVersion?.id, flow.checkedInVersion?.id]) {
    if (candidate === undefined || candidate === published) continue;
    const n = versionNumber(candidate);
    if (published === undefined || n === undefined || publishedNumber === undefined || n > publishedNumber) return candidate;
  }
  return undefined;
}

export function hasNewerDraft(flow: FlowMetadata): boolean {
  return newerDraftVersion(flow) !== undefined;
}

/** The one compatibility rule (flow/module-info.ts allowsFlowType): absent or empty compatibleFlowTypes allow all. */
export function isCompatibleType(flowType: string, module: ModuleMetadata): boolean {
  return allowsFlowType(module, flowType);
}

/** The detail of an ELIGIBLE flow when the module names no compatible flow types (allowed, but not confirmed). */
export const UNKNOWN_TYPES_NOTE = 'compatible flow types unknown (the module lists none): allowed';

/** Pure: the same metadata always gives the same classification. */
export function classifyFlow(input: ClassifyInput): Classification {
  const { flow, module } = input;
  const applies = new Map<EligibilityState, string | undefined>();
  const holder = lockHolder(flow);
  if (input.excluded) applies.set('EXCLUDED', 'named by --exclude');
  if (!flow.publishedVersion) applies.set('NEVER_PUBLISHED', 'has no published version');
  if (module && !isCompatibleType(flow.type, module)) {
    applies.set('INCOMPATIBLE_TYPE', `type ${flow.type.toUpperCase()} is not among ${module.name}'s compatible flow types`);
  }
  const kind = input.kind ?? 'add';
  if (module && kind === 'add' && input.callsModule) applies.set('ALREADY_CALLS_MODULE', `already calls ${module.name}`);
  if (module && kind === 'remove' && input.callsModule === false) applies.set('NOT_CALLING', `does not call ${module.name}`);
  if (module && kind === 'replace' && input.callsReplaced === false) applies.set('NOT_CALLING', 'does not call the module being replaced');
  if (module && kind === 'replace' && input.callsModule) applies.set('ALREADY_CALLS_MODULE', `already calls ${module.name}`);
  if (module && kind === 'refresh' && input.callsModule === false) applies.set('NOT_CALLING', `does not consume ${module.name}`);
  if (module && kind === 'refresh' && input.callsModule && input.consumesCurrent) {
    applies.set('UP_TO_DATE', `already embeds ${module.name}'s current published version`);
  }
  // remove and refresh do not add a call: the module's compatible types are not a reason to leave a flow alone.
  if (kind === 'remove' || kind === 'refresh') applies.delete('INCOMPATIBLE_TYPE');
  if (holder) applies.set('LOCKED', `locked by ${holder.kind} ${holder.name ?? holder.id}`);
  const draft = newerDraftVersion(flow);
  if (draft !== undefined && flow.publishedVersion) applies.set('HAS_UNPUBLISHED_DRAFT', `draft ${draft} is newer than published ${flow.publishedVersion.id}`);

  const reasons = PRECEDENCE.filter((state) => applies.has(state));
  // A refresh target is a stale consumer: its own word, for plans and reports.
  const target: EligibilityState = kind === 'refresh' ? 'STALE' : 'ELIGIBLE';
  if (kind === 'refresh' && reasons.length === 0) applies.set('STALE', `embeds an older version of ${module?.name ?? 'the module'}`);
  const state = reasons[0] ?? target;
  const detail = applies.get(state) ?? (state === 'ELIGIBLE' && module && compatibleTypesUnknown(module) ? UNKNOWN_TYPES_NOTE : undefined);
  return {
    state,
    reasons: reasons.length > 0 ? reasons : [target],
    ...(holder ? { lockedBy: holder } : {}),
    ...(detail ? { detail } : {}),
  };
}
