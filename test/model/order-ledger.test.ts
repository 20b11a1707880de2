/**
 * The settlement model applied to Orders API orders (one ledger per order): reads (status forwards, its
 * payment transactions, refunds of `transactions.refunds[]`, the till and `data.version`), API.md's refund
 * checks of an order, which refund of a refund answer is ours, cancellations, and the events out.
 */
import { describe, expect, it } from 'vitest';
import { caller } from '../../functions/model/actor.ts';
import { outEventsOf } from '../../functions/model/events/from-ledger.ts';
import type { OrderFacts, RefundFact } from '../../functions/model/facts.ts';
import {
  beginCancellation,
  checkOrderCancellation,
  orderCancellationState,
  recordCancellationCall,
  shouldResendCancellation,
} from '../../functions/model/ledger/cancellation.ts';
import { hasPendingWork } from '../../functions/model/ledger/change.ts';
import { applyOrderRead, isStaleDelivery, orderCurrencyOf } from '../../functions/model/ledger/order-read.ts';
import {
  ourRefundInAnswer,
  recordOrderRefundAnswer,
} from '../../functions/model/ledger/order-refund-answer.ts';
import { reserveRefund } from '../../functions/model/ledger/reserve.ts';
import type { Ledger, OurRefund } from '../../functions/model/ledger/types.ts';
import {
  at,
  context,
  ORDER_ID as ORDER,
  orderFacts,
  orderRefundFact as orderRefund,
  ORDER_PAYMENT_ID as PAY,
  SECOND,
  storedAfter,
} from './builders.ts';

const DAY = 86_400_000;

const order = (overrides: Partial<OrderFacts> = {}): OrderFacts =>
  orderFacts({
    externalReference: 'pedido-1',
    qr: { externalPosId: 'CAJA_01', mode: 'static' },
    ...overrides,
  });

const apply = (
  ledger: Ledger | undefined,
  facts: OrderFacts,
  ms = 0,
  options: { till?: string; version?: number } = {},
) => applyOrderRead(ledger, { facts, at: at(ms) }, context(ms), { defaultCurrency: 'ARS', ...options });

const ledgerOf = (facts: OrderFacts = order(), options: { till?: string } = {}): Ledger => ({
  ...apply(undefined, facts, 0, options).ledger!,
  version: 1,
});

let refundIds = 0;
const attempt = (ledger: Ledger, amount: number | 'all', transactionId?: string, createdAt = at(-DAY)) =>
  reserveRefund(
    ledger,
    {
      refundId: `rf_${++refundIds}`,
      amount,
      idempotencyKey: 'k',
      fingerprint: 'f',
      transactionId,
      lockUntil: at(27 * SECOND),
    },
    { windowDays: 330, approvedAt: createdAt },
    context(0, caller('c')),
  );

const reserved = (ledger: Ledger, amount: number | 'all', transactionId?: string) => {
  const change = attempt(ledger, amount, transactionId);
  if (change.result.kind !== 'reserved') throw new Error(JSON.stringify(change.result));
  return { ledger: storedAfter(ledger, change), entry: change.result.entry };
};

describe('an order read', () => {
  it('creates the ledger of kind order with its transactions, creation date, site and reference', () => {
    const ledger = ledgerOf();
    expect(ledger).toMatchObject({
      kind: 'order',
      id: ORDER,
      currency: 'BRL',
      totalMinor: 10_000,
      status: 'processed',
      order: {
        createdAt: at(-DAY),
        siteId: 'MLB',
        externalReference: 'pedido-1',
        transactions: [{ id: PAY, amountMinor: 10_000, status: 'processed' }],
      },
    });
    expect(ledger.order?.till).toBeUndefined();
  });

  it('takes the currency of the order, else of its site, else the configured one', () => {
    expect(orderCurrencyOf({ currency: 'UYU', siteId: 'MLB' }, 'ARS')).toBe('UYU');
    expect(orderCurrencyOf({ currency: null, siteId: 'MLC' }, 'ARS')).toBe('CLP');
    expect(orderCurrencyOf({ currency: null, siteId: null }, 'ARS')).toBe('ARS');
  });

  it('brings no news: nothing to write; a partially_refunded detail alone is bookkeeping', () => {
    const ledger = ledgerOf();
    expect(apply(ledger, order(), 1_000).ledger).toBeNull();
    expect(apply(ledger, order({ statusDetail: 'partially_refunded' }), 1_000).ledger).toBeNull();
  });

  it('moves the status forwards only (last update, then rank): an older read changes nothing', () => {
    const paid = ledgerOf(order({ lastUpdatedDate: at(10) }));
    expect(apply(paid, order({ status: 'created', lastUpdatedDate: at(5) })).ledger).toBeNull();
    const open = ledgerOf(order({ status: 'created', statusDetail: 'created', payments: [] }));
    const later = apply(open, order(), 1_000);
    expect(later.ledger).toMatchObject({ status: 'processed', order: { transactions: [{ id: PAY }] } });
    expect(later.events).toMatchObject([
      { kind: 'status.changed', previousStatus: 'created', status: 'processed' },
    ]);
    expect(apply(storedAfter(open, later), order({ status: 'created', payments: [] })).ledger).toBeNull();
  });

  it('records the refunds of transactions.refunds[] under the evidence rules (made elsewhere here)', () => {
    const change = apply(ledgerOf(), order({ refunds: [orderRefund('REF1', 30)] }), 1_000);
    expect(change.ledger?.refunds).toMatchObject([
      {
        origin: 'external',
        mercadoPagoRefundId: 'REF1',
        amountMinor: 3_000,
        status: 'succeeded',
        transactionId: PAY,
      },
    ]);
  });

  it('marks the till once; an open till order is pending work until it closes', () => {
    const open = ledgerOf(order({ status: 'created', payments: [] }), { till: 'CAJA_01' });
    expect(open.order?.till).toBe('CAJA_01');
    expect(hasPendingWork(open)).toBe(true);
    expect(open.schedule).toBeDefined();
    const paid = storedAfter(open, apply(open, order(), 1_000, { till: 'OTHER' }));
    expect(paid.order?.till).toBe('CAJA_01');
    expect(hasPendingWork(paid)).toBe(false);
    expect(paid.schedule).toBeUndefined();
    expect(hasPendingWork(ledgerOf(order({ status: 'created' })))).toBe(false);
  });

  it('keeps the version of a delivery only with a change it brought', () => {
    const open = ledgerOf(order({ status: 'created', payments: [] }));
    expect(apply(open, order({ status: 'created', payments: [] }), 1, { version: 3 }).ledger).toBeNull();
    const paid = storedAfter(open, apply(open, order(), 2, { version: 4 }));
    expect(paid.order?.version).toBe(4);
    expect(isStaleDelivery(paid, 4)).toBe(true);
    expect(isStaleDelivery(paid, 3)).toBe(true);
    expect(isStaleDelivery(paid, 5)).toBe(false);
    expect(isStaleDelivery(paid, undefined)).toBe(false);
    expect(isStaleDelivery(open, 1)).toBe(false);
    // A later change with an older version does not lower it.
    const refunded = storedAfter(
      paid,
      apply(paid, order({ refunds: [orderRefund('R', 1)] }), 3, { version: 2 }),
    );
    expect(refunded.order?.version).toBe(4);
  });

  it('refuses a read of another order', () => {
    expect(() => apply(ledgerOf(), order({ id: 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D9' }))).toThrow(
      /another|ledger of/,
    );
  });
});

describe('order refund checks, in API.md order', () => {
  it('charged back (order or transaction), then processed (saying when fully refunded)', () => {
    expect(attempt(ledgerOf(order({ status: 'charged_back' })), 10).result).toMatchObject({
      failure: { code: 'PAYMENT_CHARGED_BACK', detail: expect.stringContaining('The order') },
    });
    const txChargedBack = order({
      payments: [{ id: PAY, amount: 100, status: 'charged_back', statusDetail: null }],
    });
    expect(attempt(ledgerOf(txChargedBack), 10).result).toMatchObject({
      failure: { code: 'PAYMENT_CHARGED_BACK', detail: expect.stringContaining(PAY) },
    });
    expect(attempt(ledgerOf(order({ status: 'refunded' })), 10).result).toMatchObject({
      failure: { code: 'ORDER_NOT_REFUNDABLE', detail: 'The order is already fully refunded.' },
    });
    expect(attempt(ledgerOf(order({ status: 'created', payments: [] })), 10).result).toMatchObject({
      failure: { code: 'ORDER_NOT_REFUNDABLE', detail: expect.stringContaining('created') },
    });
    expect(attempt(ledgerOf(order({ payments: [] })), 10).result).toMatchObject({
      failure: { code: 'ORDER_NOT_REFUNDABLE', detail: 'The order has no payment transaction to refund.' },
    });
  });

  it('names the transaction: required with several, unknown ones are not the order', () => {
    const two = ledgerOf(
      order({
        totalAmount: 150,
        payments: [
          { id: PAY, amount: 100, status: 'processed', statusDetail: null },
          { id: 'PAY2', amount: 50, status: 'processed', statusDetail: null },
        ],
      }),
    );
    expect(attempt(two, 10).result).toMatchObject({ failure: { code: 'TRANSACTION_REQUIRED' } });
    expect(attempt(two, 10, 'PAY9').result).toMatchObject({ failure: { code: 'ORDER_NOT_FOUND' } });
    expect(attempt(two, 'all', 'PAY2').result).toMatchObject({
      kind: 'reserved',
      entry: { amountMinor: 5_000, transactionId: 'PAY2', sendsEmptyBody: false },
    });
    expect(attempt(two, 6_000, 'PAY2').result).toMatchObject({
      failure: { code: 'AMOUNT_EXCEEDS_REFUNDABLE' },
    });
  });

  it('counts the window from the order creation, then 20 refunds, then what is left', () => {
    expect(attempt(ledgerOf(), 10, undefined, at(-331 * DAY)).result).toMatchObject({
      failure: { code: 'REFUND_WINDOW_EXPIRED' },
    });
    const many = ledgerOf(order({ refunds: Array.from({ length: 20 }, (_, i) => orderRefund(`R${i}`, 1)) }));
    expect(attempt(many, 1).result).toMatchObject({ failure: { code: 'REFUND_LIMIT_REACHED' } });
    let ledger = ledgerOf(order({ refunds: [orderRefund('R1', 30)] }));
    expect(attempt(ledger, 7001).result).toMatchObject({
      failure: { code: 'AMOUNT_EXCEEDS_REFUNDABLE', detail: expect.stringContaining('70 BRL') },
    });
    ledger = reserved(ledger, 'all').ledger;
    expect(attempt(ledger, 'all').result).toMatchObject({
      failure: { detail: 'Nothing is left to refund: the rest of the order is in pending refunds.' },
    });
    expect(attempt(ledgerOf(order({ refunds: [orderRefund('R1', 100)] })), 'all').result).toMatchObject({
      failure: { detail: 'Nothing is left to refund.' },
    });
  });

  it('sends no body only for all of an untouched single transaction', () => {
    expect(reserved(ledgerOf(), 'all').entry).toMatchObject({ sendsEmptyBody: true, transactionId: PAY });
    expect(reserved(ledgerOf(), 10_000).entry.sendsEmptyBody).toBe(false);
    const touched = ledgerOf(order({ refunds: [orderRefund('R1', 10)] }));
    expect(reserved(touched, 'all').entry).toMatchObject({ sendsEmptyBody: false, amountMinor: 9_000 });
  });
});

describe('which refund of an order refund answer is ours', () => {
  const answer = (refunds: RefundFact[], orderId = ORDER) => ({ orderId, refunds, requestId: 'mp-1' });

  it('the one of our transaction and amount, not linked to another refund of ours', () => {
    const first = reserved(ledgerOf(), 3_000);
    const recorded = recordOrderRefundAnswer(
      first.ledger,
      first.entry.id,
      1,
      answer([orderRefund('REF1', 30, 'processing')]),
      context(1_000),
    );
    const after = storedAfter(first.ledger, recorded);
    expect(after.refunds[0]).toMatchObject({ mercadoPagoRefundId: 'REF1', status: 'pending' });
    // A second refund of the same amount: the answer lists both, the linked one is not ours.
    const second = reserved(after, 3_000);
    const both = answer([orderRefund('REF1', 30), orderRefund('REF2', 30, 'processing')]);
    const entry = second.entry;
    expect(ourRefundInAnswer(second.ledger, entry, both)?.id).toBe('REF2');
    expect(
      ourRefundInAnswer(second.ledger, entry, answer([orderRefund('REF3', 30, 'x', 'PAY9')])),
    ).toBeNull();
    expect(ourRefundInAnswer(second.ledger, entry, answer([orderRefund('REF3', 31)]))).toBeNull();
    expect(
      ourRefundInAnswer(second.ledger, entry, answer([orderRefund('REF3', 30), orderRefund('REF4', 30)])),
    ).toBeNull();
    // Linked already: the answer's entry with that id.
    const linked: OurRefund = { ...entry, mercadoPagoRefundId: 'REF4' };
    expect(ourRefundInAnswer(second.ledger, linked, answer([orderRefund('REF4', 30)]))?.id).toBe('REF4');
  });

  it('a full refund sent without a body may have refunded less than it reserved', () => {
    const { ledger, entry } = reserved(ledgerOf(), 'all');
    expect(ourRefundInAnswer(ledger, entry, answer([orderRefund('R', 90)]))?.id).toBe('R');
    expect(ourRefundInAnswer(ledger, entry, answer([orderRefund('R', 101)]))).toBeNull();
  });

  it('none singled out, or another order: unknown (pending), settled later', () => {
    const { ledger, entry } = reserved(ledgerOf(), 3_000);
    const none = recordOrderRefundAnswer(ledger, entry.id, 1, answer([]), context(1_000));
    expect(none.ledger?.refunds[0]).toMatchObject({
      status: 'pending',
      mercadoPagoRefundId: null,
      call: { state: 'unknown' },
    });
    const other = recordOrderRefundAnswer(
      ledger,
      entry.id,
      1,
      answer([orderRefund('REF1', 30)], 'ORD01JQ4S4KY8HWQ6NA5PXB65B3D9'),
      context(1_000),
    );
    expect(other.ledger?.refunds[0]).toMatchObject({ mercadoPagoRefundId: null, call: { state: 'unknown' } });
    expect(other.ledger?.history.at(-1)?.change).toBe('refund_answer_not_evidence');
    expect(recordOrderRefundAnswer(ledger, 'rf_gone', 1, answer([]), context(1)).result).toEqual({
      kind: 'gone',
    });
  });

  it('processing is pending; processed succeeded; failed failed; an unknown word is listed, never failed', () => {
    const { ledger, entry } = reserved(ledgerOf(), 3_000);
    const ofStatus = (status: string) =>
      storedAfter(
        ledger,
        recordOrderRefundAnswer(ledger, entry.id, 1, answer([orderRefund('R', 30, status)]), context(1)),
      ).refunds[0];
    expect(ofStatus('processing')).toMatchObject({ status: 'pending', call: { state: 'accepted' } });
    expect(ofStatus('processed')).toMatchObject({ status: 'succeeded' });
    expect(ofStatus('approved')).toMatchObject({ status: 'succeeded' });
    expect(ofStatus('failed')).toMatchObject({ status: 'failed', failure: { code: 'REFUND_REJECTED' } });
    expect(ofStatus('canceled')).toMatchObject({ status: 'failed' });
    expect(ofStatus('on_hold')).toMatchObject({ status: 'pending' });
  });
});

describe('order cancellations', () => {
  it('checks: cancelled (either spelling), expired, created / action_required, else refused', () => {
    expect(checkOrderCancellation({ id: ORDER, status: 'canceled' })).toEqual({ kind: 'already_cancelled' });
    expect(checkOrderCancellation({ id: ORDER, status: 'cancelled' })).toEqual({ kind: 'already_cancelled' });
    expect(checkOrderCancellation({ id: ORDER, status: 'expired' })).toEqual({ kind: 'already_expired' });
    expect(checkOrderCancellation({ id: ORDER, status: 'action_required' })).toEqual({ kind: 'cancellable' });
    expect(checkOrderCancellation({ id: ORDER, status: 'processed' })).toMatchObject({
      failure: { code: 'ORDER_NOT_CANCELLABLE', detail: expect.stringContaining(`/orders/${ORDER}/refunds`) },
    });
    expect(checkOrderCancellation({ id: ORDER, status: 'failed' })).toMatchObject({
      failure: { detail: expect.stringContaining('failed') },
    });
  });

  const begun = () => {
    const open = ledgerOf(order({ status: 'created', payments: [] }));
    const change = beginCancellation(open, { idempotencyKey: null, lockUntil: at(27 * SECOND) }, context(0));
    return storedAfter(open, change);
  };

  it('an answer `canceled` settles it; a read of the order paid fails it; expired reads as expired', () => {
    const ledger = begun();
    const answered = recordCancellationCall(
      ledger,
      1,
      { kind: 'answered', status: 'canceled', statusDetail: 'canceled_by_api' },
      context(1),
    );
    const cancelled = storedAfter(ledger, answered);
    expect(cancelled.cancellation?.status).toBe('cancelled');
    expect(orderCancellationState(cancelled)).toEqual({
      status: 'cancelled',
      statusDetail: 'canceled_by_api',
    });
    expect(outEventsOf(cancelled, answered.events).map((e) => e.detailType)).toEqual(['Order Cancelled']);

    const paid = storedAfter(ledger, apply(ledger, order(), 2));
    expect(paid.cancellation).toMatchObject({ status: 'failed', failure: { code: 'ORDER_NOT_CANCELLABLE' } });
    const expired = storedAfter(
      ledger,
      apply(ledger, order({ status: 'expired', statusDetail: 'expired' }), 2),
    );
    expect(orderCancellationState(expired)).toEqual({ status: 'expired', statusDetail: 'expired' });
    expect(orderCancellationState(undefined)).toEqual({ status: 'pending' });
  });

  it('a pending one is re-sent while the order is still cancellable', () => {
    const ledger = begun();
    const unknown = storedAfter(
      ledger,
      recordCancellationCall(ledger, 1, { kind: 'unknown', detail: 'timeout' }, context(1)),
    );
    expect(shouldResendCancellation(unknown, { status: 'created', inPerson: false }, context(2))).toBe(true);
    expect(shouldResendCancellation(unknown, { status: 'processed', inPerson: false }, context(2))).toBe(
      false,
    );
  });
});

describe('events of a till order', () => {
  const open = () => ledgerOf(order({ status: 'created', payments: [] }), { till: 'CAJA_01' });

  it('paid: QR Order Paid with the order, its till and transactions', () => {
    const ledger = open();
    const change = apply(ledger, order(), 1);
    const events = outEventsOf(change.ledger!, change.events);
    expect(events).toEqual([
      {
        detailType: 'QR Order Paid',
        detail: expect.objectContaining({
          merchantOrderId: ORDER,
          orderId: ORDER,
          externalPosId: 'CAJA_01',
          externalReference: 'pedido-1',
          status: 'paid',
          totalAmount: 100,
          paidAmount: 100,
          paymentIds: [PAY],
        }),
      },
    ]);
  });

  it('refunded before the paid state was read is paid too; expired is QR Order Expired', () => {
    const ledger = open();
    const refunded = apply(ledger, order({ status: 'refunded', refunds: [orderRefund('R', 100)] }), 1);
    expect(outEventsOf(refunded.ledger!, refunded.events).map((e) => e.detailType)).toEqual([
      'QR Order Paid',
      'Refund Succeeded',
    ]);
    const expired = apply(ledger, order({ status: 'expired', payments: [] }), 1);
    expect(outEventsOf(expired.ledger!, expired.events)).toMatchObject([
      { detailType: 'QR Order Expired', detail: { status: 'expired', paidAmount: 0, paymentIds: [] } },
    ]);
  });

  it('an order not put on a till changes status with Payment Status Changed (orderId)', () => {
    const ledger = ledgerOf(order({ status: 'created', payments: [] }));
    const change = apply(ledger, order(), 1);
    expect(outEventsOf(change.ledger!, change.events)).toMatchObject([
      { detailType: 'Payment Status Changed', detail: { orderId: ORDER, status: 'processed' } },
    ]);
  });
});

describe('the stored document', () => {
  it('keeps an order ledger whole: its order info, provisional records and answered-with marks', async () => {
    const { documentOf, ledgerFromDocument } = await import(
      '../../functions/adapters/dynamodb/ledger-document.ts'
    );
    const base = ledgerOf(order({ status: 'created', payments: [] }), { till: 'CAJA_01' });
    const ledger: Ledger = {
      ...base,
      order: { ...base.order!, version: 7 },
      refunds: [
        {
          id: 'rf_ext',
          origin: 'external',
          amountMinor: 100,
          status: 'succeeded',
          mercadoPagoRefundId: 'REF1',
          provisional: true,
          createdAt: at(0),
          updatedAt: at(0),
        },
        { ...reserved(ledgerOf(), 100).entry, answeredWith: 'REF1' },
      ],
    };
    const read = ledgerFromDocument(JSON.parse(JSON.stringify(documentOf(ledger))), 3, ORDER);
    expect(read).toEqual({ ...JSON.parse(JSON.stringify(ledger)), version: 3 });
  });
});
