import { findModuleCalls, insertModuleCall, removeModuleCall, replaceModuleCall, type InputValue, type Placement } from '../flow/index.js';
import { forTerminal } from '../shared/terminal-text.js';

/** A common module as a plan names it: id, name and the published version seen at plan time. */
export interface ModuleRef {
  id: string;
  name: string;
  publishedVersion?: string;
}

/**
 * The change a plan makes to each target: a value, so that one planner, one apply, one verify and one rollback
 * serve every kind. `module` is always the module the change is about (the one added, removed, called instead,
 * or refreshed).
 */
export type Change =
  | { kind: 'add'; module: ModuleRef; placement: Placement; inputs: Record<string, InputValue>; outputs: Record<string, { var: string }>; actionName?: string }
  | { kind: 'remove'; module: ModuleRef }
  | { kind: 'replace'; module: ModuleRef; replaces: ModuleRef; inputs: Record<string, InputValue>; outputs: Record<string, { var: string }>; actionName?: string }
  | { kind: 'refresh'; module: ModuleRef };

export type ChangeKind = Change['kind'];

/** One flow's edit under a change: the new text and its diff, or why the flow cannot take the change. */
export type FlowEdit =
  | { ok: true; yaml: string; diff: string; where?: string }
  | { ok: false; status: string; reason: string };

/**
 * The change made to one flow's text, by the engine. What `plan` computes, what `apply` recomputes to prove the
 * plan, and what a rebase applies to someone else's newer version: one function, so the three cannot drift apart.
 * `inputs` for replace are the final ones (carried over from the old call and given by --input: the planner's job).
 */
export function editFlow(change: Change, yaml: string, flow: { name: string; type: string }): FlowEdit {
  // The diff's header names the flow: a newline or escape sequence in a name must not forge diff lines.
  const fileName = `${forTerminal(flow.name)}.${flow.type}.yaml`;
  switch (change.kind) {
    case 'add': {
      const edit = insertModuleCall(yaml, {
        module: change.module.name, placement: change.placement, inputs: change.inputs, outputs: change.outputs,
        ...(change.actionName ? { actionName: change.actionName } : {}), fileName,
      });
      return edit.status === 'inserted' ? { ok: true, yaml: edit.yaml, diff: edit.diff, ...(edit.where ? { where: edit.where } : {}) } : refused(edit.status, edit.reason);
    }
    case 'remove': {
      const edit = removeModuleCall(yaml, change.module.name, { fileName });
      return edit.status === 'removed' ? { ok: true, yaml: edit.yaml, diff: edit.diff, ...(edit.where ? { where: edit.where } : {}) } : refused(edit.status, edit.reason);
    }
    case 'replace': {
      const edit = replaceModuleCall(yaml, {
        from: change.replaces.name, to: change.module.name, inputs: change.inputs, outputs: change.outputs,
        ...(change.actionName ? { actionName: change.actionName } : {}), fileName,
      });
      return edit.status === 'replaced' ? { ok: true, yaml: edit.yaml, diff: edit.diff, ...(edit.where ? { where: edit.where } : {}) } : refused(edit.status, edit.reason);
    }
    case 'refresh':
      // Republished unchanged: Genesys embeds the module's current version into a consumer when it is published.
      return { ok: true, yaml, diff: '' };
  }
}

function refused(status: string, reason: string | undefined): FlowEdit {
  return { ok: false, status, reason: reason ?? status };
}

/** Calls of a module in a flow text (0 for a text that cannot be read). */
export function callsOf(yaml: string, moduleName: string): number {
  try {
    return findModuleCalls(yaml).filter((call) => call.module === moduleName).length;
  } catch {
    return 0;
  }
}

/**
 * Whether a text holds the change (a version someone else published after ours that holds it lost nothing of
 * ours): add, one call of the module; remove, none; replace, one of the new and none of the old; refresh, any
 * version published after the module's embeds it.
 */
export function holdsChange(change: Change, yaml: string): boolean {
  switch (change.kind) {
    case 'add':
      return callsOf(yaml, change.module.name) === 1;
    case 'remove':
      return callsOf(yaml, change.module.name) === 0;
    case 'replace':
      return callsOf(yaml, change.module.name) === 1 && callsOf(yaml, change.replaces.name) === 0;
    case 'refresh':
      return true;
  }
}

/**
 * What dependency tracking must say of a target after the change, per module: listed as a consumer of the
 * module's current published version (add, replace's new module, refresh: the republished consumer embeds it) or
 * not listed at all (remove, replace's old module).
 */
export function expectedConsumers(change: Change): { module: ModuleRef; listed: boolean }[] {
  switch (change.kind) {
    case 'add':
    case 'refresh':
      return [{ module: change.module, listed: true }];
    case 'remove':
      return [{ module: change.module, listed: false }];
    case 'replace':
      return [{ module: change.module, listed: true }, { module: change.replaces, listed: false }];
  }
}

/** Words for plan/apply output: "call Compliance_Logging from", "remove calls to X from", ... */
export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'add':
      return `call ${change.module.name} from`;
    case 'remove':
      return `remove every call to ${change.module.name} from`;
    case 'replace':
      return `replace ${change.replaces.name} by ${change.module.name} in`;
    case 'refresh':
      return `republish, to embed ${change.module.name} ${change.module.publishedVersion ?? ''},`.replace(' ,', ',');
  }
}
