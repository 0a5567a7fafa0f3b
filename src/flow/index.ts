// The flow engine: find, insert and remove a Call Common Module action in Archy YAML, changing nothing else.
export { findModuleCalls, FlowParseError } from './find-calls.js';
export { insertModuleCall } from './insert-call.js';
export { removeModuleCall } from './remove-call.js';
export { validateCall, type CallMapping, type Problem, type ProblemCode } from './validate-call.js';
export { flowInfoFromYaml, type FlowInfo, type FlowVariable } from './flow-info.js';
export { moduleInfoFromFlow, type ModuleInfo, type ModuleParam, type FlowLike } from './module-info.js';
export { unifiedDiff } from './unified-diff.js';
export { JUMP_TO_MENU, STARTUP_TASK_REF_PREFIX, VERSION_KEY } from './call-block.js';
export type * from './types.js';
export { flowMeaning, compareMeaning, meaningKey, type Meaning } from './meaning.js';
export { replaceModuleCall, readCallMapping, type ReplaceOptions, type ReplaceResult, type ReplaceStatus } from './replace-call.js';
