/**
 * The single DynamoDB table: generic `pk`/`sk` string keys, `ttl` (epoch seconds) for items that may be
 * forgotten, and one sparse index `gsi1` (`gsi1pk`/`gsi1sk`) that the reconciliation job queries for
 * payments holding pending work. Expiry is always checked in code too: TTL deletion is lazy (and absent
 * from the embedded DynamoDB).
 */
export const TableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'ttl',
  pendingIndexName: 'gsi1',
  pendingIndexPartitionKey: 'gsi1pk',
  pendingIndexSortKey: 'gsi1sk',
  /** The one attribute the due-work index projects besides its keys: when the ledger's pending work began. */
  pendingSinceAttribute: 'pendingSince',
} as const;

/** Item key prefixes. */
export const KeyPrefix = {
  payment: 'PAYMENT#',
  order: 'ORDER#',
  idempotency: 'IDEMPOTENCY#',
  qrOrder: 'QR_ORDER#',
  till: 'TILL#',
  notification: 'NOTIFICATION#',
  hint: 'HINT#',
  /** The refunds-by-day index (`REFUNDS#<yyyy-mm>#<shard>`), see REFUND_INDEX_SHARDS. */
  refundIndex: 'REFUNDS#',
  /** Open chargebacks with their documentation deadline (one small partition: chargebacks are rare). */
  openChargebacks: 'CHARGEBACKS#OPEN',
  /** A day's reconciliation (`DAY`) and its discrepancies (`DISCREPANCY#<key>`). */
  reconciliation: 'RECONCILIATION#',
  /** Where reconciliation's sweep of the refunds-by-day index stopped, per shard (one item). */
  refundSweep: 'SWEEP#REFUNDS',
} as const;

/**
 * The refunds-by-day index: one small item per refund (ours when reserved, one made elsewhere when recorded),
 * `pk` = `REFUNDS#<yyyy-mm of createdAt>#<shard>`, `sk` = `<createdAt>#<refund id>`, written before the
 * ledger write that adds the refund. Spread over 16 shards per month, so no partition takes every refund's
 * write; a page of `GET /reports/refunds` (at most 31 days: two months) merges at most 32 partitions.
 */
export const REFUND_INDEX_SHARDS = 16;

export const refundIndexPartition = (month: string, shard: number): string =>
  `${KeyPrefix.refundIndex}${month}#${String(shard).padStart(2, '0')}`;

/**
 * The due-work index (`gsi1`) holds ledgers with pending work, `gsi1pk` = `DUE#<shard>` and `gsi1sk` =
 * `<nextCheckAt>#<id>`: reconciliation reads each shard up to now, so nothing is read before it is due, and
 * no partition is written by every refund (bench/README.md has the arithmetic).
 */
export const DUE_INDEX_SHARDS = 32;

/** FNV-1a: a stable, even spread of ids over shards. */
export const fnv1a = (id: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
};

/** The due-work shard of a ledger id. */
export const dueShardOf = (id: string): number => fnv1a(id) % DUE_INDEX_SHARDS;

export const dueIndexPartition = (shard: number): string => `DUE#${String(shard).padStart(2, '0')}`;

/** Where ledgers written before the index was sharded sit (`<pendingSince>#<paymentId>`), until rewritten. */
export const LEGACY_PENDING_PARTITION = 'PENDING';

/**
 * Ledgers with no pending work but findings for a person (`attention`), `<oldest finding>#<id>`: the operations
 * routes list them with the due-work shards; reconciliation never reads this partition. Only ledgers with a
 * finding ever enter it (rare), so no refund's write goes there.
 */
export const ATTENTION_PARTITION = 'ATTENTION';
