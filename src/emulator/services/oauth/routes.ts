import type { Emulator } from '../../context.js';
import type { Reply, RequestContext } from '../../core/http.js';
import { clientMatches, issueToken } from './model.js';

/** OAuth errors use their own shape `{error, description}`, not ErrorBody (genesys-api.md §1.2). */
const oauthError = (status: number, error: string, description: string): Reply => ({ status, body: { error, description } });

/** POST /oauth/token: Basic client credentials + form body `grant_type=client_credentials`. */
export function handleToken(emu: Emulator, ctx: RequestContext): Reply {
  if (ctx.method !== 'POST') return oauthError(405, 'invalid_request', 'Use POST for the token endpoint.');
  const basic = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(String(ctx.req.headers.authorization ?? ''));
  if (!basic) return oauthError(401, 'invalid_client', 'Client authentication failed: no Basic credentials.');
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const id = colon < 0 ? decoded : decoded.slice(0, colon);
  const secret = colon < 0 ? '' : decoded.slice(colon + 1);
  if (!clientMatches(emu, id, secret)) return oauthError(401, 'invalid_client', 'Client authentication failed.');
  const form = new URLSearchParams(ctx.body.toString('utf8'));
  const grant = form.get('grant_type');
  if (grant !== 'client_credentials') {
    return oauthError(400, 'unsupported_grant_type', grant ? `Grant type '${grant}' is not supported.` : 'grant_type is missing.');
  }
  const { token } = issueToken(emu, id, ctx.now);
  return {
    status: 200,
    body: { access_token: token, token_type: 'bearer', expires_in: emu.options.tokenTtlSec },
    headers: { 'cache-control': 'no-store' },
  };
}

