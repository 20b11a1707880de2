/**
 * GET, PUT and DELETE /pos/{externalPosId}/order against the Mercado Pago sandbox (real HTTP, real client)
 * and dynalite: the mapping to Mercado Pago's fields and headers, the checks, the records, the statuses.
 * The sandbox and the function share a clock the tests move, so orders expire without waiting.
 */
import { readFileSync } from 'node:fs';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createQrOrderStore,
  QR_ORDER_RETENTION_SECONDS,
} from '../../functions/adapters/dynamodb/qr-order-store.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import type { SiteId } from '../../functions/model/money.ts';
import { createLogger } from '../../functions/observability/logger.ts';
import type { QrOrderStore } from '../../functions/ports/qr-order-store.ts';
import type { InstoreQrDeps } from '../../functions/qr-orders/deps.ts';
import { qrOrderRoutes } from '../../functions/qr-orders/routes.ts';
import {
  type Harness,
  type InvokeResult,
  invoke,
  type LambdaLike,
  startHarness,
} from '../support/harness.ts';

const WEBHOOK_URL = 'https://api.example.com/webhooks/mercadopago';
const DEFAULT_STORE = 'SUC001';
const FIXTURE = JSON.parse(
  readFileSync(
    new URL(
      '../../../shared/mercadopago/fixtures/qr_instore_order_get_response.devsite-docs.json',
      import.meta.url,
    ),
    'utf8',
  ),
) as Record<string, unknown>;

let nowMs = Date.parse('2026-03-10T12:00:00.000Z');
/** Moves only this service's clock (not the sandbox's): what Mercado Pago still shows vs what we know. */
let skewMs = 0;

let h: Harness;
let store: QrOrderStore;
let handler: LambdaLike;

const handlerFor = (overrides: Partial<InstoreQrDeps> = {}): LambdaLike =>
  createHttpHandler(
    qrOrderRoutes(async () => ({
      mercadoPago: h.mercadoPago,
      qrOrders: store,
      clock: { now: () => nowMs + skewMs },
      userId: h.sandbox.userId,
      defaultStoreId: DEFAULT_STORE,
      siteId: 'MLB',
      notificationUrl: WEBHOOK_URL,
      ...overrides,
    })),
    { logger: createLogger({ level: 'error', sink: () => undefined }) },
  );

beforeAll(async () => {
  h = await startHarness({ sandbox: { now: () => nowMs } });
  store = createQrOrderStore(h.dynamo, h.tableName);
  handler = handlerFor();
});

afterAll(async () => {
  await h.close();
});

beforeEach(async () => {
  await h.sandbox.resetFaults();
  h.sandbox.configure({ qrOrderGetForm: 'object' });
  h.sandbox.clearRequests();
  skewMs = 0;
  nowMs += 3_600_000;
});

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}`;

const validBody = (reference = unique('ref')): Record<string, unknown> => ({
  externalReference: reference,
  title: 'Compra',
  description: 'Compra en la tienda',
  totalAmount: 100.5,
  items: [
    {
      skuNumber: 'KS955RUR',
      category: 'COMIDA',
      title: 'Pasta',
      description: 'Pasta fresca',
      unitPrice: 20,
      quantity: 4,
      unitMeasure: 'unit',
      totalAmount: 80,
    },
    { title: 'Salsa', unitPrice: 10.25, quantity: 2, unitMeasure: 'pack', totalAmount: 20.5 },
  ],
});

const put = (pos: string, body: unknown, via: LambdaLike = handler): Promise<InvokeResult> =>
  invoke(via, { method: 'PUT', path: `/pos/${pos}/order`, body });
const get = (pos: string, via: LambdaLike = handler) =>
  invoke(via, { method: 'GET', path: `/pos/${pos}/order` });
const del = (pos: string) => invoke(handler, { method: 'DELETE', path: `/pos/${pos}/order` });

const iso = (ms: number) => new Date(ms).toISOString();

describe('PUT /pos/{externalPosId}/order', () => {
  it('accepts "mode": "static" (the instore API\'s only one) and refuses the others with QR_API=instore', async () => {
    const pos = unique('CAJA');
    expect((await put(pos, { ...validBody(), mode: 'static' })).status).toBe(201);
    for (const mode of ['dynamic', 'hybrid']) {
      expect(await put(pos, { ...validBody(), mode })).toMatchObject({
        status: 400,
        body: {
          code: 'VALIDATION_ERROR',
          errors: [{ field: 'mode', message: expect.stringContaining('QR_API=orders') }],
        },
      });
    }
    expect(h.sandbox.requests({ method: 'PUT' })).toHaveLength(1);
  });

  it('sends Mercado Pago its fields, the TTL header with a matching expiration_date and our webhook', async () => {
    const pos = unique('CAJA');
    const body = { ...validBody('order-1234'), externalStoreId: 'STORE_9', ttlSeconds: 300 };
    const res = await put(pos, body);
    expect(res.status).toBe(201);

    const sent = h.sandbox.requests({ method: 'PUT' });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.path).toBe(
      `/instore/qr/seller/collectors/${h.sandbox.userId}/stores/STORE_9/pos/${pos}/orders`,
    );
    expect(sent[0]!.headers['x-ttl-store-preference']).toBe('300');
    expect(sent[0]!.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[0]!.responseStatus).toBe(204);
    const expiresAt = iso(nowMs + 300_000);
    expect(sent[0]!.body).toEqual({
      external_reference: 'order-1234',
      title: 'Compra',
      description: 'Compra en la tienda',
      notification_url: WEBHOOK_URL,
      total_amount: 100.5,
      expiration_date: expiresAt,
      items: [
        {
          sku_number: 'KS955RUR',
          category: 'COMIDA',
          title: 'Pasta',
          description: 'Pasta fresca',
          unit_price: 20,
          quantity: 4,
          unit_measure: 'unit',
          total_amount: 80,
        },
        { title: 'Salsa', unit_price: 10.25, quantity: 2, unit_measure: 'pack', total_amount: 20.5 },
      ],
    });

    expect(res.body).toEqual({
      externalPosId: pos,
      externalStoreId: 'STORE_9',
      externalReference: 'order-1234',
      title: 'Compra',
      description: 'Compra en la tienda',
      totalAmount: 100.5,
      items: [
        {
          skuNumber: 'KS955RUR',
          category: 'COMIDA',
          title: 'Pasta',
          description: 'Pasta fresca',
          unitPrice: 20,
          quantity: 4,
          unitMeasure: 'unit',
          totalAmount: 80,
        },
        { title: 'Salsa', unitPrice: 10.25, quantity: 2, unitMeasure: 'pack', totalAmount: 20.5 },
      ],
      expiresAt,
      status: 'open',
    });

    // Recorded for the notifications: reference, till, store, amount, expiry; forgotten 30 days after expiry.
    expect(await store.get('order-1234')).toEqual({
      externalReference: 'order-1234',
      externalPosId: pos,
      externalStoreId: 'STORE_9',
      totalMinor: 10_050,
      currency: 'BRL',
      title: 'Compra',
      expiresAt,
      status: 'open',
      createdAt: iso(nowMs),
      updatedAt: iso(nowMs),
    });
    const item = await h.dynamo.send(
      new GetItemCommand({
        TableName: h.tableName,
        Key: { pk: { S: 'QR_ORDER#order-1234' }, sk: { S: 'QR_ORDER' } },
      }),
    );
    expect(Number(item.Item?.ttl?.N)).toBe(Math.floor((nowMs + 300_000) / 1000) + QR_ORDER_RETENTION_SECONDS);

    // GET shows the same order.
    const read = await get(pos);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(res.body);
  });

  it('defaults: ttlSeconds 600 and the store MP_EXTERNAL_STORE_ID', async () => {
    const pos = unique('CAJA');
    const res = await put(pos, validBody());
    expect(res.status).toBe(201);
    const [sent] = h.sandbox.requests({ method: 'PUT' });
    expect(sent!.path).toContain(`/stores/${DEFAULT_STORE}/pos/${pos}/`);
    expect(sent!.headers['x-ttl-store-preference']).toBe('600');
    expect((sent!.body as Record<string, unknown>).expiration_date).toBe(iso(nowMs + 600_000));
    expect(res.body).toMatchObject({ externalStoreId: DEFAULT_STORE, expiresAt: iso(nowMs + 600_000) });
  });

  it('ttlSeconds at its bounds, 30 and 86400, is accepted', async () => {
    for (const ttlSeconds of [30, 86_400]) {
      const res = await put(unique('CAJA'), { ...validBody(), ttlSeconds });
      expect(res.status).toBe(201);
      expect(res.body.expiresAt).toBe(iso(nowMs + ttlSeconds * 1000));
    }
  });

  it('a replace answers 201 too, and GET shows the new order', async () => {
    const pos = unique('CAJA');
    expect((await put(pos, validBody('first-order'))).status).toBe(201);
    expect((await put(pos, { ...validBody('second-order'), totalAmount: 100.5 })).status).toBe(201);
    expect((await get(pos)).body.externalReference).toBe('second-order');
  });

  it('CLP (MLC): whole amounts are accepted and recorded in pesos', async () => {
    const clp = handlerFor({ siteId: 'MLC' as SiteId });
    const body = {
      externalReference: unique('clp'),
      title: 'Empanadas',
      totalAmount: 4500,
      items: [{ title: 'Empanada', unitPrice: 1500, quantity: 3, unitMeasure: 'unit', totalAmount: 4500 }],
    };
    expect((await put(unique('CAJA'), body, clp)).status).toBe(201);
    expect(await store.get(body.externalReference)).toMatchObject({ totalMinor: 4500, currency: 'CLP' });
  });

  it('a 5xx then success: 201, the same X-Idempotency-Key on both tries', async () => {
    const pos = unique('CAJA');
    h.sandbox.status(500, { method: 'PUT', path: `/pos/${pos}/orders$` });
    const res = await put(pos, validBody());
    expect(res.status).toBe(201);
    const sent = h.sandbox.requests({ method: 'PUT' });
    expect(sent.map((r) => r.responseStatus)).toEqual([500, 204]);
    expect(sent[0]!.idempotencyKey).toBe(sent[1]!.idempotencyKey);
  });

  it('5xx on every try: 503 with Retry-After; the order is recorded in case Mercado Pago put it', async () => {
    const pos = unique('CAJA');
    const body = validBody();
    h.sandbox.status(500, { method: 'PUT', path: `/pos/${pos}/orders$`, times: 3 });
    const res = await put(pos, body);
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('UPSTREAM_UNAVAILABLE');
    expect(res.headers['retry-after']).toBeTruthy();
    expect(await store.get(body.externalReference as string)).toMatchObject({
      status: 'open',
      externalPosId: pos,
    });
  });

  it('refused by Mercado Pago (400): 502 UPSTREAM_ERROR, nothing recorded', async () => {
    const pos = unique('CAJA');
    const body = validBody();
    h.sandbox.status(400, { method: 'PUT', path: `/pos/${pos}/orders$` });
    const res = await put(pos, body);
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('UPSTREAM_ERROR');
    expect(await store.get(body.externalReference as string)).toBeUndefined();
  });

  it('a reference already paid cannot be put again: 400 naming it, nothing sent', async () => {
    const pos = unique('CAJA');
    const body = validBody();
    expect((await put(pos, body)).status).toBe(201);
    expect(await store.markStatus(body.externalReference as string, 'paid', iso(nowMs), [])).toBe(true);
    h.sandbox.clearRequests();
    const res = await put(pos, body);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([
      { field: 'externalReference', message: expect.stringContaining('already paid') },
    ]);
    expect(h.sandbox.requests()).toHaveLength(0);
    expect((await store.get(body.externalReference as string))!.status).toBe('paid');
  });

  it('no store in the body and no MP_EXTERNAL_STORE_ID: put on the store-less path, recorded without store', async () => {
    const pos = unique('CAJA');
    const res = await put(pos, validBody(), handlerFor({ defaultStoreId: undefined }));
    expect(res.status).toBe(201);
    expect(res.body.externalStoreId).toBeUndefined();
    const [sent] = h.sandbox.requests({ method: 'PUT' });
    expect(sent!.path).toBe(`/instore/qr/seller/collectors/${h.sandbox.userId}/pos/${pos}/orders`);
  });
});

describe('PUT: invalid input is a 400 naming the field, with nothing sent and nothing stored', () => {
  const item0 = (patch: Record<string, unknown>) => {
    const body = validBody();
    const items = body.items as Record<string, unknown>[];
    items[0] = { ...items[0], ...patch };
    return body;
  };
  const cases: [string, () => unknown, string, LambdaLike?][] = [
    [
      'an item total that is not unitPrice x quantity',
      () => item0({ totalAmount: 81 }),
      'items.0.totalAmount',
    ],
    [
      'items that do not add up to totalAmount',
      () => ({ ...validBody(), totalAmount: 100.49 }),
      'totalAmount',
    ],
    ['3 decimals in a price', () => item0({ unitPrice: 20.001 }), 'items.0.unitPrice'],
    ['3 decimals in the total', () => ({ ...validBody(), totalAmount: 100.505 }), 'totalAmount'],
    ['a fractional quantity', () => item0({ quantity: 1.5 }), 'items.0.quantity'],
    ['a quantity of 0', () => item0({ quantity: 0 }), 'items.0.quantity'],
    ['a negative quantity', () => item0({ quantity: -4, totalAmount: -80 }), 'items.0.quantity'],
    ['a quantity as a string', () => item0({ quantity: '4' }), 'items.0.quantity'],
    ['a negative price', () => item0({ unitPrice: -20 }), 'items.0.unitPrice'],
    ['ttlSeconds below 30', () => ({ ...validBody(), ttlSeconds: 29 }), 'ttlSeconds'],
    ['ttlSeconds above 86400', () => ({ ...validBody(), ttlSeconds: 86_401 }), 'ttlSeconds'],
    ['ttlSeconds not whole', () => ({ ...validBody(), ttlSeconds: 60.5 }), 'ttlSeconds'],
    ['an unknown field', () => ({ ...validBody(), expiresAt: '2030-01-01T00:00:00Z' }), 'expiresAt'],
    ["Mercado Pago's field name", () => ({ ...validBody(), external_reference: 'x' }), 'external_reference'],
    ['an unknown item field', () => item0({ unit_price: 20 }), 'items.0.unit_price'],
    ['no externalReference', () => ({ ...validBody(), externalReference: undefined }), 'externalReference'],
    [
      'a bad externalReference',
      () => ({ ...validBody(), externalReference: 'has space' }),
      'externalReference',
    ],
    ['a bad externalStoreId', () => ({ ...validBody(), externalStoreId: 'a/b' }), 'externalStoreId'],
    ['no items', () => ({ ...validBody(), items: [] }), 'items'],
    ['a bad unitMeasure', () => item0({ unitMeasure: 'kg' }), 'items.0.unitMeasure'],
    ['no title', () => ({ ...validBody(), title: undefined }), 'title'],
    ['an ANSI escape in the title', () => ({ ...validBody(), title: '\u001b[2JPaid' }), 'title'],
    ['a C1 control in an item title', () => item0({ title: 'Caf\u0085' }), 'items.0.title'],
    [
      'an unpaired surrogate in a description',
      () => item0({ description: 'x\ud800' }),
      'items.0.description',
    ],
    ['no body', () => undefined, 'externalReference'],
    [
      'decimals in CLP (MLC)',
      () => ({
        externalReference: 'clp-1',
        title: 'x',
        totalAmount: 10.5,
        items: [{ title: 'x', unitPrice: 10.5, quantity: 1, unitMeasure: 'unit', totalAmount: 10.5 }],
      }),
      'totalAmount',
      undefined,
    ],
  ];

  it.each(cases)('%s', async (name, body, field) => {
    const via = name.includes('CLP') ? handlerFor({ siteId: 'MLC' as SiteId }) : handler;
    const value = body();
    const res = await put(unique('CAJA'), value, via);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(h.sandbox.requests()).toHaveLength(0);
    const reference = (value as { externalReference?: unknown } | undefined)?.externalReference;
    if (typeof reference === 'string') expect(await store.get(reference)).toBeUndefined();
  });

  it('the CLP message says whole amounts', async () => {
    const res = await put(
      unique('CAJA'),
      { ...validBody(), totalAmount: 100.5 },
      handlerFor({ siteId: 'MLC' as SiteId }),
    );
    expect(res.body.errors).toContainEqual({
      field: 'totalAmount',
      message: 'must be a whole amount in CLP',
    });
  });

  it('a bad externalPosId in the path', async () => {
    const res = await invoke(handler, {
      method: 'PUT',
      path: `/pos/${'x'.repeat(65)}/order`,
      body: validBody(),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('externalPosId');
    expect(h.sandbox.requests()).toHaveLength(0);
  });
});

describe('GET /pos/{externalPosId}/order', () => {
  it('the real fixture (an object): mapped to our fields, status open when we did not put it', async () => {
    const pos = unique('FIXTURE');
    h.sandbox.status(200, { method: 'GET', path: `/pos/${pos}/orders$`, body: FIXTURE });
    const res = await get(pos);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      externalPosId: pos,
      externalReference: 'order-id-1234',
      title: 'Compra',
      description: 'Compra en Mercado Pago',
      totalAmount: 100,
      items: [
        {
          skuNumber: 'KS955RUR',
          category: 'COMIDA',
          title: 'Pasta',
          description: 'Compra en Mercado Pago',
          unitPrice: 20,
          quantity: 5,
          unitMeasure: 'unit',
          totalAmount: 100,
        },
      ],
      expiresAt: '2023-08-22T20:34:56.559Z',
      status: 'open',
    });
  });

  it('the fixture in an array: the first element is the order', async () => {
    const pos = unique('FIXTURE');
    h.sandbox.status(200, { method: 'GET', path: `/pos/${pos}/orders$`, body: [FIXTURE] });
    const res = await get(pos);
    expect(res.status).toBe(200);
    expect(res.body.externalReference).toBe('order-id-1234');
  });

  it('array form: the order put through the API, and [] is 404 QR_ORDER_NOT_FOUND', async () => {
    const pos = unique('CAJA');
    const put201 = await put(pos, validBody());
    h.sandbox.configure({ qrOrderGetForm: 'array' });
    const res = await get(pos);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(put201.body);
    const none = await get(unique('EMPTY'));
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('QR_ORDER_NOT_FOUND');
  });

  it("Mercado Pago's 404 point_of_sale_in_store_order_not_found is 404 QR_ORDER_NOT_FOUND", async () => {
    const pos = unique('EMPTY');
    const res = await get(pos);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(res.body.code).toBe('QR_ORDER_NOT_FOUND');
    expect(h.sandbox.requests()[0]!.responseStatus).toBe(404);
  });

  it('status from our records: expired once its expiry passed, paid once marked paid', async () => {
    const pos = unique('CAJA');
    const reference = unique('ref');
    expect((await put(pos, { ...validBody(reference), ttlSeconds: 30 })).status).toBe(201);
    skewMs = 31_000; // Mercado Pago still shows it; we know it expired.
    expect((await get(pos)).body.status).toBe('expired');
    skewMs = 0;
    expect((await get(pos)).body.status).toBe('open');
    expect(await store.markStatus(reference, 'paid', iso(nowMs), [])).toBe(true);
    expect((await get(pos)).body.status).toBe('paid');
  });

  it('the sandbox takes the order off the till after its TTL: 404 QR_ORDER_NOT_FOUND', async () => {
    const pos = unique('CAJA');
    expect((await put(pos, { ...validBody(), ttlSeconds: 30 })).status).toBe(201);
    expect((await get(pos)).status).toBe(200);
    nowMs += 31_000;
    const res = await get(pos);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('QR_ORDER_NOT_FOUND');
  });

  it('Mercado Pago unavailable: 503 with Retry-After', async () => {
    const pos = unique('CAJA');
    h.sandbox.status(429, { method: 'GET', path: `/pos/${pos}/orders$`, times: 3 });
    const res = await get(pos);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBeTruthy();
  });
});

describe('DELETE /pos/{externalPosId}/order', () => {
  it('204, then the till has none: GET and DELETE answer 404 QR_ORDER_NOT_FOUND', async () => {
    const pos = unique('CAJA');
    expect((await put(pos, validBody())).status).toBe(201);
    const res = await del(pos);
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await get(pos)).status).toBe(404);
    const again = await del(pos);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('QR_ORDER_NOT_FOUND');
  });
});

describe('payment of an order put through the API', () => {
  it('the sandbox closes its merchant order; markStatus records it paid and never back', async () => {
    const pos = unique('CAJA');
    const body = validBody();
    const reference = body.externalReference as string;
    expect((await put(pos, body)).status).toBe(201);
    const paid = h.sandbox.payQrOrder(pos);
    expect(h.sandbox.getMerchantOrder(paid.merchantOrderId)).toMatchObject({
      status: 'closed',
      external_reference: reference,
      notification_url: WEBHOOK_URL,
    });
    expect(h.sandbox.getPayment(paid.paymentId)).toMatchObject({
      status: 'approved',
      external_reference: reference,
    });

    expect(await store.markStatus(reference, 'paid', iso(nowMs), [])).toBe(true);
    expect(await store.markStatus(reference, 'expired', iso(nowMs), [])).toBe(false);
    expect(await store.markStatus(reference, 'paid', iso(nowMs), [])).toBe(false);
    const record = await store.get(reference);
    expect(record).toMatchObject({ status: 'paid', updatedAt: iso(nowMs) });
    // A put of the same record cannot reopen it either.
    expect(await store.put({ ...record!, status: 'open' })).toBe(false);
    expect((await store.get(reference))!.status).toBe('paid');
  });

  it('expired moves only from open; a late payment still wins over expired; unknown references do nothing', async () => {
    const pos = unique('CAJA');
    const body = validBody();
    const reference = body.externalReference as string;
    expect((await put(pos, body)).status).toBe(201);
    expect(await store.markStatus(reference, 'expired', iso(nowMs), [])).toBe(true);
    expect(await store.markStatus(reference, 'expired', iso(nowMs), [])).toBe(false);
    expect(await store.markStatus(reference, 'paid', iso(nowMs), [])).toBe(true);
    expect(await store.markStatus('never-put', 'paid', iso(nowMs), [])).toBe(false);
    expect(await store.get('never-put')).toBeUndefined();
  });
});
