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
} as const;

/** Item key prefixes. */
export const KeyPrefix = {
  payment: 'PAYMENT#',
  idempotency: 'IDEMPOTENCY#',
  qrOrder: 'QR_ORDER#',
  notification: 'NOTIFICATION#',
  hint: 'HINT#',
} as const;

/** gsi1pk value of payments that have a pending refund or cancellation; absent otherwise (sparse). */
export const PENDING_WORK = 'PENDING';
