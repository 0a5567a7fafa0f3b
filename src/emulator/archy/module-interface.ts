import { isRecord } from './parse.js';

/** What a common module shows through the API: its input/output JSON schemas and compatible flow types. */
export interface ModuleInterface {
  inputSchema: JsonSchemaObject;
  outputSchema: JsonSchemaObject;
  /** Lowercase flow types, as Archy writes them under settingsCommonModule.compatibleFlowTypes. */
  compatibleFlowTypes: string[];
  /** Inputs with nothing to fall back on (see requiredInputRule). */
  requiredInputs: string[];
}

export interface JsonSchemaObject {
  type: 'object';
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  additionalProperties: boolean;
}

/**
 * EMULATOR CONVENTION (docs/emulator.md): an input is required when its variable has `isInput: true` and its
 * `initialValue` is `noValue: true`, because the module would otherwise run with nothing in it.
 */
export function isRequiredInput(variable: Record<string, unknown>): boolean {
  return variable.isInput === true && isRecord(variable.initialValue) && variable.initialValue.noValue === true;
}

const SCALAR_JSON_TYPE: Record<string, Record<string, unknown>> = {
  string: { type: 'string' },
  boolean: { type: 'boolean' },
  integer: { type: 'integer' },
  decimal: { type: 'number' },
  json: { type: 'object' },
};

/** `stringVariable` -> string, `integerCollectionVariable` -> array of integer; unknown kinds -> string. */
export function jsonSchemaForVariableKind(kind: string): Record<string, unknown> {
  const collection = /^(.*)CollectionVariable$/.exec(kind);
  if (collection) return { type: 'array', items: jsonSchemaForVariableKind(`${collection[1]}Variable`) };
  const base = /^(.*)Variable$/.exec(kind)?.[1] ?? kind;
  return { ...(SCALAR_JSON_TYPE[base] ?? { type: 'string' }) };
}

/** Reads a `commonModule:` document body (the value under the top key). */
export function readModuleInterface(body: unknown): ModuleInterface {
  const inputs: JsonSchemaObject = { type: 'object', properties: {}, additionalProperties: false };
  const outputs: JsonSchemaObject = { type: 'object', properties: {}, additionalProperties: false };
  const requiredInputs: string[] = [];
  const variables = isRecord(body) && Array.isArray(body.variables) ? body.variables : [];
  for (const entry of variables) {
    if (!isRecord(entry)) continue;
    const kind = Object.keys(entry)[0];
    const variable = kind === undefined ? undefined : entry[kind];
    if (kind === undefined || !isRecord(variable) || typeof variable.name !== 'string') continue;
    const schema = jsonSchemaForVariableKind(kind);
    if (typeof variable.description === 'string') schema.description = variable.description;
    if (variable.isInput === true) {
      inputs.properties[variable.name] = schema;
      if (isRequiredInput(variable)) requiredInputs.push(variable.name);
    }
    if (variable.isOutput === true) outputs.properties[variable.name] = { ...schema };
  }
  if (requiredInputs.length > 0) inputs.required = requiredInputs;
  const settings = isRecord(body) && isRecord(body.settingsCommonModule) ? body.settingsCommonModule : {};
  const compatible = Array.isArray(settings.compatibleFlowTypes) ? settings.compatibleFlowTypes : [];
  const compatibleFlowTypes = compatible
    .map((item) => (isRecord(item) && typeof item.flowType === 'string' ? item.flowType.toLowerCase() : undefined))
    .filter((t): t is string => t !== undefined);
  return { inputSchema: inputs, outputSchema: outputs, compatibleFlowTypes, requiredInputs };
}
