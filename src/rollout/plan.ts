import type { Flow, GenesysClient } from '../client/index.js';
import { collectListRows, type ListRow } from './list-flows.js';
import { PlanError } from './errors.js';
import {
  flowInfoFromYaml, moduleInfoFromFlow, readCallMapping, validateCall,
  type CallMapping, type InputValue, type ModuleInfo, type Placement,
} from '../flow/index.js';
import { allowsFlowType } from '../flow/module-info.js';
import type { ExportResult, RolloutApi } from './api-port.js';
import { rolloutApiFromClient } from './client-adapter.js';
import { editFlow, type Change, type ChangeKind, type ModuleRef } from './change.js';
import { isTarget, type EligibilityState } from './states.js';
import { PLAN_FORMAT, sealPlan, sha256, type PlanFile, type PlanFlow, type PlanHeader } from './plan-format.js';
import { storedDiff } from './plan-edit.js';
import type { FlowSelectors } from './select.js';

export interface PlanRequest {
  moduleName: string;
  /** The kind of change (default add). */
  kind?: ChangeKind;
  /** replace: the module whose calls become calls of moduleName. */
  replaces?: string;
  selectors: FlowSelectors;
  /** Whether --type was given (an explicitly asked type the module cannot serve is a usage error). */
  typesExplicit: boolean;
  placement: Placement;
  inputs: Record<string, InputValue>;
  outputs: Record<string, { var: string }>;
  actionName?: string;
  /** The selector flags as typed, recorded in the plan for people. */
  selection: string[];
}

/** What a plan is decided from before any flow's text: the module(s) and every selected flow, classified. */
export interface PlanListing {
  environment: string;
  createdAt: string;
  module: Flow;
  /** replace: the module being replaced. */
  replaced?: Flow;
  /** Every selected flow, classified by metadata and dependency tracking. */
  rows: ListRow[];
}

/** Everything a plan is decided from, read through the rollout port (gatherFacts); assemblePlan is pure over it. */
export interface PlanFacts extends PlanListing {
  /** The published YAML of each flow that the metadata leaves a candidate, or why it could not be exported. */
  yaml: Map<string, ExportResult>;
}

/** Problems with the mapping itself (not with one flow): the whole plan is refused with one line. */
const MAPPING_PROBLEMS = new Set(['MISSING_REQUIRED_INPUT', 'UNKNOWN_INPUT', 'INVALID_INPUT_VALUE', 'UNKNOWN_OUTPUT']);

const ENGINE_STATE: Partial<Record<string, EligibilityState>> = {
  'already-present': 'ALREADY_CALLS_MODULE',
  'not-present': 'NOT_CALLING',
  ANCHOR_NOT_FOUND: 'ANCHOR_NOT_FOUND',
};

/** Makes a plan with the real client: gatherFacts through the client's port, then assemblePlan. Reads only. */
export async function buildPlan(client: GenesysClient, request: PlanRequest): Promise<PlanFile> {
  return assemblePlan(await gatherFacts(rolloutApiFromClient(client), client.environment.apiBaseUrl, request), request);
}

/**
 * Reads what a plan is decided from: the module(s), every selected flow's metadata and whether it calls or
 * consumes the module (dependency tracking, per module version), then the published YAML of the candidates in
 * batched export jobs. Every read goes through the port, so the API cost of planning is the port's.
 */
export async function gatherFacts(api: RolloutApi, environment: string, request: PlanRequest): Promise<PlanFacts> {
  const listing = await gatherListing(api, environment, request);
  const candidates = listing.rows.filter((row) => isTarget(row.state));
  const exported = candidates.length > 0
    ? await api.exportFlows(candidates.map((row) => ({ id: row.id, version: row.publishedVersion as string })))
    : new Map<string, ExportResult>();
  return { ...listing, yaml: exported };
}

/** gatherFacts without the texts: what plan-stream.ts exports a few jobs at a time as it writes the plan. */
export async function gatherListing(api: RolloutApi, environment: string, request: PlanRequest): Promise<PlanListing> {
  const kind = request.kind ?? 'add';
  const module = await findPublishedModule(api, request.moduleName);
  const replaced = kind === 'replace' ? await findPublishedModule(api, request.replaces ?? '') : undefined;
  if (replaced && replaced.id === module.id) throw new PlanError('--replace names the module itself: a module cannot replace itself');
  checkMapping(moduleInfoFromFlow(module), { inputs: request.inputs, outputs: request.outputs }, request);

  const listed = await collectListRows(api, request.selectors, module.name, {
    knownModules: [module, ...(replaced ? [replaced] : [])],
    change: { kind, ...(replaced ? { replaces: replaced.name } : {}) },
  });
  return { environment, createdAt: new Date().toISOString(), module, ...(replaced ? { replaced } : {}), rows: listed.rows };
}

async function findPublishedModule(api: RolloutApi, name: string): Promise<Flow> {
  const module = await api.findModule(name);
  if (!module) throw new PlanError(`common module '${name}' not found (names are exact and case-sensitive)`);
  if (!module.publishedVersion) throw new PlanError(`common module '${module.name}' has never been published; publish it first`);
  return module;
}

const moduleRef = (flow: Flow): ModuleRef => ({ id: flow.id, name: flow.name, ...(flow.publishedVersion ? { publishedVersion: flow.publishedVersion.id } : {}) });

/** The change a request asks for, with the modules as found. */
export function changeOf(request: PlanRequest, module: Flow, replaced?: Flow): Change {
  const kind = request.kind ?? 'add';
  const mapping = { inputs: request.inputs, outputs: request.outputs, ...(request.actionName ? { actionName: request.actionName } : {}) };
  if (kind === 'add') return { kind, module: moduleRef(module), placement: request.placement, ...mapping };
  if (kind === 'replace') return { kind, module: moduleRef(module), replaces: moduleRef(replaced as Flow), ...mapping };
  return { kind, module: moduleRef(module) };
}

/**
 * Decides the plan from the facts alone (pure, like changesets' assembleReleasePlan): one state per flow, and for
 * each target the engine's edit of its published YAML under the change.
 */
export function assemblePlan(facts: PlanFacts, request: PlanRequest): PlanFile {
  const { header, planFlow } = planner(facts, request);
  return sealPlan({ ...header, flows: facts.rows.map((row) => planFlow(row, facts.yaml.get(row.id))) });
}

/**
 * The plan's header, and how each flow is planned from its row and (a candidate) its exported text: pure, one flow
 * at a time, so that a plan can be written as its texts are exported (plan-stream.ts).
 */
export function planner(listing: PlanListing, request: PlanRequest): { header: PlanHeader; planFlow: (row: ListRow, exported?: ExportResult) => PlanFlow } {
  const change = changeOf(request, listing.module, listing.replaced);
  const moduleInfo = moduleInfoFromFlow(listing.module);
  const header: PlanHeader = {
    kind: 'flowlink-plan', formatVersion: PLAN_FORMAT, createdAt: listing.createdAt, environment: listing.environment,
    module: change.module,
    change,
    placement: change.kind === 'add' ? change.placement : { at: 'start' },
    inputs: request.inputs, outputs: request.outputs,
    ...(request.actionName ? { actionName: request.actionName } : {}),
    selection: request.selection,
  };
  const planFlow = (row: ListRow, exported?: ExportResult): PlanFlow => {
    const base: PlanFlow = {
      id: row.id, name: row.name, type: row.type,
      ...(row.division ? { division: { id: row.division.id, name: row.division.name } } : {}),
      ...(row.publishedVersion ? { publishedVersion: row.publishedVersion } : {}),
      state: row.state,
      ...(row.detail ? { reason: row.detail } : {}),
    };
    if (!isTarget(row.state)) return base;
    if (exported?.yaml === undefined) return { ...base, state: 'UNPARSEABLE', reason: `export failed: ${exported?.error ?? 'no result'}` };
    return { ...base, ...planOne(exported.yaml, row, change, moduleInfo) };
  };
  return { header, planFlow };
}

function planOne(yaml: string, row: ListRow, change: Change, moduleInfo: ModuleInfo): Partial<PlanFlow> {
  const digest = sha256(yaml);
  let flowChange = change;
  let mapping: CallMapping | undefined;
  if (change.kind === 'replace') {
    // The old call's inputs/outputs are carried over where the new module has them; --input/--output win.
    const old = readCallMapping(yaml, change.replaces.name);
    const known = new Set(moduleInfo.inputs.map((p) => p.name));
    const knownOut = new Set(moduleInfo.outputs.map((p) => p.name));
    const carried = Object.fromEntries(Object.entries(old?.inputs ?? {}).filter(([name]) => known.has(name)));
    const carriedOut = Object.fromEntries(Object.entries(old?.outputs ?? {}).filter(([name]) => knownOut.has(name)));
    mapping = { inputs: { ...carried, ...change.inputs }, outputs: { ...carriedOut, ...change.outputs } };
    flowChange = { ...change, inputs: mapping.inputs ?? {}, outputs: mapping.outputs ?? {} };
  } else if (change.kind === 'add') {
    mapping = { inputs: change.inputs, outputs: change.outputs };
  }
  const edit = editFlow(flowChange, yaml, row);
  if (!edit.ok) return { state: ENGINE_STATE[edit.status] ?? 'UNPARSEABLE', reason: edit.reason, sha256: digest };
  if (mapping) {
    // replace checks required inputs per flow (some are carried from the old call); add checked them for all.
    const problems = validateCall(flowInfoFromYaml(yaml), moduleInfo, mapping).problems
      .filter((p) => !MAPPING_PROBLEMS.has(p.code) || (change.kind === 'replace' && p.code === 'MISSING_REQUIRED_INPUT'));
    const incompatible = problems.find((p) => p.code === 'INCOMPATIBLE_TYPE');
    if (incompatible) return { state: 'INCOMPATIBLE_TYPE', reason: incompatible.message, sha256: digest };
    // Inputs missing, or outputs this flow cannot receive (undeclared or mistyped variables): the call cannot be wired.
    if (problems.length > 0) return { state: 'MISSING_REQUIRED_INPUTS', reason: problems.map((p) => p.message).join('; '), sha256: digest };
  }
  const where = edit.where ? { reason: `${change.kind === 'remove' ? 'call removed from' : 'call at'} ${edit.where}` } : {};
  return {
    state: row.state, sha256: digest, original: yaml, diff: storedDiff(edit.diff), ...where,
    ...(change.kind === 'replace' && mapping ? { mapping: { inputs: mapping.inputs ?? {}, outputs: mapping.outputs ?? {} } } : {}),
  };
}

/** The mapping must suit the module before any flow is looked at: required inputs, known names, literal types. */
function checkMapping(moduleInfo: ModuleInfo, mapping: CallMapping, request: PlanRequest): void {
  const kind = request.kind ?? 'add';
  if (kind === 'remove' || kind === 'refresh') return; // no call is written: nothing to map
  if (request.typesExplicit) {
    const unusable = request.selectors.types.filter((type) => !allowsFlowType(moduleInfo, type));
    if (unusable.length === request.selectors.types.length) {
      throw new PlanError(
        `common module '${moduleInfo.name}' cannot be called from ${unusable.join(', ')} flows (compatible: ${moduleInfo.compatibleFlowTypes.join(', ')})`);
    }
  }
  const anyType = moduleInfo.compatibleFlowTypes[0];
  const problems = validateCall({ type: anyType as never, archyKey: '', name: undefined, variables: [] }, moduleInfo, mapping)
    .problems.filter((p) => MAPPING_PROBLEMS.has(p.code) && !(kind === 'replace' && p.code === 'MISSING_REQUIRED_INPUT'));
  if (problems.length > 0) throw new PlanError(problems.map((p) => p.message).join('; '));
}
