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

/** The publish (or unpublish: versionId null) a reader lagging `lagMs` behind currently sees for a flow. */
export function trackedPublishEntry(flow: FlowRecord, now: number, lagMs: number): { versionId: string | null; at: number } | undefined {
  for (let i = flow.publishHistory.length - 1; i >= 0; i -= 1) {
    const entry = flow.publishHistory[i] as { versionId: string | null; at: number };
    if (entry.at + lagMs <= now) return entry;
  }
  return undefined;
}

/** The published version dependency tracking currently knows for a flow (lag applied). */
export function trackedPublishedVersion(flow: FlowRecord, now: number, lagMs: number): VersionRecord | undefined {
  const entry = trackedPublishEntry(flow, now, lagMs);
  return entry?.versionId ? versionById(flow, entry.versionId) : undefined;
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

/** The module version a flow version snapshotted: the module's published version at `at` (publishHistory). */
export function moduleVersionAt(module: FlowRecord, at: number): string | undefined {
  let current: string | null = null;
  for (const entry of module.publishHistory) {
    // Same-millisecond publishes count the module's as earlier (a test clock that does not move).
    if (entry.at > at) break;
    current = entry.versionId;
  }
  return current ?? undefined;
}

/** When a version was published (its latest publish entry), or created when it never was (a checked-in draft). */
function snapshotTime(flow: FlowRecord, version: VersionRecord): number {
  for (let i = flow.publishHistory.length - 1; i >= 0; i -= 1) {
    const entry = flow.publishHistory[i] as { versionId: string | null; at: number };
    if (entry.versionId === version.id) return entry.at;
  }
  return version.datePublished ?? version.dateCreated;
}

/**
 * Who consumes one version of a module. Architect snapshots the module into a consuming flow when that flow is
 * published ("to incorporate changes in a common module, you must republish the consuming flow", archy-yaml.md §1.4),
 * so a consumer's version consumes the module version that was published when the consumer's version was; asking
 * for module version 2.0 does not list a flow last published while 1.0 was live. `published`: the consumer's published
 * version as dependency tracking knows it (lag applied); `checkedIn`: its checked-in version.
 */
export function consumersOf(
  emu: Emulator, module: FlowRecord, moduleVersion: VersionRecord, filter: 'published' | 'checkedIn', types: Set<string>, now: number,
): Dependency[] {
  const out: Dependency[] = [];
  const lag = emu.options.dependencyLagMs;
  for (const flow of emu.store.state.flows.values()) {
    if (flow.deleted || flow.id === module.id) continue;
    if (types.size > 0 && !types.has(toDependencyType(flow.type))) continue;
    let version: VersionRecord | undefined;
    let at: number | undefined;
    if (filter === 'published') {
      const tracked = trackedPublishEntry(flow, now, lag);
      version = tracked?.versionId ? versionById(flow, tracked.versionId) : undefined;
      at = tracked?.at;
    } else {
      version = versionById(flow, flow.checkedInVersionId);
      at = version ? snapshotTime(flow, version) : undefined;
    }
    if (!version || at === undefined || !calledModules(version).includes(module.name)) continue;
    if (moduleVersionAt(module, at) === moduleVersion.id) out.push(dependencyOf(flow, version.id));
  }
  return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

/** What one flow version consumes: each called module at the version it snapshotted. */
export function consumedBy(emu: Emulator, flow: FlowRecord, version: VersionRecord): Dependency[] {
  const out: Dependency[] = [];
  const at = snapshotTime(flow, version);
  for (const name of calledModules(version)) {
    const module = findModuleByName(emu.store.state, name);
    const moduleVersion = module ? moduleVersionAt(module, at) : undefined;
    if (module && moduleVersion) out.push(dependencyOf(module, moduleVersion));
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
