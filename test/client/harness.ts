import { startEmulator, type EmulatorOptions } from '../../src/emulator/index.js';
import { createClient, type ClientOptions, type GenesysClient } from '../../src/client/index.js';
import type { LoggedRequest } from '../../src/emulator/core/request-log.js';

export type { LoggedRequest };

export const CLIENT_ID = 'flowlink-demo';
export const CLIENT_SECRET = 'flowlink-demo-secret';


/** An emulator on 127.0.0.1:0 plus its control plane, for one test file. */
export async function emulatorHarness(options: EmulatorOptions = {}) {
  const emu = await startEmulator({ seed: 'demo', ...options });
  const control = async <T = unknown>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${emu.url}/__emulator${path}`, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${await response.text()}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    url: emu.url,
    close: () => emu.close(),
    control,
    /** Demo org again, no faults, empty request log. */
    reset: (seed: unknown = 'demo') => control('POST', '/reset', { seed }),
    fault: (rule: Record<string, unknown>) => control<{ id: string }>('POST', '/faults', rule),
    requests: async () => (await control<{ requests: LoggedRequest[] }>('GET', '/requests')).requests,
    clearRequests: () => control('DELETE', '/requests'),
    expireTokens: () => control('POST', '/tokens/expire'),
    client: (extra: Partial<ClientOptions> = {}): GenesysClient =>
      createClient({
        environment: emu.url,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        // Short back-off so 5xx and reset runs take milliseconds; Retry-After is still honoured as sent.
        limits: { baseBackoffMs: 10, maxBackoffMs: 100 },
        ...extra,
      }),
  };
}

export type Harness = Awaited<ReturnType<typeof emulatorHarness>>;

/** Requests of one method and path (no query), in order. */
export function on(requests: LoggedRequest[], method: string, path: string | RegExp): LoggedRequest[] {
  return requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
}

export function pageOf(request: LoggedRequest): number {
  return Number(new URLSearchParams(request.query).get('pageNumber'));
}
