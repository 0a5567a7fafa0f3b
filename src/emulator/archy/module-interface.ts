import { isRecord } from './parse.js';

/** What a common module shows through the API: its input/output JSON schemas and compatible flow types. */
export interface ModuleInterface {
  inputSchema: ArchSchemaObject;
  outputSchema: ArchSchemaObject;
  /** Lowercase flow types, as Archy writes them under settingsCommonModule.compatibleFlowTypes. */
  compatibleFlowTypes: string[];
  /** Inputs the module author marked `isRequired: true` (see isRequiredInput); a publish does not enforce them. */
  requiredInputs: string[];
}

/** One property of a flow's input/output schema, as Genesys writes it (genesys-api.md §15.4). */
export interface ArchSchemaProperty {
  description?: string;
  $ref: string;
  name: string;
  required: boolean;
}

/** A flow's `inputSchema` / `outputSchema`: JSON schema draft-07 whose property types are `$ref`s to `arch*` definitions. */
export interface ArchSchemaObject {
  $schema: string;
  title: string;
  description: string;
  type: 'object';
  properties: Record<string, ArchSchemaProperty>;
  additionalProperties: false;
  definitions: Record<string, Record<string, unknown>>;
}

/*
 * The schema text of a real common module (BP-merge export, `uiMetaData.commonModuleFlows[0].inputSchema`, [V]):
 * properties keyed by the variable name, `{"$ref": "#/definitions/archString", "name": ..., "required": false}`,
 * and a `definitions` block holding only the types used, each with its `archDataTypeId`.
 */
const INPUT_DESCRIPTION =
  'Schema defining flow input parameters.  Property names map to flow scoped variables marked as a flow input.  ' +
  'If you do not supply a property value for an input variable, the variable value will be set to the initial value ' +
  'configured on it in the flow at flow startup.';
const OUTPUT_DESCRIPTION =
  'Schema defining flow output parameters.  Property names map to flow scoped variables marked as a flow output.';

/**
 * Archy variable kind -> schema definition name and `archDataTypeId`. string/str and boolean/bln are seen in a real
 * export [V]; integer/int and duration/dur are data type ids seen in the same export's configuration JSON, their
 * definition names are inferred; the rest (names and ids) are inferred [I] (docs/emulator.md).
 */
export const ARCH_TYPES: Record<string, { definition: string; id: string; json: Record<string, unknown> }> = {
  string: { definition: 'archString', id: 'str', json: { type: 'string', maxLength: 32000 } },
  boolean: { definition: 'archBoolean', id: 'bln', json: { type: 'boolean' } },
  integer: { definition: 'archInteger', id: 'int', json: { type: 'integer' } },
  decimal: { definition: 'archDecimal', id: 'dec', json: { type: 'number' } },
  duration: { definition: 'archDuration', id: 'dur', json: { type: 'string' } },
  date: { definition: 'archDate', id: 'date', json: { type: 'string', format: 'date' } },
  dateTime: { definition: 'archDateTime', id: 'datetime', json: { type: 'string', format: 'date-time' } },
  time: { definition: 'archTime', id: 'time', json: { type: 'string' } },
  json: { definition: 'archJson', id: 'json', json: { type: 'object' } },
};

/**
 * EMULATOR CONVENTION (docs/emulator.md): an input is marked required when its module variable says
 * `isRequired: true` next to `isInput: true`; the schema property then carries `required: true`. No public source
 * shows how Genesys marks a required module input (a real export has `required: false` everywhere), and an unmapped
 * input is not an import failure: it takes its initial value.
 */
export function isRequiredInput(variable: Record<string, unknown>): boolean {
  return variable.isInput === true && variable.isRequired === true;
}

function emptySchema(title: string, description: string): ArchSchemaObject {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title,
    description,
    type: 'object',
    properties: {},
    additionalProperties: false,
    definitions: {},
  };
}

export function emptyInputSchema(): ArchSchemaObject {
  return emptySchema('Flow input schema', INPUT_DESCRIPTION);
}

export function emptyOutputSchema(): ArchSchemaObject {
  return emptySchema('Flow output schema', OUTPUT_DESCRIPTION);
}

function scalarDefinition(base: string): { name: string; body: Record<string, unknown> } {
  const type = ARCH_TYPES[base] ?? (ARCH_TYPES.string as (typeof ARCH_TYPES)[string]);
  return {
    name: type.definition,
    body: { archDataTypeId: type.id, oneOf: [{ type: 'null', description: `A NOT_SET ${base} value.` }, { ...type.json }] },
  };
}

/**
 * Adds the definition(s) a variable kind needs to `schema` and returns its `$ref`. `stringVariable` ->
 * `#/definitions/archString`; `integerCollectionVariable` -> `#/definitions/archIntegerCollection`, an array of
 * `archInteger` [I]; unknown kinds -> archString.
 */
export function addDefinitionForKind(schema: ArchSchemaObject, kind: string): string {
  const collection = /^(.*)CollectionVariable$/.exec(kind);
  const base = collection ? (collection[1] as string) : (/^(.*)Variable$/.exec(kind)?.[1] ?? kind);
  const scalar = scalarDefinition(ARCH_TYPES[base] ? base : 'string');
  schema.definitions[scalar.name] ??= scalar.body;
  if (!collection) return `#/definitions/${scalar.name}`;
  const name = `${scalar.name}Collection`;
  schema.definitions[name] ??= {
    archDataTypeId: `${scalar.body.archDataTypeId as string}[]`,
    oneOf: [{ type: 'null' }, { type: 'array', items: { $ref: `#/definitions/${scalar.name}` } }],
  };
  return `#/definitions/${name}`;
}

function addProperty(schema: ArchSchemaObject, kind: string, variable: Record<string, unknown> & { name: string }, required: boolean): void {
  const $ref = addDefinitionForKind(schema, kind);
  schema.properties[variable.name] = {
    ...(typeof variable.description === 'string' ? { description: variable.description } : {}),
    $ref,
    name: variable.name,
    required,
  };
}

/** Reads a `commonModule:` document body (the value under the top key). */
export function readModuleInterface(body: unknown): ModuleInterface {
  const inputs = emptyInputSchema();
  const outputs = emptyOutputSchema();
  const requiredInputs: string[] = [];
  const variables = isRecord(body) && Array.isArray(body.variables) ? body.variables : [];
  for (const entry of variables) {
    if (!isRecord(entry)) continue;
    const kind = Object.keys(entry)[0];
    const variable = kind === undefined ? undefined : entry[kind];
    if (kind === undefined || !isRecord(variable) || typeof variable.name !== 'string') continue;
    const named = variable as Record<string, unknown> & { name: string };
    if (variable.isInput === true) {
      const required = isRequiredInput(variable);
      addProperty(inputs, kind, named, required);
      if (required) requiredInputs.push(named.name);
    }
    if (variable.isOutput === true) addProperty(outputs, kind, named, false);
  }
  const settings = isRecord(body) && isRecord(body.settingsCommonModule) ? body.settingsCommonModule : {};
  const compatible = Array.isArray(settings.compatibleFlowTypes) ? settings.compatibleFlowTypes : [];
  const compatibleFlowTypes = compatible
    .map((item) => (isRecord(item) && typeof item.flowType === 'string' ? item.flowType.toLowerCase() : undefined))
    .filter((t): t is string => t !== undefined);
  return { inputSchema: inputs, outputSchema: outputs, compatibleFlowTypes, requiredInputs };
}
