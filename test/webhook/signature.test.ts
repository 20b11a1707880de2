/** Webhook signatures (NOTES.md "Notifications"): the documented vector and every variant to tolerate or refuse. */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseSignatureHeader,
  type SignatureInput,
  signatureManifest,
  signatureTimeMs,
  verifySignature,
} from '../../functions/webhook/signature.ts';

// NOTES.md's test vector.
const SECRET = 'your_secret_key_here';
const REQUEST_ID = '2066ca19-c6f1-498a-be75-1923005edd06';
const TS = '1742505638';
const DATA_ID = '123456789';
const V1 = '511a5db27e69c7b158670982c6f6fcd25c9702e6996dc785065b32796660eb61';
const TS_MS = Number(TS) * 1000;

const sign = (secret: string, dataId: string | undefined, requestId: string | undefined, ts: string) =>
  createHmac('sha256', secret)
    .update(signatureManifest(dataId, requestId, ts))
    .digest('hex');

const input = (overrides: Partial<SignatureInput> = {}): SignatureInput => ({
  secrets: [SECRET],
  dataId: DATA_ID,
  requestId: REQUEST_ID,
  signature: `ts=${TS},v1=${V1}`,
  nowMs: TS_MS + 1_000,
  toleranceSeconds: 300,
  ...overrides,
});

describe('the NOTES.md test vector', () => {
  it('builds the documented manifest and accepts the documented v1', () => {
    expect(signatureManifest(DATA_ID, REQUEST_ID, TS)).toBe(
      `id:${DATA_ID};request-id:${REQUEST_ID};ts:${TS};`,
    );
    expect(sign(SECRET, DATA_ID, REQUEST_ID, TS)).toBe(V1);
    expect(verifySignature(input())).toEqual({ ok: true, tsMs: TS_MS });
  });

  it('accepts the header with spaces, other key order and unknown keys', () => {
    expect(verifySignature(input({ signature: ` v1=${V1} , ts=${TS} ,v2=abc,foo` })).ok).toBe(true);
    expect(verifySignature(input({ signature: `ts=${TS},v1=${V1.toUpperCase()}` })).ok).toBe(true);
  });

  it('refuses another secret, another data.id, another request id, another ts', () => {
    expect(verifySignature(input({ secrets: ['another'] }))).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(input({ dataId: '123456780' })).ok).toBe(false);
    expect(verifySignature(input({ requestId: `${REQUEST_ID}x` })).ok).toBe(false);
    expect(verifySignature(input({ signature: `ts=${Number(TS) + 1},v1=${V1}` })).ok).toBe(false);
  });
});

describe('rotation', () => {
  it('accepts a signature made with any secret of the rotation, and none with an empty list', () => {
    expect(verifySignature(input({ secrets: ['new-secret', SECRET] })).ok).toBe(true);
    expect(verifySignature(input({ secrets: [SECRET, 'new-secret'] })).ok).toBe(true);
    const withNew = sign('new-secret', DATA_ID, REQUEST_ID, TS);
    expect(
      verifySignature(input({ secrets: ['new-secret', SECRET], signature: `ts=${TS},v1=${withNew}` })).ok,
    ).toBe(true);
    expect(verifySignature(input({ secrets: [SECRET], signature: `ts=${TS},v1=${withNew}` })).ok).toBe(false);
    expect(verifySignature(input({ secrets: [] }))).toEqual({ ok: false, reason: 'no_secret_configured' });
  });
});

describe('ts in seconds or milliseconds, within the tolerance either way', () => {
  it('reads a ts above 1e12 as milliseconds', () => {
    expect(signatureTimeMs('1742505638')).toBe(1742505638000);
    expect(signatureTimeMs('1742505638123')).toBe(1742505638123);
    expect(signatureTimeMs('17425056.38')).toBeNull();
    expect(signatureTimeMs('-1')).toBeNull();
    const tsMs = '1742505638123';
    const v1 = sign(SECRET, DATA_ID, REQUEST_ID, tsMs);
    expect(
      verifySignature(input({ signature: `ts=${tsMs},v1=${v1}`, nowMs: 1742505638123 + 2_000 })).ok,
    ).toBe(true);
  });

  it('refuses a ts older or newer than the tolerance, in seconds and in milliseconds', () => {
    for (const delta of [-301_000, 301_000]) {
      expect(verifySignature(input({ nowMs: TS_MS + delta }))).toEqual({ ok: false, reason: 'stale' });
    }
    for (const delta of [-299_000, 299_000])
      expect(verifySignature(input({ nowMs: TS_MS + delta })).ok).toBe(true);
    const tsMs = String(TS_MS);
    const v1 = sign(SECRET, DATA_ID, REQUEST_ID, tsMs);
    expect(verifySignature(input({ signature: `ts=${tsMs},v1=${v1}`, nowMs: TS_MS + 301_000 })).ok).toBe(
      false,
    );
    expect(verifySignature(input({ signature: `ts=${tsMs},v1=${v1}`, nowMs: TS_MS - 301_000 })).ok).toBe(
      false,
    );
  });
});

describe('data.id casing', () => {
  it('accepts the original case and the lowercase of an alphanumeric data.id, nothing else', () => {
    const id = 'AbC123';
    const original = sign(SECRET, id, REQUEST_ID, TS);
    const lower = sign(SECRET, id.toLowerCase(), REQUEST_ID, TS);
    const upper = sign(SECRET, id.toUpperCase(), REQUEST_ID, TS);
    expect(verifySignature(input({ dataId: id, signature: `ts=${TS},v1=${original}` })).ok).toBe(true);
    expect(verifySignature(input({ dataId: id, signature: `ts=${TS},v1=${lower}` })).ok).toBe(true);
    expect(verifySignature(input({ dataId: id, signature: `ts=${TS},v1=${upper}` })).ok).toBe(false);
    // Signed lowercase, delivered lowercase: fine; an upper-cased query is not "both casings" of it.
    expect(verifySignature(input({ dataId: 'abc123', signature: `ts=${TS},v1=${lower}` })).ok).toBe(true);
    expect(verifySignature(input({ dataId: 'ABC123', signature: `ts=${TS},v1=${original}` })).ok).toBe(false);
  });
});

describe('the body is not signed', () => {
  it('refuses a body data.id other than the signed query data.id', () => {
    expect(verifySignature(input({ bodyDataId: DATA_ID })).ok).toBe(true);
    expect(verifySignature(input({ bodyDataId: '999' }))).toEqual({
      ok: false,
      reason: 'body_data_id_mismatch',
    });
    expect(verifySignature(input({ bodyDataId: '' })).ok).toBe(false);
  });
});

describe('missing parts', () => {
  it('drops an absent x-request-id from the manifest (and then only such a signature matches)', () => {
    const v1 = sign(SECRET, DATA_ID, undefined, TS);
    expect(signatureManifest(DATA_ID, undefined, TS)).toBe(`id:${DATA_ID};ts:${TS};`);
    expect(verifySignature(input({ requestId: undefined, signature: `ts=${TS},v1=${v1}` })).ok).toBe(true);
    expect(verifySignature(input({ requestId: undefined })).ok).toBe(false);
    expect(verifySignature(input({ requestId: REQUEST_ID, signature: `ts=${TS},v1=${v1}` })).ok).toBe(false);
  });

  it('refuses a header without ts or v1, an empty or absent header', () => {
    expect(verifySignature(input({ signature: `v1=${V1}` }))).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
    expect(verifySignature(input({ signature: `ts=${TS}` }))).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
    expect(verifySignature(input({ signature: `ts=${TS},v1=` }))).toEqual({
      ok: false,
      reason: 'malformed_signature',
    });
    expect(verifySignature(input({ signature: '' }))).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verifySignature(input({ signature: undefined }))).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
  });
});

describe('tampered and garbage headers', () => {
  it('refuses any single changed hex digit of v1, and a truncated or extended v1', () => {
    for (let i = 0; i < V1.length; i++) {
      const flipped = V1.slice(0, i) + (V1[i] === '0' ? '1' : '0') + V1.slice(i + 1);
      expect(verifySignature(input({ signature: `ts=${TS},v1=${flipped}` })).ok).toBe(false);
    }
    expect(verifySignature(input({ signature: `ts=${TS},v1=${V1.slice(0, 62)}` })).ok).toBe(false);
    expect(verifySignature(input({ signature: `ts=${TS},v1=${V1}00` })).ok).toBe(false);
  });

  it('refuses multibyte garbage without throwing', () => {
    const garbage = [
      `ts=${TS},v1=${'é'.repeat(64)}`,
      `ts=１７４２５０５６３８,v1=${V1}`,
      `ts=${TS},v1=${V1.slice(0, 63)}\u{1F600}`,
      '\u0000\uFFFD\u{10FFFF},=,=,==',
      `ts=${TS},v1=${'ｆ'.repeat(64)}`,
    ];
    for (const signature of garbage) expect(verifySignature(input({ signature })).ok).toBe(false);
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (signature, dataId) => {
          const result = verifySignature(input({ signature, dataId }));
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('parses the header: first value of a key wins, names are case-insensitive', () => {
    expect(parseSignatureHeader(`TS=1,V1=ab,ts=2`)).toEqual({ ts: '1', v1: 'ab' });
    expect(parseSignatureHeader('v1=a=b')).toEqual({ ts: undefined, v1: 'a=b' });
  });
});
