import type { GenesysClient } from '../client/index.js';
import { collectListRows } from './list-flows.js';
import { CliError, EXIT } from '../cli/errors.js';
import {
  flowInfoFromYaml, insertModuleCall, moduleInfoFromFlow, validateCall,
  type CallMapping, type InsertStatus, type ModuleInfo,
} from '../flow/index.js';
import { allowsFlowType } from '../flow/module-info.js';
import type { EligibilityState } from './eligibility.js';
import { sealPlan, sha256, type InputValue, type Placement, type PlanFile, type PlanFlow } from './plan-file.js';
import type { FlowSelectors } from './select.js';
import { forTerminal } from '../shared/terminal-text.js';

export interface PlanRequest {
  moduleName: string;
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

/** Problems with the mapping itself (not with one flow): the whole plan is refused with one line. */
const MAPPING_PROBLEMS = new Set(['MISSING_REQUIRED_INPUT', 'UNKNOWN_INPUT', 'INVALID_INPUT_VALUE', 'UNKNOWN_OUTPUT']);

const ENGINE_STATE: Partial<Record<InsertStatus, EligibilityState>> = {
  'already-present': 'ALREADY_CALLS_MODULE',
  ANCHOR_NOT_FOUND: 'ANCHOR_NOT_FOUND',
};

/**
 * Makes a plan: finds the module, selects and classifies the flows (metadata, then content), exports the published
 * versions of the candidates in batched export jobs and computes each new YAML with the flow engine. Reads only.
 */
export async function buildPlan(client: GenesysClient, request: PlanRequest): Promise<PlanFile> {
  const module = await client.flows.findByName(request.moduleName, 'commonmodule', { includeSchemas: true });
  if (!module) throw new CliError(`common module '${request.moduleName}' not found (names are exact and case-sensitive)`, EXIT.USAGE);
  if (!module.publishedVersion) throw new CliError(`common module '${module.name}' has never been published; publish it first`, EXIT.USAGE);
  const moduleInfo = moduleInfoFromFlow(module);
  const mapping: CallMapping = { inputs: request.inputs, outputs: request.outputs };
  checkMapping(moduleInfo, mapping, request);

  const listed = await collectListRows(client, request.selectors, module.name, { knownModules: [module] });
  const candidates = listed.rows.filter((row) => row.state === 'ELIGIBLE');
  const exported = new Map(
    (await client.exportJobs.exportFlows(candidates.map((row) => ({ id: row.id, version: row.publishedVersion as string }))))
      .map((result) => [result.flowId, result]),
  );

  const flows: PlanFlow[] = listed.rows.map((row) => {
    const base: PlanFlow = {
      id: row.id, name: row.name, type: row.type,
      ...(row.division ? { division: { id: row.division.id, name: row.division.name } } : {}),
      ...(row.publishedVersion ? { publishedVersion: row.publishedVersion } : {}),
      state: row.state,
      ...(row.detail ? { reason: row.detail } : {}),
    };
    if (row.state !== 'ELIGIBLE') return base;
    const result = exported.get(row.id);
    if (!result || !result.ok) return { ...base, state: 'UNPARSEABLE', reason: `export failed: ${result && !result.ok ? result.error : 'no result'}` };
    return { ...base, ...planOne(result.yaml, row.name, row.type, module.name, moduleInfo, mapping, request) };
  });

  return sealPlan({
    kind: 'flowlink-plan', formatVersion: 1, createdAt: new Date().toISOString(),
    environment: client.environment.apiBaseUrl,
    module: { id: module.id, name: module.name, publishedVersion: module.publishedVersion.id },
    placement: request.placement, inputs: request.inputs, outputs: request.outputs,
    ...(request.actionName ? { actionName: request.actionName } : {}),
    selection: request.selection, flows,
  });
}

function planOne(
  yaml: string, name: string, type: string, moduleName: string, moduleInfo: ModuleInfo, mapping: CallMapping, request: PlanRequest,
): Partial<PlanFlow> {
  const digest = sha256(yaml);
  const edit = insertModuleCall(yaml, {
    module: moduleName, placement: request.placement, inputs: request.inputs, outputs: request.outputs,
    ...(request.actionName ? { actionName: request.actionName } : {}),
    // The diff's header names the flow: a newline or escape sequence in a name must not forge diff lines.
    fileName: `${forTerminal(name)}.${type}.yaml`,
  });
  if (edit.status !== 'inserted') {
    return { state: ENGINE_STATE[edit.status] ?? 'UNPARSEABLE', reason: edit.reason ?? edit.status, sha256: digest };
  }
  const problems = validateCall(flowInfoFromYaml(yaml), moduleInfo, mapping).problems.filter((p) => !MAPPING_PROBLEMS.has(p.code));
  const incompatible = problems.find((p) => p.code === 'INCOMPATIBLE_TYPE');
  if (incompatible) return { state: 'INCOMPATIBLE_TYPE', reason: incompatible.message, sha256: digest };
  // Outputs that this flow cannot receive (undeclared or mistyped variables): the call cannot be wired here.
  if (problems.length > 0) return { state: 'MISSING_REQUIRED_INPUTS', reason: problems.map((p) => p.message).join('; '), sha256: digest };
  return { state: 'ELIGIBLE', sha256: digest, original: yaml, updated: edit.yaml, diff: edit.diff, ...(edit.where ? { reason: `call at ${edit.where}` } : {}) };
}

/** The mapping must suit the module before any flow is looked at: required inputs, known names, literal types. */
function checkMapping(moduleInfo: ModuleInfo, mapping: CallMapping, request: PlanRequest): void {
  if (request.typesExplicit) {
    const unusable = request.selectors.types.filter((type) => !allowsFlowType(moduleInfo, type));
    if (unusable.length === request.selectors.types.length) {
      throw new CliError(
        `common module '${moduleInfo.name}' cannot be called from ${unusable.join(', ')} flows (compatible: ${moduleInfo.compatibleFlowTypes.join(', ')})`,
        EXIT.USAGE,
      );
    }
  }
  const anyType = moduleInfo.compatibleFlowTypes[0];
  const problems = validateCall({ type: anyType as never, archyKey: '', name: undefined, variables: [] }, moduleInfo, mapping)
    .problems.filter((p) => MAPPING_PROBLEMS.has(p.code));
  if (problems.length > 0) throw new CliError(problems.map((p) => p.message).join('; '), EXIT.USAGE);
}
