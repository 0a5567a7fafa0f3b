import type { GenesysClient, Flow } from '../client/index.js';
import { publishedVersionIds } from '../client/resources/dependencies.js';
import type { ExportResult, FlowMeta, ImportResult, RolloutApi } from './api-port.js';
import { hasNewerDraft, lockHolder } from './eligibility.js';
import { INBOUND_FLOW_TYPES, toDependencyType } from '../genesys/flow-types.js';
import { FirstLookTimer } from './first-look-timer.js';

export function flowMeta(flow: Flow): FlowMeta {
  const holder = lockHolder(flow);
  return {
    id: flow.id,
    name: flow.name,
    type: flow.type.toLowerCase(),
    ...(flow.division ? { division: { id: flow.division.id, ...(flow.division.name ? { name: flow.division.name } : {}) } } : {}),
    ...(flow.publishedVersion ? { publishedVersion: flow.publishedVersion.id } : {}),
    ...(holder ? { lockedBy: { kind: holder.kind, id: holder.id, ...(holder.name ? { name: holder.name } : {}) } } : {}),
    hasDraft: hasNewerDraft(flow),
  };
}

/** The rollout's API port over the real client. */
export function rolloutApiFromClient(client: GenesysClient): RolloutApi {
  const firstLook = new FirstLookTimer();
  // Export jobs too: looked at first when they are learnt to be done (a look that finds one running costs budget).
  const exportLook = new FirstLookTimer();

  return {
    clock: client.clock,
    async listFlows(types) {
      const flows: Flow[] = [];
      for await (const flow of client.flows.list({ type: [...types] }, { prefetch: 4 })) flows.push(flow);
      return flows;
    },
    findModule(name) {
      return client.flows.findByName(name, 'commonmodule', { includeSchemas: true });
    },
    async moduleConsumersByVersion(moduleId, options = {}) {
      const versions = publishedVersionIds(await client.flows.versions(moduleId), options.currentVersion);
      const types = options.types ?? INBOUND_FLOW_TYPES;
      const byFlow = new Map<string, string>();
      let partial = false;
      // Newest first: a flow listed under several versions is taken at the newest it consumes.
      for (const version of [...versions].sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a))) {
        const answer = await client.dependencies.consumers(moduleId, {
          version, resourceTypes: types.map((type) => toDependencyType(type as never)), flowFilter: 'published',
        });
        partial ||= answer.partial;
        for (const item of answer.items) if (!byFlow.has(item.id)) byFlow.set(item.id, version);
      }
      return { byFlow, partial };
    },
    async getFlows(ids) {
      // GET /api/v2/flows/lookup: the batched by-id lookup that replaces the deprecated GET /api/v2/flows?id=.
      const found = new Map<string, FlowMeta>();
      for (const flow of await client.flows.lookup(ids)) if (!flow.deleted) found.set(flow.id, flowMeta(flow));
      return found;
    },
    async exportFlows(refs) {
      const results = new Map<string, ExportResult>();
      if (refs.length === 0) return results;
      const poll = {
        initialMs: exportLook.ms,
        againMs: Math.max(100, Math.round(exportLook.ms / 4)),
        onFirstLook: (done: boolean, waitedMs: number) => (done ? exportLook.hit() : exportLook.miss(waitedMs)),
      };
      for (const result of await client.exportJobs.exportFlows(refs.map((ref) => (ref.version ? { id: ref.id, version: ref.version } : { id: ref.id })), { poll })) {
        results.set(result.flowId, result.ok ? { yaml: result.yaml } : { error: result.error });
      }
      return results;
    },
    async registerImport() {
      const registration = await client.importJobs.register();
      return { jobId: registration.id, presignedUrl: registration.presignedUrl, headers: registration.headers };
    },
    async uploadImport(registration, yaml) {
      await client.importJobs.upload({ id: registration.jobId, presignedUrl: registration.presignedUrl, headers: registration.headers }, yaml);
    },
    async waitImport(jobId, options = {}) {
      const result = await client.importJobs.wait(jobId, {
        ...options,
        firstLookMs: firstLook.ms,
        onFirstLook: (done, waitedMs) => (done ? firstLook.hit() : firstLook.miss(waitedMs)),
      });
      const texts = result.errors.length > 0 ? result.errors : result.messages.map((m) => m.text ?? '');
      return {
        status: result.status,
        ...(result.flowId ? { flowId: result.flowId } : {}),
        messages: result.timedOut ? [`import job ${jobId} was still ${result.status} at its deadline`, ...texts] : texts,
        ...(result.timedOut ? { timedOut: true as const } : {}),
      };
    },
    async getImport(jobId) {
      const state = await client.importJobs.get(jobId);
      const status = (['Registered', 'Started', 'Success', 'Failure'].includes(state.status) ? state.status : 'Started') as ImportResult['status'];
      return { status, ...(state.flow?.id ? { flowId: state.flow.id } : {}), messages: (state.messages ?? []).map((m) => m.text ?? '') };
    },
    async moduleConsumers(moduleId, moduleVersion) {
      const answer = await client.dependencies.consumers(moduleId, {
        version: moduleVersion,
        resourceTypes: INBOUND_FLOW_TYPES.map((type) => toDependencyType(type)),
        flowFilter: 'published',
      });
      return { ids: new Set(answer.items.map((item) => item.id)), partial: answer.partial };
    },
    async flowVersions(flowId) {
      return (await client.flows.versions(flowId)).map((version) => ({ id: version.id, ...(version.type ? { type: version.type } : {}) }));
    },
    stats() {
      const stats = client.stats();
      return { requests: stats.requests - stats.tokenRequests, rateLimited: stats.rateLimited };
    },
  };
}
