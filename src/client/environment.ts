import { REGION_DOMAINS, regionDomain } from './regions.js';

/** Where the client sends its calls: the OAuth base and the API base (no trailing slash). */
export interface ResolvedEnvironment {
  loginBaseUrl: string;
  apiBaseUrl: string;
  /** What to call the place in messages: `mypurecloud.ie` or `127.0.0.1:8080`. */
  label: string;
}

/** A client option that cannot work (an unknown region, a missing credential). Thrown by createClient at once. */
export class ClientOptionsError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'ClientOptionsError';
    this.code = code;
  }
}

/**
 * A region (`mypurecloud.ie`, `eu_west_1`, `eu-west-1`), `https://api.<region>` / `https://login.<region>`
 * (what the SDK's setEnvironment accepts), or any other `http(s)://host[:port]` that serves both `/oauth/token` and
 * `/api/v2` (the emulator).
 */
export function resolveEnvironment(environment: string): ResolvedEnvironment {
  const value = environment.trim();
  if (/^https?:\/\//i.test(value)) return fromUrl(value);
  const domain = regionDomain(value);
  if (!domain) {
    throw new ClientOptionsError(
      `unknown Genesys Cloud region '${value}' (expected a region domain such as ${REGION_DOMAINS.slice(0, 3).join(', ')}, ` +
        `a region key such as eu-west-1, or an http(s)://host:port URL)`,
      'unknown.environment',
    );
  }
  return { loginBaseUrl: `https://login.${domain}`, apiBaseUrl: `https://api.${domain}`, label: domain };
}

function fromUrl(value: string): ResolvedEnvironment {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClientOptionsError(`environment '${value}' is not a valid URL`, 'invalid.environment');
  }
  // `https://api.mypurecloud.ie` names a real region: its login host differs from its API host.
  const regional = /^(?:api|login)\.(.+)$/i.exec(url.hostname);
  const domain = regional?.[1] ? regionDomain(regional[1]) : undefined;
  if (domain && !url.port && url.protocol === 'https:') {
    return { loginBaseUrl: `https://login.${domain}`, apiBaseUrl: `https://api.${domain}`, label: domain };
  }
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { loginBaseUrl: base, apiBaseUrl: base, label: url.host };
}
