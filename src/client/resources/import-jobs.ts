import type { Clock, RequestFn } from '../http/types.js';
import type { ArchitectJobMessage, ImportJobState, RegisterImportJobResponse } from '../types.js';
import { pollUntil, type PollOptions } from './poll.js';

export interface ImportJobResult {
  jobId: string;
  status: 'Success' | 'Failure';
  /** The flow the job created or updated (on Success). */
  flowId: string | undefined;
  messages: ArchitectJobMessage[];
  /** The Error messages' texts, for reports. */
  errors: string[];
}

export interface ImportJobsResource {
  /** `POST /api/v2/flows/jobs`: a job id, a presigned upload URL and the headers the upload must carry. */
  register(options?: { createStubs?: boolean }): Promise<RegisterImportJobResponse>;
  /** `PUT` the YAML to the presigned URL with exactly the returned headers and no bearer token; retried. */
  upload(registration: RegisterImportJobResponse, yaml: string | Uint8Array): Promise<void>;
  get(jobId: string): Promise<ImportJobState>;
  /** Polls with back-off until Success or Failure. */
  poll(jobId: string, options?: PollOptions): Promise<ImportJobResult>;
  /** register + upload + poll: imports and publishes one flow's YAML. */
  importFlowYaml(yaml: string | Uint8Array, options?: PollOptions & { createStubs?: boolean }): Promise<ImportJobResult>;
}

const TERMINAL = new Set(['Success', 'Failure']);

/** Flow import jobs (archy-yaml.md §2.1): the import validates and publishes; failures come back as messages. */
export function importJobsResource(request: RequestFn, clock: Clock): ImportJobsResource {
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

    async get(jobId) {
      return (await request<ImportJobState>({
        method: 'GET', path: `/api/v2/flows/jobs/${encodeURIComponent(jobId)}`, query: { expand: 'messages' },
        operation: 'importJobs.get',
      })).data;
    },

    async poll(jobId, options = {}) {
      const state = await pollUntil(() => resource.get(jobId), (s) => TERMINAL.has(s.status), `import job ${jobId}`, clock, options);
      const messages = state.messages ?? [];
      return {
        jobId,
        status: state.status === 'Success' ? 'Success' : 'Failure',
        flowId: state.flow?.id,
        messages,
        errors: messages.filter((m) => m.type !== 'Warning').map((m) => m.text ?? '').filter(Boolean),
      };
    },

    async importFlowYaml(yaml, options = {}) {
      const { createStubs, ...poll } = options;
      const registration = await resource.register(createStubs === undefined ? {} : { createStubs });
      await resource.upload(registration, yaml);
      return resource.poll(registration.id, poll);
    },
  };
  return resource;
}
