import { unzipSync } from 'fflate';
import { ApiError } from '../errors.js';
import type { Clock, RequestFn } from '../http/types.js';
import type { ArchitectJobMessage, ExportJobState } from '../types.js';
import { poll, type PollOptions } from './poll.js';

export interface ExportRef {
  id: string;
  /** A version id such as `"3.0"`; pin `publishedVersion.id` to export what is live (not a draft). */
  version?: string;
}

export type ExportResult =
  | { flowId: string; version?: string; ok: true; yaml: string; fileName: string; jobId: string }
  | { flowId: string; version?: string; ok: false; error: string; jobId?: string };

export interface ExportOptions {
  /** Flows per export job; the API takes up to 100. */
  chunkSize?: number;
  /** Export jobs in flight at once. */
  concurrency?: number;
  /** The back-off, and `deadline`: an export job still running then fails its flows. Default: 10 min after the job started. */
  poll?: PollOptions;
}

/** How long exportFlows waits for one export job when no deadline is given. */
export const DEFAULT_EXPORT_TIMEOUT_MS = 10 * 60_000;

export interface ExportJobsResource {
  /** `POST /api/v2/flows/export/jobs` for up to 100 flows, as YAML. */
  start(flows: readonly ExportRef[]): Promise<ExportJobState>;
  get(jobId: string): Promise<ExportJobState>;
  /**
   * Looks at the job with back-off until Success or Failure, or until `deadline` passes: then the job as last seen,
   * marked `timedOut` (not an exception). No deadline: until the job ends or the signal aborts.
   */
  wait(jobId: string, options?: PollOptions): Promise<ExportJobState & { timedOut?: true }>;
  /** The presigned download (no bearer token): YAML for one flow, a zip for several. */
  download(downloadUrl: string): Promise<Uint8Array>;
  /** Exports any number of flows, chunked, and reports every flow: its YAML or why it failed. */
  exportFlows(flows: readonly ExportRef[], options?: ExportOptions): Promise<ExportResult[]>;
}

const MAX_CHUNK = 100;
const TERMINAL = new Set(['Success', 'Failure']);

export function exportJobsResource(request: RequestFn, clock: Clock): ExportJobsResource {
  const resource: ExportJobsResource = {
    async start(flows) {
      if (flows.length === 0 || flows.length > MAX_CHUNK) {
        throw new RangeError(`an export job takes 1 to ${MAX_CHUNK} flows, not ${flows.length}`);
      }
      const body = {
        flows: flows.map((ref) => ({
          flow: ref.version === undefined ? { id: ref.id } : { id: ref.id, version: ref.version },
          exportType: 'Yaml',
          // The entry names of a zipped export are undocumented; `fileName` is documented ("the extension will be
          // automatically appended"), so each flow is asked for under its own id and found by it (readExport).
          ...(SAFE_FILE_NAME.test(ref.id) ? { fileName: ref.id } : {}),
        })),
      };
      // A repeated registration only leaves an unused job behind, so it may be resent after a lost answer.
      return (await request<ExportJobState>({
        method: 'POST', path: '/api/v2/flows/export/jobs', json: body, idempotent: true, operation: 'exportJobs.start',
      })).data;
    },

    async get(jobId) {
      return (await request<ExportJobState>({
        method: 'GET', path: `/api/v2/flows/export/jobs/${encodeURIComponent(jobId)}`, query: { expand: 'messages' },
        operation: 'exportJobs.get',
      })).data;
    },

    async wait(jobId, options = {}) {
      const polled = await poll(() => resource.get(jobId), (state) => TERMINAL.has(state.status), clock, options);
      return polled.done ? polled.value : { ...polled.value, timedOut: true };
    },

    async download(downloadUrl) {
      return (await request<Uint8Array>({
        method: 'GET', path: downloadUrl, auth: false, responseType: 'bytes', operation: 'exportJobs.download',
      })).data;
    },

    async exportFlows(flows, options = {}) {
      const first = await exportInChunks(resource, flows, options, clock);
      // Archy reports a throttled export as "could not find the flow ... exit code: 107" / "Archy failed" (the
      // Terraform provider retries these, genesys-api.md §9.1); give such flows one more job. A plain "could not
      // find" (the flow is really gone) is final.
      const again = first.filter((r) => !r.ok && THROTTLE_ARTEFACT.test(r.error));
      if (again.length === 0) return first;
      const retried = new Map((await exportInChunks(resource, again.map((r) => ({ id: r.flowId, ...versionOf(r) })), options, clock))
        .map((r) => [r.flowId, r]));
      return first.map((r) => retried.get(r.flowId) ?? r);
    },
  };
  return resource;
}

const THROTTLE_ARTEFACT = /exit code:?\s*107|archy failed/i;

async function exportInChunks(resource: ExportJobsResource, flows: readonly ExportRef[], options: ExportOptions, clock: Clock): Promise<ExportResult[]> {
  const chunkSize = Math.min(MAX_CHUNK, Math.max(1, options.chunkSize ?? MAX_CHUNK));
  const chunks: ExportRef[][] = [];
  for (let i = 0; i < flows.length; i += chunkSize) chunks.push(flows.slice(i, i + chunkSize));
  const results: ExportResult[][] = new Array(chunks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const index = next++;
      results[index] = await exportChunk(resource, chunks[index]!, options.poll, clock);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, chunks.length) }, worker));
  return results.flat();
}

async function exportChunk(resource: ExportJobsResource, refs: ExportRef[], poll: PollOptions | undefined, clock: Clock): Promise<ExportResult[]> {
  const failAll = (error: string, jobId?: string): ExportResult[] =>
    refs.map((ref) => ({ flowId: ref.id, ...versionOf(ref), ok: false as const, error, ...(jobId ? { jobId } : {}) }));
  let state: ExportJobState;
  try {
    const started = await resource.start(refs);
    const since = clock.now();
    const deadline = poll?.deadline ?? since + DEFAULT_EXPORT_TIMEOUT_MS;
    const waited = TERMINAL.has(started.status) ? started : await resource.wait(started.id, { ...poll, deadline });
    if ('timedOut' in waited && waited.timedOut) {
      return failAll(`export job ${started.id} did not finish within ${Math.round((deadline - since) / 1000)} s`, started.id);
    }
    state = waited;
  } catch (error) {
    // A whole job that could not run is reported per flow; the caller decides what to do with the flows.
    if (error instanceof ApiError && error.kind !== 'aborted') return failAll(error.message);
    throw error;
  }
  const errors = (state.messages ?? []).filter((m) => m.type === undefined || m.type === 'Error');
  if (state.status !== 'Success' || !state.downloadUrl) {
    return failAll(`export job ${state.status}: ${joinMessages(errors) || 'no messages'}`, state.id);
  }
  const bytes = await resource.download(state.downloadUrl);
  const files = readExport(bytes, refs, errors);
  // A raw YAML answer to a job of several flows that could not be attributed: each unnamed flow gets a job of its own.
  const unattributed = refs.length > 1 && !isZipBytes(bytes)
    ? refs.filter((ref) => !files.has(ref.id) && !errors.some((m) => m.text?.includes(ref.id)))
    : [];
  for (const ref of unattributed) {
    const [alone] = await exportChunk(resource, [ref], poll, clock);
    if (alone?.ok) files.set(ref.id, { name: alone.fileName, yaml: alone.yaml });
  }
  return refs.map((ref) => {
    const file = files.get(ref.id);
    if (file) return { flowId: ref.id, ...versionOf(ref), ok: true as const, yaml: file.yaml, fileName: file.name, jobId: state.id };
    const own = errors.filter((m) => m.text?.includes(ref.id));
    const why = own.length > 0 ? joinMessages(own) : `not in the export of job ${state.id}${errors.length ? `: ${joinMessages(errors)}` : ''}`;
    return { flowId: ref.id, ...versionOf(ref), ok: false as const, error: why, jobId: state.id };
  });
}

function versionOf(ref: { version?: string | undefined }): { version?: string } {
  return ref.version === undefined ? {} : { version: ref.version };
}

function joinMessages(messages: ArchitectJobMessage[]): string {
  return messages.map((m) => m.text ?? '').filter(Boolean).join('; ');
}

const isZipBytes = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

/** What ExportDetails.fileName accepts (letters, digits, `_` and `-`); a Genesys flow id (a GUID) always fits. */
const SAFE_FILE_NAME = /^[A-Za-z0-9_-]+$/;

// fflate's strFromU8 drops a leading BOM (TextDecoder's default); the splice must see the file as exported.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const strFromU8 = (bytes: Uint8Array): string => utf8.decode(bytes);

/**
 * Finds each flow's YAML in an export download. Several flows come as a zip whose entries were asked for by name
 * (`fileName: <flowId>`, so `<flowId>.yaml`); nothing else in an entry name is relied on. One flow's YAML comes
 * raw, and so may a job of several flows of which only one exported (genesys-api.md §15.2): the file is then
 * the one flow that no error message names, and unattributed when that is not exactly one (the caller fails those
 * flows, it never guesses).
 */
export function readExport(
  bytes: Uint8Array,
  refs: readonly ExportRef[],
  errors: readonly ArchitectJobMessage[] = [],
): Map<string, { name: string; yaml: string }> {
  const files = new Map<string, { name: string; yaml: string }>();
  if (!isZipBytes(bytes)) {
    const unnamed = refs.filter((ref) => !errors.some((m) => m.text?.includes(ref.id)));
    const only = refs.length === 1 ? refs[0] : unnamed.length === 1 ? unnamed[0] : undefined;
    if (only) files.set(only.id, { name: `${only.id}.yaml`, yaml: strFromU8(bytes) });
    return files;
  }
  const byName = new Map(refs.map((ref) => [`${ref.id}.yaml`.toLowerCase(), ref] as const));
  for (const [name, content] of Object.entries(unzipSync(bytes))) {
    const base = (name.split('/').pop() ?? name).toLowerCase();
    const ref = byName.get(base) ?? byName.get(base.replace(/\.yml$/, '.yaml'));
    if (ref && !files.has(ref.id)) files.set(ref.id, { name: base, yaml: strFromU8(content) });
  }
  return files;
}
