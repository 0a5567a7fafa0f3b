import type { FlowMeta, ImportResult, RolloutApi } from './api-port.js';
import { compareMeaning } from '../flow/meaning.js';
import { awaitingOf, fail, progressOf, type ApplyState, type RewriteItem, type RunContext } from './rewrite-context.js';

/**
 * Re-reads a batch of flows just before their writes and decides, per flow, whether it may be written. In-flight
 * jobs of an interrupted attempt are looked at first. Then one lookup: a flow with the checked published version,
 * name unchanged, not locked and with no newer draft is ready, at no further cost. Only a flow whose version moved
 * is exported and judged by meaning: holding what we planned means an earlier attempt (or run) wrote it, and it
 * then awaits confirmation like a fresh write; anything else was changed by someone else and is skipped.
 */
export async function precheck(
  ctx: RunContext,
  batch: readonly RewriteItem[],
  lookup: (ids: readonly string[]) => Promise<Map<string, FlowMeta>> = (ids) => ctx.api.getFlows(ids),
): Promise<RewriteItem[]> {
  const { api, journal } = ctx;
  for (const flow of batch) {
    const item = progressOf(ctx, flow);
    if (!item.pendingJobId) continue;
    const jobId = item.pendingJobId;
    const job = await lookAtPendingJob(api, jobId);
    if (job.status === 'Started') Object.assign(job, await api.waitImport(jobId));
    if (job.status === 'Success' && job.flowId !== undefined && job.flowId !== flow.id) {
      const message = `the import job published flow ${job.flowId}, not the target ${flow.id} (was the flow renamed?)`;
      journal.append('import-failed', { flowId: flow.id, jobId, messages: [message], otherFlowId: job.flowId, resumed: true });
      fail(ctx, flow, message, 'FAILED', { otherFlowId: job.flowId });
      continue; // not judged again in this attempt (the pending job keeps it out of the batch below)
    } else if (job.status === 'Success') {
      journal.append('import-succeeded', { flowId: flow.id, jobId, resumed: true });
      item.awaiting = awaitingOf(flow);
    } else if (job.timedOut) {
      // Still running after another full wait: importing again now could publish the flow twice.
      journal.append('import-failed', { flowId: flow.id, jobId, messages: job.messages, resumed: true, timedOut: true });
      fail(ctx, flow, `an earlier import job (${jobId}) is still running; not importing again until it ends`);
      continue;
    } else if (job.status === 'Failure') {
      journal.append('import-failed', { flowId: flow.id, jobId, messages: job.messages, resumed: true });
    }
    delete item.pendingJobId;
  }
  const open = batch.filter((flow) => {
    const item = progressOf(ctx, flow);
    return item.outcome.state !== 'DONE' && item.pendingJobId === undefined && item.awaiting === undefined;
  });
  if (open.length === 0) return [];
  const metas = await lookup(open.map((flow) => flow.id));
  // Content is read only where identity cannot decide: the version moved (our own earlier import, or someone
  // else's publish) or was never known. An unchanged flow costs no export.
  const toRead = open.flatMap((flow) => {
    const meta = metas.get(flow.id);
    if (!meta?.publishedVersion || meta.lockedBy || meta.hasDraft || meta.name !== flow.name || meta.publishedVersion === flow.expectedVersion) return [];
    return [{ id: flow.id, version: meta.publishedVersion }];
  });
  const exports = toRead.length > 0 ? await api.exportFlows(toRead) : new Map<string, { yaml?: string; error?: string }>();
  const ready: RewriteItem[] = [];
  for (const flow of open) {
    const item = progressOf(ctx, flow);
    const exported = exports.get(flow.id);
    const verdict = judge(flow, metas.get(flow.id), exported?.yaml, exported?.error, item.importedEarlier === true);
    if (verdict === 'ready') {
      ready.push(flow);
    } else if (verdict === 'already-applied') {
      journal.append('import-succeeded', { flowId: flow.id, detectedBy: 'meaning' });
      item.awaiting = awaitingOf(flow);
    } else if (verdict.state === 'FAILED' || verdict.state === 'CONFLICT') {
      fail(ctx, flow, verdict.reason, verdict.state);
    } else {
      item.outcome.state = verdict.state;
      item.outcome.reason = verdict.reason;
      journal.append('precheck-skipped', { flowId: flow.id, state: verdict.state, reason: verdict.reason });
      ctx.emit(flow, verdict.state, verdict.reason);
    }
  }
  return ready;
}

/**
 * An in-flight job of an earlier attempt, as the server reports it now. A job the server no longer knows (404:
 * job records expire, or the org was restored) is reported as failed, so that the flow is re-read and judged by its
 * content: already meaning the planned YAML means done, unchanged means import again. Letting the 404 stop the run
 * made every later resume stop at the same place.
 */
async function lookAtPendingJob(api: RolloutApi, jobId: string): Promise<ImportResult> {
  try {
    return await api.getImport(jobId);
  } catch (error) {
    if ((error as { status?: unknown } | null)?.status !== 404) throw error;
    return { status: 'Failure', messages: [`import job ${jobId} is no longer known to the server; the flow is re-read to decide`] };
  }
}

function judge(
  flow: RewriteItem,
  meta: FlowMeta | undefined,
  currentYaml: string | undefined,
  exportError?: string,
  importedEarlier = false,
): 'ready' | 'already-applied' | { state: ApplyState; reason: string } {
  if (!meta) return { state: 'SKIPPED_DELETED', reason: 'the flow no longer exists' };
  if (meta.lockedBy) {
    return { state: 'SKIPPED_LOCKED', reason: `locked by ${meta.lockedBy.kind} ${meta.lockedBy.name ?? meta.lockedBy.id ?? ''}`.trim() };
  }
  if (meta.hasDraft) return { state: 'SKIPPED_DRAFT', reason: 'has an unpublished draft newer than the published version' };
  // Imports match by name and type: importing under the old name would create a second flow, not change this one.
  if (meta.name !== flow.name) return { state: 'SKIPPED_CHANGED', reason: `renamed since the plan (now ${JSON.stringify(meta.name)})` };
  if (flow.expectedVersion !== undefined && meta.publishedVersion === flow.expectedVersion) return 'ready';
  const moved = flow.expectedVersion === undefined
    ? 'its published version was not recorded'
    : `published version is ${meta.publishedVersion ?? 'none'}, expected ${flow.expectedVersion}`;
  if (!meta.publishedVersion) return { state: 'SKIPPED_CHANGED', reason: `${moved}; the flow has no published version` };
  // Not knowing the content is not a change: an export that failed (a 503 run past the retry cap, a throttled
  // job) fails the flow, so that the run does not end "done" with flows skipped for a reason that is not true,
  // and the next apply tries the flow again.
  if (currentYaml === undefined) {
    return { state: 'FAILED', reason: `${moved}, and its content could not be exported to compare it${exportError ? `: ${exportError}` : ''}` };
  }
  if (compareMeaning(currentYaml, flow.loadNewYaml()).same) return 'already-applied';
  if (flow.expectedVersion === undefined && flow.loadExpectedText && compareMeaning(currentYaml, flow.loadExpectedText()).same) return 'ready';
  // This run wrote the flow before, and someone published over it since: their version lacks our change.
  if (importedEarlier) return { state: 'CONFLICT', reason: `${moved}: this run imported the flow, and someone else has published over it since without this change` };
  return { state: 'SKIPPED_CHANGED', reason: `${moved}, and it means neither what was planned nor the change (someone else changed it)` };
}
