/**
 * Secrets never reach output, logs, reports, journals or errors. Every text that leaves the process through
 * flowlink's own writers passes through `redact`, which replaces the registered secrets (the client secret, the
 * Basic credential value, every access token issued) by `[REDACTED]`.
 *
 * By exact value only, never by a pattern over words: a pattern such as "Basic <word>" turned the flow name
 * "Basic Support Line" into "Basic [REDACTED] Line" in output and reports. Each value is also matched in the
 * forms it takes inside JSON text and a URL-encoded form, so a secret with a quote or a slash in it is caught in
 * `--json` output and in a logged request body too.
 */
const MIN_SECRET_LENGTH = 4;
const REPLACEMENT = '[REDACTED]';
/** Every form of every registered value, longest first (a token containing a shorter secret is replaced whole). */
let forms: string[] = [];
const registered = new Set<string>();

function formsOf(value: string): string[] {
  return [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
}

function rebuild(): void {
  const all = new Set<string>();
  for (const value of registered) for (const form of formsOf(value)) if (form.length >= MIN_SECRET_LENGTH) all.add(form);
  forms = [...all].sort((a, b) => b.length - a.length);
}

/** Remember a value that must never be printed (a client secret, a Basic credential value, an access token). */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= MIN_SECRET_LENGTH && !registered.has(value)) {
    registered.add(value);
    rebuild();
  }
}

export function forgetSecrets(): void {
  registered.clear();
  forms = [];
}

/** `text` with every registered secret (and `extraSecrets`) replaced by [REDACTED]; nothing else is touched. */
export function redact(text: string, extraSecrets: readonly string[] = []): string {
  let result = text;
  const extra = extraSecrets.filter((secret) => secret && secret.length >= MIN_SECRET_LENGTH).flatMap(formsOf);
  for (const secret of extra.length > 0 ? [...forms, ...extra].sort((a, b) => b.length - a.length) : forms) {
    if (secret.length >= MIN_SECRET_LENGTH && result.includes(secret)) result = result.split(secret).join(REPLACEMENT);
  }
  return result;
}

/** Text gathered before each pass of `redactPieces`. */
const PIECES_CHUNK = 64 * 1024;

/**
 * `redact` over a text given in pieces (a page written as it is made, never held whole): the pieces are gathered
 * to about 64 KB a pass, and the last (longest secret form - 1) characters of each pass are held back for the
 * next, so a secret split across pieces is still caught (any occurrence that starts in what is given out ends
 * inside the pass that replaced it).
 */
export function* redactPieces(pieces: Iterable<string>): Generator<string> {
  const hold = Math.max(0, (forms[0]?.length ?? 0) - 1);
  let buffer = '';
  for (const piece of pieces) {
    buffer += piece;
    if (buffer.length < PIECES_CHUNK + hold) continue;
    const clean = redact(buffer);
    const cut = clean.length - hold;
    yield clean.slice(0, cut);
    buffer = clean.slice(cut);
  }
  const rest = redact(buffer);
  if (rest !== '') yield rest;
}
