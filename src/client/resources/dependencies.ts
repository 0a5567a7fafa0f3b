import type { RequestFn } from '../http/types.js';
import { collect } from '../paginate.js';
import type { Dependency, DependencyStatus } from '../types.js';

/** A dependency-tracking answer; `partial` when any page came back 206 (the build lags behind recent edits). */
export interface DependencyList {
  items: Dependency[];
  partial: boolean;
}

export interface DependenciesResource {
  /** Who calls the module: `consumingresources` for a COMMONMODULEFLOW. */
  consumers(
    moduleId: string,
    options?: { resourceTypes?: readonly string[]; flowFilter?: 'checkedIn' | 'published'; version?: string; objectType?: string },
  ): Promise<DependencyList>;
  /** What one flow version uses: `consumedresources`. `objectType` is the dependency type (`INBOUNDCALLFLOW`). */
  consumed(flowId: string, options: { version: string; objectType: string; resourceTypes?: readonly string[] }): Promise<DependencyList>;
  buildStatus(): Promise<DependencyStatus>;
  /** Asks for a rebuild (`architect:dependencyTracking:rebuild`). */
  rebuild(): Promise<void>;
}

const BASE = '/api/v2/architect/dependencytracking';

/**
 * Dependency tracking (genesys-api.md §7). A fast pre-filter, not proof: it reflects the last build, so a flow
 * published a moment ago may be missing; callers confirm from the flow's YAML.
 */
export function dependenciesResource(request: RequestFn): DependenciesResource {
  return {
    consumers(moduleId, options = {}) {
      return collect<Dependency>(request, `${BASE}/consumingresources`, {
        id: moduleId,
        objectType: options.objectType ?? 'COMMONMODULEFLOW',
        resourceType: options.resourceTypes,
        flowFilter: options.flowFilter,
        version: options.version,
      }, { pageSize: 100, operation: 'dependencies.consumers' });
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
}
