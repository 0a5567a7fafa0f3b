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
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    // The client secret travels in a Basic header and every token in a Bearer header: never in cleartext over a
    // network. Plain http is for the emulator and test servers on this machine only.
    throw new ClientOptionsError(
      `refusing to send credentials unencrypted to ${url.host}: use https:// (plain http:// is allowed only to loopback: 127.0.0.0/8, ::1, localhost)`,
      'insecure.environment',
    );
  }
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { loginBaseUrl: base, apiBaseUrl: base, label: url.host };
}

/** 127.0.0.0/8, ::1 (also as an IPv4-mapped address), localhost and *.localhost (RFC 6761: always loopback). */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) return Number(v4[1]) === 127 && v4.slice(1).every((part) => Number(part) <= 255);
  // WHATWG URL writes an IPv4-mapped IPv6 address in hex: ::ffff:7f00:1 is 127.0.0.1.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  return mapped !== null && (Number.parseInt(mapped[1] as string, 16) >> 8) === 127;
}
