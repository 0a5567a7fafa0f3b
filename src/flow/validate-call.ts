import type { FlowInfo } from './flow-info.js';
import { allowsFlowType, type ModuleInfo } from './module-info.js';
import type { InputValue, OutputTarget } from './types.js';

export type ProblemCode =
  | 'INCOMPATIBLE_TYPE'
  | 'MISSING_REQUIRED_INPUT'
  | 'UNKNOWN_INPUT'
  | 'INVALID_INPUT_VALUE'
  | 'INPUT_TYPE_MISMATCH'
  | 'UNKNOWN_OUTPUT'
  | 'UNKNOWN_VARIABLE'
  | 'OUTPUT_TYPE_MISMATCH';

export interface Problem {
  code: ProblemCode;
  message: string;
}

export interface CallMapping {
  inputs?: Record<string, InputValue>;
  outputs?: Record<string, OutputTarget>;
}

function litMatches(lit: string | number | boolean, type: string | undefined): boolean {
  switch (type) {
    case 'string':
      return typeof lit === 'string';
    case 'boolean':
      return typeof lit === 'boolean';
    case 'integer':
      return typeof lit === 'number' && Number.isInteger(lit);
    case 'decimal':
      return typeof lit === 'number';
    default:
      return true; // a type flowlink cannot check a literal against; the import job will
  }
}

/**
 * Whether a call of `module` with `mapping` can go into the flow: compatible flow type, every required input
 * mapped with a value, no unknown inputs/outputs, literals of the input's type, outputs written only to variables
 * declared in the flow with the output's type. Task./State. variables are accepted when declared in any task or
 * state (the info is per flow, not per placement). One problem per finding.
 */
export function validateCall(flow: FlowInfo, module: ModuleInfo, mapping: CallMapping): { ok: boolean; problems: Problem[] } {
  const problems: Problem[] = [];
  const add = (code: ProblemCode, message: string): void => void problems.push({ code, message });
  const flowType = flow.type;
  // An unknown flow type is refused only when the module names its types (allowsFlowType: none named = all allowed).
  if (flowType ? !allowsFlowType(module, flowType) : module.compatibleFlowTypes.length > 0) {
    add('INCOMPATIBLE_TYPE', `${module.name} can be called from ${module.compatibleFlowTypes.join(', ')}, not from ${flowType ?? flow.archyKey}`);
  }
  const inputs = mapping.inputs ?? {};
  const outputs = mapping.outputs ?? {};
  const moduleInputs = new Map(module.inputs.map((p) => [p.name, p]));
  const moduleOutputs = new Map(module.outputs.map((p) => [p.name, p]));

  for (const param of module.inputs) {
    const v = inputs[param.name];
    if (param.required && (v === undefined || v.noValue)) add('MISSING_REQUIRED_INPUT', `required input ${param.name} of ${module.name} is not mapped to a value`);
  }
  for (const [name, value] of Object.entries(inputs)) {
    const param = moduleInputs.get(name);
    if (!param) {
      add('UNKNOWN_INPUT', `${module.name} has no input ${name}${module.inputs.length ? ` (inputs: ${module.inputs.map((p) => p.name).join(', ')})` : ''}`);
      continue;
    }
    const kinds = (['exp', 'lit', 'noValue'] as const).filter((k) => value?.[k] !== undefined);
    if (kinds.length !== 1) add('INVALID_INPUT_VALUE', `input ${name} must have exactly one of exp, lit, noValue`);
    else if (value.lit !== undefined && !litMatches(value.lit, param.type)) {
      add('INPUT_TYPE_MISMATCH', `input ${name} is ${param.type}; literal ${JSON.stringify(value.lit)} is not`);
    }
  }
  const variables = new Map(flow.variables.map((v) => [v.name, v]));
  for (const [name, target] of Object.entries(outputs)) {
    const param = moduleOutputs.get(name);
    if (!param) {
      add('UNKNOWN_OUTPUT', `${module.name} has no output ${name}${module.outputs.length ? ` (outputs: ${module.outputs.map((p) => p.name).join(', ')})` : ''}`);
      continue;
    }
    const variable = variables.get(target.var);
    if (!variable) add('UNKNOWN_VARIABLE', `output ${name} goes to ${target.var}, which the flow does not declare`);
    else if (param.type !== undefined && variable.type !== param.type) {
      add('OUTPUT_TYPE_MISMATCH', `output ${name} is ${param.type} but ${target.var} is ${variable.type}`);
    }
  }
  return { ok: problems.length === 0, problems };
}
