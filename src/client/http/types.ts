/** The request pipeline's shapes: one request function, behaviour added by wrappers (style-guide §1.2, §5.2). */

export type QueryValue = string | number | boolean | readonly (string | number)[] | undefined | null;

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** `/api/v2/...` (joined to the API base) or an absolute URL (presigned upload/download URLs). */
  path: string;
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is (YAML upload, OAuth form body). */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** `false` for presigned URLs and the token endpoint: no bearer token, no per-token throttle. Default true. */
  auth?: boolean;
  /** How to read a 2xx body. Default: JSON when the content type says so, else text. */
  responseType?: 'json' | 'text' | 'bytes';
  /**
   * Safe to send twice. Decides whether a connection reset or a 504 (the request may have been processed) is
   * retried. Default: true for GET/PUT/DELETE, false for POST/PATCH.
   */
  idempotent?: boolean;
  signal?: AbortSignal;
  /** Free-form tag for logs and stats (`flows.list`, `oauth.token`). */
  operation?: string;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Headers;
  data: T;
  /** Path and query (no host), for messages. */
  url: string;
}

export type RequestFn = <T = unknown>(options: RequestOptions) => Promise<ApiResponse<T>>;

/** A wrapper takes the next request function and returns one that adds a behaviour around it. */
export type RequestWrapper = (next: RequestFn) => RequestFn;

/** A fetch-compatible transport (globalThis.fetch by default). */
export type Transport = (input: string, init: RequestInit) => Promise<Response>;

export interface Logger {
  debug?(message: string, data?: Record<string, unknown>): void;
  info?(message: string, data?: Record<string, unknown>): void;
  warn?(message: string, data?: Record<string, unknown>): void;
  error?(message: string, data?: Record<string, unknown>): void;
}

/** Time, injectable so tests of back-off and pacing run in virtual time. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export function isIdempotent(options: RequestOptions): boolean {
  return options.idempotent ?? (options.method === 'GET' || options.method === 'PUT' || options.method === 'DELETE');
}
