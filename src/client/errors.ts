import { redact } from '../shared/redact.js';
import type { ErrorBody } from './types.js';

/** What failed: an HTTP answer, the connection, the caller's abort, or an asynchronous operation or job. */
export type ApiErrorKind = 'http' | 'network' | 'aborted' | 'operation';

export interface ApiErrorOptions {
  status: number;
  kind?: ApiErrorKind;
  code?: string | undefined;
  correlationId?: string | undefined;
  retryAfterMs?: number | undefined;
  method?: string | undefined;
  url?: string | undefined;
  body?: unknown;
  cause?: unknown;
}

/**
 * The one error type for everything that goes wrong talking to Genesys: HTTP errors (with the ErrorBody's `code`),
 * network failures (`status` 0, `code` such as `ECONNREFUSED`), aborted calls (`status` 0, `code` `aborted`) and
 * failed asynchronous operations. Its message, JSON form and fields never contain a secret: everything is passed
 * through `redact` (registered client secret and tokens, Basic/Bearer header values).
 */
export class ApiError extends Error {
  /** HTTP status; 0 when no response arrived (network error, abort) and for failed operations. */
  readonly status: number;
  readonly kind: ApiErrorKind;
  /** Genesys error code (`architect.flow.not.found`, `too.many.requests`) or a network code (`ECONNRESET`). */
  readonly code: string | undefined;
  /** `inin-correlation-id` of the failed response: what Genesys support asks for. */
  readonly correlationId: string | undefined;
  /** From `Retry-After` (seconds or HTTP date) on 429/503. */
  readonly retryAfterMs: number | undefined;
  readonly method: string | undefined;
  /** Path and query only (no host), redacted. */
  readonly url: string | undefined;
  /** The parsed error body, redacted. */
  readonly body: unknown;

  constructor(message: string, options: ApiErrorOptions) {
    super(redact(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.status = options.status;
    this.kind = options.kind ?? (options.status > 0 ? 'http' : options.code === 'aborted' ? 'aborted' : 'network');
    this.code = options.code;
    this.correlationId = options.correlationId;
    this.retryAfterMs = options.retryAfterMs;
    this.method = options.method;
    this.url = options.url === undefined ? undefined : redact(options.url);
    this.body = options.body === undefined ? undefined : JSON.parse(redact(JSON.stringify(options.body))) as unknown;
  }

  get isRateLimit(): boolean {
    return this.status === 429;
  }

  get isConflict(): boolean {
    return this.status === 409;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  get isAuth(): boolean {
    return this.status === 401 || this.status === 403;
  }

  get isNetwork(): boolean {
    return this.kind === 'network';
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      message: this.message,
      status: this.status,
      kind: this.kind,
      code: this.code,
      correlationId: this.correlationId,
      retryAfterMs: this.retryAfterMs,
      method: this.method,
      url: this.url,
      body: this.body,
    };
  }

  static is(value: unknown): value is ApiError {
    return value instanceof ApiError || (value instanceof Error && value.name === 'ApiError' && 'status' in value);
  }
}

/** A readable one-line message from a Genesys ErrorBody or an OAuth error (`{error, description}`). */
export function messageFromBody(body: unknown, fallback: string): { message: string; code: string | undefined } {
  if (body && typeof body === 'object') {
    const errorBody = body as ErrorBody & { error?: string; description?: string; error_description?: string };
    if (typeof errorBody.message === 'string') return { message: errorBody.message, code: errorBody.code };
    if (typeof errorBody.error === 'string') {
      const detail = errorBody.description ?? errorBody.error_description;
      return { message: detail ? `${errorBody.error}: ${detail}` : errorBody.error, code: errorBody.error };
    }
  }
  if (typeof body === 'string' && body.trim()) return { message: body.trim().slice(0, 300), code: undefined };
  return { message: fallback, code: undefined };
}

/**
 * Certificate problems reported by Node's TLS (undici passes them on as the cause's code). Waiting does not cure
 * them: they fail at once, not after the whole run of retries (about 44 s), and say how to trust a private CA.
 */
export const TLS_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY', 'CERT_SIGNATURE_FAILURE', 'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED', 'ERROR_IN_CERT_NOT_BEFORE_FIELD', 'ERROR_IN_CERT_NOT_AFTER_FIELD', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_CHAIN_TOO_LONG', 'CERT_REVOKED', 'INVALID_CA', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE',
  'CERT_UNTRUSTED', 'CERT_REJECTED', 'HOSTNAME_MISMATCH', 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_TLS_CERT_ALTNAME_FORMAT',
]);

/** The advice that goes with a certificate failure, or '' for any other network code. */
export function tlsHint(code: string | undefined): string {
  if (!code || !TLS_CERTIFICATE_CODES.has(code)) return '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH') {
    return '; the certificate is not for this host name: check GENESYS_ENVIRONMENT';
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return '; the certificate is out of its validity period (check the clock of this machine)';
  }
  return '; the certificate is not trusted: if a proxy or a private certificate authority signs it, point NODE_EXTRA_CA_CERTS at that CA\'s certificate (PEM file)';
}
