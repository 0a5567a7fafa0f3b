import { toDependencyType } from '../../../genesys/flow-types.js';
import type { Emulator } from '../../context.js';
import type { FlowRecord, VersionRecord } from '../../state/types.js';
import { calledModules, findModuleByName, versionById } from '../flows/model.js';

/**
 * Dependency tracking computed from the published (or checked-in) versions' YAML. With `dependencyLagMs`, a
 * publish becomes visible only that long after it happened; until then answers are stale and flagged pending.
 */
export interface Dependency {
  id: string;
  name: string;
  type: string;
  version: string;
  deleted: false;
  updated: false;
  stateUnknown: false;
  selfUri: string;
}

export function dependencyOf(flow: FlowRecord, versionId: string): Dependency {
  return {
    id: flow.id,
    name: flow.name,
    type: toDependencyType(flow.type),
    version: versionId,
    deleted: false,
    updated: false,
    stateUnknown: false,
    selfUri: `/api/v2/flows/${flow.id}`,
  };
}

/** The published version dependency tracking currently knows for a flow (lag applied). */
export function trackedPublishedVersion(flow: FlowRecord, now: number, lagMs: number): VersionRecord | undefined {
  for (let i = flow.publishHistory.length - 1; i >= 0; i -= 1) {
    const entry = flow.publishHistory[i] as { versionId: string | null; at: number };
    if (entry.at + lagMs <= now) return entry.versionId === null ? undefined : versionById(flow, entry.versionId);
  }
  return undefined;
}

/** True while some publish is not yet reflected (the build is "in progress"). */
export function updatePending(emu: Emulator, now: number): boolean {
  const lag = emu.options.dependencyLagMs;
  if (lag === 0) return false;
  for (const flow of emu.store.state.flows.values()) {
    const last = flow.publishHistory[flow.publishHistory.length - 1];
    if (last && last.at + lag > now) return true;
  }
  return false;
}

export function consumersOf(emu: Emulator, module: FlowRecord, filter: 'published' | 'checkedIn', types: Set<string>, now: number): Dependency[] {
  const out: Dependency[] = [];
  for (const flow of emu.store.state.flows.values()) {
    if (flow.deleted || flow.id === module.id) continue;
    if (types.size > 0 && !types.has(toDependencyType(flow.type))) continue;
    const version = filter === 'published'
      ? trackedPublishedVersion(flow, now, emu.options.dependencyLagMs)
      : versionById(flow, flow.checkedInVersionId);
    if (version && calledModules(version).includes(module.name)) out.push(dependencyOf(flow, version.id));
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export function consumedBy(emu: Emulator, flow: FlowRecord, version: VersionRecord): Dependency[] {
  const out: Dependency[] = [];
  for (const name of calledModules(version)) {
    const module = findModuleByName(emu.store.state, name);
    if (module?.publishedVersionId) out.push(dependencyOf(module, module.publishedVersionId));
  }
  return out;
}

/** When this version's publish is not yet visible to dependency tracking. */
export function versionPending(emu: Emulator, flow: FlowRecord, version: VersionRecord, now: number): boolean {
  const lag = emu.options.dependencyLagMs;
  const entry = [...flow.publishHistory].reverse().find((e) => e.versionId === version.id);
  const at = entry?.at ?? version.datePublished ?? version.dateCreated;
  return lag > 0 && at + lag > now;
}
