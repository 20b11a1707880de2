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

/** One refund in a shard of the index, with its place there (what the sweep's cursor keeps). */
export interface ShardPointer extends RefundPointer {
  /** `<createdAt>#<refundId>`: positions sort as the refunds were created. */
  position: string;
}

/** The refunds sweep's view of the index: each shard read in order, from where it stopped. */
export interface RefundSweepIndex {
  readonly shards: number;
  /**
   * The refunds of one shard created after `from` (a position, exclusive; or a day, from its start) up to
   * `upTo` (a createdAt, inclusive), oldest first, page by page.
   */
  shardCreated(
    shard: number,
    from: { position: string } | { day: string },
    upTo: string,
  ): AsyncIterable<ShardPointer>;
}

/** Where the sweep stopped in each shard, kept between runs (one small item). */
export interface SweepCursorStore {
  /** Each swept shard's position (shards never swept are absent). */
  read(): Promise<Map<number, string>>;
  /**
   * Moves shards' positions forward, in one write when it can; never back (a slower run cannot undo a
   * faster one's progress).
   */
  advance(positions: ReadonlyMap<number, string>): Promise<void>;
}
