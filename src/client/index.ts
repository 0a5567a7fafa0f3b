import { authWrapper, ClientCredentials } from './auth/client-credentials.js';
import { ClientOptionsError, resolveEnvironment, type ResolvedEnvironment } from './environment.js';
import { systemClock } from './http/clock.js';
import { createFetchRequest } from './http/fetch-request.js';
import { proxyTransport, usesProxy, type ProxySettings } from './http/proxy.js';
import { retryWrapper } from './http/retry.js';
import { throttleWrapper } from './http/throttle.js';
import type { Clock, QueryValue, RequestFn, RequestWrapper } from './http/types.js';
import { redactingLogger } from './logger.js';
import { DEFAULT_LIMITS, type ClientLimits, type ClientOptions } from './options.js';
import { collect, items, pages, type Page, type PageOptions } from './paginate.js';
import { dependenciesResource, type DependenciesResource } from './resources/dependencies.js';
import { exportJobsResource, type ExportJobsResource } from './resources/export-jobs.js';
import { flowsResource, type FlowsResource } from './resources/flows.js';
import { importJobsResource, type ImportJobsResource } from './resources/import-jobs.js';
import { cloneStats, emptyStats, type ClientStats } from './stats.js';

export interface GenesysClient {
  readonly environment: ResolvedEnvironment;
  readonly limits: Readonly<ClientLimits>;
  /** The clock the client paces, polls and backs off on (the system clock unless the client was given another). */
  readonly clock: Clock;
  /** The one request path (retry → throttle → auth → fetch) for calls the resources do not cover. */
  request: RequestFn;
  pages<T>(path: string, query?: Record<string, QueryValue>, options?: PageOptions): AsyncGenerator<Page<T>, void, undefined>;
  items<T>(path: string, query?: Record<string, QueryValue>, options?: PageOptions): AsyncGenerator<T, void, undefined>;
  collect<T>(path: string, query?: Record<string, QueryValue>, options?: PageOptions): Promise<{ items: T[]; partial: boolean }>;
  flows: FlowsResource;
  exportJobs: ExportJobsResource;
  importJobs: ImportJobsResource;
  dependencies: DependenciesResource;
  /** Logs in now (otherwise the first call does): proves credentials and region before any work. */
  authenticate(): Promise<void>;
  /** Request counters since creation or the last resetStats(). */
  stats(): ClientStats;
  resetStats(): void;
}

/** Applies wrappers so that the first one listed ends up outermost. */
function compose(base: RequestFn, ...outerToInner: RequestWrapper[]): RequestFn {
  return outerToInner.reduceRight<RequestFn>((next, wrap) => wrap(next), base);
}

/** Client options with an outbound proxy. */
export interface ProxiedClientOptions extends ClientOptions {
  /**
   * An outbound HTTP(S) proxy for every request, API calls and presigned upload/download URLs alike (undici's
   * EnvHttpProxyAgent; `proxyFromEnv(process.env)` reads the usual variables). Ignored when `transport` is given.
   */
  proxy?: ProxySettings | undefined;
}

/**
 * A Genesys Cloud Platform API client. Library code: everything comes in through `options`, nothing is read
 * from the environment. Throws ClientOptionsError at once for an unknown region, missing credentials or a proxy
 * URL that is not http(s).
 */
export function createClient(options: ProxiedClientOptions): GenesysClient {
  if (!options.clientId) throw new ClientOptionsError('clientId is required', 'missing.client.id');
  if (!options.clientSecret) throw new ClientOptionsError('clientSecret is required', 'missing.client.secret');
  const environment = resolveEnvironment(options.environment ?? 'mypurecloud.com');
  const limits: ClientLimits = { ...DEFAULT_LIMITS, ...definedOnly(options.limits ?? {}) };
  const clock: Clock = { ...systemClock, ...definedOnly(options.clock ?? {}) };
  const logger = redactingLogger(options.logger);
  if (!options.transport && usesProxy(options.proxy)) checkProxy(options.proxy);
  const transport = options.transport ??
    (usesProxy(options.proxy) ? proxyTransport(options.proxy) : (input, init) => globalThis.fetch(input, init));
  const stats = emptyStats();
  const signal = options.signal;

  const fetchRequest = createFetchRequest({
    apiBaseUrl: environment.apiBaseUrl, transport, clock, stats: stats, signal, timeoutMs: limits.requestTimeoutMs,
    maxResponseBytes: limits.maxResponseBytes,
  });
  const retry = retryWrapper({
    maxAttempts: limits.maxAttempts,
    maxRetryAfterMs: limits.maxRetryAfterMs,
    baseBackoffMs: limits.baseBackoffMs,
    maxBackoffMs: limits.maxBackoffMs,
    clock, stats: stats, logger, signal,
  });
  const credentials = new ClientCredentials({
    loginBaseUrl: environment.loginBaseUrl,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    request: compose(fetchRequest, retry),
    clock, logger, label: environment.label,
  });
  const throttle = throttleWrapper({
    requestsPerWindow: limits.requestsPerMinute,
    windowMs: limits.rateWindowMs,
    concurrency: limits.concurrency,
    maxPauseMs: limits.maxRetryAfterMs,
    clock, stats: stats, logger, signal,
    keyOf: async () => (await credentials.token()).key,
  });
  // Auth innermost (every retry picks up the current token), throttle around it, retry outermost.
  const request = compose(fetchRequest, retry, throttle, authWrapper(credentials, logger));

  return {
    environment,
    limits,
    clock,
    request,
    pages: (path, query, pageOptions) => pages(request, path, query, pageOptions),
    items: (path, query, pageOptions) => items(request, path, query, pageOptions),
    collect: (path, query, pageOptions) => collect(request, path, query, pageOptions),
    flows: flowsResource(request, clock),
    exportJobs: exportJobsResource(request, clock),
    importJobs: importJobsResource(request, clock),
    dependencies: dependenciesResource(request),
    async authenticate() {
      await credentials.token();
    },
    stats: () => cloneStats(stats),
    resetStats() {
      Object.assign(stats, emptyStats());
    },
  };
}

/** A proxy URL that undici could not use is refused at creation, not at the first request. */
function checkProxy(proxy: ProxySettings): void {
  for (const [name, value] of [['httpProxy', proxy.httpProxy], ['httpsProxy', proxy.httpsProxy]] as const) {
    if (!value) continue;
    let protocol: string | undefined;
    try {
      protocol = new URL(value).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new ClientOptionsError(`${name} must be an http:// or https:// URL such as http://proxy.example.com:3128`, 'invalid.proxy');
    }
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export { ApiError, type ApiErrorKind } from './errors.js';
export { ClientOptionsError, resolveEnvironment, type ResolvedEnvironment } from './environment.js';
export { REGION_DOMAINS, regionDomain } from './regions.js';
export { DEFAULT_LIMITS, type ClientLimits, type ClientOptions } from './options.js';
export { proxyFromEnv, type ProxySettings } from './http/proxy.js';
export type { ApiResponse, Clock, Logger, QueryValue, RequestFn, RequestOptions, Transport } from './http/types.js';
export type { ClientStats } from './stats.js';
export type { Page, PageOptions } from './paginate.js';
export type { FlowListQuery, FlowsResource } from './resources/flows.js';
export type { ExportJobsResource, ExportOptions, ExportRef, ExportResult } from './resources/export-jobs.js';
export type { ImportJobResult, ImportJobsResource } from './resources/import-jobs.js';
export type { DependenciesResource, DependencyList } from './resources/dependencies.js';
export type { PollOptions } from './resources/poll.js';
export { parseRetryAfter } from './http/parse-retry-after.js';
export type * from './types.js';
