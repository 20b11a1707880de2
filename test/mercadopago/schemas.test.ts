import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { parseErrorBody } from '../../functions/adapters/mercadopago/error-body.ts';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  parseRetryAfterMs,
} from '../../functions/adapters/mercadopago/retry.ts';
import {
  cancellationBody,
  merchantOrderBody,
  paymentBody,
  qrOrderBody,
  refundBody,
  toCancellation,
  toMerchantOrder,
  toPayment,
  toQrOrder,
  toRefund,
} from '../../functions/adapters/mercadopago/schemas.ts';
import { FIXTURES_DIR } from '../support/fixtures.ts';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(`${FIXTURES_DIR}${name}`, 'utf8'));

const payment = (overrides: Record<string, unknown> = {}) =>
  toPayment(z.parse(paymentBody, { ...fixture('payment_approved_credit_card.sdk-java.json'), ...overrides }));

describe('fixtures parse as they are', () => {
  it('approved card payment', () => {
    expect(payment()).toEqual({
      id: '17014025134',
      status: 'approved',
      statusDetail: 'accredited',
      currency: 'BRL',
      amount: 12.34,
      dateCreated: '2022-01-10T10:10:10.000-00:00',
      dateApproved: '2022-01-10T10:10:10.000-00:00',
      dateLastUpdated: '2022-01-10T10:10:10.000-00:00',
      collectorId: '810882223',
      inPerson: false,
      merchantOrderId: null,
      externalReference: '1631894348',
      refunds: [],
    });
  });

  it('refund create response', () => {
    const body = z.parse(refundBody, fixture('refund_create_response.sdk-php.json'));
    expect(toRefund(body, null)).toEqual({
      id: '1009042015',
      subjectId: '18552260055',
      amount: 10,
      status: 'approved',
      dateCreated: '2023-08-24T15:35:15.783-04:00',
    });
  });

  it('refund get response', () => {
    const body = z.parse(refundBody, fixture('refund_get_response.sdk-java.json'));
    expect(toRefund(body, 'ignored')).toEqual({
      id: '1245678203',
      subjectId: '17014025134',
      amount: 50,
      status: 'approved',
      dateCreated: '2022-01-10T10:10:10.000-00:00',
    });
  });

  it('QR order, as an object', () => {
    expect(
      toQrOrder(z.parse(qrOrderBody, fixture('qr_instore_order_get_response.devsite-docs.json'))),
    ).toEqual({
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
      expirationDate: '2023-08-22T16:34:56.559-04:00',
      notificationUrl: 'www.yourserver.com',
    });
  });

  it('merchant order', () => {
    expect(
      toMerchantOrder(z.parse(merchantOrderBody, fixture('merchant_order_opened.sdk-java.json'))),
    ).toEqual({
      id: '4018801790',
      status: 'opened',
      orderStatus: 'payment_required',
      externalReference: null,
      totalAmount: 206.02,
      paidAmount: 0,
      payments: [],
    });
  });

  it('error body', () => {
    const body = readFileSync(`${FIXTURES_DIR}error_400_card_token_not_found.sdk-java.json`);
    expect(parseErrorBody(body.toString('utf8'))).toEqual({
      causeCodes: ['2006'],
      upstreamMessage: 'Card Token not found',
      errorName: 'bad_request',
    });
  });

  it('a payment is also a cancellation answer', () => {
    const body = z.parse(cancellationBody, fixture('payment_approved_credit_card.sdk-java.json'));
    expect(toCancellation(body)).toEqual({
      id: '17014025134',
      status: 'approved',
      statusDetail: 'accredited',
    });
  });
});

describe('real-world variants', () => {
  it('ids as digit strings, amounts as numeric strings, empty and null dates', () => {
    const parsed = payment({
      id: '17014025134',
      collector_id: '810882223',
      transaction_amount: '12.34',
      transaction_amount_refunded: '2.5',
      date_approved: '',
      date_last_updated: null,
      date_created: '2024-02-29T23:59:59.000-04:00',
    });
    expect(parsed).toMatchObject({
      id: '17014025134',
      collectorId: '810882223',
      amount: 12.34,
      dateApproved: null,
      dateLastUpdated: null,
      dateCreated: '2024-02-29T23:59:59.000-04:00',
    });
  });

  it('missing optional fields take neutral values', () => {
    const { transaction_amount_refunded, refunds, collector_id, external_reference, status_detail, ...rest } =
      fixture('payment_approved_credit_card.sdk-java.json');
    const parsed = toPayment(z.parse(paymentBody, rest));
    expect(parsed).toMatchObject({
      refunds: [],
      collectorId: null,
      externalReference: null,
      statusDetail: null,
    });
  });

  it('nested refunds in any id/amount form; a nested refund without payment_id belongs to the payment', () => {
    const parsed = payment({
      refunds: [
        { id: '55', amount: '1.50', status: 'in_process', date_created: '' },
        {
          id: 56,
          payment_id: 17014025134,
          amount: 2,
          status: 'approved',
          date_created: null,
          extra: { x: 1 },
        },
      ],
    });
    expect(parsed.refunds).toEqual([
      { id: '55', subjectId: '17014025134', amount: 1.5, status: 'in_process', dateCreated: null },
      { id: '56', subjectId: '17014025134', amount: 2, status: 'approved', dateCreated: null },
    ]);
  });

  it('refund status is passed through, even one not documented', () => {
    const body = z.parse(refundBody, {
      ...fixture('refund_get_response.sdk-java.json'),
      status: 'something_new',
    });
    expect(toRefund(body, '1').status).toBe('something_new');
  });

  it('QR order items with numeric strings, and a missing expiration date', () => {
    const order = fixture('qr_instore_order_get_response.devsite-docs.json');
    const parsed = toQrOrder(
      z.parse(qrOrderBody, {
        ...order,
        total_amount: '100.00',
        expiration_date: '',
        items: [
          { title: 'Pasta', unit_price: '20.0', quantity: '5', unit_measure: 'unit', total_amount: '100' },
        ],
      }),
    );
    expect(parsed.totalAmount).toBe(100);
    expect(parsed.expirationDate).toBeUndefined();
    expect(parsed.items).toEqual([
      { title: 'Pasta', unitPrice: 20, quantity: 5, unitMeasure: 'unit', totalAmount: 100 },
    ]);
  });

  it('merchant order with payments, ids as strings', () => {
    const parsed = toMerchantOrder(
      z.parse(merchantOrderBody, {
        ...fixture('merchant_order_opened.sdk-java.json'),
        id: '4018801790',
        status: 'closed',
        paid_amount: '206.02',
        external_reference: 'order-1',
        payments: [{ id: '123', status: 'approved', transaction_amount: '206.02', extra: true }],
      }),
    );
    expect(parsed).toMatchObject({
      id: '4018801790',
      status: 'closed',
      paidAmount: 206.02,
      externalReference: 'order-1',
      payments: [{ id: '123', status: 'approved', transactionAmount: 206.02 }],
    });
  });

  it('rejects what the code cannot use', () => {
    const base = fixture('payment_approved_credit_card.sdk-java.json');
    expect(z.safeParse(paymentBody, { ...base, id: 'abc' }).success).toBe(false);
    expect(z.safeParse(paymentBody, { ...base, id: -1 }).success).toBe(false);
    expect(z.safeParse(paymentBody, { ...base, id: 1.5 }).success).toBe(false);
    expect(z.safeParse(paymentBody, { ...base, transaction_amount: 'ten' }).success).toBe(false);
    expect(z.safeParse(paymentBody, { ...base, transaction_amount: null }).success).toBe(false);
    expect(z.safeParse(paymentBody, { ...base, status: undefined }).success).toBe(false);
    expect(z.safeParse(paymentBody, { ...base, refunds: [{ id: 1 }] }).success).toBe(false);
    expect(z.safeParse(refundBody, { id: 1, amount: 1 }).success).toBe(false);
  });
});

describe('in-person detection and merchant order link', () => {
  it.each([
    ['point_of_interaction.type INSTORE', { point_of_interaction: { type: 'INSTORE' } }],
    ['pos_id', { pos_id: '123456' }],
    ['pos_id as a number', { pos_id: 123456 }],
    ['store_id', { store_id: '98765' }],
    [
      'sub_unit qr',
      { point_of_interaction: { type: 'OTHER', business_info: { unit: 'online', sub_unit: 'qr' } } },
    ],
    ['sub_unit point', { point_of_interaction: { business_info: { sub_unit: 'point' } } }],
  ])('%s marks an in-person payment', (_name, overrides) => {
    expect(payment(overrides).inPerson).toBe(true);
  });

  it('none of the signals: not in person', () => {
    expect(
      payment({
        pos_id: null,
        store_id: '',
        point_of_interaction: { type: 'CHECKOUT', business_info: { sub_unit: 'default' } },
      }).inPerson,
    ).toBe(false);
  });

  it('a signal of an unexpected type does not break the payment', () => {
    expect(payment({ point_of_interaction: { type: 5, business_info: 'x' } }).inPerson).toBe(false);
  });

  it('merchantOrderId from order {type: mercadopago, id}', () => {
    expect(payment({ order: { type: 'mercadopago', id: 4018801790 } }).merchantOrderId).toBe('4018801790');
    expect(payment({ order: { type: 'mercadopago', id: '4018801790' } }).merchantOrderId).toBe('4018801790');
    expect(payment({ order: {} }).merchantOrderId).toBeNull();
    expect(payment({ order: null }).merchantOrderId).toBeNull();
    expect(payment({ order: { type: 'mercadolibre', id: 1 } }).merchantOrderId).toBeNull();
  });
});

describe('error bodies, read defensively', () => {
  it('cause code as a string, status as a string', () => {
    const body = JSON.stringify({
      message: 'Invalid payment status',
      error: 'bad_request',
      status: '400',
      cause: [
        { code: '2063', description: 'The action requested is not valid for the current payment state' },
      ],
    });
    expect(parseErrorBody(body)).toEqual({
      causeCodes: ['2063'],
      upstreamMessage:
        'Invalid payment status | The action requested is not valid for the current payment state',
      errorName: 'bad_request',
    });
  });

  it('cause as one object using message', () => {
    const body = JSON.stringify({ error: 'bad_request', cause: { code: 3024, message: 'Not supported' } });
    expect(parseErrorBody(body)).toMatchObject({ causeCodes: ['3024'], upstreamMessage: 'Not supported' });
  });

  it('no cause at all', () => {
    const body = JSON.stringify({
      message: 'not found',
      error: 'point_of_sale_in_store_order_not_found',
      status: 404,
    });
    expect(parseErrorBody(body)).toEqual({
      causeCodes: [],
      upstreamMessage: 'not found',
      errorName: 'point_of_sale_in_store_order_not_found',
    });
  });

  it('an empty cause array and only an error name', () => {
    expect(parseErrorBody('{"error":"unauthorized","cause":[]}')).toEqual({
      causeCodes: [],
      upstreamMessage: 'unauthorized',
      errorName: 'unauthorized',
    });
  });

  it('not JSON (a gateway page), or JSON that is not an object', () => {
    expect(parseErrorBody('<html>\n  <body>Bad Gateway</body>\n</html>')).toEqual({
      causeCodes: [],
      upstreamMessage: '<html> <body>Bad Gateway</body> </html>',
      errorName: undefined,
    });
    expect(parseErrorBody('')).toEqual({ causeCodes: [], upstreamMessage: undefined, errorName: undefined });
    expect(parseErrorBody('[1,2]').causeCodes).toEqual([]);
  });

  it('odd cause entries are skipped, codes deduplicated', () => {
    const body = JSON.stringify({
      cause: [null, 7, 'text', { code: null }, { code: 2000 }, { code: '2000' }],
    });
    expect(parseErrorBody(body).causeCodes).toEqual(['2000']);
  });
});

describe('retry timing', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('Retry-After in seconds or as an HTTP date', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3000);
    expect(parseRetryAfterMs(['2', '9'], now)).toBe(2000);
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('-1', now)).toBeUndefined();
    expect(parseRetryAfterMs('', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });

  it('full jitter stays within the exponential ceiling', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 350 };
    expect(backoffDelayMs(policy, 1, () => 0)).toBe(0);
    expect(backoffDelayMs(policy, 1, () => 0.999)).toBe(99);
    expect(backoffDelayMs(policy, 2, () => 0.5)).toBe(100);
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(175);
    expect(backoffDelayMs(policy, 10, () => 0.999)).toBeLessThan(350);
  });
});
