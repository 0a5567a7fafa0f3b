import type { CallSpec } from './call-block.js';
import type { InputValue, InsertOptions, OutputTarget, Placement } from './types.js';

export interface InsertRequest extends CallSpec {
  placement: Placement;
  fileName: string;
}

/** Checks and completes an insert request; a reason when it cannot be written as Archy YAML. */
export function normaliseRequest(opts: InsertOptions): InsertRequest | string {
  if (typeof opts.module !== 'string' || opts.module.length === 0) return 'the module name is empty';
  const placement = opts.placement ?? { at: 'start' };
  const anchor = 'before' in placement ? placement.before : 'after' in placement ? placement.after : undefined;
  if (!('at' in placement && placement.at === 'start') && (typeof anchor !== 'string' || anchor.length === 0)) {
    return 'placement must be { at: "start" }, { before: ACTION } or { after: ACTION }';
  }
  const actionName = opts.actionName ?? `Call ${opts.module}`;
  if (typeof actionName !== 'string' || actionName.length === 0) return 'the action name is empty';
  const inputs: Record<string, InputValue> = {};
  for (const [name, value] of Object.entries(opts.inputs ?? {})) {
    if (name.length === 0) return 'an input has an empty name';
    const kinds = (['exp', 'lit', 'noValue'] as const).filter((k) => value?.[k] !== undefined);
    if (kinds.length !== 1) return `input ${name} must have exactly one of exp, lit, noValue`;
    if (value.exp !== undefined && typeof value.exp !== 'string') return `input ${name}: exp must be a string`;
    if (value.noValue !== undefined && value.noValue !== true) return `input ${name}: noValue must be true`;
    if (value.lit !== undefined) {
      const t = typeof value.lit;
      if (t === 'number' && !Number.isFinite(value.lit)) return `input ${name}: lit must be a finite number`;
      if (t !== 'string' && t !== 'number' && t !== 'boolean') return `input ${name}: lit must be a string, number or boolean`;
      // -0 reads back as 0; write what will be read.
      inputs[name] = { lit: Object.is(value.lit, -0) ? 0 : value.lit };
      continue;
    }
    inputs[name] = value.exp !== undefined ? { exp: value.exp } : { noValue: true };
  }
  const outputs: Record<string, OutputTarget> = {};
  for (const [name, target] of Object.entries(opts.outputs ?? {})) {
    if (name.length === 0) return 'an output has an empty name';
    if (typeof target?.var !== 'string' || target.var.length === 0) return `output ${name} needs a variable name (var)`;
    outputs[name] = { var: target.var };
  }
  return { module: opts.module, actionName, inputs, outputs, placement, fileName: opts.fileName ?? 'flow.yaml' };
}
