import { registerSecret } from '../../shared/redact.js';
import { ApiError } from '../errors.js';
import type { Clock, Logger, RequestFn, RequestWrapper } from '../http/types.js';

export interface AccessToken {
  accessToken: string;
  /** A stable, secret-free name for this token (for per-token throttling and logs). */
  key: string;
  expiresAt: number;
}

export interface ClientCredentialsConfig {
  loginBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** A request function without the auth wrapper (retry + fetch). */
  request: RequestFn;
  clock: Clock;
  logger: Logger;
  label: string;
}

interface TokenResponse {
  access_token?: string;
  token_type?: string;
  expires_in?: number;
}

/**
 * Client-credentials grant (genesys-api.md §1.2): `POST login.<env>/oauth/token`, Basic id:secret, form body.
 * The token is cached until shortly before it expires and fetched once for all concurrent callers (auth-app's
 * pending-promise map). Genesys has no refresh token for this grant: "refresh" means a new grant.
 */
export class ClientCredentials {
  private current: AccessToken | undefined;
  private pending: Promise<AccessToken> | undefined;
  private generation = 0;
  private readonly basic: string;

  constructor(private readonly config: ClientCredentialsConfig) {
    this.basic = Buffer.from(`${config.clientId}:${config.clientSecret}`, 'utf8').toString('base64');
    registerSecret(config.clientSecret);
    registerSecret(this.basic);
  }

  async token(): Promise<AccessToken> {
    const now = this.config.clock.now();
    if (this.current && now < this.current.expiresAt) return this.current;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forget `token` if it is still the cached one (a 401 proved it dead); a newer token is kept. */
  invalidate(token: AccessToken): void {
    if (this.current?.key === token.key) this.current = undefined;
  }

  private async fetchToken(): Promise<AccessToken> {
    const { clock, logger } = this.config;
    let response;
    try {
      response = await this.config.request<TokenResponse>({
        method: 'POST',
        path: `${this.config.loginBaseUrl}/oauth/token`,
        body: 'grant_type=client_credentials',
        headers: {
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${this.basic}`,
        },
        auth: false,
        idempotent: true,
        responseType: 'json',
        operation: 'oauth.token',
      });
    } catch (error) {
      throw explainLoginFailure(error, this.config.clientId, this.config.label);
    }
    const body = response.data;
    if (!body || typeof body.access_token !== 'string' || body.access_token === '') {
      throw new ApiError(`login at ${this.config.label} returned no access token`, {
        status: response.status,
        code: 'oauth.no.token',
        method: 'POST',
        url: response.url,
      });
    }
    registerSecret(body.access_token);
    const ttlMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 86_400) * 1000;
    // Renew a little early so a call never leaves with a token that dies on the way: a minute, or a tenth of a
    // short-lived token.
    const margin = Math.min(60_000, ttlMs * 0.1);
    this.generation += 1;
    this.current = { accessToken: body.access_token, key: `token-${this.generation}`, expiresAt: clock.now() + ttlMs - margin };
    logger.debug?.(`obtained access token ${this.current.key} (valid ${Math.round(ttlMs / 1000)} s)`);
    return this.current;
  }
}

function explainLoginFailure(error: unknown, clientId: string, label: string): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.status === 400 || error.status === 401 || error.status === 403) {
    return new ApiError(
      `authentication failed at ${label} for client id ${clientId}: ${error.code ?? error.status} ` +
        `(check GENESYS_CLIENT_ID / GENESYS_CLIENT_SECRET and the region)`,
      {
        status: error.status,
        code: error.code ?? 'bad.credentials',
        correlationId: error.correlationId,
        method: error.method,
        url: error.url,
        body: error.body,
        cause: error,
      },
    );
  }
  return error;
}

/**
 * Innermost wrapper: adds the bearer token and, on a 401, fetches a new token and sends the call once more
 * (a token can expire or be revoked mid-run; the JS SDK would just fail, genesys-api.md §1.3).
 */
export function authWrapper(credentials: ClientCredentials, logger: Logger): RequestWrapper {
  return (next) =>
    async function authenticated<T>(options: Parameters<RequestFn>[0]) {
      if (options.auth === false) return next<T>(options);
      const send = (token: AccessToken) =>
        next<T>({ ...options, headers: { ...options.headers, authorization: `Bearer ${token.accessToken}` } });
      const token = await credentials.token();
      try {
        return await send(token);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status !== 401) throw error;
        credentials.invalidate(token);
        const fresh = await credentials.token();
        logger.info?.(`access token ${token.key} was rejected (401); retrying once with ${fresh.key}`);
        return send(fresh);
      }
    };
}
