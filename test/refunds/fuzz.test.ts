/**
 * Property: bad input to the refund routes never answers 5xx and never changes anything: no call to Mercado
 * Pago's refund endpoint, no idempotency key stored, no ledger written.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, invoke, startHarness } from '../support/harness.ts';
import { daysAgo, refundApi, refundCalls } from './support.ts';

let h: Harness;
let api: ReturnType<typeof refundApi>;
let paymentId: string;

beforeAll(async () => {
  h = await startHarness();
  api = refundApi(h);
  paymentId = h.sandbox.createPayment({
    status: 'approved',
    currency: 'BRL',
    amount: 100,
    dateApproved: daysAgo(1),
  });
});
afterAll(async () => h?.close());

const itemCount = async () =>
  (await h.dynamo.send(new ScanCommand({ TableName: h.tableName, Select: 'COUNT' }))).Count ?? 0;

/** A body that is not a valid refund request: unknown fields, wrong types, bad amounts, or not an object. */
const badBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((k) => !['amount', 'reason', 'externalReference'].includes(k)),
    fc.jsonValue(),
    { minKeys: 1, maxKeys: 4 },
  ),
  fc.record({
    amount: fc.oneof(
      fc
        .double({ noNaN: false })
        .filter((n) => !(n > 0 && Number.isFinite(n) && Math.round(n * 100) === n * 100 && n < 1e9)),
      fc.string(),
      fc.constant(null),
      fc.boolean(),
      fc.array(fc.integer(), { maxLength: 2 }),
    ),
  }),
  fc.record({
    reason: fc.oneof(fc.string({ minLength: 256, maxLength: 300 }), fc.integer(), fc.constant(null)),
  }),
  fc.record({
    externalReference: fc.oneof(
      fc.string({ minLength: 65, maxLength: 80 }),
      fc.constantFrom('a b', 'é', '', '../x'),
    ),
  }),
  fc.oneof(
    fc.constant(null),
    fc.array(fc.jsonValue(), { maxLength: 3 }),
    fc.string(),
    fc.integer(),
    fc.boolean(),
  ),
);

const badKey = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('', 'has space', 'x'.repeat(129), 'é', 'a/b', 'semi;colon'),
);

describe('refund routes under bad input (property)', () => {
  it('never answer 5xx and never change state', async () => {
    const before = await itemCount();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          // A bad body with a good key.
          fc.record({
            body: badBody,
            key: fc.constant('fuzz-good-key'),
            contentType: fc.constant('application/json'),
            path: fc.constant(paymentId),
          }),
          // A good body with a bad key.
          fc.record({
            body: fc.constant({ amount: 1 }),
            key: badKey,
            contentType: fc.constant('application/json'),
            path: fc.constant(paymentId),
          }),
          // A good body with a bad payment id.
          fc.record({
            body: fc.constant({}),
            key: fc.constant('fuzz-good-key-2'),
            contentType: fc.constant('application/json'),
            path: fc.oneof(
              fc.constantFrom('abc', '-1', '1.5', '123456789012345678901', '%00'),
              fc
                .string({ minLength: 1, maxLength: 8 })
                .filter((s) => !/^\d{1,20}$/.test(s) && !/[/?#%]/.test(s)),
            ),
          }),
          // A good body sent as something that is not JSON.
          fc.record({
            body: fc.constant({ amount: 1 }),
            key: fc.constant('fuzz-good-key-3'),
            contentType: fc.constantFrom(
              'text/plain',
              'application/x-www-form-urlencoded',
              'application/xml',
            ),
            path: fc.constant(paymentId),
          }),
        ),
        async ({ body, key, contentType, path }) => {
          const res = await invoke(api.handler, {
            method: 'POST',
            path: `/payments/${encodeURIComponent(path)}/refunds`,
            rawBody: JSON.stringify(body),
            headers: {
              'content-type': contentType,
              ...(key === undefined ? {} : { 'Idempotency-Key': key }),
            },
          });
          expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.headers['content-type']).toBe('application/problem+json');
          expect(['VALIDATION_ERROR', 'UNSUPPORTED_MEDIA_TYPE', 'NOT_FOUND']).toContain(res.body.code);
        },
      ),
      { numRuns: 250 },
    );
    expect(refundCalls(h)).toHaveLength(0);
    expect(await itemCount()).toBe(before);
    // The keys used above are still free: a valid request with one of them works.
    const ok = await api.refund(paymentId, { amount: 1 }, 'fuzz-good-key');
    expect(ok.status).toBe(201);
  });
});
