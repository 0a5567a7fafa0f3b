import { startEmulator } from '../../src/emulator/index.js';
import type { EmulatorHandle, EmulatorOptions } from '../../src/emulator/index.js';
import { CLIENT_ID, CLIENT_SECRET, smallOrg } from './fixtures.js';

/** Plain-HTTP access to an emulator started on port 0 (the SDK is used in sdk.test.ts). */
export interface TestApi {
  emu: EmulatorHandle;
  token: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: any; text: string }>;
  control(method: string, path: string, body?: unknown): Promise<any>;
  login(): Promise<string>;
  close(): Promise<void>;
}

export async function startApi(options: EmulatorOptions = {}): Promise<TestApi> {
  const emu = await startEmulator({ seed: smallOrg(), jobMs: 20, ...options });
  const api: TestApi = {
    emu,
    token: '',
    async call(method, path, body, headers = {}) {
      const init: RequestInit = {
        method,
        headers: { ...(api.token ? { authorization: `Bearer ${api.token}` } : {}), 'content-type': 'application/json', ...headers },
      };
      if (body !== undefined) init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as string) : JSON.stringify(body);
      const res = await fetch(`${emu.url}${path}`, init);
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async control(method, path, body) {
      const res = await fetch(`${emu.url}/__emulator${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      if (res.status >= 400) throw new Error(`control ${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async login() {
      const res = await fetch(`${emu.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      const body = (await res.json()) as { access_token: string };
      api.token = body.access_token;
      return api.token;
    },
    close: () => emu.close(),
  };
  await api.login();
  return api;
}

/** Polls until `done` holds (bounded: 200 tries, 10 ms apart). */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let i = 0; i < 200 && !done(value); i += 1) {
    await new Promise((r) => setTimeout(r, 10));
    value = await read();
  }
  return value;
}

/** Runs an import job end to end over HTTP; returns the finished job (with messages). */
export async function importYaml(api: TestApi, yaml: string): Promise<any> {
  const reg = await api.call('POST', '/api/v2/flows/jobs');
  if (reg.status !== 200) throw new Error(`register: ${reg.status} ${reg.text}`);
  const put = await fetch(reg.body.presignedUrl, { method: 'PUT', headers: reg.body.headers, body: yaml });
  if (put.status !== 200) throw new Error(`upload: ${put.status}`);
  const job = await until(() => api.call('GET', `/api/v2/flows/jobs/${reg.body.id}?expand=messages`), (r) => r.body.status === 'Success' || r.body.status === 'Failure');
  return job.body;
}
