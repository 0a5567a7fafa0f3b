import { toResponseType } from '../../../genesys/flow-types.js';
import type { EmulatorState, FlowRecord, Lock, OperationRecord, VersionRecord } from '../../state/types.js';
import { emptyInputSchema, emptyOutputSchema } from '../../archy/module-interface.js';
import { moduleInterfaceOf, versionById } from './model.js';

/** JSON shapes of the Platform API models (genesys-api.md §4): absent fields are omitted, never null. */

export function entityRef(lock: Lock): { id: string; name: string; selfUri: string } {
  const base = lock.kind === 'user' ? '/api/v2/users/' : '/api/v2/oauth/clients/';
  return { id: lock.id, name: lock.name, selfUri: `${base}${lock.id}` };
}

export function versionView(flow: FlowRecord, version: VersionRecord): Record<string, unknown> {
  const self = `/api/v2/flows/${flow.id}/versions/${version.id}`;
  return {
    id: version.id,
    name: version.id,
    commitVersion: version.id,
    configurationVersion: version.id,
    type: version.type,
    secure: false,
    debug: false,
    ...(version.createdBy?.kind === 'user' ? { createdBy: entityRef(version.createdBy) } : {}),
    ...(version.createdBy?.kind === 'client' ? { createdByClient: entityRef(version.createdBy) } : {}),
    dateCreated: version.dateCreated,
    ...(version.datePublished !== undefined ? { datePublished: new Date(version.datePublished).toISOString() } : {}),
    configurationUri: `${self}/configuration`,
    selfUri: self,
  };
}

export function operationView(op: OperationRecord): Record<string, unknown> {
  return {
    id: op.id,
    complete: op.complete,
    ...(op.client ? { client: entityRef(op.client) } : {}),
    ...(op.errorMessage ? { errorMessage: op.errorMessage } : {}),
    ...(op.errorCode ? { errorCode: op.errorCode } : {}),
    errorDetails: [],
    actionName: op.actionName,
    actionStatus: op.actionStatus,
  };
}

/** `seenPublishedVersionId`: the published version a lagging read shows (readLagMs), when not the current one. */
export function flowView(state: EmulatorState, flow: FlowRecord, includeSchemas: boolean, seenPublishedVersionId?: string | null): Record<string, unknown> {
  const division = state.divisions.get(flow.divisionId);
  const published = versionById(flow, seenPublishedVersionId === undefined ? flow.publishedVersionId : (seenPublishedVersionId ?? undefined));
  const saved = versionById(flow, flow.savedVersionId);
  const checkedIn = versionById(flow, flow.checkedInVersionId);
  const view: Record<string, unknown> = {
    id: flow.id,
    name: flow.name,
    division: {
      id: flow.divisionId,
      name: division?.name ?? '',
      selfUri: `/api/v2/authorization/divisions/${flow.divisionId}`,
    },
    description: flow.description,
    type: toResponseType(flow.type),
  };
  if (flow.lock?.kind === 'user') view.lockedUser = entityRef(flow.lock);
  if (flow.lock?.kind === 'client') view.lockedClient = entityRef(flow.lock);
  view.active = published !== undefined;
  view.system = false;
  view.deleted = flow.deleted;
  if (published) view.publishedVersion = versionView(flow, published);
  if (saved) view.savedVersion = versionView(flow, saved);
  if (checkedIn) view.checkedInVersion = versionView(flow, checkedIn);
  if (flow.currentOperation) view.currentOperation = operationView(flow.currentOperation);
  const iface = moduleInterfaceOf(flow);
  if (includeSchemas) {
    view.inputSchema = iface?.inputSchema ?? emptyInputSchema();
    view.outputSchema = iface?.outputSchema ?? emptyOutputSchema();
  }
  if (iface) view.compatibleFlowTypes = iface.compatibleFlowTypes;
  view.selfUri = `/api/v2/flows/${flow.id}`;
  return view;
}
