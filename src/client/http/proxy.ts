import { EnvHttpProxyAgent, fetch as undiciFetch } from 'undici';
import type { Transport } from './types.js';

/**
 * An outbound proxy, in the words of the usual environment variables (HTTP_PROXY, HTTPS_PROXY, NO_PROXY). Library
 * code never reads the environment: the CLI reads it with `proxyFromEnv` and passes the result in.
 */
export interface ProxySettings {
  /** Proxy for `http://` URLs (`http://host:port`, credentials as `http://user:pass@host:port`). */
  httpProxy?: string;
  /** Proxy for `https://` URLs; without it `httpProxy` serves https too (as curl and undici do). */
  httpsProxy?: string;
  /**
   * Hosts reached directly: comma- or space-separated `host`, `host:port`, `.domain` / `*.domain` (the domain and
   * its subdomains), or `*` for every host.
   */
  noProxy?: string;
}

/**
 * The proxy settings of an environment: `https_proxy`/`HTTPS_PROXY`, `http_proxy`/`HTTP_PROXY`,
 * `no_proxy`/`NO_PROXY`, the lowercase spelling first (curl's and undici's order). Empty values count as unset.
 * Undefined when no proxy is set (NO_PROXY alone changes nothing).
 */
export function proxyFromEnv(env: Record<string, string | undefined>): ProxySettings | undefined {
  const pick = (name: string): string | undefined => {
    for (const key of [name.toLowerCase(), name.toUpperCase()]) {
      const value = env[key]?.trim();
      if (value) return value;
    }
    return undefined;
  };
  const httpProxy = pick('http_proxy');
  const httpsProxy = pick('https_proxy');
  if (!httpProxy && !httpsProxy) return undefined;
  const noProxy = pick('no_proxy');
  return { ...(httpProxy ? { httpProxy } : {}), ...(httpsProxy ? { httpsProxy } : {}), ...(noProxy ? { noProxy } : {}) };
}

/** Whether the settings send anything through a proxy at all. */
export function usesProxy(settings: ProxySettings | undefined): settings is ProxySettings {
  return Boolean(settings?.httpProxy || settings?.httpsProxy);
}

/**
 * A fetch transport that goes through undici's EnvHttpProxyAgent configured from `settings` (never from
 * process.env: every field is passed, an absent one as empty). https URLs are tunnelled with CONNECT; plain http
 * URLs are sent to the proxy as absolute-URI requests, as curl does (`proxyTunnel: false`), since proxies often
 * allow CONNECT to port 443 only. undici's own fetch goes with undici's own dispatcher, so the pair always matches,
 * whichever undici Node bundles. Keep-alive and connection reuse are as with the global fetch.
 */
export function proxyTransport(settings: ProxySettings): Transport {
  const dispatcher = new EnvHttpProxyAgent({
    httpProxy: settings.httpProxy ?? '',
    httpsProxy: settings.httpsProxy ?? '',
    noProxy: settings.noProxy ?? '',
    proxyTunnel: false,
  });
  return async (input, init) => {
    try {
      const response = await undiciFetch(input, { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher });
      return response as unknown as Response;
    } catch (error) {
      // "cannot reach api.mypurecloud.com (ECONNREFUSED)" would blame the org when the proxy is what failed.
      const proxy = proxyForUrl(settings, input);
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
      if (proxy && cause && !cause.message.includes(' via proxy ')) cause.message = `${cause.message} via proxy ${displayProxy(proxy)}`;
      throw error;
    }
  };
}

/** The proxy a URL goes through under `settings` (undici's NO_PROXY rules), or undefined when it goes direct. */
export function proxyForUrl(settings: ProxySettings, url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const proxy = parsed.protocol === 'https:' ? settings.httpsProxy || settings.httpProxy : settings.httpProxy;
  if (!proxy) return undefined;
  const host = parsed.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number(parsed.port) || (parsed.protocol === 'https:' ? 443 : 80);
  const noProxy = (settings.noProxy ?? '').trim();
  if (noProxy === '*') return undefined;
  for (const entry of noProxy.split(/[,\s]/).filter(Boolean)) {
    const match = /^(.+):(\d+)$/.exec(entry);
    const entryHost = (match ? match[1] ?? '' : entry).toLowerCase();
    if (match && Number(match[2]) !== port) continue;
    if (/^[.*]/.test(entryHost) ? host.endsWith(entryHost.replace(/^\*/, '')) : host === entryHost) return undefined;
  }
  return proxy;
}

/** The proxy URL with its password hidden, for messages. */
export function displayProxy(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable proxy URL)';
  }
}
