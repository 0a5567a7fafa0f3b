import { unzipSync } from 'fflate';
import { ApiError } from '../errors.js';
import type { Clock, RequestFn } from '../http/types.js';
import type { ArchitectJobMessage, ExportJobState } from '../types.js';
import { pollUntil, type PollOptions } from './poll.js';

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
  poll?: PollOptions;
}

export interface ExportJobsResource {
  /** `POST /api/v2/flows/export/jobs` for up to 100 flows, as YAML. */
  start(flows: readonly ExportRef[]): Promise<ExportJobState>;
  get(jobId: string): Promise<ExportJobState>;
  /** Polls until Success or Failure. */
  wait(jobId: string, options?: PollOptions): Promise<ExportJobState>;
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

    wait(jobId, options = {}) {
      return pollUntil(() => resource.get(jobId), (state) => TERMINAL.has(state.status), `export job ${jobId}`, clock, options);
    },

    async download(downloadUrl) {
      return (await request<Uint8Array>({
        method: 'GET', path: downloadUrl, auth: false, responseType: 'bytes', operation: 'exportJobs.download',
      })).data;
    },

    async exportFlows(flows, options = {}) {
      const first = await exportInChunks(resource, flows, options);
      // Archy reports a throttled export as "could not find the flow ... exit code: 107" / "Archy failed" (the
      // Terraform provider retries these, genesys-api.md §9.1); give such flows one more job. A plain "could not
      // find" (the flow is really gone) is final.
      const again = first.filter((r) => !r.ok && THROTTLE_ARTEFACT.test(r.error));
      if (again.length === 0) return first;
      const retried = new Map((await exportInChunks(resource, again.map((r) => ({ id: r.flowId, ...versionOf(r) })), options))
        .map((r) => [r.flowId, r]));
      return first.map((r) => retried.get(r.flowId) ?? r);
    },
  };
  return resource;
}

const THROTTLE_ARTEFACT = /exit code:?\s*107|archy failed/i;

async function exportInChunks(resource: ExportJobsResource, flows: readonly ExportRef[], options: ExportOptions): Promise<ExportResult[]> {
  const chunkSize = Math.min(MAX_CHUNK, Math.max(1, options.chunkSize ?? MAX_CHUNK));
  const chunks: ExportRef[][] = [];
  for (let i = 0; i < flows.length; i += chunkSize) chunks.push(flows.slice(i, i + chunkSize));
  const results: ExportResult[][] = new Array(chunks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const index = next++;
      results[index] = await exportChunk(resource, chunks[index]!, options.poll);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 2, chunks.length) }, worker));
  return results.flat();
}

async function exportChunk(resource: ExportJobsResource, refs: ExportRef[], poll?: PollOptions): Promise<ExportResult[]> {
  const failAll = (error: string, jobId?: string): ExportResult[] =>
    refs.map((ref) => ({ flowId: ref.id, ...versionOf(ref), ok: false as const, error, ...(jobId ? { jobId } : {}) }));
  let state: ExportJobState;
  try {
    const started = await resource.start(refs);
    state = TERMINAL.has(started.status) ? started : await resource.wait(started.id, poll);
  } catch (error) {
    // A whole job that could not run is reported per flow; the caller decides what to do with the flows.
    if (error instanceof ApiError && error.kind !== 'aborted') return failAll(error.message);
    throw error;
  }
  const errors = (state.messages ?? []).filter((m) => m.type === undefined || m.type === 'Error');
  if (state.status !== 'Success' || !state.downloadUrl) {
    return failAll(`export job ${state.status}: ${joinMessages(errors) || 'no messages'}`, state.id);
  }
  const files = readExport(await resource.download(state.downloadUrl), refs);
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

/**
 * The download is the YAML itself when one flow was exported and a zip of `<name>-<TYPE>-<id>.yaml` files when
 * several were (archy-yaml.md §2.2); files are matched to flows by the id at the end of their name.
 */
// fflate's strFromU8 drops a leading BOM (TextDecoder's default); the splice must see the file as exported.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
const strFromU8 = (bytes: Uint8Array): string => utf8.decode(bytes);

export function readExport(bytes: Uint8Array, refs: readonly ExportRef[]): Map<string, { name: string; yaml: string }> {
  const files = new Map<string, { name: string; yaml: string }>();
  const isZip = bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!isZip) {
    if (refs.length === 1) files.set(refs[0]!.id, { name: `${refs[0]!.id}.yaml`, yaml: strFromU8(bytes) });
    return files;
  }
  const entries = unzipSync(bytes);
  for (const [name, content] of Object.entries(entries)) {
    const base = name.split('/').pop() ?? name;
    const ref = refs.find((r) => base.endsWith(`-${r.id}.yaml`) || base.endsWith(`-${r.id}.yml`) || base === `${r.id}.yaml`);
    if (ref) files.set(ref.id, { name: base, yaml: strFromU8(content) });
  }
  return files;
}
