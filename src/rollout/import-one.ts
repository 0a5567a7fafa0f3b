import { sha256 } from './plan-file.js';
import type { ImportResult } from './api-port.js';
import { fail, isRunFatal, progressOf, RunStopped, type Awaiting, type RewriteItem, type RunContext } from './rewrite-context.js';

/** The text to import, loaded when needed and checked against the digest the run recorded. */
export interface ImportText {
  load: () => string;
  sha256: string;
}

/**
 * The first half of one import: register the job and upload the text, each step journaled (fsynced) before it is
 * taken. Returns the job id, or undefined when this flow failed (journaled). An error that is not this flow's
 * fault stops the run with the journal at its last step, so that resume looks at the job before anything is redone.
 */
export async function startImport(
  ctx: RunContext,
  flow: RewriteItem,
  text: ImportText,
  journalFields: Record<string, unknown> = {},
): Promise<string | undefined> {
  const { api, journal } = ctx;
  progressOf(ctx, flow).outcome.startedAt ??= new Date().toISOString();
  return flowStep(ctx, flow, async () => {
    const registration = await api.registerImport();
    journal.append('import-registered', { flowId: flow.id, jobId: registration.jobId, ...journalFields });
    const yaml = text.load();
    if (sha256(yaml) !== text.sha256) throw new Error(`the YAML kept for flow ${flow.id} is damaged; make a new plan`);
    await api.uploadImport(registration, yaml);
    journal.append('import-uploaded', { flowId: flow.id, jobId: registration.jobId });
    return registration.jobId;
  });
}

/**
 * One step of a flow's import, timed into its outcome. An error that is not this flow's fault stops the run (the
 * journal at its last step); any other fails the flow, and the step gives undefined.
 */
async function flowStep<T>(ctx: RunContext, flow: RewriteItem, work: () => Promise<T>): Promise<T | undefined> {
  const item = progressOf(ctx, flow);
  const started = Date.now();
  try {
    return await work();
  } catch (error) {
    if (isRunFatal(error)) throw new RunStopped(error);
    fail(ctx, flow, error instanceof Error ? error.message : String(error));
    return undefined;
  } finally {
    item.outcome.durationMs = (item.outcome.durationMs ?? 0) + Date.now() - started;
  }
}

/**
 * What the end of a flow's import job means: Failure fails the flow with the job's messages; Success for another
 * flow is a twin made by a rename (imports match by name, genesys-api.md §15.8); Success leaves the flow awaiting
 * confirmation from the API (confirm.ts).
 */
function settleJob(ctx: RunContext, flow: RewriteItem, jobId: string, result: ImportResult, awaiting: Awaiting): void {
  const { journal } = ctx;
  const item = progressOf(ctx, flow);
  if (result.status === 'Success' && result.flowId !== undefined && result.flowId !== flow.id) {
    const message = `the import job published flow ${result.flowId}, not the target ${flow.id} (was the flow renamed?)`;
    journal.append('import-failed', { flowId: flow.id, jobId, messages: [message], otherFlowId: result.flowId });
    fail(ctx, flow, message, 'FAILED', { otherFlowId: result.flowId });
  } else if (result.status === 'Success') {
    journal.append('import-succeeded', { flowId: flow.id, jobId });
    item.awaiting = awaiting;
  } else {
    const message = result.messages.join('; ') || 'import job failed without messages';
    journal.append('import-failed', { flowId: flow.id, jobId, messages: result.messages, ...(result.timedOut ? { timedOut: true } : {}) });
    fail(ctx, flow, message);
  }
}

/** Waits for a flow's job to end (the job timeout applies) and settles it; errors as startImport. */
export async function awaitJob(ctx: RunContext, flow: RewriteItem, jobId: string, awaiting: Awaiting): Promise<void> {
  // In-flight jobs are always awaited, even after Ctrl-C: stopping mid-job would leave the outcome unknown.
  await flowStep(ctx, flow, async () => settleJob(ctx, flow, jobId, await ctx.api.waitImport(jobId), awaiting));
}

/** One whole import, waited for: register, upload, wait (used for rebases, where a job's outcome is needed at once). */
export async function importText(
  ctx: RunContext,
  flow: RewriteItem,
  text: ImportText,
  awaiting: { base?: string; rebases: number },
  journalFields: Record<string, unknown> = {},
): Promise<void> {
  const jobId = await startImport(ctx, flow, text, journalFields);
  if (jobId !== undefined) await awaitJob(ctx, flow, jobId, { ...awaiting, text: () => text.load() });
}
