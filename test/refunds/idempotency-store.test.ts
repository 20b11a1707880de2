/** The idempotency store's conditional writes against the embedded DynamoDB. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdempotencyRecord } from '../../functions/ports/idempotency-store.ts';
import { type Harness, startHarness } from '../support/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const record = (
  key: string,
  owner: string,
  lockedUntil: number,
  expiresAt = Date.now() / 1000 + 86_400,
): IdempotencyRecord => ({
  key,
  route: 'POST /payments/{paymentId}/refunds',
  subjectId: '1',
  fingerprint: 'f',
  refundId: 'rf_1',
  lockOwner: owner,
  lockedUntil,
  createdAt: new Date().toISOString(),
  expiresAt: Math.floor(expiresAt),
});
const now = () => Date.now();

describe('idempotency store', () => {
  it('claims a key once', async () => {
    expect(await h.idempotency.claim(record('k1', 'a', Date.now() + 10_000), now())).toBe(true);
    expect(await h.idempotency.claim(record('k1', 'b', Date.now() + 10_000), now())).toBe(false);
  });

  it('a request that outlived its lock cannot store its answer over the one that took the work over', async () => {
    const first = record('k2', 'a', Date.now() - 1);
    await h.idempotency.claim(first, now());
    expect(await h.idempotency.takeOver(first, 'b', Date.now() + 10_000)).toBe(true);
    // The first request comes back late: its answer is not stored, and nothing throws.
    await h.idempotency.complete('k2', 'a', { status: 409, body: { code: 'LATE' } });
    expect((await h.idempotency.getWithLedger('k2', '1', now())).record?.response).toBeUndefined();
    await h.idempotency.complete('k2', 'b', { status: 201, body: { id: 'rf_1' } });
    expect((await h.idempotency.getWithLedger('k2', '1', now())).record?.response).toEqual({
      status: 201,
      body: { id: 'rf_1' },
    });
    // Nor can it free the key the other one holds.
    await h.idempotency.release('k2', 'a');
    expect((await h.idempotency.getWithLedger('k2', '1', now())).record).toBeDefined();
  });

  it('a second take-over of the same expired lock fails', async () => {
    const expired = record('k3', 'a', Date.now() - 1);
    await h.idempotency.claim(expired, now());
    expect(await h.idempotency.takeOver(expired, 'b', Date.now() + 10_000)).toBe(true);
    expect(await h.idempotency.takeOver(expired, 'c', Date.now() + 10_000)).toBe(false);
  });

  it('a key past its retention is absent, and can be claimed again (DynamoDB deletes it lazily)', async () => {
    const old = record('k4', 'a', Date.now() - 1, Date.now() / 1000 - 1);
    expect(await h.idempotency.claim(old, now() - 10_000)).toBe(true);
    expect((await h.idempotency.getWithLedger('k4', '1', now())).record).toBeUndefined();
    expect(await h.idempotency.claim(record('k4', 'b', Date.now() + 10_000), now())).toBe(true);
    expect((await h.idempotency.getWithLedger('k4', '1', now())).record?.lockOwner).toBe('b');
  });

  it('reads a key item written before subjects had their own name', async () => {
    const stored = await import('../fixtures/stored-items-v1.json', { with: { type: 'json' } });
    const item = (stored.default as any[]).find((i) => i.pk.S === 'IDEMPOTENCY#capture-unknown');
    const { recordFromItem } = await import('../../functions/adapters/dynamodb/idempotency-store.ts');
    expect(recordFromItem(item)).toMatchObject({
      key: 'capture-unknown',
      subjectId: '21000000001',
      refundId: 'rf_01M8S2KH3D1J73AQG9W20Q9337',
      expiresAt: 1830697927,
    });
  });
});
