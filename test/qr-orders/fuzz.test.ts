/**
 * Fuzzing PUT /pos/{externalPosId}/order: arbitrary bodies and valid orders broken in one place are a 400
 * (never a 5xx), with nothing sent to Mercado Pago and nothing stored; valid orders are sent with exact totals.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createQrOrderStore } from '../../functions/adapters/dynamodb/qr-order-store.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import { fromMinorUnits } from '../../functions/model/money.ts';
import { createLogger } from '../../functions/observability/logger.ts';
import { qrOrderRoutes } from '../../functions/qr-orders/routes.ts';
import { type Harness, invoke, type LambdaLike, startHarness } from '../support/harness.ts';

let h: Harness;
let handler: LambdaLike;

beforeAll(async () => {
  h = await startHarness();
  handler = createHttpHandler(
    qrOrderRoutes(async () => ({
      mercadoPago: h.mercadoPago,
      qrOrders: createQrOrderStore(h.dynamo, h.tableName),
      clock: h.clock,
      userId: h.sandbox.userId,
      defaultStoreId: 'SUC001',
      siteId: 'MLB',
      notificationUrl: 'https://api.example.com/webhooks/mercadopago',
    })),
    { logger: createLogger({ level: 'error', sink: () => undefined }) },
  );
});

afterAll(async () => {
  await h.close();
});

beforeEach(() => {
  h.sandbox.clearRequests();
});

const storedOrders = async (): Promise<number> => {
  const result = await h.dynamo.send(
    new ScanCommand({
      TableName: h.tableName,
      FilterExpression: 'begins_with(pk, :prefix)',
      ExpressionAttributeValues: { ':prefix': { S: 'QR_ORDER#' } },
    }),
  );
  return result.Items?.length ?? 0;
};

const put = (body: string) => invoke(handler, { method: 'PUT', path: '/pos/CAJA_FUZZ/order', rawBody: body });

/** A valid order in cents: item totals are price x quantity and add up to the total. */
const validOrder = fc
  .record({
    externalReference: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    title: fc.string({ minLength: 1, maxLength: 40 }),
    items: fc.array(
      fc.record({
        title: fc.string({ minLength: 1, maxLength: 20 }),
        unitCents: fc.integer({ min: 1, max: 5_000_000 }),
        quantity: fc.integer({ min: 1, max: 50 }),
        unitMeasure: fc.constantFrom('unit', 'pack'),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    ttlSeconds: fc.option(fc.integer({ min: 30, max: 86_400 }), { nil: undefined }),
  })
  .map((order) => {
    const items = order.items.map((item) => ({
      title: item.title,
      unitPrice: fromMinorUnits(item.unitCents, 2),
      quantity: item.quantity,
      unitMeasure: item.unitMeasure,
      totalAmount: fromMinorUnits(item.unitCents * item.quantity, 2),
    }));
    const totalCents = order.items.reduce((sum, item) => sum + item.unitCents * item.quantity, 0);
    return {
      externalReference: order.externalReference,
      title: order.title,
      totalAmount: fromMinorUnits(totalCents, 2),
      items,
      ...(order.ttlSeconds !== undefined ? { ttlSeconds: order.ttlSeconds } : {}),
    };
  });

type Order = Record<string, unknown> & { items: Record<string, unknown>[] };

const notANumber = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
/** Not a non-empty string: what no text field takes. */
const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(''),
  fc.array(fc.string(), { maxLength: 2 }),
);
const knownFields = new Set([
  'externalStoreId',
  'externalReference',
  'title',
  'description',
  'totalAmount',
  'items',
  'ttlSeconds',
]);
const knownItemFields = new Set([
  'skuNumber',
  'category',
  'title',
  'description',
  'unitPrice',
  'quantity',
  'unitMeasure',
  'totalAmount',
]);

/** One change that makes a valid order invalid, applied to a copy. */
const breakage: fc.Arbitrary<(order: Order) => void> = fc.oneof(
  fc
    .tuple(
      fc.string({ minLength: 1 }).filter((k) => !knownFields.has(k) && k !== '__proto__'),
      fc.jsonValue(),
    )
    .map(([key, value]) => (order: Order) => {
      order[key] = value;
    }),
  fc
    .tuple(
      fc.string({ minLength: 1 }).filter((k) => !knownItemFields.has(k) && k !== '__proto__'),
      fc.jsonValue(),
    )
    .map(([key, value]) => (order: Order) => {
      order.items[0]![key] = value;
    }),
  fc
    .tuple(fc.constantFrom('totalAmount', 'items', 'ttlSeconds'), notANumber)
    .map(([key, value]) => (order: Order) => {
      (order as Record<string, unknown>)[key] = value;
    }),
  fc
    .tuple(fc.constantFrom('externalReference', 'title'), notAString)
    .map(([key, value]) => (order: Order) => {
      order[key] = value;
    }),
  fc
    .tuple(fc.constantFrom('unitPrice', 'quantity', 'totalAmount'), notANumber)
    .map(([key, value]) => (order: Order) => {
      order.items[0]![key] = value;
    }),
  fc.tuple(fc.constantFrom('title', 'unitMeasure'), notAString).map(([key, value]) => (order: Order) => {
    order.items[0]![key] = value;
  }),
  fc
    .string()
    .filter((m) => m !== 'unit' && m !== 'pack')
    .map((measure) => (order: Order) => {
      order.items[0]!.unitMeasure = measure;
    }),
  fc.constantFrom('externalReference', 'title', 'totalAmount', 'items').map((key) => (order: Order) => {
    delete order[key];
  }),
  fc
    .integer({ min: -10_000, max: 10_000 })
    .filter((d) => d !== 0)
    .map((delta) => (order: Order) => {
      // Off by whole cents: the items no longer add up (or the total is not positive).
      order.totalAmount = Number(((order.totalAmount as number) + delta / 100).toFixed(2));
    }),
  fc.integer({ min: 1, max: 10_000 }).map((delta) => (order: Order) => {
    // An item total that is not price x quantity, with the order total still their sum.
    const item = order.items[0]!;
    item.totalAmount = Number(((item.totalAmount as number) + delta / 100).toFixed(2));
    order.totalAmount = Number(((order.totalAmount as number) + delta / 100).toFixed(2));
  }),
  fc.integer({ min: 1, max: 9 }).map((thousandths) => (order: Order) => {
    order.totalAmount = Number(((order.totalAmount as number) + thousandths / 1000).toFixed(3));
  }),
  fc
    .oneof(fc.double({ min: -5, max: 5, noNaN: true }).filter((q) => !Number.isInteger(q) || q <= 0))
    .map((quantity) => (order: Order) => {
      order.items[0]!.quantity = quantity;
    }),
  fc
    .oneof(
      fc.integer({ min: -100_000, max: 29 }),
      fc.integer({ min: 86_401, max: 10_000_000 }),
      fc.double({ min: 30.01, max: 86_399.99, noNaN: true }),
    )
    .filter((ttl) => !(Number.isInteger(ttl) && ttl >= 30 && ttl <= 86_400))
    .map((ttlSeconds) => (order: Order) => {
      order.ttlSeconds = ttlSeconds;
    }),
  fc.constant((order: Order) => {
    order.items = [];
  }),
);

describe('fuzz: PUT bodies', () => {
  it('any JSON: never a 5xx; a 400 sends and stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const res = await put(JSON.stringify(value));
        expect(res.status).toBeLessThan(500);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
      }),
      { numRuns: 300 },
    );
    expect(h.sandbox.requests()).toHaveLength(0);
    expect(await storedOrders()).toBe(0);
  });

  it('a valid order broken in one place: 400 VALIDATION_ERROR with field errors, nothing sent or stored', async () => {
    await fc.assert(
      fc.asyncProperty(validOrder, breakage, async (order, apply) => {
        const broken = structuredClone(order) as Order;
        apply(broken);
        const res = await put(JSON.stringify(broken));
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
        expect(res.body.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 400 },
    );
    expect(h.sandbox.requests()).toHaveLength(0);
    expect(await storedOrders()).toBe(0);
  });

  it('valid orders are accepted and sent with exactly the amounts given', async () => {
    await fc.assert(
      fc.asyncProperty(validOrder, async (order) => {
        h.sandbox.clearRequests();
        const res = await put(JSON.stringify(order));
        expect(res.status).toBe(201);
        const [sent] = h.sandbox.requests({ method: 'PUT' });
        const body = sent!.body as {
          total_amount: number;
          items: { total_amount: number; unit_price: number }[];
        };
        expect(body.total_amount).toBe(order.totalAmount);
        expect(body.items.map((i) => [i.unit_price, i.total_amount])).toEqual(
          order.items.map((i) => [i.unitPrice, i.totalAmount]),
        );
        expect(sent!.headers['x-ttl-store-preference']).toBe(String(order.ttlSeconds ?? 600));
      }),
      { numRuns: 40 },
    );
  });
});
