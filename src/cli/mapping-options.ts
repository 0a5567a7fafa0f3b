import { InvalidArgumentError, type Command } from 'commander';
import type { InputValue, Placement } from '../rollout/plan-file.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** `--at start | --before ACTION | --after ACTION`, `--input`, `--input-lit`, `--output`, `--action-name`. */
export function addPlacementAndMappingOptions(command: Command): Command {
  return command
    .option('--at <where>', 'where the call goes: start (first action of the startup task or state)')
    .option('--before <action>', 'before the first action of this type or name on the startup path')
    .option('--after <action>', 'after the first action of this type or name on the startup path')
    .option('--input <name=expression>', "module input from an Archy expression, e.g. 'Common.reason=Call.Ani' (repeatable)", collect)
    .option('--input-lit <name=text>', "module input as a literal string, e.g. 'Common.reason=Sales rollout' (repeatable)", collect)
    .option('--output <name=variable>', "module output into a flow variable, e.g. 'Common.handled=Flow.Handled' (repeatable)", collect)
    .option('--action-name <name>', 'name of the new Call Common Module action (default: Call <module>)');
}

export interface PlacementAndMappingValues {
  at?: string;
  before?: string;
  after?: string;
  input?: string[];
  inputLit?: string[];
  output?: string[];
  actionName?: string;
}

export function placementFromOptions(values: PlacementAndMappingValues): Placement {
  const given = [values.at !== undefined, values.before !== undefined, values.after !== undefined].filter(Boolean).length;
  if (given > 1) throw new InvalidArgumentError('use only one of --at, --before and --after');
  if (values.before !== undefined) return { before: nonEmpty(values.before, '--before') };
  if (values.after !== undefined) return { after: nonEmpty(values.after, '--after') };
  if (values.at !== undefined && values.at !== 'start') throw new InvalidArgumentError(`--at takes 'start', not '${values.at}' (use --before/--after for other places)`);
  return { at: 'start' };
}

function nonEmpty(value: string, flag: string): string {
  if (value.trim() === '') throw new InvalidArgumentError(`${flag} needs an action type or name`);
  return value;
}

function splitPair(text: string, flag: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`${flag} takes NAME=VALUE, got '${text}'`);
  const name = text.slice(0, at).trim();
  if (!/^Common\.\S+$/.test(name)) throw new InvalidArgumentError(`${flag}: module variables are named Common.<name>, got '${name}'`);
  return [name, text.slice(at + 1)];
}

export function mappingFromOptions(values: PlacementAndMappingValues): { inputs: Record<string, InputValue>; outputs: Record<string, { var: string }> } {
  const inputs: Record<string, InputValue> = {};
  const outputs: Record<string, { var: string }> = {};
  const once = (record: Record<string, unknown>, name: string, flag: string): void => {
    if (name in record) throw new InvalidArgumentError(`${flag}: ${name} is mapped twice`);
  };
  for (const text of values.input ?? []) {
    const [name, expression] = splitPair(text, '--input');
    once(inputs, name, '--input');
    if (expression.trim() === '') throw new InvalidArgumentError(`--input ${name}: the expression is empty`);
    inputs[name] = { exp: expression };
  }
  for (const text of values.inputLit ?? []) {
    const [name, literal] = splitPair(text, '--input-lit');
    once(inputs, name, '--input-lit');
    inputs[name] = { lit: literal };
  }
  for (const text of values.output ?? []) {
    const [name, variable] = splitPair(text, '--output');
    once(outputs, name, '--output');
    if (!/^(Flow|Task|State)\.\S+$/.test(variable.trim())) {
      throw new InvalidArgumentError(`--output ${name}: the target must be a Flow., Task. or State. variable, got '${variable}'`);
    }
    outputs[name] = { var: variable.trim() };
  }
  return { inputs, outputs };
}
