/**
 * A flow's eligibility for a rollout (design.md "Eligibility states"): one state per flow in every plan, report
 * and `list`. This file holds the states and the metadata-only classifier (no YAML): `list` uses it as is;
 * `plan` adds ANCHOR_NOT_FOUND, MISSING_REQUIRED_INPUTS and UNPARSEABLE after reading each flow's YAML.
 */

import { allowsFlowType, compatibleTypesUnknown } from '../flow/module-info.js';

export const ELIGIBILITY_STATES = [
  'ELIGIBLE',
  'ALREADY_CALLS_MODULE',
  'LOCKED',
  'HAS_UNPUBLISHED_DRAFT',
  'NEVER_PUBLISHED',
  'INCOMPATIBLE_TYPE',
  'ANCHOR_NOT_FOUND',
  'MISSING_REQUIRED_INPUTS',
  'UNPARSEABLE',
  'EXCLUDED',
] as const;

export type EligibilityState = (typeof ELIGIBILITY_STATES)[number];

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
  if (module && input.callsModule) applies.set('ALREADY_CALLS_MODULE', `already calls ${module.name}`);
  if (holder) applies.set('LOCKED', `locked by ${holder.kind} ${holder.name ?? holder.id}`);
  const draft = newerDraftVersion(flow);
  if (draft !== undefined && flow.publishedVersion) applies.set('HAS_UNPUBLISHED_DRAFT', `draft ${draft} is newer than published ${flow.publishedVersion.id}`);

  const reasons = PRECEDENCE.filter((state) => applies.has(state));
  const state = reasons[0] ?? 'ELIGIBLE';
  const detail = applies.get(state) ?? (state === 'ELIGIBLE' && module && compatibleTypesUnknown(module) ? UNKNOWN_TYPES_NOTE : undefined);
  return {
    state,
    reasons: reasons.length > 0 ? reasons : ['ELIGIBLE'],
    ...(holder ? { lockedBy: holder } : {}),
    ...(detail ? { detail } : {}),
  };
}
