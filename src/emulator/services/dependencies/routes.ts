import { fromDependencyType, toDependencyType } from '../../../genesys/flow-types.js';
import type { Emulator } from '../../context.js';
import { invalidParam, notFound } from '../../core/errors.js';
import { json, type RequestContext } from '../../core/http.js';
import { pageOf, pageRequest } from '../../core/paging.js';
import { arrayParam, enumParam, requiredParam } from '../../core/query.js';
import type { Router } from '../../core/router.js';
import type { FlowRecord } from '../../state/types.js';
import { findVersion } from '../flows/model.js';
import { consumedBy, consumersOf, updatePending, versionPending } from './model.js';

const BASE = '/api/v2/architect/dependencytracking';

function objectFlow(emu: Emulator, ctx: RequestContext): FlowRecord {
  const id = requiredParam(ctx.query, 'id');
  const objectType = requiredParam(ctx.query, 'objectType').toUpperCase();
  if (!fromDependencyType(objectType)) throw invalidParam('objectType', objectType, 'Only versioned flow types are supported.');
  const flow = emu.store.state.flows.get(id);
  if (!flow || toDependencyType(flow.type) !== objectType) {
    throw notFound('Could not find the dependency object for the specified ID and version.', 'architect.dependency.object.not.found');
  }
  return flow;
}

function resourceTypes(ctx: RequestContext): Set<string> {
  return new Set(arrayParam(ctx.query, 'resourceType').map((t) => t.toUpperCase()));
}

export function registerDependencyRoutes(router: Router, emu: Emulator): void {
  router.add('GET', `${BASE}/consumingresources`, (ctx) => {
    const module = objectFlow(emu, ctx);
    const filter = enumParam(ctx.query, 'flowFilter', ['published', 'checkedIn'] as const, 'published');
    const page = pageRequest(ctx.query);
    const consumers = consumersOf(emu, module, filter, resourceTypes(ctx), ctx.now);
    return json(pageOf(consumers, page, ctx.path, ctx.query), updatePending(emu, ctx.now) ? 206 : 200);
  });
  router.add('GET', `${BASE}/consumedresources`, (ctx) => {
    const flow = objectFlow(emu, ctx);
    const versionId = requiredParam(ctx.query, 'version');
    const version = findVersion(flow, versionId);
    if (!version) throw notFound('Could not find the dependency object for the specified ID and version.', 'architect.dependency.object.not.found');
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
