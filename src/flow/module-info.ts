/** What a common module offers, as read from its Genesys `Flow` object (listed with includeSchemas=true). */
export interface ModuleParam {
  name: string;
  /** Normalised type: `string`, `boolean`, `integer`, `decimal`, `stringCollection`…; undefined when unknown. */
  type: string | undefined;
  required: boolean;
}

export interface ModuleInfo {
  name: string;
  /** Lower-cased flow types the module may be called from. */
  compatibleFlowTypes: string[];
  inputs: ModuleParam[];
  outputs: ModuleParam[];
}

interface JsonSchemaLike {
  properties?: Record<string, { type?: unknown; items?: { type?: unknown } } | undefined>;
  required?: unknown;
}

export interface FlowLike {
  name: string;
  compatibleFlowTypes?: string[];
  inputSchema?: unknown;
  outputSchema?: unknown;
}

// JSON-schema type -> Archy variable type word (archy-yaml.md §1.1: stringVariable, decimalVariable, …).
const ARCHY_TYPE: Record<string, string> = { string: 'string', boolean: 'boolean', integer: 'integer', number: 'decimal' };

export function schemaType(prop: { type?: unknown; items?: { type?: unknown } } | undefined): string | undefined {
  const t = prop?.type;
  if (typeof t !== 'string') return undefined;
  if (t === 'array') {
    const inner = typeof prop?.items?.type === 'string' ? ARCHY_TYPE[prop.items.type as string] : undefined;
    return inner ? `${inner}Collection` : undefined;
  }
  return ARCHY_TYPE[t];
}

function params(schema: unknown): ModuleParam[] {
  const s = (schema ?? {}) as JsonSchemaLike;
  const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({ name, type: schemaType(prop), required: required.has(name) }));
}

export function moduleInfoFromFlow(flow: FlowLike): ModuleInfo {
  return {
    name: flow.name,
    compatibleFlowTypes: (flow.compatibleFlowTypes ?? []).map((t) => t.toLowerCase()),
    inputs: params(flow.inputSchema),
    outputs: params(flow.outputSchema),
  };
}
