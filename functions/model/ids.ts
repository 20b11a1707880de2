import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque, time-ordered ids: a prefix, 10 chars of time and 16 of randomness (Crockford base32),
 * e.g. `rf_01JD...`. Sorting by id sorts by creation time.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const encodeTime = (ms: number): string => {
  let out = '';
  let value = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[value % 32] + out;
    value = Math.floor(value / 32);
  }
  return out;
};

export const newId = (prefix: string, nowMs: number = Date.now()): string => {
  const random = randomBytes(16);
  let tail = '';
  for (const byte of random) tail += ALPHABET[byte % 32];
  return `${prefix}_${encodeTime(nowMs)}${tail}`;
};

/** A new request id for responses whose caller sent none (or an unsafe one). */
export const newRequestId = (): string => crypto.randomUUID();

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * A deterministic UUID-shaped key from a name (same name, same key): what this service sends to
 * Mercado Pago as `X-Idempotency-Key`, so a retry of the same logical operation reuses it.
 */
export const deterministicUuid = (name: string): string => {
  const hex = sha256Hex(name);
  // Version 5-like layout (name-based), variant bits set: a well-formed UUID string.
  const variant = ((Number.parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
};
