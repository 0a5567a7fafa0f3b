import { randomUUID } from 'node:crypto';
import type { Emulator } from '../../context.js';
import { ApiError, badRequest, conflict, withParams } from '../../core/errors.js';
import { metaOf, type StateEvent } from '../../state/events.js';
import type { FlowMeta, FlowRecord, Lock, OperationRecord, VersionRecord } from '../../state/types.js';
import { moduleCallsOf, getFlow, moduleCallProblems, versionById } from './model.js';

/**
 * Checkout, save, checkin, publish, unlock, revert with the lock rules of Architect (genesys-api.md §6.3).
 * Checkin and publish are asynchronous: they answer an Operation that completes `jobMs` later (settled lazily).
 */

export function flowEvent(flow: FlowRecord, patch: Partial<FlowMeta>): StateEvent {
  const meta: FlowMeta = { ...metaOf(flow), ...patch };
  for (const key of Object.keys(patch) as (keyof FlowMeta)[]) {
    if (patch[key] === undefined) delete meta[key];
  }
  return { t: 'flow', flow: meta };
}

const sameHolder = (a: Lock | undefined, b: Lock): boolean => a !== undefined && a.kind === b.kind && a.id === b.id;

function lockedByOther(flow: FlowRecord, caller: Lock): ApiError | undefined {
  if (!flow.lock || sameHolder(flow.lock, caller)) return undefined;
  return conflict('architect.flow.locked.by.user', "Flow '{name}' is locked by user {user}.", { name: flow.name, user: flow.lock.name });
}

function operationInProgress(flow: FlowRecord): ApiError | undefined {
  if (!flow.currentOperation || flow.currentOperation.complete) return undefined;
  return new ApiError(409, 'architect.operation.already.in.progress', 'An operation is already in progress.');
}

function usable(emu: Emulator, flowId: string): FlowRecord {
  const flow = getFlow(emu.store.state, flowId);
  if (flow.deleted) throw withParams(410, 'architect.flow.deleted', "Flow '{name}' has been deleted.", { name: flow.name });
  return flow;
}

export function checkout(emu: Emulator, flowId: string, caller: Lock): FlowRecord {
  const flow = usable(emu, flowId);
  const problem = operationInProgress(flow) ?? lockedByOther(flow, caller);
  if (problem) throw problem;
  if (!sameHolder(flow.lock, caller)) emu.store.commit([flowEvent(flow, { lock: { ...caller } })]);
  return flow;
}

export function save(emu: Emulator, flowId: string, caller: Lock, config: unknown, now: number): VersionRecord {
  const flow = usable(emu, flowId);
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw badRequest('The request body must be a flow configuration (a JSON object).', 'invalid.value');
  }
  const problem = lockedByOther(flow, caller);
  if (problem) throw problem;
  if (!sameHolder(flow.lock, caller)) {
    throw conflict('architect.flow.not.locked', "Flow '{name}' is not locked by requesting user.", { name: flow.name });
  }
  const n = flow.nextVersion;
  const version: VersionRecord = { id: `${n}.0`, n, type: 'SAVE', config, dateCreated: now, createdBy: { ...caller } };
  emu.store.commit([
    flowEvent(flow, { nextVersion: n + 1, savedVersionId: version.id }),
    { t: 'version', flowId, version },
  ]);
  return version;
}

function startOperation(emu: Emulator, flow: FlowRecord, actionName: OperationRecord['actionName'], caller: Lock, now: number): OperationRecord {
  const op: OperationRecord = {
    id: randomUUID(),
    actionName,
    actionStatus: 'STARTED',
    complete: false,
    client: { ...caller },
    startedAt: now,
    dueAt: now + emu.options.jobMs,
  };
  emu.store.commit([flowEvent(flow, { currentOperation: op })]);
  return op;
}

export function checkin(emu: Emulator, flowId: string, caller: Lock, now: number): OperationRecord {
  const flow = usable(emu, flowId);
  const problem = operationInProgress(flow) ?? lockedByOther(flow, caller);
  if (problem) throw problem;
  if (!sameHolder(flow.lock, caller)) {
    throw conflict('architect.flow.not.locked', "Flow '{name}' is not locked by requesting user.", { name: flow.name });
  }
  if (!flow.savedVersionId) {
    throw withParams(400, 'architect.flow.cannot.checkin.missing.config',
      "Flow '{name}' cannot be checked in because there is no saved configuration.", { name: flow.name });
  }
  return startOperation(emu, flow, 'CHECKIN', caller, now);
}

export function publish(emu: Emulator, flowId: string, caller: Lock, version: string | undefined, now: number): OperationRecord {
  const flow = usable(emu, flowId);
  const problem = operationInProgress(flow) ?? lockedByOther(flow, caller);
  if (problem) throw problem;
  const checkedIn = versionById(flow, flow.checkedInVersionId);
  if (!checkedIn) {
    throw withParams(409, 'architect.flow.not.checked.in', "Cannot publish flow '{name}'.  It must be checked in first.", { name: flow.name });
  }
  if (version !== undefined && version !== 'default' && version !== checkedIn.id && `${version}.0` !== checkedIn.id) {
    throw withParams(400, 'architect.flow.version.missing', "Flow '{name}' version '{version}' is not the checked-in version.", { name: flow.name, version });
  }
  return startOperation(emu, flow, 'PUBLISH', caller, now);
}

export function unlock(emu: Emulator, flowId: string): FlowRecord {
  const flow = usable(emu, flowId);
  if (flow.lock) emu.store.commit([flowEvent(flow, { lock: undefined })]);
  return flow;
}

/** Discards the unpublished saved draft (not a rollback of a publish); the lock is left as it is. */
export function revert(emu: Emulator, flowId: string, caller: Lock): FlowRecord {
  const flow = usable(emu, flowId);
  const problem = operationInProgress(flow) ?? lockedByOther(flow, caller);
  if (problem) throw problem;
  if (flow.savedVersionId) {
    emu.store.commit([
      flowEvent(flow, { savedVersionId: undefined }),
      { t: 'versionDelete', flowId, id: flow.savedVersionId },
    ]);
  }
  return flow;
}

/** Completes a due Operation (called by the store's settle loop). */
export function completeOperation(emu: Emulator, flowId: string, now: number): void {
  const flow = emu.store.state.flows.get(flowId);
  const op = flow?.currentOperation;
  if (!flow || !op || op.complete) return;
  const done = (patch: Partial<FlowMeta>, status: OperationRecord['actionStatus'], extra: StateEvent[] = [], error?: { code: string; message: string }): void => {
    const finished: OperationRecord = { ...op, complete: true, actionStatus: status, ...(error ? { errorCode: error.code, errorMessage: error.message } : {}) };
    emu.store.commit([flowEvent(flow, { ...patch, currentOperation: finished }), ...extra]);
  };
  if (op.actionName === 'CHECKIN') {
    const saved = versionById(flow, flow.savedVersionId);
    if (!saved) return done({}, 'FAILURE', [], { code: 'architect.flow.cannot.checkin.missing.config', message: `Flow '${flow.name}' cannot be checked in because there is no saved configuration.` });
    return done({ checkedInVersionId: saved.id, savedVersionId: undefined, lock: undefined }, 'SUCCESS', [
      { t: 'versionType', flowId, id: saved.id, type: 'CHECKIN' },
    ]);
  }
  const checkedIn = versionById(flow, flow.checkedInVersionId);
  if (!checkedIn) return done({}, 'FAILURE', [], { code: 'architect.flow.not.checked.in', message: `Cannot publish flow '${flow.name}'.  It must be checked in first.` });
  const problems = moduleCallProblems(emu.store.state, flow.type, moduleCallsOf(checkedIn));
  if (problems.length > 0) {
    return done({}, 'FAILURE', [], {
      code: 'architect.flow.cannot.publish.missing.dependencies',
      message: `Flow '${flow.name}' version '${checkedIn.id}' cannot be published: ${problems.join(' ')}`,
    });
  }
  done({ publishedVersionId: checkedIn.id, publishHistory: [...flow.publishHistory, { versionId: checkedIn.id, at: now }] }, 'SUCCESS', [
    { t: 'versionType', flowId, id: checkedIn.id, type: 'PUBLISH', datePublished: now },
  ]);
}
