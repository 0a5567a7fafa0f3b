import type { RequestFn } from '../http/types.js';
import { collect } from '../paginate.js';
import type { Dependency, DependencyStatus, FlowVersion } from '../types.js';

/** A dependency-tracking answer; `partial` when any page came back 206 (the build lags behind recent edits). */
export interface DependencyList {
  items: Dependency[];
  partial: boolean;
}

export interface ConsumersOptions {
  /** Dependency types of the consumers wanted (`INBOUNDCALLFLOW`…); all when absent. */
  resourceTypes?: readonly string[];
  flowFilter?: 'checkedIn' | 'published';
  /** The module's dependency type; `COMMONMODULEFLOW` unless said. */
  objectType?: string;
}

export interface DependenciesResource {
  /**
   * Who consumes ONE version of the module: `consumingresources` for a COMMONMODULEFLOW. `version` (`"3.0"`, a version
   * of the module, not `LATEST`) is required by a live org (genesys-api.md §15.3), and the answer lists only the flows
   * whose version snapshotted that module version when it was published.
   */
  consumers(moduleId: string, options: ConsumersOptions & { version: string }): Promise<DependencyList>;
  /**
   * Who consumes ANY of `versions` of the module: one `consumers` call per version (a few at a time), merged. Each
   * consumer once (by id, first answer kept); `partial` if any answer was.
   */
  consumersOfAnyVersion(moduleId: string, versions: readonly string[], options?: ConsumersOptions): Promise<DependencyList>;
  /** What one flow version uses: `consumedresources`. `objectType` is the dependency type (`INBOUNDCALLFLOW`). */
  consumed(flowId: string, options: { version: string; objectType: string; resourceTypes?: readonly string[] }): Promise<DependencyList>;
  buildStatus(): Promise<DependencyStatus>;
  /** Asks for a rebuild (`architect:dependencyTracking:rebuild`). */
  rebuild(): Promise<void>;
}

const BASE = '/api/v2/architect/dependencytracking';
/** consumingresources calls in flight at once for consumersOfAnyVersion. */
const VERSION_CONCURRENCY = 4;

/**
 * The versions worth asking about for "who calls this module at all": every version a listing marks as published
 * (`type: PUBLISH` or a `datePublished`), plus the current published one. When the listing marks none (a shape that
 * fills neither field), every listed version.
 */
export function publishedVersionIds(versions: readonly FlowVersion[], current?: string): string[] {
  const marked = versions.filter((v) => v.type === 'PUBLISH' || v.datePublished !== undefined).map((v) => v.id);
  const ids = marked.length > 0 ? marked : versions.map((v) => v.id);
  return [...new Set([...(current ? [current] : []), ...ids])];
}

/**
 * Dependency tracking (genesys-api.md §7). A fast pre-filter, not proof: it reflects the last build, so a flow
 * published a moment ago may be missing; callers confirm from the flow's YAML.
 */
export function dependenciesResource(request: RequestFn): DependenciesResource {
  const resource: DependenciesResource = {
    consumers(moduleId, options) {
      return collect<Dependency>(request, `${BASE}/consumingresources`, {
        id: moduleId,
        version: options.version,
        objectType: options.objectType ?? 'COMMONMODULEFLOW',
        resourceType: options.resourceTypes,
        flowFilter: options.flowFilter,
      }, { pageSize: 100, operation: 'dependencies.consumers' });
    },

    async consumersOfAnyVersion(moduleId, versions, options = {}) {
      const wanted = [...new Set(versions)];
      const answers: DependencyList[] = new Array(wanted.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < wanted.length) {
          const index = next;
          next += 1;
          answers[index] = await resource.consumers(moduleId, { ...options, version: wanted[index] as string });
        }
      };
      await Promise.all(Array.from({ length: Math.min(VERSION_CONCURRENCY, wanted.length) }, worker));
      const byId = new Map<string, Dependency>();
      let partial = false;
      for (const answer of answers) {
        partial ||= answer.partial;
        for (const item of answer.items) if (!byId.has(item.id)) byId.set(item.id, item);
      }
      return { items: [...byId.values()], partial };
    },

    consumed(flowId, options) {
      return collect<Dependency>(request, `${BASE}/consumedresources`, {
        id: flowId,
        version: options.version,
        objectType: options.objectType,
        resourceType: options.resourceTypes,
      }, { pageSize: 100, operation: 'dependencies.consumed' });
    },

    async buildStatus() {
      return (await request<DependencyStatus>({ method: 'GET', path: `${BASE}/build`, operation: 'dependencies.build' })).data;
    },

    async rebuild() {
      await request({ method: 'POST', path: `${BASE}/build`, idempotent: true, operation: 'dependencies.rebuild' });
    },
  };
  return resource;
}
