/** The refunds-by-day index and the open chargebacks: what reports and the deadline check read. */

/** One refund in the index: where its ledger is. */
export interface RefundPointer {
  /** The refund's `createdAt` (its day is the day it is listed under). */
  createdAt: string;
  refundId: string;
  /** The payment or order whose ledger holds it. */
  ledgerId: string;
}

export interface OpenChargebackPointer {
  ledgerId: string;
  chargebackId: string;
  /** ISO, or null when Mercado Pago gave none. */
  deadline: string | null;
}

export interface RefundIndex {
  /**
   * Refunds created in the UTC days `fromDay` to `toDay` inclusive, oldest first (by createdAt, then id),
   * strictly after `after` when given. Read lazily, page by page.
   */
  created(
    fromDay: string,
    toDay: string,
    after?: { createdAt: string; refundId: string },
  ): AsyncIterable<RefundPointer>;
  openChargebacks(): Promise<OpenChargebackPointer[]>;
}
