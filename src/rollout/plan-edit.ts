import { insertModuleCall, type InsertResult } from '../flow/index.js';
import { forTerminal } from '../shared/terminal-text.js';
import type { PlanFile } from './plan-file.js';

/** The change a plan makes, as the engine takes it (everything but the flows). */
export type PlanChange = Pick<PlanFile, 'module' | 'placement' | 'inputs' | 'outputs' | 'actionName'>;

/**
 * The plan's edit of one flow's text: what `plan` computed, what `apply` recomputes to prove the plan file was not
 * edited (a re-sealed checksum proves nothing: anyone can compute it), and what a rebase applies to someone else's
 * newer version. One function, so that the three cannot drift apart.
 */
export function planEdit(change: PlanChange, yaml: string, flow: { name: string; type: string }): InsertResult {
  return insertModuleCall(yaml, {
    module: change.module.name,
    placement: change.placement,
    inputs: change.inputs,
    outputs: change.outputs,
    ...(change.actionName ? { actionName: change.actionName } : {}),
    // The diff's header names the flow: a newline or escape sequence in a name must not forge diff lines.
    fileName: `${forTerminal(flow.name)}.${flow.type}.yaml`,
  });
}
