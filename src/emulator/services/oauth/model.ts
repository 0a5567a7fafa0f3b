import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Emulator } from '../../context.js';
import { ApiError } from '../../core/errors.js';
import type { TokenRecord } from '../../state/types.js';

/** Client-credentials tokens: issued to the configured client, stored only as a sha256 hash, expiring after the TTL. */

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

function same(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function clientMatches(emu: Emulator, id: string, secret: string): boolean {
  // Both compared (no early exit) so timing does not tell which one was wrong.
  const idOk = same(id, emu.options.clientId);
  const secretOk = same(secret, emu.options.clientSecret);
  return idOk && secretOk;
}

export function issueToken(emu: Emulator, clientId: string, now: number): { token: string; record: TokenRecord } {
  const token = randomBytes(32).toString('base64url');
  const record: TokenRecord = {
    hash: hashToken(token),
    id: randomUUID(),
    clientId,
    issuedAt: now,
    expiresAt: now + emu.options.tokenTtlSec * 1000,
  };
  emu.store.commit([{ t: 'token', token: record }]);
  return { token, record };
}

/** The bearer token of an API request, or a 401 ErrorBody. */
export function authenticate(emu: Emulator, header: string | undefined, now: number): TokenRecord {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) {
    throw new ApiError(401, 'authentication.required', 'No authentication bearer token specified in authorization header.');
  }
  const record = emu.store.state.tokens.get(hashToken(match[1] as string));
  if (!record) throw new ApiError(401, 'authentication.required', 'The authentication token is not valid.');
  if (record.expiresAt <= now) throw new ApiError(401, 'credentials.expired', 'The supplied credentials are expired and cannot be used.');
  return record;
}
