import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, tooLarge } from './errors.js';
import type { TokenRecord } from '../state/types.js';

export type RequestKind = 'api' | 'oauth' | 'upload' | 'download' | 'control';

/** What a route handler sees: parsed URL pieces, the (already size-checked) body, the caller's token. */
export interface RequestContext {
  req: IncomingMessage;
  method: string;
  /** The URL path as sent (case kept, for ids); routing lower-cases it. */
  path: string;
  query: URLSearchParams;
  params: Record<string, string>;
  body: Buffer;
  now: number;
  correlationId: string;
  /** `http://host:port` as the client reached us (for presigned URLs). */
  baseUrl: string;
  token?: TokenRecord;
}

/** A handler's answer; `body` is sent as JSON unless `raw` is given. */
export interface Reply {
  status: number;
  body?: unknown;
  raw?: Buffer | string;
  contentType?: string;
  headers?: Record<string, string>;
}

export const json = (body: unknown, status = 200): Reply => ({ status, body });

export function send(res: ServerResponse, reply: Reply, extraHeaders: Record<string, string>): void {
  if (res.headersSent || res.destroyed) return;
  let payload: Buffer | string | undefined = reply.raw;
  let contentType = reply.contentType;
  if (payload === undefined && reply.body !== undefined) {
    payload = JSON.stringify(reply.body);
    contentType ??= 'application/json';
  }
  const headers: Record<string, string | number> = { ...extraHeaders, ...reply.headers };
  if (contentType) headers['content-type'] = contentType;
  headers['content-length'] = payload === undefined ? 0 : Buffer.byteLength(payload);
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** Reads the body up to `limit` bytes; beyond that answers 413 (the rest is drained, never buffered). */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** JSON body; an empty body is `undefined` (the SDK sends `Content-Type: application/json` with no body). */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError(400, 'bad.request', 'The request could not be understood by the server due to malformed syntax.');
  }
}
