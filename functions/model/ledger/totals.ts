/** What a ledger adds up to: refunded, pending, what is left, and the refunds Mercado Pago's limit counts. */
import { type Ledger, RefundStatus } from './types.ts';

/** Mercado Pago's limit, counted over refunds of any origin that did not fail. */
export const MAX_ACTIVE_REFUNDS = 20;

/** Refunds kept in one ledger at most, failed attempts included (the item stays far below 400 KB). */
export const MAX_LEDGER_REFUNDS = 120;

export interface LedgerTotals {
  succeededMinor: number;
  pendingMinor: number;
  /** Refunds of any origin that did not fail. */
  activeCount: number;
  /** Never negative, even when refunds made elsewhere over-commit the payment. */
  refundableMinor: number;
}

export const totals = (ledger: Pick<Ledger, 'refunds' | 'totalMinor'>): LedgerTotals => {
  let succeededMinor = 0;
  let pendingMinor = 0;
  let activeCount = 0;
  for (const refund of ledger.refunds) {
    if (refund.status === RefundStatus.Failed) continue;
    activeCount++;
    if (refund.status === RefundStatus.Succeeded) succeededMinor += refund.amountMinor;
    else pendingMinor += refund.amountMinor;
  }
  return {
    succeededMinor,
    pendingMinor,
    activeCount,
    refundableMinor: Math.max(0, ledger.totalMinor - succeededMinor - pendingMinor),
  };
};
