import { typeForArchyKey, type FlowType } from '../../genesys/flow-types.js';
import { parseArchy, isRecord } from './parse.js';

/** The facts an import needs from an Archy document, or the reasons it cannot be imported. */
export interface FlowDocument {
  type: FlowType;
  name: string;
  /** `division:` as written (a division name), when present. */
  division: string | undefined;
  description: string | undefined;
  /** The document as plain data (the value of the single top-level key is `body`). */
  value: Record<string, unknown>;
  body: unknown;
}

export type ReadResult = { ok: true; doc: FlowDocument } | { ok: false; errors: string[]; name?: string };

export function readFlowDocument(text: string): ReadResult {
  const parsed = parseArchy(text);
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors.map((e) => `YAML parse error: ${e}`) };
  const value = parsed.value;
  if (!isRecord(value)) return { ok: false, errors: ['The document is not a YAML mapping with a flow type key.'] };
  const keys = Object.keys(value);
  if (keys.length !== 1) {
    return { ok: false, errors: [`The document must have exactly one top-level key naming the flow type (found ${keys.length}).`] };
  }
  const key = keys[0] as string;
  const type = typeForArchyKey(key);
  if (!type) return { ok: false, errors: [`Unknown flow type key '${key}'.`] };
  const body = value[key];
  const name = isRecord(body) ? body.name : undefined;
  const errors: string[] = [];
  for (const placeholder of parsed.barePlaceholders) {
    errors.push(`Unsubstituted placeholder ${placeholder}: substitutions must be replaced before import.`);
  }
  if (typeof name !== 'string' || name.trim() === '') errors.push(`The flow has no name (${key}.name must be a string).`);
  else if (/\{\{[^{}]*\}\}/.test(name)) errors.push(`The flow name '${name}' contains an unsubstituted placeholder.`);
  if (errors.length > 0) return { ok: false, errors, ...(typeof name === 'string' ? { name } : {}) };
  const division = isRecord(body) && typeof body.division === 'string' ? body.division : undefined;
  const description = isRecord(body) && typeof body.description === 'string' ? body.description : undefined;
  return { ok: true, doc: { type, name: name as string, division, description, value, body } };
}
