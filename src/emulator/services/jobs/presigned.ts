import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * S3-style presigned URLs for import uploads and export downloads: no bearer token, the signature in the query
 * authorises the request. Signed with an HMAC keyed by the emulator's client secret (never shown).
 */
export const UPLOAD_HEADERS: Record<string, string> = {
  'Content-Type': 'application/octet-stream',
  'x-amz-server-side-encryption': 'AES256',
};

export function sign(key: string, purpose: 'uploads' | 'downloads', id: string): string {
  return createHmac('sha256', key).update(`${purpose}/${id}`).digest('hex');
}

export function presignedUrl(baseUrl: string, key: string, purpose: 'uploads' | 'downloads', id: string, now: number): string {
  const query = new URLSearchParams({
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Date': new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''),
    'X-Amz-Expires': '3600',
    'X-Amz-SignedHeaders': purpose === 'uploads' ? 'content-type;host;x-amz-server-side-encryption' : 'host',
    'X-Amz-Signature': sign(key, purpose, id),
  });
  return `${baseUrl}/__presigned/${purpose}/${id}?${query.toString()}`;
}

export function signatureValid(key: string, purpose: 'uploads' | 'downloads', id: string, query: URLSearchParams): boolean {
  const given = Buffer.from(query.get('X-Amz-Signature') ?? '', 'utf8');
  const expected = Buffer.from(sign(key, purpose, id), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** S3's XML error document. */
export function s3Error(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}
