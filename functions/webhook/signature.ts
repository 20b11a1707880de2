/**
 * Mercado Pago webhook signatures (NOTES.md "Notifications"): `x-signature: ts=<ts>,v1=<hex>` is the
 * HMAC-SHA256 of `id:<query data.id>;request-id:<x-request-id>;ts:<ts>;` (absent parts dropped). Accepted:
 * any secret of a rotation, the data.id as sent or lowercased (older docs), `ts` in seconds or milliseconds
 * within the tolerance either way. Compared in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignatureParts {
  ts: string | undefined;
  v1: string | undefined;
}

/** Splits on `,`, then each part on its first `=`; names are trimmed and lower-cased, unknown ones ignored. */
export const parseSignatureHeader = (header: string): SignatureParts => {
  const parts: SignatureParts = { ts: undefined, v1: undefined };
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) continue;
    const name = part.slice(0, at).trim().toLowerCase();
    const value = part.slice(at + 1).trim();
    if (name === 'ts' && parts.ts === undefined) parts.ts = value;
    else if (name === 'v1' && parts.v1 === undefined) parts.v1 = value;
  }
  return parts;
};

export const signatureManifest = (
  dataId: string | undefined,
  requestId: string | undefined,
  ts: string | undefined,
) => `${dataId ? `id:${dataId};` : ''}${requestId ? `request-id:${requestId};` : ''}${ts ? `ts:${ts};` : ''}`;

const MILLISECONDS_THRESHOLD = 1e12;

/** `ts` in epoch ms (values above 1e12 are already ms), or null when it is not a plain whole number. */
export const signatureTimeMs = (ts: string): number | null => {
  if (!/^\d{1,16}$/.test(ts)) return null;
  const value = Number(ts);
  return value > MILLISECONDS_THRESHOLD ? value : value * 1000;
};

export type SignatureFailure =
  | 'no_secret_configured'
  | 'missing_signature'
  | 'malformed_signature'
  | 'stale'
  | 'mismatch'
  | 'body_data_id_mismatch';

export type SignatureCheck = { ok: true; tsMs: number } | { ok: false; reason: SignatureFailure };

export interface SignatureInput {
  secrets: readonly string[];
  /** `data.id` of the query string (what Mercado Pago signs). */
  dataId: string;
  /** `data.id` of the JSON body, when it has one: it must be the signed one (the body is not signed). */
  bodyDataId?: string | undefined;
  requestId: string | undefined;
  signature: string | undefined;
  nowMs: number;
  toleranceSeconds: number;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const ALPHANUMERIC = /^[A-Za-z0-9]+$/;

export const verifySignature = (input: SignatureInput): SignatureCheck => {
  if (input.secrets.length === 0) return { ok: false, reason: 'no_secret_configured' };
  if (input.signature === undefined || input.signature.trim() === '')
    return { ok: false, reason: 'missing_signature' };
  const { ts, v1 } = parseSignatureHeader(input.signature);
  if (ts === undefined || v1 === undefined) return { ok: false, reason: 'malformed_signature' };
  const tsMs = signatureTimeMs(ts);
  const given = v1.toLowerCase();
  if (tsMs === null || !HEX_SHA256.test(given)) return { ok: false, reason: 'malformed_signature' };
  if (Math.abs(input.nowMs - tsMs) > input.toleranceSeconds * 1000) return { ok: false, reason: 'stale' };
  // Ids are compared in either case (`ORD...` ids are sent both ways; digits are unaffected).
  if (input.bodyDataId !== undefined && input.bodyDataId.toLowerCase() !== input.dataId.toLowerCase()) {
    return { ok: false, reason: 'body_data_id_mismatch' };
  }

  const givenBytes = Buffer.from(given, 'hex');
  const lower = input.dataId.toLowerCase();
  const ids =
    ALPHANUMERIC.test(input.dataId) && lower !== input.dataId ? [input.dataId, lower] : [input.dataId];
  let matched = false;
  // Every candidate is computed and compared, so the time taken does not tell which one matched.
  for (const secret of input.secrets) {
    for (const id of ids) {
      const expected = createHmac('sha256', secret)
        .update(signatureManifest(id, input.requestId, ts))
        .digest();
      if (expected.length === givenBytes.length && timingSafeEqual(expected, givenBytes)) matched = true;
    }
  }
  return matched ? { ok: true, tsMs } : { ok: false, reason: 'mismatch' };
};
