import type { GenesysClient, Flow } from '../client/index.js';
import type { ExportResult, FlowMeta, ImportResult, RolloutApi } from './api-port.js';
import { hasNewerDraft, lockHolder } from './eligibility.js';
import { INBOUND_FLOW_TYPES, toDependencyType } from '../genesys/flow-types.js';

/** `GET /api/v2/flows?id=` takes many ids; 100 per request keeps the URL well under common limits. */
const IDS_PER_LOOKUP = 100;

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

/**
 * The rollout's API port over the real client. Import polls start after the job time seen so far (a running
 * median), so that most jobs take one poll: at ~300 requests a minute every saved poll is throughput.
 */
export function rolloutApiFromClient(client: GenesysClient): RolloutApi {
  const jobDurations: number[] = [];
  const expectedJobMs = (): number => {
    if (jobDurations.length === 0) return 500;
    const sorted = [...jobDurations].sort((a, b) => a - b);
    return Math.max(50, Math.round((sorted[Math.floor(sorted.length / 2)] as number) * 1.1));
  };
  const uploadedAt = new Map<string, number>();

  return {
    async getFlows(ids) {
      const found = new Map<string, FlowMeta>();
      for (let start = 0; start < ids.length; start += IDS_PER_LOOKUP) {
        for await (const flow of client.flows.list({ id: ids.slice(start, start + IDS_PER_LOOKUP) })) {
          if (!flow.deleted) found.set(flow.id, flowMeta(flow));
        }
      }
      return found;
    },
    async exportFlows(refs) {
      const results = new Map<string, ExportResult>();
      if (refs.length === 0) return results;
      for (const result of await client.exportJobs.exportFlows(refs.map((ref) => (ref.version ? { id: ref.id, version: ref.version } : { id: ref.id })))) {
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
      uploadedAt.set(registration.jobId, Date.now());
    },
    async waitImport(jobId, signal) {
      const result = await client.importJobs.poll(jobId, { initialMs: expectedJobMs(), factor: 1.5, maxMs: 5000, ...(signal ? { signal } : {}) });
      const began = uploadedAt.get(jobId);
      if (began !== undefined) {
        jobDurations.push(Date.now() - began);
        if (jobDurations.length > 50) jobDurations.shift();
        uploadedAt.delete(jobId);
      }
      return { status: result.status, ...(result.flowId ? { flowId: result.flowId } : {}), messages: result.errors.length > 0 ? result.errors : result.messages.map((m) => m.text ?? '') };
    },
    async getImport(jobId) {
      const state = await client.importJobs.get(jobId);
      const status = (['Registered', 'Started', 'Success', 'Failure'].includes(state.status) ? state.status : 'Started') as ImportResult['status'];
      return { status, ...(state.flow?.id ? { flowId: state.flow.id } : {}), messages: (state.messages ?? []).map((m) => m.text ?? '') };
    },
    async moduleConsumers(moduleId) {
      const answer = await client.dependencies.consumers(moduleId, {
        resourceTypes: INBOUND_FLOW_TYPES.map((type) => toDependencyType(type)),
        flowFilter: 'published',
      });
      return { ids: new Set(answer.items.map((item) => item.id)), partial: answer.partial };
    },
    stats() {
      const stats = client.stats();
      return { requests: stats.requests - stats.tokenRequests, rateLimited: stats.rateLimited };
    },
  };
}
