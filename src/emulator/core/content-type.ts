import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors.js';
import type { RequestContext } from './http.js';

/** The media type of a Content-Type header, lower-cased, without parameters (`application/json; charset=UTF-8` -> `application/json`). */
export function mediaType(header: string | undefined): string | undefined {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

export function isJsonContentType(req: IncomingMessage): boolean {
  return mediaType(req.headers['content-type']) === 'application/json';
}

/**
 * An API POST must say `Content-Type: application/json`, with a body or without one: every official SDK sends it on
 * every call (genesys-api.md §15.6). What Genesys answers without it is UNVERIFIED; 415 is the plausible answer of a
 * JAX-RS style service whose operations all `consume` JSON (docs/emulator.md). Runs after routing, so an
 * unknown path is still a 404 and a wrong method a 405. The presigned upload (PUT) and /oauth/token (a form) do not
 * come through here.
 */
export function requireJsonContentType(ctx: RequestContext): void {
  if (ctx.method !== 'POST' || isJsonContentType(ctx.req)) return;
  const sent = mediaType(ctx.req.headers['content-type']);
  throw new ApiError(
    415,
    'unsupported.media.type',
    sent === undefined
      ? 'The request has no Content-Type; this operation consumes application/json.'
      : `Content-Type '${sent}' is not supported; this operation consumes application/json.`,
  );
}
