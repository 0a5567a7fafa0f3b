/**
 * The one vocabulary of flow states (design.md): what a plan or `list` says of a flow, what apply, verify and
 * rollback say of a target, and which of them pass or fail. Every report, exit code and summary reads these sets.
 */

export const ELIGIBILITY_STATES = [
  'ELIGIBLE',
  /** refresh: a consumer whose published version embeds an older version of the module; it will be republished. */
  'STALE',
  'ALREADY_CALLS_MODULE',
  /** remove / replace: the flow does not call the module in question; refresh: it does not consume it. */
  'NOT_CALLING',
  /** refresh: the consumer already embeds the module's current published version. */
  'UP_TO_DATE',
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

/** Plan states of the flows a plan will change (apply's targets). */
export const TARGET_STATES: ReadonlySet<string> = new Set<EligibilityState>(['ELIGIBLE', 'STALE']);
export const isTarget = (state: string): boolean => TARGET_STATES.has(state);

export const APPLY_STATES = [
  'DONE', 'FAILED', 'CONFLICT', 'SKIPPED_CHANGED', 'SKIPPED_LOCKED', 'SKIPPED_DRAFT', 'SKIPPED_DELETED', 'NOT_STARTED',
] as const;
export type ApplyState = (typeof APPLY_STATES)[number];

export const VERIFY_STATES = ['VERIFIED', 'DRIFT', 'ROLLED_BACK'] as const;
export type VerifyState = (typeof VERIFY_STATES)[number];

export const ROLLBACK_STATES = ['ROLLED_BACK', 'ROLLBACK_FAILED'] as const;
export type RollbackState = (typeof ROLLBACK_STATES)[number];

export type FlowState = EligibilityState | ApplyState | VerifyState | RollbackState;

/** States that make a run exit 1: the flow is not what the run set out to make it, for a reason to look at. */
export const FAILING_STATES: ReadonlySet<string> = new Set(['FAILED', 'CONFLICT', 'ROLLBACK_FAILED']);
/** verify's failing state (exit 4). */
export const DRIFT_STATES: ReadonlySet<string> = new Set(['DRIFT']);
/** States that say the flow is as the run meant it. */
export const PASSING_STATES: ReadonlySet<string> = new Set(['DONE', 'VERIFIED', 'ROLLED_BACK']);
