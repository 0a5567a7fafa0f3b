import type { Clock, RequestFn } from '../http/types.js';
import type { ArchitectJobMessage, ImportJobState, JobStatus, RegisterImportJobResponse } from '../types.js';
import { poll, type PollOptions } from './poll.js';

export interface ImportJobResult {
  jobId: string;
  /** Success or Failure; Registered or Started when the deadline came first (`timedOut`). */
  status: JobStatus;
  /** The flow the job created or updated (on Success). */
  flowId: string | undefined;
  messages: ArchitectJobMessage[];
  /** The Error messages' texts, for reports. */
  errors: string[];
  /** The deadline passed while the job was still running: it may still finish (and publish) later. */
  timedOut?: true;
}

/** How to wait for an import job: `deadline`, `signal` and the back-off of PollOptions, plus a learnt first look. */
export interface ImportWaitOptions extends PollOptions {
  /** The pause before the first look (a caller that learns how long jobs take); default `initialMs`. */
  firstLookMs?: number;
  /** How the first look went: the job was done (a hit) or not (a miss), after a pause of `waitedMs`. */
  onFirstLook?: (done: boolean, waitedMs: number) => void;
}

export interface ImportJobsResource {
  /** `POST /api/v2/flows/jobs`: a job id, a presigned upload URL and the headers the upload must carry. */
  register(options?: { createStubs?: boolean }): Promise<RegisterImportJobResponse>;
  /** `PUT` the YAML to the presigned URL with exactly the returned headers and no bearer token; retried. */
  upload(registration: RegisterImportJobResponse, yaml: string | Uint8Array): Promise<void>;
  get(jobId: string): Promise<ImportJobState>;
  /**
   * Looks at the job with back-off until Success or Failure, or until `deadline` (epoch ms on the client's clock)
   * passes: then the job as last seen, marked `timedOut` (not an exception). No deadline: until the job ends or the
   * signal aborts; the client sets no limit of its own.
   */
  wait(jobId: string, options?: ImportWaitOptions): Promise<ImportJobResult>;
  /** register + upload + wait: imports and publishes one flow's YAML. */
  importFlowYaml(yaml: string | Uint8Array, options?: ImportWaitOptions & { createStubs?: boolean }): Promise<ImportJobResult>;
}

const TERMINAL = new Set(['Success', 'Failure']);

/**
 * The pause after a first look that found the job running: a quarter of the first look. A job still running at the
 * first look is usually nearly done, and a caller that learns its first look moves it about that much (+25 %) after
 * a miss, so the second look lands where the next first look will; the back-off (×1.5, 5 s at most) follows.
 */
const afterMissMs = (firstLookMs: number): number => Math.max(100, Math.round(firstLookMs / 4));

/** Flow import jobs (archy-yaml.md §2.1): the import validates and publishes; failures come back as messages. */
export function importJobsResource(request: RequestFn, clock: Clock): ImportJobsResource {
  const getJob = async (jobId: string, signal?: AbortSignal): Promise<ImportJobState> => (await request<ImportJobState>({
    method: 'GET', path: `/api/v2/flows/jobs/${encodeURIComponent(jobId)}`, query: { expand: 'messages' },
    operation: 'importJobs.get', ...(signal ? { signal } : {}),
  })).data;

  const resource: ImportJobsResource = {
    async register(options = {}) {
      // Registration alone changes nothing (the upload starts the job), so a resend after a lost answer is safe.
      return (await request<RegisterImportJobResponse>({
        method: 'POST',
        path: '/api/v2/flows/jobs',
        ...(options.createStubs === undefined ? {} : { json: { createStubs: options.createStubs } }),
        idempotent: true,
        operation: 'importJobs.register',
      })).data;
    },

    async upload(registration, yaml) {
      // Bytes, not a string: fetch would add its own text/plain content type to a string body.
      const body = typeof yaml === 'string' ? new TextEncoder().encode(yaml) : yaml;
      await request({
        method: 'PUT',
        path: registration.presignedUrl,
        body,
        headers: { ...registration.headers },
        auth: false,
        responseType: 'text',
        operation: 'importJobs.upload',
      });
    },

    get: (jobId) => getJob(jobId),

    async wait(jobId, options = {}) {
      const { firstLookMs, ...rest } = options;
      const polled = await poll(
        () => getJob(jobId, options.signal),
        (state) => TERMINAL.has(state.status),
        clock,
        firstLookMs === undefined ? rest : { ...rest, initialMs: firstLookMs, againMs: rest.againMs ?? afterMissMs(firstLookMs) },
      );
      const state = polled.value;
      const messages = state.messages ?? [];
      const errors = messages.filter((m) => m.type !== 'Warning').map((m) => m.text ?? '').filter(Boolean);
      if (!polled.done) {
        const status = state.status === 'Registered' ? 'Registered' : 'Started';
        return { jobId, status, flowId: state.flow?.id, messages, errors, timedOut: true };
      }
      return { jobId, status: state.status === 'Success' ? 'Success' : 'Failure', flowId: state.flow?.id, messages, errors };
    },

    async importFlowYaml(yaml, options = {}) {
      const { createStubs, ...wait } = options;
      const registration = await resource.register(createStubs === undefined ? {} : { createStubs });
      await resource.upload(registration, yaml);
      return resource.wait(registration.id, wait);
    },
  };
  return resource;
}
