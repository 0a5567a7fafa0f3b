import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Emulator } from './context.js';
import { requireJsonContentType } from './core/content-type.js';
import { ApiError, errorBody } from './core/errors.js';
import { readBody, send, type Reply, type RequestContext, type RequestKind } from './core/http.js';
import { rateHeaders, type RateDecision } from './core/rate-limit.js';
import { Router } from './core/router.js';
import { registerControlRoutes } from './control/routes.js';
import { registerDependencyRoutes } from './services/dependencies/routes.js';
import { completeOperation } from './services/flows/actions.js';
import { registerFlowRoutes } from './services/flows/routes.js';
import { finishExportJob } from './services/jobs/export-model.js';
import { finishImportJob } from './services/jobs/import-model.js';
import { handleDownload, handleUpload, registerJobRoutes } from './services/jobs/routes.js';
import { authenticate } from './services/oauth/model.js';
import { handleToken } from './services/oauth/routes.js';

const API_BODY_LIMIT = 1024 * 1024;
const UPLOAD_BODY_LIMIT = 16 * 1024 * 1024;
const CONTROL_BODY_LIMIT = 512 * 1024 * 1024;

/**
 * The request pipeline: control plane first (no auth, no limits, not logged); everything else is logged and may
 * meet a fault rule (latency, status, connection reset); API calls then need a valid bearer token and pass the
 * per-token rate limit before the resource routes run. Errors leave as ErrorBody from this one place.
 */
export function createApp(emu: Emulator): (req: IncomingMessage, res: ServerResponse) => void {
  const api = new Router();
  registerFlowRoutes(api, emu);
  registerJobRoutes(api, emu);
  registerDependencyRoutes(api, emu);
  const control = new Router();
  registerControlRoutes(control, emu);

  emu.store.onDue('operation', (id, now) => completeOperation(emu, id, now));
  emu.store.onDue('import', (id, now) => finishImportJob(emu, id, now));
  emu.store.onDue('export', (id) => finishExportJob(emu, id));

  return (req, res) => {
    handle(emu, api, control, req, res).catch((error: unknown) => {
      // Last resort: never leave a socket hanging.
      const contextId = randomUUID();
      const body = errorBody(new ApiError(500, 'internal.server.error', 'The server encountered an unexpected condition.'), contextId);
      if (!res.headersSent) send(res, { status: 500, body }, { 'inin-correlation-id': contextId });
      else res.destroy();
      void error;
    });
  };
}

function kindOf(lowerPath: string): RequestKind {
  if (lowerPath.startsWith('/__emulator/')) return 'control';
  if (lowerPath.startsWith('/__presigned/uploads/')) return 'upload';
  if (lowerPath.startsWith('/__presigned/downloads/')) return 'download';
  if (lowerPath === '/oauth/token') return 'oauth';
  return 'api';
}

async function handle(emu: Emulator, api: Router, control: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const correlationId = randomUUID();
  const method = (req.method ?? 'GET').toUpperCase();
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://emulator.invalid');
  } catch {
    url = new URL('/', 'http://emulator.invalid');
  }
  const path = url.pathname;
  const kind = kindOf(path.toLowerCase());
  const ctx: RequestContext = {
    req,
    method,
    path,
    query: url.searchParams,
    params: {},
    body: Buffer.alloc(0),
    now: emu.options.now(),
    correlationId,
    baseUrl: `http://${req.headers.host ?? new URL(emu.baseUrl()).host}`,
  };
  const headers: Record<string, string> = { 'inin-correlation-id': correlationId };
  let rate: RateDecision | undefined;

  const finish = (reply: Reply): void => {
    if (kind === 'api') Object.assign(headers, rateHeaders(rate ?? emu.limiter.idle()));
    send(res, reply, headers);
    if (kind !== 'control') log(emu, ctx, kind, reply.status);
  };
  const fail = (error: unknown): void => {
    if (!(error instanceof ApiError)) throw error;
    finish({ status: error.status, body: errorBody(error, correlationId), headers: error.headers });
  };

  try {
    if (kind === 'control') {
      ctx.body = method === 'GET' || method === 'DELETE' ? Buffer.alloc(0) : await readBody(req, CONTROL_BODY_LIMIT);
      emu.store.settle(ctx.now);
      return finish(await route(control, ctx));
    }

    const fault = emu.faults.forRequest(method, path);
    const delay = (kind === 'api' || kind === 'oauth' ? emu.options.latencyMs : 0) + fault.latencyMs;
    if (fault.reset) {
      req.resume();
      log(emu, ctx, kind, 0);
      res.socket?.destroy();
      return;
    }
    const limit = kind === 'upload' ? UPLOAD_BODY_LIMIT : API_BODY_LIMIT;
    ctx.body = method === 'GET' || method === 'HEAD' || method === 'DELETE' ? Buffer.alloc(0) : await readBody(req, limit);
    if (delay > 0) await sleep(delay);
    ctx.now = emu.options.now();
    emu.store.settle(ctx.now);

    if (fault.response) {
      const { status, retryAfter, body } = fault.response;
      if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
      const payload = body ?? errorBody(faultError(status, retryAfter), correlationId);
      return finish({ status, body: payload });
    }
    if (kind === 'oauth') return finish(handleToken(emu, ctx));
    if (kind === 'upload') return finish(handleUpload(emu, ctx, lastSegment(path)));
    if (kind === 'download') return finish(handleDownload(emu, ctx, lastSegment(path)));

    ctx.token = authenticate(emu, req.headers.authorization, ctx.now);
    rate = emu.limiter.take(ctx.token.id, ctx.now);
    if (!rate.allowed) {
      headers['retry-after'] = String(rate.resetSeconds);
      throw new ApiError(429, 'too.many.requests', `Rate limit exceeded the maximum. Retry the request in [${rate.resetSeconds}] seconds`, {
        template: 'Rate limit exceeded the maximum. Retry the request in [{retryAfter}] seconds',
        values: { retryAfter: String(rate.resetSeconds) },
      });
    }
    return finish(await route(api, ctx, requireJsonContentType));
  } catch (error) {
    return fail(error);
  }
}

async function route(router: Router, ctx: RequestContext, beforeHandler?: (ctx: RequestContext) => void): Promise<Reply> {
  const match = router.match(ctx.method, ctx.path);
  if (match.kind === 'not-found') throw new ApiError(404, 'not.found', `No resource found for ${ctx.method} ${ctx.path}.`);
  if (match.kind === 'method-not-allowed') {
    throw new ApiError(405, 'method.not.allowed', `Method ${ctx.method} is not allowed on ${ctx.path}.`, undefined, {
      allow: [...new Set(match.allowed)].join(', '),
    });
  }
  ctx.params = match.params;
  beforeHandler?.(ctx);
  return match.handler(ctx);
}

function faultError(status: number, retryAfter: number | undefined): ApiError {
  if (status === 429) {
    const seconds = String(retryAfter ?? 1);
    return new ApiError(429, 'too.many.requests', `Rate limit exceeded the maximum. Retry the request in [${seconds}] seconds`);
  }
  const codes: Record<number, [string, string]> = {
    500: ['internal.server.error', 'The server encountered an unexpected condition.'],
    502: ['bad.gateway', 'Bad gateway.'],
    503: ['service.unavailable', 'Service is currently unavailable.'],
    504: ['gateway.timeout', 'The gateway timed out.'],
    409: ['general.conflict', 'The request conflicts with the current state of the target resource.'],
  };
  const [code, message] = codes[status] ?? ['injected.fault', `Injected fault with status ${status}.`];
  return new ApiError(status, code, message);
}

function lastSegment(path: string): string {
  const parts = path.split('/').filter(Boolean);
  const last = parts[parts.length - 1] ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

function log(emu: Emulator, ctx: RequestContext, kind: Exclude<RequestKind, 'control'>, status: number): void {
  emu.requestLog.add({
    method: ctx.method,
    path: ctx.path,
    query: ctx.query.toString(),
    status,
    tokenId: ctx.token?.id ?? null,
    time: ctx.now,
    kind,
  });
}
