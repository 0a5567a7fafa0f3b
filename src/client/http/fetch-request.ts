import { ApiError, messageFromBody, TLS_CERTIFICATE_CODES, tlsHint } from '../errors.js';
import type { ApiResponse, Clock, RequestFn, RequestOptions, Transport, QueryValue } from './types.js';
import { parseRetryAfter } from './parse-retry-after.js';
import type { ClientStats } from '../stats.js';
import { abortError, combineSignals } from './clock.js';

export interface FetchRequestConfig {
  apiBaseUrl: string;
  transport: Transport;
  clock: Clock;
  stats: ClientStats;
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout; a hung connection becomes a network error (retried like one). */
  timeoutMs: number;
  /** Larger bodies are refused with ApiError code `response.too.large`. */
  maxResponseBytes?: number;
}

/**
 * The innermost request: one HTTP exchange through the transport. Any status >= 400 and any network failure
 * becomes an ApiError (octokit's fetch-wrapper); 2xx bodies are parsed by content type. Node's global fetch
 * (undici) keeps connections alive and reuses them by default, so a listing walk or a rollout pays for TLS once.
 */
export function createFetchRequest(config: FetchRequestConfig): RequestFn {
  return async function fetchRequest<T>(options: RequestOptions): Promise<ApiResponse<T>> {
    const url = buildUrl(config.apiBaseUrl, options.path, options.query);
    const shown = displayUrl(url);
    // Presigned URLs get exactly the headers they were issued with; only API calls ask for JSON.
    const headers: Record<string, string> = options.auth === false ? { ...options.headers } : { accept: 'application/json', ...options.headers };
    let body: string | Uint8Array | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    if (options.method === 'POST' && options.auth !== false) headers['content-type'] ??= 'application/json'; // as the SDKs do, body or not (genesys-api.md §15.6)
    const callSignal = combineSignals(config.signal, options.signal);
    if (callSignal?.aborted) throw abortError(callSignal);
    const timeout = AbortSignal.timeout(config.timeoutMs);
    const signal = combineSignals(callSignal, timeout);

    config.stats.requests += 1;
    if (options.operation === 'oauth.token') config.stats.tokenRequests += 1;
    let response: Response;
    try {
      response = await config.transport(url, { method: options.method, headers, body, signal });
    } catch (error) {
      if (callSignal?.aborted) throw abortError(callSignal);
      config.stats.networkErrors += 1;
      config.stats.byStatus[0] = (config.stats.byStatus[0] ?? 0) + 1;
      throw networkError(error, options.method, url, timeout.aborted);
    }
    config.stats.byStatus[response.status] = (config.stats.byStatus[response.status] ?? 0) + 1;
    if (response.status === 429) config.stats.rateLimited += 1;

    if (response.status >= 400) {
      const data = await readBody(response, 'auto', config.maxResponseBytes).catch(() => undefined);
      const { message, code } = messageFromBody(data, `${response.status} ${response.statusText}`.trim());
      throw new ApiError(`${options.method} ${shown}: ${response.status} ${message}`, {
        status: response.status,
        code,
        correlationId: response.headers.get('inin-correlation-id') ?? undefined,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), config.clock.now()),
        method: options.method,
        url: shown,
        body: data,
      });
    }
    let data: unknown;
    try {
      data = await readBody(response, options.responseType ?? 'auto', config.maxResponseBytes);
    } catch (error) {
      if (error instanceof ResponseTooLarge) {
        throw new ApiError(`${options.method} ${shown}: the response is larger than ${error.limit} bytes; refused`, {
          status: response.status, code: 'response.too.large', method: options.method, url: shown,
        });
      }
      if (callSignal?.aborted) throw abortError(callSignal);
      config.stats.networkErrors += 1;
      throw networkError(error, options.method, url, timeout.aborted);
    }
    return { status: response.status, headers: response.headers, data: data as T, url: shown };
  };
}

class ResponseTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`response larger than ${limit} bytes`);
  }
}

/** Reads a body chunk by chunk and gives up past `limit` bytes, before buffering more than that. */
async function readBytes(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw new ResponseTooLarge(limit);
  }
  if (!response.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new ResponseTooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

async function readBody(response: Response, type: 'json' | 'text' | 'bytes' | 'auto', limit = Number.POSITIVE_INFINITY): Promise<unknown> {
  const bytes = await readBytes(response, limit);
  if (type === 'bytes') return bytes;
  const text = new TextDecoder().decode(bytes);
  if (type === 'text') return text;
  if (text === '') return undefined;
  const contentType = response.headers.get('content-type') ?? '';
  if (type === 'json' || /\bjson\b/i.test(contentType)) {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      if (type === 'json') throw error;
      return text;
    }
  }
  return text;
}

/** undici reports network failures as `TypeError: fetch failed` with the real reason in `cause`. */
function networkError(error: unknown, method: string, url: string, timedOut: boolean): ApiError {
  const host = safeHost(url);
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  // Socket and DNS failures carry a code (ECONNRESET, ENOTFOUND, UND_ERR_SOCKET); fetch's TypeError without one
  // is a request fetch would not send at all (a blocked port, a malformed header): waiting will not help.
  const code = timedOut
    ? 'ETIMEDOUT'
    : ((cause as { code?: string } | undefined)?.code ?? (error as { code?: string } | undefined)?.code ??
      (error instanceof TypeError ? 'ERR_FETCH_REJECTED' : 'network.error'));
  const reason = timedOut ? 'timed out' : cause instanceof Error ? cause.message : String(cause);
  const what = TLS_CERTIFICATE_CODES.has(code) ? `the TLS certificate of ${host} was refused` : `cannot reach ${host}`;
  return new ApiError(`${method} ${displayUrl(url)}: ${what} (${code}: ${reason})${tlsHint(code)}`, {
    status: 0,
    code,
    method,
    url: displayUrl(url),
    cause: error,
  });
}

export function buildUrl(base: string, path: string, query?: Record<string, QueryValue>): string {
  const url = new URL(/^https?:\/\//i.test(path) ? path : base + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    // Arrays comma-joined, as the official SDKs send them (genesys-api.md §3.1).
    const text = Array.isArray(value) ? value.join(',') : String(value);
    if (Array.isArray(value) && value.length === 0) continue;
    url.searchParams.set(key, text);
  }
  return url.toString();
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Path and query only: presigned URLs carry signatures in the query, so those are cut. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.pathname.startsWith('/api/') && !parsed.pathname.startsWith('/oauth/')) {
      return `${parsed.host}${parsed.pathname}`;
    }
    return `${parsed.pathname}${parsed.search}`;
  } catch {
    return url;
  }
}
