/**
 * Brings a ledger up to date with a payment as Mercado Pago reports it now: refunds settled by the ledger's
 * matching rule, refunds made elsewhere recorded, status changes recorded, a pending cancellation settled.
 * States never move backwards: syncWithPayment ignores what an older read says of a settled refund or status.
 */

import { settleCancellationWithPayment } from '../ledger/cancellation.ts';
import { type LedgerEvent, syncWithPayment } from '../ledger/ledger.ts';
import type { PaymentLedger } from '../ledger/types.ts';
import type { MpPayment } from '../mercadopago/types.ts';

export interface PaymentApplication {
  ledger: PaymentLedger;
  events: LedgerEvent[];
  changed: boolean;
}

export const applyPayment = (
  current: PaymentLedger | undefined,
  payment: MpPayment,
  now: string,
  by: string,
  newRefundId: () => string,
): PaymentApplication => {
  const synced = syncWithPayment(current, payment, now, by, newRefundId);
  const cancellation = settleCancellationWithPayment(synced.ledger, payment, now, by);
  return {
    ledger: cancellation.ledger,
    events: synced.events,
    changed: synced.changed || cancellation.changed,
  };
};
