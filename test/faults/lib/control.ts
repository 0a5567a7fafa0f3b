import { createClient, type GenesysClient } from '../../../src/client/index.js';
import { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from '../../../src/emulator/index.js';

/** One flow as the control plane's state dump shows it. */
export interface DumpFlow {
  id: string;
  name: string;
  type: string;
  deleted: boolean;
  lock: { kind: string; id: string; name: string } | null;
  publishedVersionId: string | null;
  checkedInVersionId: string | null;
  savedVersionId: string | null;
  versions: { id: string; type: string }[];
}

export interface DumpImportJob {
  id: string;
  status: string;
  flowId?: string;
  hang?: boolean;
}

export interface StateDump {
  flows: DumpFlow[];
  importJobs: DumpImportJob[];
}

/**
 * The emulator's control plane (`/__emulator/`) by URL, so the same code drives the in-process emulator and a
 * spawned `flowlink emulator`. Calls fail loudly: a fault suite that cannot set up its faults must not pass.
 */
export function controlPlane(url: string) {
  const call = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/__emulator${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    url,
    reset: () => call('POST', '/reset', {}),
    fault: (rule: Record<string, unknown>) => call<{ id: string }>('POST', '/faults', rule),
    clearFaults: () => call('DELETE', '/faults'),
    removeFault: (id: string) => call('DELETE', `/faults/${id}`),
    faults: async () => (await call<{ faults: { id: string; hits: number; matched: number }[] }>('GET', '/faults')).faults,
    state: () => call<StateDump>('GET', '/state'),
    expireTokens: () => call('POST', '/tokens/expire'),
    /** Hung import jobs finish after all (as real ones eventually do). */
    releaseJobs: () => call<{ released: string[] }>('POST', '/jobs/release'),
    /** A client of the suite's own (its own token): the checks read through the real API like any user. */
    client: (): GenesysClient =>
      createClient({
        environment: url,
        clientId: DEFAULT_CLIENT_ID,
        clientSecret: DEFAULT_CLIENT_SECRET,
        limits: { baseBackoffMs: 20, maxBackoffMs: 200 },
      }),
  };
}

export type ControlPlane = ReturnType<typeof controlPlane>;
