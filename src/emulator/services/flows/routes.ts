import { ALL_FLOW_TYPES, isFlowType } from '../../../genesys/flow-types.js';
import type { Emulator } from '../../context.js';
import { invalidParam, notFound, withParams } from '../../core/errors.js';
import { json, parseJsonBody, type RequestContext } from '../../core/http.js';
import { pageOf, pageRequest } from '../../core/paging.js';
import { arrayParam, boolParam, enumParam, requiredParam, stringParam } from '../../core/query.js';
import type { Router } from '../../core/router.js';
import type { FlowRecord, Lock } from '../../state/types.js';
import { checkin, checkout, publish, revert, save, unlock } from './actions.js';
import { parsedContent, findVersion, getFlow, latestVersion, versionText } from './model.js';
import { flowView, operationView, versionView } from './views.js';
import { trackedPublishEntry } from '../dependencies/model.js';

/** A flow as a read shows it: with `readLagMs`, a publish newer than the lag is not seen yet (docs/emulator.md). */
function seenFlowView(emu: Emulator, now: number, flow: FlowRecord, includeSchemas: boolean): Record<string, unknown> {
  const lag = emu.options.readLagMs;
  if (lag === 0) return flowView(emu.store.state, flow, includeSchemas);
  return flowView(emu.store.state, flow, includeSchemas, trackedPublishEntry(flow, now, lag)?.versionId ?? null);
}

export function callerOf(emu: Emulator, ctx: RequestContext): Lock {
  return { kind: 'client', id: ctx.token?.clientId ?? emu.client.id, name: emu.client.name };
}

/** `name` filter: case-insensitive substring, `*` as wildcard (the real matching is undocumented; see docs). */
function nameMatcher(pattern: string): (name: string) => boolean {
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const regex = new RegExp(source, 'i');
  return (name) => regex.test(name);
}

function listFlows(emu: Emulator, ctx: RequestContext, idsRequired: boolean): Record<string, unknown> {
  const q = ctx.query;
  const page = pageRequest(q);
  const sortBy = enumParam(q, 'sortBy', ['id', 'name', 'type'] as const, 'id');
  const sortOrder = enumParam(q, 'sortOrder', ['asc', 'desc'] as const, 'asc');
  const includeSchemas = boolParam(q, 'includeSchemas', false);
  const includeDeleted = boolParam(q, 'deleted', false);
  const ids = arrayParam(q, 'id');
  if (idsRequired && ids.length === 0) requiredParam(q, 'id');
  const types = arrayParam(q, 'type').map((t) => {
    if (!isFlowType(t)) throw invalidParam('type', t, `Expected one of ${ALL_FLOW_TYPES.join(', ')}.`);
    return t;
  });
  const divisions = new Set(arrayParam(q, 'divisionId'));
  const name = stringParam(q, 'name');
  const matchesName = name === undefined ? undefined : nameMatcher(name);
  const description = stringParam(q, 'description')?.toLowerCase();
  const lockedByClientId = stringParam(q, 'lockedByClientId');
  const lockedBy = stringParam(q, 'lockedBy');

  let flows: FlowRecord[];
  if (ids.length > 0) {
    // "If one or more IDs are specified, the search will ... not use any additional supplied query parameters."
    flows = ids.map((id) => emu.store.state.flows.get(id)).filter((f): f is FlowRecord => f !== undefined);
  } else {
    flows = [...emu.store.state.flows.values()].filter((flow) =>
      (includeDeleted || !flow.deleted)
      && (types.length === 0 || types.includes(flow.type))
      && (divisions.size === 0 || divisions.has(flow.divisionId))
      && (!matchesName || matchesName(flow.name))
      && (description === undefined || flow.description.toLowerCase().includes(description))
      && (lockedByClientId === undefined || (flow.lock?.kind === 'client' && flow.lock.id === lockedByClientId))
      && (lockedBy === undefined || (flow.lock?.kind === 'user' && flow.lock.id === lockedBy)));
  }
  const key = (f: FlowRecord): string => (sortBy === 'name' ? f.name.toLowerCase() : sortBy === 'type' ? f.type : f.id);
  flows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : 1));
  if (sortOrder === 'desc') flows.reverse();
  const listing = pageOf(flows, page, ctx.path, q);
  listing.entities = (listing.entities as FlowRecord[]).map((f) => seenFlowView(emu, ctx.now, f, includeSchemas));
  return listing;
}

function configurationOf(emu: Emulator, flow: FlowRecord, versionId: string | undefined): unknown {
  const version = versionId === undefined ? latestVersion(flow) : findVersion(flow, versionId);
  if (!version) {
    if (versionId !== undefined) throw notFound(`Flow version '${versionId}' was not found.`, 'not.found');
    throw withParams(404, 'flow.no.config.available', 'Flow has no saved or checked-in configuration', {});
  }
  if (version.config !== undefined) return version.config;
  const derived = parsedContent(version);
  // "A JSON rendering of the version's Archy document": the parsed YAML, or the text when it does not parse.
  return derived.parseErrors.length === 0 ? derived.value : { archyYaml: versionText(version), parseErrors: derived.parseErrors };
}

export function registerFlowRoutes(router: Router, emu: Emulator): void {
  const state = () => emu.store.state;
  const flowParam = (ctx: RequestContext): string => requiredParam(ctx.query, 'flow');

  router.add('GET', '/api/v2/flows', (ctx) => json(listFlows(emu, ctx, false)));
  router.add('GET', '/api/v2/flows/lookup', (ctx) => json(listFlows(emu, ctx, true)));
  router.add('GET', '/api/v2/flows/:flowId', (ctx) => {
    const flow = getFlow(state(), ctx.params.flowId as string);
    if (flow.deleted && !boolParam(ctx.query, 'deleted', false)) throw notFound('Could not find flow with specified ID.');
    return json(seenFlowView(emu, ctx.now, flow, true));
  });
  router.add('GET', '/api/v2/flows/:flowId/versions', (ctx) => {
    const flow = getFlow(state(), ctx.params.flowId as string);
    const versions = [...flow.versions].sort((a, b) => b.n - a.n);
    const listing = pageOf(versions, pageRequest(ctx.query), ctx.path, ctx.query);
    listing.entities = (listing.entities as typeof versions).map((v) => versionView(flow, v));
    return json(listing);
  });
  router.add('GET', '/api/v2/flows/:flowId/versions/:versionId', (ctx) => {
    const flow = getFlow(state(), ctx.params.flowId as string);
    const version = findVersion(flow, ctx.params.versionId as string);
    if (!version) throw notFound(`Flow version '${ctx.params.versionId}' was not found.`);
    return json(versionView(flow, version));
  });
  router.add('GET', '/api/v2/flows/:flowId/versions/:versionId/configuration', (ctx) =>
    json(configurationOf(emu, getFlow(state(), ctx.params.flowId as string), ctx.params.versionId)));
  router.add('GET', '/api/v2/flows/:flowId/latestconfiguration', (ctx) =>
    json(configurationOf(emu, getFlow(state(), ctx.params.flowId as string), undefined)));

  router.add('POST', '/api/v2/flows/:flowId/versions', (ctx) => {
    const config = parseJsonBody(ctx.body);
    const flow = getFlow(state(), ctx.params.flowId as string);
    const version = save(emu, flow.id, callerOf(emu, ctx), config, ctx.now);
    return json(versionView(getFlow(state(), flow.id), version));
  });
  router.add('POST', '/api/v2/flows/actions/checkout', (ctx) => {
    parseJsonBody(ctx.body);
    const flow = checkout(emu, flowParam(ctx), callerOf(emu, ctx));
    return json(flowView(state(), getFlow(state(), flow.id), false));
  });
  router.add('POST', '/api/v2/flows/actions/checkin', (ctx) => {
    parseJsonBody(ctx.body);
    return json(operationView(checkin(emu, flowParam(ctx), callerOf(emu, ctx), ctx.now)));
  });
  router.add('POST', '/api/v2/flows/actions/publish', (ctx) => {
    parseJsonBody(ctx.body);
    return json(operationView(publish(emu, flowParam(ctx), callerOf(emu, ctx), stringParam(ctx.query, 'version'), ctx.now)));
  });
  router.add('POST', '/api/v2/flows/actions/unlock', (ctx) => {
    parseJsonBody(ctx.body);
    const flow = unlock(emu, flowParam(ctx));
    return json(flowView(state(), getFlow(state(), flow.id), false));
  });
  router.add('POST', '/api/v2/flows/actions/revert', (ctx) => {
    parseJsonBody(ctx.body);
    const flow = revert(emu, flowParam(ctx), callerOf(emu, ctx));
    return json(flowView(state(), getFlow(state(), flow.id), false));
  });
}
