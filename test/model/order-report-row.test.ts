import { describe, expect, it } from 'vitest';
import { caller } from '../../functions/model/actor.ts';
import { applyOrderRead } from '../../functions/model/ledger/order-read.ts';
import { recordOrderRefundAnswer } from '../../functions/model/ledger/order-refund-answer.ts';
import { applyReportRow } from '../../functions/model/ledger/report-rows.ts';
import { reserveRefund } from '../../functions/model/ledger/reserve.ts';
import type { Ledger } from '../../functions/model/ledger/types.ts';
import { readRow } from '../../functions/model/reports/rows.ts';
import {
  at,
  context,
  ORDER_ID as ORDER,
  orderFacts as order,
  ORDER_PAYMENT_ID as PAY,
  orderRefundFact as ref,
  SECOND,
  storedAfter,
} from './builders.ts';

const DAY = 86_400_000;

describe('a settlement report row of an order refund that names the payment refund id', () => {
  it('is matched to the order refund by amount, never recorded as a second refund of the same money', () => {
    let ledger: Ledger = {
      ...applyOrderRead(undefined, { facts: order(), at: at(0) }, context(0), { defaultCurrency: 'BRL' })
        .ledger!,
      version: 1,
    };
    const r = reserveRefund(
      ledger,
      {
        refundId: 'rf_A',
        amount: 3_000,
        idempotencyKey: 'k',
        fingerprint: 'f',
        transactionId: PAY,
        lockUntil: at(27 * SECOND),
      },
      { windowDays: 330, approvedAt: at(-DAY) },
      context(0, caller('c')),
    );
    if (r.result.kind !== 'reserved') throw new Error('x');
    ledger = storedAfter(ledger, r);
    ledger = storedAfter(
      ledger,
      recordOrderRefundAnswer(
        ledger,
        'rf_A',
        1,
        { orderId: ORDER, refunds: [ref('REF01AAA', 30)] },
        context(2 * SECOND),
      ),
    );
    expect(ledger.refunds[0]).toMatchObject({ status: 'succeeded', mercadoPagoRefundId: 'REF01AAA' });
    // The settlement report is per payment: its REFUND row names the payment's refund id (as in the project's own readRow test).
    const reading = readRow(
      {
        SOURCE_ID: '123',
        TRANSACTION_TYPE: 'REFUND',
        TRANSACTION_AMOUNT: '-30.00',
        TRANSACTION_DATE: at(3 * SECOND),
        METADATA: '[{"refund_id": 2100000001}]',
        ORDER_ID: ORDER,
      },
      '2026-06-01',
    );
    if (reading.kind !== 'row') throw new Error('row');
    const change = applyReportRow(ledger, reading.row.facts, context(DAY), { afterRead: true });
    const after = change.ledger ? storedAfter(ledger, change) : ledger;
    expect(after.refunds.filter((e) => e.status === 'succeeded')).toHaveLength(1);
    expect(change.result).toMatchObject({ kind: 'matched', refundId: 'rf_A', mercadoPagoId: 'REF01AAA' });
  });
});
