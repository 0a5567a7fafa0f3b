import type { Clock, Transport } from '../../src/client/index.js';

/** Virtual time: sleeping moves the clock forward at once, so back-off and pacing tests take milliseconds. */
export function virtualClock(start = 1_000_000): Clock & { slept: number[]; advance(ms: number): void } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    advance(ms) {
      now += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      slept.push(ms);
      now += Math.max(0, ms);
      await new Promise((resolve) => setImmediate(resolve));
      if (signal?.aborted) {
        const { ApiError } = await import('../../src/client/errors.js');
        throw new ApiError('aborted', { status: 0, code: 'aborted' });
      }
    },
    random: () => 0.5,
  };
}

export interface SeenCall {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
  at: number;
}

export type Reply = Response | Error | Promise<Response | Error> | ((call: SeenCall) => Response | Error | Promise<Response | Error>);

/**
 * A scripted fetch: the token endpoint answers by itself; API calls are answered by `route` in order.
 * Records every call with the virtual time it was made.
 */
export function fakeTransport(
  route: (call: SeenCall) => Reply | undefined,
  clock?: { now(): number },
  tokenTtlSec = 3600,
  tokenRoute?: (call: SeenCall) => Reply | undefined,
): Transport & { calls: SeenCall[]; apiCalls: () => SeenCall[]; tokenCalls: () => SeenCall[]; tokensIssued: string[] } {
  const calls: SeenCall[] = [];
  const tokensIssued: string[] = [];
  const transport = async (input: string, init: RequestInit) => {
    const body = init.body === undefined || init.body === null ? '' : typeof init.body === 'string' ? init.body : new TextDecoder().decode(init.body as Uint8Array);
    const call: SeenCall = { method: init.method ?? 'GET', url: new URL(input), headers: new Headers(init.headers), body, at: clock?.now() ?? Date.now() };
    calls.push(call);
    if (call.url.pathname === '/oauth/token') {
      const custom = tokenRoute?.(call);
      if (custom !== undefined) return resolve(custom, call);
      const token = `tok-${tokensIssued.length + 1}-${'x'.repeat(20)}`;
      tokensIssued.push(token);
      return json(200, { access_token: token, token_type: 'bearer', expires_in: tokenTtlSec });
    }
    const reply = route(call);
    if (reply === undefined) return json(404, { message: 'no route', code: 'not.found', status: 404 });
    return resolve(reply, call);
  };
  async function resolve(reply: Reply, call: SeenCall): Promise<Response> {
    const value = typeof reply === "function" ? await reply(call) : await reply;
    if (value instanceof Error) throw value;
    return value;
  }
  return Object.assign(transport, {
    calls,
    tokensIssued,
    apiCalls: () => calls.filter((c) => c.url.pathname !== '/oauth/token'),
    tokenCalls: () => calls.filter((c) => c.url.pathname === '/oauth/token'),
  });
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'inin-correlation-id': `corr-${status}`, ...headers },
  });
}

/** What undici throws for a connection reset: `TypeError('fetch failed')` with the socket error as cause. */
export function connectionError(code: string): Error {
  const cause = Object.assign(new Error(`socket ${code}`), { code });
  return new TypeError('fetch failed', { cause });
}

export function listing<T>(entities: T[], pageNumber: number, pageCount: number, extra: Record<string, unknown> = {}): Response {
  return json(200, { entities, pageNumber, pageSize: entities.length, pageCount, total: entities.length * pageCount, ...extra });
}
