/** Public shapes of the flow engine (find / insert / remove / validate a Call Common Module action). */

/** A path into the parsed flow document: keys and sequence indices, from the top-level flow-type key down. */
export type YamlPath = (string | number)[];

export interface ModuleCall {
  /** The common module's name exactly as written (a `{{substitution}}` is reported as written, braces included). */
  module: string;
  /** The action's `name`, when it has a string one. */
  actionName?: string;
  /** Path of the action item, e.g. ['inboundCall', 'tasks', 0, 'task', 'actions', 2]. */
  path: YamlPath;
  /** Readable path: `tasks[Start_10].actions[2]`, `menus[Main Menu_10].choices[1].task.actions[0]`. */
  where: string;
  /** 1-based line of the action (the `callCommonModule` key). */
  line: number;
}

/** One module input value, written as Archy's typed wrapper. Exactly one of the three. */
export interface InputValue {
  exp?: string;
  lit?: string | number | boolean;
  noValue?: true;
}

export interface OutputTarget {
  var: string;
}

export type Placement = { at: 'start' } | { before: string } | { after: string };

export interface InsertOptions {
  module: string;
  /** Default `{ at: 'start' }`. */
  placement?: Placement;
  inputs?: Record<string, InputValue>;
  outputs?: Record<string, OutputTarget>;
  /** The new action's `name`; default `Call <module>`. */
  actionName?: string;
  /** File name shown in the diff headers; default `flow.yaml`. */
  fileName?: string;
}

export type InsertStatus =
  | 'inserted'
  | 'already-present'
  | 'ANCHOR_NOT_FOUND'
  | 'UNPARSEABLE'
  | 'MIXED_LINE_ENDINGS'
  | 'UNSUPPORTED_SHAPE'
  | 'INVALID_REQUEST'
  | 'SELF_CHECK_FAILED';

export type RemoveStatus =
  | 'removed'
  | 'not-present'
  | 'UNPARSEABLE'
  | 'MIXED_LINE_ENDINGS'
  | 'UNSUPPORTED_SHAPE'
  | 'SELF_CHECK_FAILED';

export interface EditResult<S extends string> {
  status: S;
  /** The edited text when the edit was made; otherwise the input, unchanged. */
  yaml: string;
  /** Unified diff of the edit ('' when nothing changed). */
  diff: string;
  /** Why nothing was changed (every status but 'inserted'/'removed'), or what was done. */
  reason?: string;
  /** Where the call went / was removed from (readable path), when known. */
  where?: string;
}

export type InsertResult = EditResult<InsertStatus>;
export type RemoveResult = EditResult<RemoveStatus>;
