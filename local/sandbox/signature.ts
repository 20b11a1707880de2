/** Webhook signature per NOTES.md: HMAC-SHA256 (lowercase hex) of `id:<data.id>;request-id:<id>;ts:<ts>;`. */
import { createHmac } from 'node:crypto';

export const signatureManifest = (dataId: string, requestId: string, ts: string): string =>
  `id:${dataId};request-id:${requestId};ts:${ts};`;

export const signManifest = (secret: string, manifest: string): string =>
  createHmac('sha256', secret).update(manifest).digest('hex');

export const signatureHeader = (secret: string, dataId: string, requestId: string, ts: string): string =>
  `ts=${ts},v1=${signManifest(secret, signatureManifest(dataId, requestId, ts))}`;
