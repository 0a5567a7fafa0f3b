import { isMap, isSeq } from 'yaml';
import { typeForArchyKey, type FlowType } from '../genesys/flow-types.js';
import { FlowParseError } from './find-calls.js';
import { getNode, originalString, scalarText, singleKeyItem, withFlow, type ParsedFlow } from './parse-flow.js';

/** A variable declared in a flow: `Flow.x` at flow level, `Task.x`/`State.x` in a task or state. */
export interface FlowVariable {
  name: string;
  /** The declaration key without `Variable`: `string`, `boolean`, `integer`, `decimal`, `stringCollection`, `queue`… */
  type: string;
}

export interface FlowInfo {
  /** The flow type from the top-level key; undefined for a key flowlink does not know. */
  type: FlowType | undefined;
  archyKey: string;
  name: string | undefined;
  variables: FlowVariable[];
}

/** Reads the flow type, name and every declared variable (flow, task, state and menu-task levels). */
export function flowInfoFromYaml(yaml: string): FlowInfo {
  return withFlow(yaml, flowInfoOf, (parsed) => {
    if (!parsed.ok) throw new FlowParseError(parsed.status, parsed.reason);
    return flowInfoOf(parsed.flow);
  });
}

export function flowInfoOf(flow: ParsedFlow): FlowInfo {
  const variables: FlowVariable[] = [];
  const seen = new Set<string>();
  const collect = (node: unknown): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (scalarText(pair.key) === 'variables' && isSeq(pair.value)) {
          for (const item of pair.value.items) {
            const single = singleKeyItem(item);
            const name = scalarText(getNode(single?.value, 'name'));
            if (!single || name === undefined || !single.key.endsWith('Variable') || seen.has(name)) continue;
            seen.add(name);
            variables.push({ name, type: single.key.slice(0, -'Variable'.length) });
          }
        } else collect(pair.value);
      }
    } else if (isSeq(node)) for (const item of node.items) collect(item);
  };
  collect(flow.body);
  return {
    type: typeForArchyKey(flow.topKey),
    archyKey: flow.topKey,
    name: originalString(flow, getNode(flow.body, 'name')),
    variables,
  };
}
