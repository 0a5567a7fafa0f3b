import { fromDependencyType, toDependencyType } from '../../../genesys/flow-types.js';
import type { Emulator } from '../../context.js';
import { invalidParam, notFound, withParams, type ApiError } from '../../core/errors.js';
import { json, type RequestContext } from '../../core/http.js';
import { pageOf, pageRequest } from '../../core/paging.js';
import { arrayParam, enumParam, requiredParam } from '../../core/query.js';
import type { Router } from '../../core/router.js';
import type { FlowRecord, VersionRecord } from '../../state/types.js';
import { findVersion } from '../flows/model.js';
import { consumedBy, consumersOf, updatePending, versionPending } from './model.js';

const BASE = '/api/v2/architect/dependencytracking';

/** The 3P-reported wording for an unknown object, version or `LATEST` (genesys-api.md §15.3). */
const objectNotFound = (): ApiError =>
  notFound('Could not find the dependency object with specified ID and version.', 'architect.dependency.object.not.found');

function objectFlow(emu: Emulator, ctx: RequestContext): FlowRecord {
  const id = requiredParam(ctx.query, 'id');
  const objectType = requiredParam(ctx.query, 'objectType').toUpperCase();
  if (!fromDependencyType(objectType)) throw invalidParam('objectType', objectType, 'Only versioned flow types are supported.');
  const flow = emu.store.state.flows.get(id);
  if (!flow || toDependencyType(flow.type) !== objectType) throw objectNotFound();
  return flow;
}

/**
 * `version` is required on both consumingresources and consumedresources and names a version of the object asked
 * about; a live org answers "Query parameter 'version' is missing or empty" without it and does not know `LATEST`
 * (3P report, genesys-api.md §15.3). The SDK and Swagger still call it optional.
 */
function objectAndVersion(emu: Emulator, ctx: RequestContext): { flow: FlowRecord; version: VersionRecord } {
  const wanted = ctx.query.get('version')?.trim() ?? '';
  if (wanted === '') {
    requiredParam(ctx.query, 'id');
    requiredParam(ctx.query, 'objectType');
    throw withParams(400, 'bad.request', "Query parameter '{name}' is missing or empty", { name: 'version' });
  }
  const flow = objectFlow(emu, ctx);
  const version = findVersion(flow, wanted);
  if (!version) throw objectNotFound();
  return { flow, version };
}

function resourceTypes(ctx: RequestContext): Set<string> {
  return new Set(arrayParam(ctx.query, 'resourceType').map((t) => t.toUpperCase()));
}

export function registerDependencyRoutes(router: Router, emu: Emulator): void {
  router.add('GET', `${BASE}/consumingresources`, (ctx) => {
    const { flow: module, version } = objectAndVersion(emu, ctx);
    const filter = enumParam(ctx.query, 'flowFilter', ['published', 'checkedIn'] as const, 'published');
    const page = pageRequest(ctx.query);
    const consumers = consumersOf(emu, module, version, filter, resourceTypes(ctx), ctx.now);
    return json(pageOf(consumers, page, ctx.path, ctx.query), updatePending(emu, ctx.now) ? 206 : 200);
  });
  router.add('GET', `${BASE}/consumedresources`, (ctx) => {
    const { flow, version } = objectAndVersion(emu, ctx);
    const types = resourceTypes(ctx);
    const pending = versionPending(emu, flow, version, ctx.now);
    const consumed = pending ? [] : consumedBy(emu, flow, version).filter((d) => types.size === 0 || types.has(d.type));
    return json(pageOf(consumed, pageRequest(ctx.query), ctx.path, ctx.query), pending ? 206 : 200);
  });
  router.add('GET', `${BASE}/build`, (ctx) => {
    const pending = updatePending(emu, ctx.now);
    return json({
      id: 'dependency-build',
      status: pending ? 'BUILDINPROGRESS' : 'OPERATIONAL',
      dateStarted: new Date(ctx.now).toISOString(),
      ...(pending ? {} : { dateCompleted: new Date(ctx.now).toISOString() }),
      failedObjects: [],
      selfUri: `${BASE}/build`,
    });
  });
  router.add('POST', `${BASE}/build`, () => ({ status: 202 }));
}
