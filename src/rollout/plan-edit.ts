import { editFlow, type FlowEdit } from './change.js';
import { flowChange, type PlanFile, type PlanFlow } from './plan-file.js';

/**
 * The plan's edit of one flow's text: what `plan` computed, what `apply` recomputes to prove the plan file was not
 * edited (a re-sealed checksum proves nothing: anyone can compute it), and what a rebase applies to someone else's
 * newer version. One function (change.ts editFlow), so that the three cannot drift apart.
 */
export function planEdit(plan: PlanFile, yaml: string, flow: PlanFlow): FlowEdit {
  return editFlow(flowChange(plan, flow), yaml, flow);
}
