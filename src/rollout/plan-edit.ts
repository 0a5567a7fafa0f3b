import { editFlow, type FlowEdit } from './change.js';
import { PlanError } from './errors.js';
import { flowChange, type PlanFlow, type PlanHeader } from './plan-format.js';

/**
 * The plan's edit of one flow's text: what `plan` computed, what `apply` recomputes to prove the plan file was not
 * edited (a re-sealed checksum proves nothing: anyone can compute it), and what a rebase applies to someone else's
 * newer version. One function (change.ts editFlow), so that the three cannot drift apart. The diff is the one the
 * plan's format stores (storedDiff).
 */
export function planEdit(plan: PlanHeader, yaml: string, flow: PlanFlow): FlowEdit {
  const edit = editFlow(flowChange(plan, flow), yaml, flow);
  return edit.ok && plan.formatVersion === 3 ? { ...edit, diff: storedDiff(edit.diff) } : edit;
}

/**
 * A diff as format 3 stores it: without the `Index:` line and the `====` rule, which name the file a third time
 * (after `---` and `+++`) and which every printer drops.
 */
export function storedDiff(diff: string): string {
  return diff.replace(/^Index: [^\n]*\n=+\n/, '');
}

/**
 * A target's new YAML, proven: recomputed from its original and the plan's change, and exactly what the plan says
 * of it (its diff; formats 1 and 2: its new YAML too). A plan edited and re-sealed would otherwise upload YAML
 * that differs from the diff a reviewer approved.
 */
export function provenYaml(plan: PlanHeader, flow: PlanFlow): string {
  const edit = planEdit(plan, flow.original ?? '', flow);
  if (!edit.ok || edit.diff !== (flow.diff ?? '') || (flow.updated !== undefined && edit.yaml !== flow.updated)) {
    throw new PlanError(
      `plan refused: the new YAML of flow ${flow.id} is not what the plan's change makes of its original (the plan file was edited); make a new plan`);
  }
  return edit.yaml;
}

/**
 * What apply imported for a target, for verify and rollback (the run's plan copy was proven by apply): formats 1
 * and 2 hold it, format 3 recomputes it. Undefined when the change no longer applies to the original.
 */
export function plannedYaml(plan: PlanHeader, flow: PlanFlow): string | undefined {
  if (flow.updated !== undefined) return flow.updated;
  const edit = planEdit(plan, flow.original ?? '', flow);
  return edit.ok ? edit.yaml : undefined;
}
