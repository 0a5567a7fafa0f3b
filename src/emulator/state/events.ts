import type {
  Division, EmulatorState, ExportJobRecord, FlowMeta, ImportJobRecord, TokenRecord, VersionRecord,
} from './types.js';
import { emptyState } from './types.js';

/**
 * Every state change is one of these events: the store applies them and the persistence log records them, so a
 * replay after a crash rebuilds exactly the acknowledged state. Version text travels once (in `version`); the
 * frequent, small changes (locks, pointers, operations) travel as `flow` metadata without it.
 */
export type StateEvent =
  | { t: 'division'; division: Division }
  | { t: 'flow'; flow: FlowMeta }
  | { t: 'version'; flowId: string; version: VersionRecord }
  | { t: 'versionType'; flowId: string; id: string; type: VersionRecord['type']; datePublished?: number }
  | { t: 'versionDelete'; flowId: string; /** '*' = every version */ id: string }
  | { t: 'importJob'; job: ImportJobRecord }
  | { t: 'importText'; id: string; text: string | null }
  | { t: 'exportJob'; job: ExportJobRecord }
  | { t: 'token'; token: TokenRecord }
  | { t: 'tokensExpire'; at: number }
  | { t: 'clear' };

export function applyEvent(state: EmulatorState, event: StateEvent): void {
  switch (event.t) {
    case 'division':
      state.divisions.set(event.division.id, event.division);
      return;
    case 'flow': {
      const existing = state.flows.get(event.flow.id);
      state.flows.set(event.flow.id, { ...event.flow, versions: existing?.versions ?? [] });
      return;
    }
    case 'version': {
      const flow = state.flows.get(event.flowId);
      if (!flow) return;
      const at = flow.versions.findIndex((v) => v.id === event.version.id);
      if (at >= 0) flow.versions[at] = event.version;
      else flow.versions.push(event.version);
      return;
    }
    case 'versionType': {
      const version = state.flows.get(event.flowId)?.versions.find((v) => v.id === event.id);
      if (!version) return;
      version.type = event.type;
      if (event.datePublished !== undefined) version.datePublished = event.datePublished;
      return;
    }
    case 'versionDelete': {
      const flow = state.flows.get(event.flowId);
      if (flow) flow.versions = event.id === '*' ? [] : flow.versions.filter((v) => v.id !== event.id);
      return;
    }
    case 'importJob':
      state.importJobs.set(event.job.id, event.job);
      return;
    case 'importText':
      if (event.text === null) state.importTexts.delete(event.id);
      else state.importTexts.set(event.id, event.text);
      return;
    case 'exportJob':
      state.exportJobs.set(event.job.id, event.job);
      return;
    case 'token':
      state.tokens.set(event.token.hash, event.token);
      return;
    case 'tokensExpire':
      for (const token of state.tokens.values()) token.expiresAt = Math.min(token.expiresAt, event.at);
      return;
    case 'clear': {
      const fresh = emptyState();
      state.divisions = fresh.divisions;
      state.flows = fresh.flows;
      state.importJobs = fresh.importJobs;
      state.importTexts = fresh.importTexts;
      state.exportJobs = fresh.exportJobs;
      // Tokens survive a reset: a client that is already logged in keeps working, as in a real org.
      return;
    }
  }
}

export function metaOf(flow: { versions: unknown } & FlowMeta): FlowMeta {
  const { versions: _versions, ...meta } = flow;
  return meta;
}
