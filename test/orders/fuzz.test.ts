/**
 * Property: bad input to the new routes (order refunds and cancellation, and the till routes with
 * QR_API=orders) never answers 5xx and never changes anything: no Mercado Pago write, no item written.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tillApi } from '../qr-orders/till-support.ts';
import { type Harness, invoke, startHarness } from '../support/harness.ts';
import { orderApi, paidOrder } from './support.ts';

let h: Harness;
let api: ReturnType<typeof orderApi>;
let tills: ReturnType<typeof tillApi>;
let orderId: string;

beforeAll(async () => {
  h = await startHarness({ sandbox: { orderRefundDelayMs: null } });
  api = orderApi(h);
  tills = tillApi(h);
  orderId = await paidOrder(h, '100.00');
  h.sandbox.clearRequests();
});
afterAll(async () => h?.close());

const itemCount = async () =>
  (await h.dynamo.send(new ScanCommand({ TableName: h.tableName, Select: 'COUNT' }))).Count ?? 0;
const writesAtMercadoPago = () => h.sandbox.requests().filter((r) => r.method !== 'GET');

const notAJsonObject = fc.oneof(
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.string(),
  fc.integer(),
  fc.boolean(),
);

const badRefundBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(
    fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((k) => !['amount', 'reason', 'externalReference', 'transactionId'].includes(k)),
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
    ),
  }),
  fc.record({
    transactionId: fc.oneof(
      fc.constantFrom('', 'PAY 1', 'pay/1', 'x'.repeat(129), 'é'),
      fc.integer(),
      fc.constant(null),
    ),
  }),
  notAJsonObject,
);

const badOrderId = fc.oneof(
  fc.constantFrom('ORD', 'ORD123', `ORD${'A'.repeat(41)}`, '12345', 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D!'),
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((s) => !/^ORD[A-Za-z0-9]{20,40}$/i.test(s) && !/[/?#%]/.test(s)),
);

const item = { title: 'Cafe', unitPrice: 5, quantity: 1, unitMeasure: 'unit', totalAmount: 5 };
const goodTillBody = { externalReference: 'fuzz-1', title: 'Cafe', totalAmount: 5, items: [item] };
const badTillBody: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .record({
      mode: fc.oneof(
        fc.string().filter((m) => !['static', 'dynamic', 'hybrid'].includes(m)),
        fc.integer(),
      ),
    })
    .map((change) => ({ ...goodTillBody, ...change })),
  fc
    .record({ totalAmount: fc.constantFrom(5.01, 0, -5, 4.999) })
    .map((change) => ({ ...goodTillBody, ...change })),
  fc
    .record({ description: fc.string({ minLength: 151, maxLength: 200 }) })
    .map((change) => ({ ...goodTillBody, ...change })),
  fc
    .record({ ttlSeconds: fc.constantFrom(0, 29, 86_401, 1.5) })
    .map((change) => ({ ...goodTillBody, ...change })),
  fc
    .record({ items: fc.constantFrom([], [{ ...item, quantity: 0 }], [{ ...item, unitMeasure: 'kg' }]) })
    .map((change) => ({
      ...goodTillBody,
      ...change,
    })),
  notAJsonObject,
);

describe('the new routes under bad input (property)', () => {
  it('never answer 5xx and never change state', async () => {
    const before = await itemCount();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({
            method: fc.constant('POST'),
            path: fc.constant(`/orders/${orderId}/refunds`),
            body: badRefundBody,
            key: fc.constant<string | undefined>('fuzz-order-key'),
            contentType: fc.constant('application/json'),
          }),
          fc.record({
            method: fc.constant('POST'),
            path: fc.constant(`/orders/${orderId}/refunds`),
            body: fc.constant<unknown>({ amount: 1 }),
            key: fc.constantFrom(undefined, '', 'has space', 'x'.repeat(129), 'é'),
            contentType: fc.constant('application/json'),
          }),
          fc.record({
            method: fc.constantFrom('POST', 'GET'),
            path: badOrderId.map((id) => `/orders/${encodeURIComponent(id)}/refunds`),
            body: fc.constant<unknown>({}),
            key: fc.constant<string | undefined>('fuzz-order-key-2'),
            contentType: fc.constant('application/json'),
          }),
          fc.record({
            method: fc.constant('POST'),
            path: badOrderId.map((id) => `/orders/${encodeURIComponent(id)}/cancellation`),
            body: fc.constant<unknown>({}),
            key: fc.constant<string | undefined>(undefined),
            contentType: fc.constant('application/json'),
          }),
          fc.record({
            method: fc.constant('POST'),
            path: fc.constant(`/orders/${orderId}/cancellation`),
            body: fc.oneof(
              fc.constant<unknown>({ reason: 'cash' }),
              notAJsonObject.filter((b) => b !== null),
            ),
            key: fc.constantFrom(undefined, 'bad key'),
            contentType: fc.constant('application/json'),
          }),
          fc.record({
            method: fc.constant('GET'),
            path: fc.constant(`/orders/${orderId}/refunds/${encodeURIComponent('bad id!')}`),
            body: fc.constant<unknown>(undefined),
            key: fc.constant<string | undefined>(undefined),
            contentType: fc.constant('application/json'),
          }),
          fc.record({
            method: fc.constant('POST'),
            path: fc.constant(`/orders/${orderId}/refunds`),
            body: fc.constant<unknown>({ amount: 1 }),
            key: fc.constant<string | undefined>('fuzz-order-key-3'),
            contentType: fc.constantFrom('text/plain', 'application/xml'),
          }),
        ),
        async ({ method, path, body, key, contentType }) => {
          const res = await invoke(api.handler, {
            method,
            path,
            ...(body === undefined ? {} : { rawBody: JSON.stringify(body) }),
            headers: {
              'content-type': contentType,
              ...(key === undefined ? {} : { 'Idempotency-Key': key }),
            },
          });
          expect(res.status, JSON.stringify(res.body)).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.headers['content-type']).toBe('application/problem+json');
        },
      ),
      { numRuns: 250 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          pos: fc.oneof(fc.constant('CAJA_FUZZ'), fc.constantFrom('a b', 'x'.repeat(65), 'é', 'CAJA.1')),
          body: badTillBody,
        }),
        async ({ pos, body }) => {
          const res = await invoke(tills.handler, {
            method: 'PUT',
            path: `/pos/${encodeURIComponent(pos)}/order`,
            rawBody: JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          });
          expect(res.status, JSON.stringify(res.body)).toBe(400);
          expect(res.body.code).toBe('VALIDATION_ERROR');
        },
      ),
      { numRuns: 150 },
    );
    expect(writesAtMercadoPago()).toEqual([]);
    expect(await itemCount()).toBe(before);
    // The keys used above are still free.
    expect((await api.refund(orderId, { amount: 1 }, 'fuzz-order-key')).status).toBe(202);
  });
});
