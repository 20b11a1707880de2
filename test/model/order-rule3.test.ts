import { describe, expect, it } from 'vitest';
import { caller } from '../../functions/model/actor.ts';
import type { OrderFacts } from '../../functions/model/facts.ts';
import { applyOrderRead } from '../../functions/model/ledger/order-read.ts';
import { recordRefundCall } from '../../functions/model/ledger/refund-call.ts';
import { reserveRefund } from '../../functions/model/ledger/reserve.ts';
import type { Ledger } from '../../functions/model/ledger/types.ts';
import {
  at,
  context,
  orderFacts as order,
  ORDER_PAYMENT_ID as PAY,
  orderRefundFact as ref,
  SECOND,
  storedAfter,
} from './builders.ts';

const DAY = 86_400_000;
const apply = (l: Ledger | undefined, f: OrderFacts, ms: number) =>
  applyOrderRead(l, { facts: f, at: at(ms) }, context(ms), { defaultCurrency: 'BRL' });

describe('rule (3) and Orders API refunds, which carry no creation date', () => {
  it("a refund made in the panel days after our refund's last attempt never settles it: held for a person", () => {
    let ledger: Ledger = { ...apply(undefined, order(), 0).ledger!, version: 1 };
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
    if (r.result.kind !== 'reserved') throw new Error(JSON.stringify(r.result));
    ledger = storedAfter(ledger, r);
    // Its only attempt timed out after sending: outcome unknown.
    ledger = storedAfter(
      ledger,
      recordRefundCall(ledger, 'rf_A', 1, { kind: 'unknown', detail: 'timeout' }, context(25 * SECOND)),
    );
    // Two days later the merchant refunds 30 in the Mercado Pago panel; an order read shows it.
    const later = apply(ledger, order({ refunds: [ref('REF_PANEL', 30)] }), 2 * DAY);
    const after = storedAfter(ledger, later);
    const ours = after.refunds.find((e) => e.id === 'rf_A')!;
    expect(ours.status).toBe('pending');
    expect(ours.mercadoPagoRefundId).toBeNull();
    // Nothing published as settled; the panel refund is held while ours could be it (a person decides).
    expect(later.events.filter((e) => e.kind === 'refund.settled')).toEqual([]);
    expect(later.result.held).toEqual(['REF_PANEL']);
  });
});
