import { ApiError } from '../errors.js';
import type { Clock, QueryValue, RequestFn } from '../http/types.js';
import { collect, pages, type Page, type PageOptions } from '../paginate.js';
import type { Flow, FlowVersion, Operation } from '../types.js';
import { pollUntil, type PollOptions } from './poll.js';

/** Every filter `GET /api/v2/flows` takes (genesys-api.md §3.1). Types in the lowercase query spelling. */
export interface FlowListQuery {
  type?: readonly string[];
  /** Not an exact match on the server: filter the results yourself (flows.findByName does). */
  name?: string;
  description?: string;
  nameOrDescription?: string;
  divisionId?: readonly string[];
  /** Deprecated by Genesys ("use GET /api/v2/flows/lookup with the ids parameter instead", SDK JSDoc): use `lookup`. */
  id?: readonly string[];
  lockedBy?: string;
  lockedByClientId?: string;
  editableBy?: string;
  publishVersionId?: string;
  secure?: 'any' | 'checkedin' | 'published';
  deleted?: boolean;
  includeSchemas?: boolean;
  /** Left out unless set: sending `false` filters virtual-agent flows out (genesys-api.md §3.1). */
  virtualAgentEnabled?: boolean;
  publishedAfter?: string;
  publishedBefore?: string;
  sortBy?: string;
  sortOrder?: 'asc' | 'desc';
}

/** Page size for flow listings: what the Terraform provider uses, and the emulator's maximum. */
export const FLOW_PAGE_SIZE = 500;

/** Ids per `GET /api/v2/flows/lookup` request (each id is ~40 characters of URL). */
export const LOOKUP_IDS = 100;

export interface FlowsResource {
  /** Pages of `GET /api/v2/flows`. */
  pages(query?: FlowListQuery, options?: PageOptions): AsyncGenerator<Page<Flow>, void, undefined>;
  /** Every flow matching the server-side filters, each once (a flow moving between pages mid-walk is not repeated). */
  list(query?: FlowListQuery, options?: PageOptions): AsyncGenerator<Flow, void, undefined>;
  /**
   * The flows with these ids, by `GET /api/v2/flows/lookup?id=…` (`getFlowsLookup`, which replaces the deprecated
   * `GET /api/v2/flows?id=`), `LOOKUP_IDS` ids a request; ids that match no flow are simply absent. Each flow once.
   */
  lookup(ids: readonly string[], options?: { sortBy?: 'id' | 'name' | 'type'; sortOrder?: 'asc' | 'desc' } & PageOptions): Promise<Flow[]>;
  /** The flow of this type whose name is exactly `name` (the server's name filter is only a pre-filter). */
  findByName(name: string, type: string, options?: { includeSchemas?: boolean }): Promise<Flow | undefined>;
  get(flowId: string, options?: { deleted?: boolean }): Promise<Flow>;
  versions(flowId: string, options?: PageOptions): Promise<FlowVersion[]>;
  version(flowId: string, versionId: string): Promise<FlowVersion>;
  /** The Architect configuration JSON of one version (use `publishedVersion.id` for what is live). */
  configuration(flowId: string, versionId: string): Promise<unknown>;
  latestConfiguration(flowId: string): Promise<unknown>;
  checkout(flowId: string): Promise<Flow>;
  checkin(flowId: string): Promise<Operation>;
  /** Admin break-glass: releases someone else's lock. */
  unlock(flowId: string): Promise<Flow>;
  publish(flowId: string, options?: { version?: string }): Promise<Operation>;
  /** Discards an unpublished draft (not a rollback of a publish). */
  revert(flowId: string): Promise<Flow>;
  /** Polls `GET /flows/{id}` until `currentOperation` is this operation and complete; throws on FAILURE. */
  waitForOperation(flowId: string, operation: Operation | string, options?: PollOptions): Promise<Flow>;
  checkinAndWait(flowId: string, options?: PollOptions): Promise<Flow>;
  publishAndWait(flowId: string, options?: PollOptions & { version?: string }): Promise<Flow>;
}

export function flowsResource(request: RequestFn, clock: Clock): FlowsResource {
  const path = (flowId: string, rest = '') => `/api/v2/flows/${encodeURIComponent(flowId)}${rest}`;
  const action = async <T>(name: string, flowId: string, idempotent: boolean, query: Record<string, QueryValue> = {}) =>
    (await request<T>({
      method: 'POST',
      path: `/api/v2/flows/actions/${name}`,
      query: { flow: flowId, ...query },
      idempotent,
      operation: `flows.${name}`,
    })).data;

  const resource: FlowsResource = {
    async *pages(query = {}, options = {}) {
      let pageSize = options.pageSize ?? FLOW_PAGE_SIZE;
      for (;;) {
        const walk = pages<Flow>(request, '/api/v2/flows', toQuery(query), { operation: 'flows.list', ...options, pageSize });
        let first: IteratorResult<Page<Flow>, void>;
        try {
          first = await walk.next();
        } catch (error) {
          // "response.entity.too.large: Reduce pageSize" (genesys-api.md §6.4): big flows with schemas can
          // exceed the response limit at 500 a page. Halve it, but only before anything was handed out.
          if (error instanceof ApiError && error.status === 413 && pageSize > 25) {
            pageSize = Math.max(25, Math.floor(pageSize / 2));
            continue;
          }
          throw error;
        }
        if (first.done) return;
        yield first.value;
        yield* walk;
        return;
      }
    },

    async *list(query = {}, options = {}) {
      const seen = new Set<string>();
      for await (const page of resource.pages(query, options)) {
        for (const flow of page.entities) {
          if (seen.has(flow.id)) continue;
          seen.add(flow.id);
          yield flow;
        }
      }
    },

    async lookup(ids, options = {}) {
      const { sortBy, sortOrder, ...pageOptions } = options;
      const wanted = [...new Set(ids)];
      const found = new Map<string, Flow>();
      for (let start = 0; start < wanted.length; start += LOOKUP_IDS) {
        const chunk = wanted.slice(start, start + LOOKUP_IDS);
        const { items } = await collect<Flow>(request, '/api/v2/flows/lookup', { id: chunk, sortBy, sortOrder }, {
          pageSize: LOOKUP_IDS, operation: 'flows.lookup', ...pageOptions,
        });
        for (const flow of items) if (!found.has(flow.id)) found.set(flow.id, flow);
      }
      return [...found.values()];
    },

    async findByName(name, type, options = {}) {
      const wanted = type.toLowerCase();
      const { items } = await collect<Flow>(
        request,
        '/api/v2/flows',
        toQuery({ type: [wanted], name, includeSchemas: options.includeSchemas }),
        { pageSize: 100, operation: 'flows.findByName' },
      );
      return items.find((flow) => flow.name === name && flow.type.toLowerCase() === wanted);
    },

    async get(flowId, options = {}) {
      return (await request<Flow>({ method: 'GET', path: path(flowId), query: { deleted: options.deleted }, operation: 'flows.get' })).data;
    },

    async versions(flowId, options = {}) {
      return (await collect<FlowVersion>(request, path(flowId, '/versions'), {}, { pageSize: 100, operation: 'flows.versions', ...options })).items;
    },

    async version(flowId, versionId) {
      return (await request<FlowVersion>({ method: 'GET', path: path(flowId, `/versions/${encodeURIComponent(versionId)}`) })).data;
    },

    async configuration(flowId, versionId) {
      return (await request({ method: 'GET', path: path(flowId, `/versions/${encodeURIComponent(versionId)}/configuration`) })).data;
    },

    async latestConfiguration(flowId) {
      return (await request({ method: 'GET', path: path(flowId, '/latestconfiguration') })).data;
    },

    // A resent checkout may meet our own lock and a resent checkin/publish may start a second operation, so only
    // unlock (harmless twice) counts as idempotent.
    checkout: (flowId) => action<Flow>('checkout', flowId, false),
    checkin: (flowId) => action<Operation>('checkin', flowId, false),
    unlock: (flowId) => action<Flow>('unlock', flowId, true),
    publish: (flowId, options = {}) => action<Operation>('publish', flowId, false, { version: options.version }),
    revert: (flowId) => action<Flow>('revert', flowId, false),

    async waitForOperation(flowId, operation, options = {}) {
      const operationId = typeof operation === 'string' ? operation : operation.id;
      const flow = await pollUntil(
        () => resource.get(flowId),
        (current) => current.currentOperation?.id === operationId && current.currentOperation.complete === true,
        `operation ${operationId} on flow ${flowId}`,
        clock,
        options,
      );
      const done = flow.currentOperation!;
      if (done.actionStatus !== 'SUCCESS') {
        throw new ApiError(
          `${done.actionName ?? 'operation'} of flow ${flowId} failed: ${done.errorMessage ?? done.actionStatus ?? 'unknown error'}`,
          { status: 0, kind: 'operation', code: done.errorCode ?? 'operation.failed', body: done },
        );
      }
      return flow;
    },

    async checkinAndWait(flowId, options = {}) {
      return resource.waitForOperation(flowId, await resource.checkin(flowId), options);
    },

    async publishAndWait(flowId, options = {}) {
      const { version, ...poll } = options;
      return resource.waitForOperation(flowId, await resource.publish(flowId, { version }), poll);
    },
  };
  return resource;
}

function toQuery(query: FlowListQuery): Record<string, QueryValue> {
  return { ...query } as Record<string, QueryValue>;
}
