/** What a common module offers, as read from its Genesys `Flow` object (listed with includeSchemas=true). */
export interface ModuleParam {
  name: string;
  /** Normalised type: `string`, `boolean`, `integer`, `decimal`, `stringCollection`…; undefined when unknown. */
  type: string | undefined;
  /** The module author marked it required (the schema property's `required: true`). */
  required: boolean;
}

export interface ModuleInfo {
  name: string;
  /** Lower-cased flow types the module may be called from; empty: not known (see allowsFlowType). */
  compatibleFlowTypes: string[];
  inputs: ModuleParam[];
  outputs: ModuleParam[];
}

interface SchemaLike {
  properties?: Record<string, unknown>;
  required?: unknown;
  definitions?: Record<string, unknown>;
}

export interface FlowLike {
  name: string;
  compatibleFlowTypes?: string[];
  inputSchema?: unknown;
  outputSchema?: unknown;
}

/**
 * THE compatibility rule, used by `list`, `plan` and call validation alike: a module whose `compatibleFlowTypes`
 * is absent or empty allows every flow type. The field is on `Flow` and `FlowVersion` in the SDK, but whether list
 * answers fill it is unverified and the module object in a real export has none (genesys-api.md §15.5), so absent
 * means "unknown", and unknown is not a reason to refuse a flow: the import job has the last word.
 */
export function allowsFlowType(module: { compatibleFlowTypes?: readonly string[] | undefined }, flowType: string): boolean {
  const allowed = module.compatibleFlowTypes;
  if (!allowed || allowed.length === 0) return true;
  const wanted = flowType.toLowerCase();
  return allowed.some((type) => type.toLowerCase() === wanted);
}

/** True when the module names no compatible flow types (allowsFlowType then allows all). */
export function compatibleTypesUnknown(module: { compatibleFlowTypes?: readonly string[] | undefined }): boolean {
  return !module.compatibleFlowTypes || module.compatibleFlowTypes.length === 0;
}

// JSON-schema type -> Archy variable type word (archy-yaml.md §1.1: stringVariable, decimalVariable, …).
const JSON_TYPE: Record<string, string> = { string: 'string', boolean: 'boolean', integer: 'integer', number: 'decimal' };

/**
 * `archDataTypeId` -> type word. `str` and `bln` are seen in a real export [V]; `int` and `dur` are data type ids in
 * the same export's configuration JSON [V]; `dec`, `date`, `datetime`, `time`, `json` are inferred [I].
 */
const ARCH_DATA_TYPE: Record<string, string> = {
  str: 'string', bln: 'boolean', int: 'integer', dec: 'decimal', dur: 'duration',
  date: 'date', datetime: 'dateTime', time: 'time', json: 'json',
};

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `archString` -> string, `archDateTime` -> dateTime, `archIntegerCollection` -> integerCollection. */
function typeFromDefinitionName(name: string): string | undefined {
  const match = /^arch([A-Z][A-Za-z]*?)(Collection)?$/.exec(name);
  if (!match) return undefined;
  const base = (match[1] as string).charAt(0).toLowerCase() + (match[1] as string).slice(1);
  return match[2] ? `${base}Collection` : base;
}

/** `str` -> string, `str[]` -> stringCollection; unknown ids -> undefined. */
function typeFromDataTypeId(id: unknown): string | undefined {
  if (typeof id !== 'string') return undefined;
  const collection = id.endsWith('[]');
  const base = ARCH_DATA_TYPE[collection ? id.slice(0, -2) : id];
  return base && collection ? `${base}Collection` : base;
}

/** The old `{type: "string"}` / `{type: "array", items: {type}}` shape. */
function typeFromJsonType(prop: Record<string, unknown>): string | undefined {
  const t = prop.type;
  if (typeof t !== 'string') return undefined;
  if (t === 'array') {
    const items = isObject(prop.items) && typeof prop.items.type === 'string' ? JSON_TYPE[prop.items.type] : undefined;
    return items ? `${items}Collection` : undefined;
  }
  return JSON_TYPE[t];
}

/**
 * A schema property's type. The real shape (genesys-api.md §15.4) is `{"$ref": "#/definitions/archString", …}` with
 * the definition carrying `archDataTypeId`; read in that order: the `$ref` name, an `archDataTypeId` on the property
 * or on its definition, then the JSON-schema `type` of older or hand-made schemas.
 */
export function schemaType(prop: unknown, definitions: Record<string, unknown> = {}): string | undefined {
  if (!isObject(prop)) return undefined;
  const ref = typeof prop.$ref === 'string' ? /^#\/definitions\/(.+)$/.exec(prop.$ref)?.[1] : undefined;
  const definition = ref !== undefined && isObject(definitions[ref]) ? (definitions[ref] as Record<string, unknown>) : undefined;
  return (ref !== undefined ? typeFromDefinitionName(ref) : undefined)
    ?? typeFromDataTypeId(prop.archDataTypeId)
    ?? typeFromDataTypeId(definition?.archDataTypeId)
    ?? typeFromJsonType(prop);
}

function params(schema: unknown): ModuleParam[] {
  const s: SchemaLike = isObject(schema) ? schema : {};
  // A top-level `required` array (plain JSON schema) still counts; the real shape marks each property.
  const listed = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
  const definitions = isObject(s.definitions) ? s.definitions : {};
  return Object.entries(isObject(s.properties) ? s.properties : {}).map(([name, prop]) => ({
    name,
    type: schemaType(prop, definitions),
    required: (isObject(prop) && prop.required === true) || listed.has(name),
  }));
}

export function moduleInfoFromFlow(flow: FlowLike): ModuleInfo {
  return {
    name: flow.name,
    compatibleFlowTypes: (flow.compatibleFlowTypes ?? []).map((t) => t.toLowerCase()),
    inputs: params(flow.inputSchema),
    outputs: params(flow.outputSchema),
  };
}
