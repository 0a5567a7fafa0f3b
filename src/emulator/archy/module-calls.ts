import { isRecord } from './parse.js';

/** One `callCommonModule` action found in a flow document. */
export interface ModuleCall {
  /** The module's name (the single key under `commonModule`); undefined when that key is missing or odd. */
  moduleName: string | undefined;
  /** Version selector key, e.g. `ver_latestPublished`. */
  selector: string | undefined;
  /** Input variable names mapped to a value other than `noValue: true`. */
  mappedInputs: string[];
}

/**
 * Finds every `callCommonModule` action anywhere in the document: tasks, states, menu choices' inline tasks,
 * `startUpTaskActions`, and actions nested under other actions' `outputs`. A deliberately generic deep walk (any
 * single-key list item named `callCommonModule`), written here on its own so that the emulator does not share a
 * reader with the flow-editing library it is a witness for.
 */
export function findModuleCalls(document: unknown): ModuleCall[] {
  const calls: ModuleCall[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) {
        if (isRecord(item) && Object.keys(item).length === 1 && 'callCommonModule' in item) {
          calls.push(readCall(item.callCommonModule));
        }
        walk(item);
      }
    } else if (isRecord(node)) {
      for (const value of Object.values(node)) walk(value);
    }
  };
  walk(document);
  return calls;
}

function readCall(action: unknown): ModuleCall {
  const call: ModuleCall = { moduleName: undefined, selector: undefined, mappedInputs: [] };
  if (!isRecord(action) || !isRecord(action.commonModule)) return call;
  const names = Object.keys(action.commonModule);
  if (names.length !== 1) return call;
  call.moduleName = names[0];
  const reference = action.commonModule[names[0] as string];
  if (!isRecord(reference)) return call;
  const selector = Object.keys(reference)[0];
  call.selector = selector;
  const version = selector === undefined ? undefined : reference[selector];
  if (isRecord(version) && isRecord(version.inputs)) {
    for (const [name, value] of Object.entries(version.inputs)) {
      const unset = value === null || (isRecord(value) && value.noValue === true);
      if (!unset) call.mappedInputs.push(name);
    }
  }
  return call;
}
