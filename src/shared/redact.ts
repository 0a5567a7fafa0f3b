/**
 * Secrets never reach output, logs, reports, journals or errors. Every text that leaves the process through
 * flowlink's own writers passes through `redact`, which removes the registered secrets (client secret, bearer
 * tokens, Basic credentials) and anything shaped like an Authorization header value.
 */
const MIN_SECRET_LENGTH = 4;
const registered = new Set<string>();

/** Remember a value that must never be printed (a client secret, an access token). */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= MIN_SECRET_LENGTH) {
    registered.add(value);
    // The Basic header carries base64(id:secret); its pieces are covered by the header pattern below.
  }
}

export function forgetSecrets(): void {
  registered.clear();
}

const AUTH_HEADER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/gi;
const TOKEN_FIELD = /("?(?:access_token|client_secret|clientSecret|refresh_token|authorization)"?\s*[:=]\s*"?)([^"&\s,}]+)/gi;

export function redact(text: string, extraSecrets: readonly string[] = []): string {
  let result = text.replace(AUTH_HEADER, '$1 [REDACTED]').replace(TOKEN_FIELD, '$1[REDACTED]');
  for (const secret of [...registered, ...extraSecrets]) {
    if (secret && secret.length >= MIN_SECRET_LENGTH) result = result.split(secret).join('[REDACTED]');
  }
  return result;
}
