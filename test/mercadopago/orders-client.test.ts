/**
 * The Orders API calls of the Mercado Pago client (createOrder, getOrder, cancelOrder, refundOrder): the
 * fixtures of ../shared/mercadopago/fixtures read as they are, the requests as Mercado Pago documents them,
 * the same X-Idempotency-Key on every retry, and failures typed by what they mean for money (the Orders
 * error codes, a 409 that is a refusal and one that is a key still running).
 */
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { createMercadoPagoClient } from '../../functions/adapters/mercadopago/client.ts';
import { parseErrorBody } from '../../functions/adapters/mercadopago/error-body.ts';
import {
  orderBody,
  orderCancellationBody,
  orderRefundAnswerBody,
  toOrder,
  toOrderCancellation,
  toOrderRefundAnswer,
} from '../../functions/adapters/mercadopago/schemas.ts';
import { toDecimalString } from '../../functions/model/money.ts';
import { isoDuration, orderSiteOf, tillStatusOf } from '../../functions/model/order.ts';
import { createLogger } from '../../functions/observability/logger.ts';
import type { CreateQrOrderInput } from '../../functions/ports/mercadopago.ts';
import {
  MercadoPagoError,
  MpFailureKind,
  orderCancellationRefusalCode,
  orderRefundRefusalCode,
} from '../../functions/ports/mercadopago-errors.ts';
import { fixture, fixtureText } from '../support/fixtures.ts';
import { destroySocket, json, type ScriptedServer, startScriptedServer } from './scripted-server.ts';

const ORDER_ID = 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D3';
const KEY = 'order-key-0001';
const read = (name: string) => toOrder(z.parse(orderBody, fixture(name)));

describe('the Orders fixtures parse as they are', () => {
  it('a processed order: amounts from decimal strings, site from site_id, SDK-style ids', () => {
    expect(read('order_processed_accredited.sdk-php.json')).toEqual({
      id: '01JD2P9GGXAPBDGG6YT90N77M3',
      type: 'online',
      status: 'processed',
      statusDetail: 'accredited',
      currency: null,
      siteId: 'MLB',
      totalAmount: 200,
      createdDate: '2024-11-19T17:07:31.486Z',
      lastUpdatedDate: '2024-11-19T17:07:33.068Z',
      userId: null,
      externalReference: 'ext_ref_1234',
      qr: null,
      qrData: null,
      payments: [
        {
          id: 'pay_01JD2P9GGXAPBDGG6YT92J5305',
          amount: 200,
          status: 'processed',
          statusDetail: 'accredited',
        },
      ],
      refunds: [],
    });
  });

  it('empty refunds and the country of country_code (ARG -> MLA), no dates', () => {
    const order = read('order_processed_with_empty_refunds.sdk-go.json');
    expect(order).toMatchObject({ siteId: 'MLA', totalAmount: 1000, createdDate: null, refunds: [] });
    expect(order.payments).toEqual([
      { id: '01HRYFXQ53Q3JPEC48MYWMR0TE', amount: 1000, status: 'processed', statusDetail: null },
    ]);
  });

  it('processing (async), nanosecond dates and collector_id as the seller', () => {
    expect(read('order_processing_async.sdk-go.json')).toMatchObject({
      status: 'processing',
      siteId: 'MLM',
      userId: '1245621468',
      createdDate: '2024-09-02T22:04:01.880469Z',
    });
  });

  it('a created online order (ORDTST id, country BRA, currency, no transactions)', () => {
    expect(read('order_created_online_checkout_pro.sdk-java.json')).toMatchObject({
      id: 'ORDTST01KS5AJ6HTK2HRQ3XJ3C2JCKP9',
      status: 'created',
      currency: 'BRL',
      siteId: 'MLB',
      userId: '1858095454',
      totalAmount: 500,
      payments: [],
    });
  });

  it('a failed order with id "123" and a status detail on its payment only', () => {
    expect(read('order_failed_invalid_card_token.sdk-java.json')).toMatchObject({
      id: '123',
      status: 'failed',
      statusDetail: null,
      payments: [{ id: 'id', status: 'failed', statusDetail: 'invalid_card_token' }],
    });
  });

  it('both cancellation spellings, with the whole order or only its status', () => {
    const python = toOrderCancellation(
      z.parse(orderCancellationBody, fixture('order_cancel_response_canceled.sdk-python.json')),
    );
    expect(python).toEqual({
      id: '01JKXTQ2AZVE0RANCPYA6WBNPW',
      status: 'canceled',
      statusDetail: 'order_canceled',
    });
    const php = read('order_cancel_response_cancelled.sdk-php.json');
    expect(php).toMatchObject({ status: 'cancelled', statusDetail: 'cancelled' });
    expect(php.payments[0]).toMatchObject({ status: 'cancelled', statusDetail: 'cancelled_transaction' });
  });

  it('refund answers, partial and total: the refunds with their transaction (ref_/pay_ ids)', () => {
    const partial = toOrderRefundAnswer(
      z.parse(orderRefundAnswerBody, fixture('order_refund_partial_response.sdk-java.json')),
    );
    expect(partial).toEqual({
      orderId: '01JCK7NYARQB4J3RN0SX6SSB2C',
      status: 'processed',
      refunds: [
        {
          id: 'ref_01JCK7R5R73JCYXRCKFH7MJR9K',
          subjectId: '01JCK7NYARQB4J3RN0SX6SSB2C',
          amount: 100,
          status: 'processed',
          dateCreated: null,
          transactionId: 'pay_01JCK7NYARQB4J3RN0SX81MCPM',
        },
      ],
    });
    const total = toOrderRefundAnswer(
      z.parse(orderRefundAnswerBody, fixture('order_refund_total_response.sdk-java.json')),
    );
    expect(total.refunds).toMatchObject([{ amount: 200, status: 'processed' }]);
  });

  it('search answers hold orders of the same shape', () => {
    const search = fixture<{ data: unknown[] }>('order_search.sdk-php.json');
    expect(search.data.map((o) => toOrder(z.parse(orderBody, o)).status)).toEqual(['processed']);
  });

  it('a flat refund (the Python mock) lists no refund: no evidence', () => {
    expect(
      toOrderRefundAnswer(
        z.parse(orderRefundAnswerBody, { id: 'ref_1', status: 'approved', amount: 10, date_created: null }),
      ).refunds,
    ).toEqual([]);
  });

  it('amounts as numbers too, and a refund list element that does not fit fails the body', () => {
    expect(read('order_processed_accredited.sdk-php.json')).toBeTruthy();
    const body = { ...fixture<Record<string, unknown>>('order_processed_accredited.sdk-php.json') };
    expect(toOrder(z.parse(orderBody, { ...body, total_amount: 200.5 })).totalAmount).toBe(200.5);
    expect(
      z.safeParse(orderBody, {
        ...body,
        transactions: { refunds: [{ id: 'r', amount: 'ten', status: 'x' }] },
      }).success,
    ).toBe(false);
  });
});

describe('Orders words', () => {
  it('sites of countries and site ids; durations; decimal strings; till statuses', () => {
    expect(orderSiteOf(null, 'URY')).toBe('MLU');
    expect(orderSiteOf('mla', 'BRA')).toBe('MLA');
    expect(orderSiteOf(null, 'XXX')).toBeNull();
    expect(orderSiteOf(null, null)).toBeNull();
    expect([30, 90, 600, 3600, 86_400, 3661].map(isoDuration)).toEqual([
      'PT30S',
      'PT1M30S',
      'PT10M',
      'PT1H',
      'PT24H',
      'PT1H1M1S',
    ]);
    expect(() => isoDuration(0)).toThrow(RangeError);
    expect([toDecimalString(1050, 2), toDecimalString(5, 2), toDecimalString(25_990, 0)]).toEqual([
      '10.50',
      '0.05',
      '25990',
    ]);
    expect(() => toDecimalString(-1, 2)).toThrow(RangeError);
    expect(['created', 'processed', 'refunded', 'expired', 'canceled', 'failed'].map(tillStatusOf)).toEqual([
      'open',
      'paid',
      'paid',
      'expired',
      'none',
      'none',
    ]);
  });

  it('reads the Orders error shape into codes', () => {
    expect(
      parseErrorBody(
        JSON.stringify({ errors: [{ code: 'order_not_found', message: 'Order not found', details: [] }] }),
      ),
    ).toEqual({ causeCodes: ['order_not_found'], upstreamMessage: 'Order not found', errorName: undefined });
  });
});

describe('the Orders refusals map as API.md lists them', () => {
  const refused = (codes: string[], httpStatus = 400, errorName?: string) =>
    new MercadoPagoError('refused', {
      kind: MpFailureKind.Refused,
      httpStatus,
      causeCodes: codes,
      ...(errorName ? { errorName } : {}),
    });
  it.each([
    ['order_not_found', 404, 'ORDER_NOT_FOUND'],
    ['transaction_not_found', 404, 'ORDER_NOT_FOUND'],
    ['invalid_order_status', 409, 'ORDER_NOT_REFUNDABLE'],
    ['order_already_refunded', 409, 'ORDER_NOT_REFUNDABLE'],
    ['in_store_payment_refund_order', 400, 'REFUND_WINDOW_EXPIRED'],
    ['refund_amount_exceeds', 400, 'AMOUNT_EXCEEDS_REFUNDABLE'],
    ['unsupported_partially_refunds', 400, 'PARTIAL_REFUND_NOT_SUPPORTED'],
    ['partial_refund_forbidden_with_tips', 403, 'PARTIAL_REFUND_NOT_SUPPORTED'],
    ['partial_refund_not_allowed_with_cashout', 400, 'PARTIAL_REFUND_NOT_SUPPORTED'],
    ['invalid_order_owner', 400, null],
    ['unknown_word', 404, 'ORDER_NOT_FOUND'],
  ])('refund %s (%i) -> %s', (code, status, expected) => {
    expect(orderRefundRefusalCode(refused([code], status))).toBe(expected);
  });

  it('reads the Payments-style `error` name too, and maps cancellations', () => {
    expect(orderRefundRefusalCode(refused([], 409, 'order_already_refunded'))).toBe('ORDER_NOT_REFUNDABLE');
    expect(orderCancellationRefusalCode(refused(['invalid_order_status'], 409))).toBe(
      'ORDER_NOT_CANCELLABLE',
    );
    expect(orderCancellationRefusalCode(refused([], 404))).toBe('ORDER_NOT_FOUND');
    expect(orderCancellationRefusalCode(refused(['empty_required_header'], 400))).toBeNull();
    const unknown = new MercadoPagoError('unknown', { kind: MpFailureKind.UnknownOutcome, httpStatus: 409 });
    expect(orderRefundRefusalCode(unknown)).toBeNull();
    expect(orderCancellationRefusalCode(unknown)).toBeNull();
  });
});

describe('Orders calls over HTTP', () => {
  let server: ScriptedServer;
  let agent: Agent;
  beforeAll(async () => {
    server = await startScriptedServer();
    agent = new Agent({ connect: { timeout: 1_000 } });
  });
  afterAll(async () => {
    await agent.close();
    await server.close();
  });
  beforeEach(() => server.reset());

  const client = () =>
    createMercadoPagoClient({
      baseUrl: server.baseUrl,
      accessToken: async () => 'APP_USR-token',
      dispatcher: agent,
      log: createLogger({ level: 'error', sink: () => undefined }),
      retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 },
      sleep: async () => undefined,
    });
  const ordersError = (status: number, code: string) =>
    json(status, { errors: [{ code, message: code, details: [] }] });
  const ORDER = fixtureText('order_processed_accredited.sdk-php.json').replace(
    '01JD2P9GGXAPBDGG6YT90N77M3',
    ORDER_ID,
  );

  const input: CreateQrOrderInput = {
    externalReference: 'pedido-1',
    description: 'Cafe',
    totalAmount: '12.50',
    expirationTime: 'PT10M',
    externalPosId: 'CAJA_01',
    mode: 'dynamic',
    items: [{ title: 'Cafe', unitPrice: '12.50', quantity: 1, unitMeasure: 'unit', skuNumber: 'SKU1' }],
  };

  it('creates a QR order as NOTES documents it: amounts as strings, the key on every retry', async () => {
    server.script(json(503, {}), json(201, JSON.parse(ORDER)));
    const order = await client().createOrder(input, { idempotencyKey: KEY });
    expect(order.id).toBe(ORDER_ID);
    expect(server.requests.map((r) => r.headers['x-idempotency-key'])).toEqual([KEY, KEY]);
    expect(server.requests[0]).toMatchObject({ method: 'POST', url: '/v1/orders' });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({
      type: 'qr',
      external_reference: 'pedido-1',
      description: 'Cafe',
      total_amount: '12.50',
      expiration_time: 'PT10M',
      config: { qr: { external_pos_id: 'CAJA_01', mode: 'dynamic' } },
      transactions: { payments: [{ amount: '12.50' }] },
      items: [
        { title: 'Cafe', unit_price: '12.50', quantity: 1, unit_measure: 'unit', external_code: 'SKU1' },
      ],
    });
  });

  it('reads an order, and refuses an answer about another order (502, never used)', async () => {
    server.script(json(200, JSON.parse(ORDER)));
    await expect(client().getOrder(ORDER_ID)).resolves.toMatchObject({ id: ORDER_ID, status: 'processed' });
    server.script(json(200, JSON.parse(ORDER)));
    await expect(client().getOrder('ORD01JQ4S4KY8HWQ6NA5PXB65B3D4')).rejects.toMatchObject({
      kind: MpFailureKind.Unexpected,
      aboutAnotherResource: true,
    });
    server.script(ordersError(404, 'order_not_found'));
    await expect(client().getOrder(ORDER_ID)).rejects.toMatchObject({
      kind: MpFailureKind.Refused,
      httpStatus: 404,
      causeCodes: ['order_not_found'],
    });
  });

  it('refunds: no body for everything left, one transaction and amount for a part', async () => {
    server.script(
      json(201, fixture('order_refund_total_response.sdk-java.json')),
      json(201, fixture('order_refund_partial_response.sdk-java.json')),
    );
    await client().refundOrder(ORDER_ID, undefined, { idempotencyKey: KEY });
    await client().refundOrder(
      ORDER_ID,
      { transactionId: 'PAY1', amount: '10.00' },
      { idempotencyKey: 'k2' },
    );
    expect(server.requests.map((r) => [r.url, r.body])).toEqual([
      [`/v1/orders/${ORDER_ID}/refund`, ''],
      [`/v1/orders/${ORDER_ID}/refund`, JSON.stringify({ transactions: [{ id: 'PAY1', amount: '10.00' }] })],
    ]);
  });

  it('a 409 invalid_order_status is a refusal (no retry); refund_in_progress or a key in use is unknown', async () => {
    server.script(ordersError(409, 'invalid_order_status'));
    await expect(client().cancelOrder(ORDER_ID, { idempotencyKey: KEY })).rejects.toMatchObject({
      kind: MpFailureKind.Refused,
      httpStatus: 409,
    });
    expect(server.requests).toHaveLength(1);
    server.reset();
    server.script(
      ordersError(409, 'refund_in_progress'),
      ordersError(409, 'refund_in_progress'),
      ordersError(409, 'refund_in_progress'),
    );
    await expect(client().refundOrder(ORDER_ID, undefined, { idempotencyKey: KEY })).rejects.toMatchObject({
      kind: MpFailureKind.UnknownOutcome,
      causeCodes: ['refund_in_progress'],
    });
    expect(server.requests).toHaveLength(3);
    server.reset();
    // After a try that may have acted, even a refusal cannot say "not done".
    server.script(destroySocket, ordersError(409, 'order_already_refunded'));
    await expect(client().refundOrder(ORDER_ID, undefined, { idempotencyKey: KEY })).rejects.toMatchObject({
      kind: MpFailureKind.UnknownOutcome,
    });
  });

  it('an unreadable 2xx to a write is an unknown outcome; a cancellation answer is read in either form', async () => {
    server.script(json(201, { weird: true }));
    await expect(client().refundOrder(ORDER_ID, undefined, { idempotencyKey: KEY })).rejects.toMatchObject({
      kind: MpFailureKind.UnknownOutcome,
    });
    server.script(json(200, fixture('order_cancel_response_canceled.sdk-python.json')));
    await expect(client().cancelOrder(ORDER_ID, { idempotencyKey: KEY })).resolves.toMatchObject({
      status: 'canceled',
      mercadoPagoRequestId: 'mp-req-200',
    });
  });
});
