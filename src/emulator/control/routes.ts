import type { Emulator } from '../context.js';
import { badRequest, notFound } from '../core/errors.js';
import { json, parseJsonBody } from '../core/http.js';
import type { Router } from '../core/router.js';
import { isRecord } from '../archy/parse.js';
import type { StateEvent } from '../state/events.js';
import { fixtureEvents, resolveSeed, SeedError, validateFixture } from '../state/seed.js';
import type { Lock, VersionRecord } from '../state/types.js';
import { flowEvent } from '../services/flows/actions.js';
import { getFlow } from '../services/flows/model.js';
import { flowView } from '../services/flows/views.js';

/**
 * The control plane under /__emulator/ (no auth, not rate limited, not logged), after moto's /moto-api/:
 * reset, seed, per-flow state, fault rules, the request log, a state dump, token expiry.
 */
export function registerControlRoutes(router: Router, emu: Emulator): void {
  const state = () => emu.store.state;

  router.add('POST', '/__emulator/reset', (ctx) => {
    const body = parseJsonBody(ctx.body);
    const seed = isRecord(body) && body.seed !== undefined ? body.seed : emu.options.seed;
    resetTo(emu, seed, ctx.now);
    return json({ flows: state().flows.size, divisions: state().divisions.size });
  });
  router.add('POST', '/__emulator/seed', (ctx) => {
    let fixture;
    try {
      fixture = validateFixture(parseJsonBody(ctx.body));
    } catch (error) {
      if (error instanceof SeedError) throw badRequest(error.message);
      throw error;
    }
    emu.store.commit(fixtureEvents(fixture, ctx.now, false));
    return json({ flows: state().flows.size, divisions: state().divisions.size });
  });
  router.add('POST', '/__emulator/flows/:flowId/state', (ctx) => {
    const body = parseJsonBody(ctx.body);
    if (!isRecord(body)) throw badRequest('The body must be a JSON object.');
    setFlowState(emu, ctx.params.flowId as string, body, ctx.now);
    return json(flowView(state(), getFlow(state(), ctx.params.flowId as string), true));
  });

  router.add('POST', '/__emulator/faults', (ctx) => json({ id: emu.faults.add(parseJsonBody(ctx.body)).id }));
  router.add('GET', '/__emulator/faults', () => json({ faults: emu.faults.list() }));
  router.add('DELETE', '/__emulator/faults', () => {
    emu.faults.clear();
    return { status: 204 };
  });
  router.add('DELETE', '/__emulator/faults/:id', (ctx) => {
    if (!emu.faults.remove(ctx.params.id as string)) throw notFound('No such fault rule.');
    return { status: 204 };
  });

  router.add('GET', '/__emulator/requests', () => json({ requests: emu.requestLog.list() }));
  router.add('DELETE', '/__emulator/requests', () => {
    emu.requestLog.clear();
    return { status: 204 };
  });
  router.add('GET', '/__emulator/state', () => json(dumpState(emu)));
  // Hung import jobs (fault `jobHang`) finish after all, as real ones eventually do: each runs now as a normal job.
  router.add('POST', '/__emulator/jobs/release', (ctx) => {
    const hung = [...state().importJobs.values()].filter((job) => job.status === 'Started' && job.hang);
    emu.store.commit(hung.map(({ hang: _hang, ...job }) => ({ t: 'importJob', job: { ...job, dueAt: ctx.now } }) as StateEvent));
    return json({ released: hung.map((job) => job.id) });
  });
  router.add('POST', '/__emulator/tokens/expire', (ctx) => {
    emu.store.commit([{ t: 'tokensExpire', at: ctx.now }]);
    return json({ expired: state().tokens.size });
  });
}

/** Replaces the whole org with a seed; also clears fault rules, rate windows and the request log. */
export function resetTo(emu: Emulator, seed: unknown, now: number): void {
  let fixture;
  try {
    fixture = resolveSeed(seed);
  } catch (error) {
    if (error instanceof SeedError) throw badRequest(error.message);
    throw error;
  }
  emu.store.replace(fixtureEvents(fixture, now, true));
  emu.faults.clear();
  emu.limiter.clear();
  emu.requestLog.clear();
}

const SOMEONE_ELSE: Lock = { kind: 'user', id: '00000000-0000-4000-8000-00000000e15e', name: 'Someone Else' };

function setFlowState(emu: Emulator, flowId: string, body: Record<string, unknown>, now: number): void {
  const flow = getFlow(emu.store.state, flowId);
  const events: StateEvent[] = [];
  const patch: Parameters<typeof flowEvent>[1] = {};
  let next = flow.nextVersion;
  if ('name' in body) {
    // A rename in Architect: the flow keeps its id; an import under the old name would now create a twin.
    if (typeof body.name !== 'string' || body.name.trim() === '') throw badRequest('name must be a non-empty string.');
    patch.name = body.name;
  }
  if ('lock' in body) {
    const lock = body.lock;
    if (lock === null) patch.lock = undefined;
    else if (isRecord(lock) && (lock.kind === 'user' || lock.kind === 'client') && typeof lock.id === 'string' && typeof lock.name === 'string') {
      patch.lock = { kind: lock.kind, id: lock.id, name: lock.name };
    } else throw badRequest("lock must be null or {kind: 'user'|'client', id, name}.");
  }
  if ('draft' in body) {
    if (body.draft === null) {
      if (flow.savedVersionId) events.push({ t: 'versionDelete', flowId, id: flow.savedVersionId });
      patch.savedVersionId = undefined;
    } else if (typeof body.draft === 'string') {
      const version: VersionRecord = { id: `${next}.0`, n: next, type: 'SAVE', text: body.draft, dateCreated: now, createdBy: SOMEONE_ELSE };
      next += 1;
      events.push({ t: 'version', flowId, version });
      patch.savedVersionId = version.id;
    } else throw badRequest('draft must be a YAML string or null.');
  }
  const history = [...flow.publishHistory];
  if (body.unpublish === true) {
    patch.publishedVersionId = undefined;
    history.push({ versionId: null, at: now });
  }
  if (body.publish !== undefined) {
    if (typeof body.publish !== 'string') throw badRequest('publish must be a YAML string.');
    const version: VersionRecord = {
      id: `${next}.0`, n: next, type: 'PUBLISH', text: body.publish, dateCreated: now, datePublished: now, createdBy: SOMEONE_ELSE,
    };
    next += 1;
    events.push({ t: 'version', flowId, version });
    patch.publishedVersionId = version.id;
    patch.checkedInVersionId = version.id;
    history.push({ versionId: version.id, at: now });
  }
  patch.nextVersion = next;
  patch.publishHistory = history;
  emu.store.commit([flowEvent(flow, patch), ...events]);
}

function dumpState(emu: Emulator): Record<string, unknown> {
  const s = emu.store.state;
  return {
    divisions: [...s.divisions.values()],
    flows: [...s.flows.values()].map((f) => ({
      id: f.id,
      name: f.name,
      type: f.type,
      divisionId: f.divisionId,
      deleted: f.deleted,
      lock: f.lock ?? null,
      publishedVersionId: f.publishedVersionId ?? null,
      checkedInVersionId: f.checkedInVersionId ?? null,
      savedVersionId: f.savedVersionId ?? null,
      versions: f.versions.map((v) => ({ id: v.id, type: v.type })),
      currentOperation: f.currentOperation ?? null,
    })),
    importJobs: [...s.importJobs.values()],
    exportJobs: [...s.exportJobs.values()].map(({ items, ...job }) => ({ ...job, flows: items })),
    tokens: s.tokens.size,
  };
}
