import { sha256 } from './plan-file.js';
import { fail, isRunFatal, progressOf, RunStopped, type RewriteItem, type RunContext } from './rewrite-context.js';

/**
 * One import job for one flow: register, upload, wait, each step journaled (fsynced) before it is taken. On
 * Success the flow awaits confirmation from the API (confirm.ts); on Failure it is failed with the job's messages.
 * An error that is not this flow's fault stops the run with the journal at its last step, so that resume looks at
 * the in-flight job before anything is redone.
 */
export async function importText(
  ctx: RunContext,
  flow: RewriteItem,
  text: { load: () => string; sha256: string },
  awaiting: { base?: string; rebases: number },
  journalFields: Record<string, unknown> = {},
): Promise<void> {
  const { api, journal } = ctx;
  const item = progressOf(ctx, flow);
  const started = Date.now();
  item.outcome.startedAt ??= new Date(started).toISOString();
  try {
    const registration = await api.registerImport();
    journal.append('import-registered', { flowId: flow.id, jobId: registration.jobId, ...journalFields });
    const yaml = text.load();
    if (sha256(yaml) !== text.sha256) throw new Error(`the YAML kept for flow ${flow.id} is damaged; make a new plan`);
    await api.uploadImport(registration, yaml);
    journal.append('import-uploaded', { flowId: flow.id, jobId: registration.jobId });
    // In-flight jobs are always awaited, even after Ctrl-C: stopping mid-job would leave the outcome unknown.
    const result = await api.waitImport(registration.jobId);
    item.outcome.durationMs = (item.outcome.durationMs ?? 0) + Date.now() - started;
    if (result.status === 'Success' && result.flowId !== undefined && result.flowId !== flow.id) {
      // Imports match by name: a flow renamed since the check gets a new twin instead (genesys-api.md §15.8).
      const message = `the import job published flow ${result.flowId}, not the target ${flow.id} (was the flow renamed?)`;
      journal.append('import-failed', { flowId: flow.id, jobId: registration.jobId, messages: [message], otherFlowId: result.flowId });
      fail(ctx, flow, message, 'FAILED', { otherFlowId: result.flowId });
    } else if (result.status === 'Success') {
      journal.append('import-succeeded', { flowId: flow.id, jobId: registration.jobId });
      item.awaiting = { ...awaiting, text: () => text.load() };
    } else {
      const message = result.messages.join('; ') || 'import job failed without messages';
      journal.append('import-failed', { flowId: flow.id, jobId: registration.jobId, messages: result.messages, ...(result.timedOut ? { timedOut: true } : {}) });
      fail(ctx, flow, message);
    }
  } catch (error) {
    item.outcome.durationMs = (item.outcome.durationMs ?? 0) + Date.now() - started;
    if (isRunFatal(error)) throw new RunStopped(error);
    fail(ctx, flow, error instanceof Error ? error.message : String(error));
  }
}
