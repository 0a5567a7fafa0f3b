import type { Reply, RequestContext } from './http.js';

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

interface Route {
  method: string;
  segments: string[];
  literalCount: number;
  handler: Handler;
}

export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

/**
 * Path routing, case-insensitive on literal segments (Architect itself calls `/latestConfiguration` and
 * `/actions/checkOut`); `:name` segments capture the segment as sent, URI-decoded. Among matching routes the one
 * with more literal segments wins; a path that matches only under other methods is a 405.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    const segments = pattern.split('/').filter(Boolean).map((s) => (s.startsWith(':') ? s : s.toLowerCase()));
    this.routes.push({ method, segments, literalCount: segments.filter((s) => !s.startsWith(':')).length, handler });
    this.routes.sort((a, b) => b.literalCount - a.literalCount);
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { kind: 'found', handler: route.handler, params };
      allowed.push(route.method);
    }
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] as string;
    const part = parts[i] as string;
    if (segment.startsWith(':')) {
      try {
        params[segment.slice(1)] = decodeURIComponent(part);
      } catch {
        params[segment.slice(1)] = part;
      }
    } else if (segment !== part.toLowerCase()) return undefined;
  }
  return params;
}
