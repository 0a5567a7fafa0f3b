import { ApiError, ClientOptionsError, createClient, proxyFromEnv, type GenesysClient, type Logger } from '../client/index.js';
import { registerSecret } from '../shared/redact.js';
import type { CommandContext } from './context.js';
import { CliError, EXIT } from './errors.js';

export const DEFAULT_ENVIRONMENT = 'mypurecloud.com';

export interface Connection {
  clientId: string;
  clientSecret: string;
  environment: string;
}

/**
 * Credentials come from the environment only (design.md "Connection"): the secret is never a flag, so it never
 * lands in shell history or a process list. Missing ones are an authentication problem (exit 5).
 */
export function connectionFromEnv(env: Record<string, string | undefined>): Connection {
  const clientId = env.GENESYS_CLIENT_ID?.trim();
  const clientSecret = env.GENESYS_CLIENT_SECRET;
  // Which variables, and where the README explains them (an OAuth client with the Client Credentials grant).
  const where = 'set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET (and GENESYS_ENVIRONMENT, default mypurecloud.com) in the environment; see "Use against a real org" in the README';
  if (!clientId) throw new CliError(`GENESYS_CLIENT_ID is not set: ${where}`, EXIT.AUTH);
  if (!clientSecret) throw new CliError(`GENESYS_CLIENT_SECRET is not set: ${where}`, EXIT.AUTH);
  const environment = env.GENESYS_ENVIRONMENT?.trim() || DEFAULT_ENVIRONMENT;
  return { clientId, clientSecret, environment };
}

/** Client log lines on stderr: rate-limit pauses always (unless --json), retries and token events with FLOWLINK_DEBUG. */
function cliLogger(ctx: CommandContext): Logger {
  const debug = Boolean(ctx.io.env.FLOWLINK_DEBUG);
  return {
    warn: (message) => ctx.io.note(`flowlink: ${message}`),
    error: (message) => ctx.io.err(`flowlink: ${message}`),
    ...(debug ? { info: (message: string) => ctx.io.err(`flowlink: ${message}`), debug: (message: string) => ctx.io.err(`flowlink: ${message}`) } : {}),
  };
}

/**
 * A client for the environment's org; an unknown region is a usage error (exit 2). `abortOnSignal: false` is for
 * apply/rollback: on Ctrl-C they stop starting work themselves but must still see in-flight import jobs through.
 */
export function clientFromEnv(ctx: CommandContext, options: { abortOnSignal?: boolean } = {}): GenesysClient {
  const connection = connectionFromEnv(ctx.io.env);
  // HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and lowercase), for API calls and presigned URLs alike.
  const proxy = proxyFromEnv(ctx.io.env);
  for (const url of [proxy?.httpProxy, proxy?.httpsProxy]) registerSecret(proxyPassword(url));
  try {
    return createClient({ ...connection, proxy, ...(options.abortOnSignal === false ? {} : { signal: ctx.signal }), logger: cliLogger(ctx) });
  } catch (error) {
    if (error instanceof ClientOptionsError && error.code === 'invalid.proxy') {
      throw new CliError(`HTTPS_PROXY/HTTP_PROXY: ${error.message}`, EXIT.USAGE);
    }
    if (error instanceof ClientOptionsError) throw new CliError(`GENESYS_ENVIRONMENT: ${error.message}`, EXIT.USAGE);
    throw error;
  }
}

/** A proxy URL's password (never printed: registered as a secret). */
function proxyPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * An API failure as one line with an exit code. Authentication and permission failures are exit 5; so is a host
 * that cannot be reached: like bad credentials it means flowlink could not get into the org at all, and scripts
 * should treat it as "fix the connection", not as "some flows failed" (1).
 */
export function cliErrorFromApi(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.kind === 'aborted') return new CliError('interrupted', EXIT.FLOWS_FAILED);
  if (error.status === 401 || error.status === 403) {
    const hint = error.status === 403 ? ' (the OAuth client lacks a permission for this call)' : '';
    return new CliError(`${error.message}${hint}`, EXIT.AUTH);
  }
  if (error.kind === 'network') return new CliError(error.message, EXIT.AUTH);
  const correlation = error.correlationId ? ` [correlation id ${error.correlationId}]` : '';
  return new CliError(`${error.message}${correlation}`, EXIT.FLOWS_FAILED);
}
