/**
 * What DynamoDB requests cost on an on-demand table, as DynamoDB bills them, from the request, its answer and
 * the item as it was before and after (the counting proxy, dynamo-proxy.ts, reads both):
 * - item size: attribute names plus values (numbers about one byte per two significant digits, plus one);
 * - writes (PutItem, UpdateItem, DeleteItem, each item of BatchWriteItem): one WRU per started KB of the larger
 *   of the item before and after the write; a write whose condition failed still costs (the larger of the
 *   existing item and the item sent); TransactWriteItems twice that;
 * - index writes, per global secondary index, from the index's key attributes and projection (ALL,
 *   KEYS_ONLY, INCLUDE): an item that gains the index key is one put, one that loses it one delete, one whose
 *   index key changes a delete and a put, one that keeps it but changes a projected attribute one update; each
 *   costs one WRU per started KB of the projected item (table keys, index keys, projected attributes); none
 *   when the item is in the index neither before nor after;
 * - reads: strongly consistent one RRU per started 4 KB per item, eventually consistent half (index queries
 *   are always eventually consistent), a missing item still costs the minimum; BatchGetItem per item;
 *   Query/Scan the items evaluated (sizes summed, then rounded up to 4 KB), filters and projections changing
 *   nothing (the proxy re-reads without them).
 * Sources: the DynamoDB Developer Guide, "DynamoDB read and write operations" and "Global secondary indexes:
 * provisioned throughput considerations" (bench/README.md).
 */

import { OUTBOX_ATTRIBUTE } from '../functions/adapters/dynamodb/ledger-store.ts';

export type AttributeValue = {
  S?: string;
  N?: string;
  B?: string;
  BOOL?: boolean;
  NULL?: boolean;
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  SS?: string[];
  NS?: string[];
  BS?: string[];
};
export type Item = Record<string, AttributeValue>;

export interface IndexSchema {
  name: string;
  /** Partition key, then sort key when there is one. */
  keys: string[];
  projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  /** INCLUDE: the non-key attributes projected. */
  include: string[];
}

export interface TableSchema {
  name: string;
  /** Partition key, then sort key when there is one. */
  keys: string[];
  indexes: IndexSchema[];
}

/** One item written (or whose conditional write failed). */
export interface WriteRecord {
  table: string;
  operation: string;
  /** What the item is (`ledger`, `idempotency key`...): categoryOf its key. */
  category: string;
  /** The item's partition key value. */
  key: string;
  failed: boolean;
  beforeBytes: number;
  afterBytes: number;
  tableUnits: number;
  /** The item written carries events (an `outbox` attribute): its stream record wakes the event publisher. */
  carriesEvents: boolean;
  /** Index writes (a put, a delete, an update each count one) and their units, by index. */
  indexWrites: Record<string, { writes: number; units: number }>;
}

export interface ReadRecord {
  table: string;
  operation: string;
  index: string | undefined;
  category: string;
  /** Items read (found or not; a query's items evaluated). */
  items: number;
  units: number;
}

export interface DynamoUsage {
  /** Requests by API action (`GetItem`, `PutItem`...). */
  requests: Record<string, number>;
  writes: WriteRecord[];
  reads: ReadRecord[];
}

export const emptyUsage = (): DynamoUsage => ({ requests: {}, writes: [], reads: [] });

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

const numberSize = (n: string): number => {
  const digits = n
    .replace(/^[-+]/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
};

/** DynamoDB's item size rules for one value. */
export const valueSize = (value: AttributeValue): number => {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return Buffer.from(value.B, 'base64').length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.M)
    return (
      3 + Object.entries(value.M).reduce((sum, [name, inner]) => sum + utf8(name) + valueSize(inner) + 1, 0)
    );
  if (value.L) return 3 + value.L.reduce((sum, inner) => sum + valueSize(inner) + 1, 0);
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
  return 0;
};

export const itemSize = (item: Item | undefined): number =>
  item === undefined
    ? 0
    : Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);

/** Write units of an item of `bytes` (at least one). */
export const writeUnitsOf = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
/** Read units of `bytes` read (at least the minimum), strongly or eventually consistent. */
export const readUnitsOf = (bytes: number, consistent: boolean): number =>
  Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

const same = (a: AttributeValue | undefined, b: AttributeValue | undefined) =>
  JSON.stringify(a) === JSON.stringify(b);

/** The item as the index stores it: table keys, index keys and the projected attributes; undefined when absent. */
export const projectedItem = (
  item: Item | undefined,
  table: TableSchema,
  index: IndexSchema,
): Item | undefined => {
  if (item === undefined || !index.keys.every((name) => item[name] !== undefined)) return undefined;
  if (index.projection === 'ALL') return item;
  const names = new Set([
    ...table.keys,
    ...index.keys,
    ...(index.projection === 'INCLUDE' ? index.include : []),
  ]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
};

/** The index writes a change of an item from `before` to `after` makes (undefined: no item). */
export const indexWritesOf = (
  table: TableSchema,
  before: Item | undefined,
  after: Item | undefined,
): Record<string, { writes: number; units: number }> => {
  const result: Record<string, { writes: number; units: number }> = {};
  for (const index of table.indexes) {
    const old = projectedItem(before, table, index);
    const next = projectedItem(after, table, index);
    let writes = 0;
    let units = 0;
    if (old === undefined && next !== undefined) {
      writes = 1;
      units = writeUnitsOf(itemSize(next));
    } else if (old !== undefined && next === undefined) {
      writes = 1;
      units = writeUnitsOf(itemSize(old));
    } else if (old !== undefined && next !== undefined) {
      const keyChanged = index.keys.some((name) => !same(old[name], next[name]));
      if (keyChanged) {
        writes = 2;
        units = writeUnitsOf(itemSize(old)) + writeUnitsOf(itemSize(next));
      } else if (JSON.stringify(sorted(old)) !== JSON.stringify(sorted(next))) {
        writes = 1;
        units = writeUnitsOf(Math.max(itemSize(old), itemSize(next)));
      }
    }
    if (writes > 0) result[index.name] = { writes, units };
  }
  return result;
};

const sorted = (item: Item): [string, AttributeValue][] =>
  Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** `PAYMENT#123` -> `ledger`...: what an item is, from its partition key (or its table). */
export const categoryOf = (table: string, partitionKey: string): string => {
  const prefix = partitionKey.includes('#') ? partitionKey.slice(0, partitionKey.indexOf('#')) : '';
  const known: Record<string, string> = {
    PAYMENT: 'ledger',
    ORDER: 'ledger',
    IDEMPOTENCY: 'idempotency key',
    NOTIFICATION: 'notification dedupe',
    HINT: 'notification hint',
    QR_ORDER: 'qr order',
    DUE: 'due index',
  };
  return known[prefix] ?? (prefix ? prefix.toLowerCase() : table);
};

/** One item's write, from the item before and after it (and, for a failed condition, the item sent). */
export const writeRecord = (input: {
  table: TableSchema;
  operation: string;
  key: Item;
  before: Item | undefined;
  after: Item | undefined;
  failed: boolean;
  /** PutItem's item, for a failed condition. */
  sent?: Item | undefined;
  transactional?: boolean;
}): WriteRecord => {
  const partitionKey = input.key[input.table.keys[0] ?? '']?.S ?? '';
  const beforeBytes = itemSize(input.before);
  const afterBytes = input.failed ? itemSize(input.sent) : itemSize(input.after);
  const factor = input.transactional ? 2 : 1;
  return {
    table: input.table.name,
    operation: input.operation,
    category: categoryOf(input.table.name, partitionKey),
    key: partitionKey,
    failed: input.failed,
    beforeBytes,
    afterBytes,
    tableUnits: factor * writeUnitsOf(Math.max(beforeBytes, afterBytes)),
    carriesEvents: !input.failed && input.after?.[OUTBOX_ATTRIBUTE] !== undefined,
    indexWrites: input.failed ? {} : indexWritesOf(input.table, input.before, input.after),
  };
};

export interface UsageTotals {
  requests: number;
  readUnits: number;
  writeUnits: number;
  tableWriteUnits: number;
  indexWriteUnits: number;
  indexWrites: number;
  /** Units by category (`ledger`, `idempotency key`, `index gsi1`...). */
  writeUnitsByCategory: Record<string, number>;
  readUnitsByCategory: Record<string, number>;
  /** Items written (successful writes) by category. */
  writesByCategory: Record<string, number>;
  /** The largest item written by category (before or after the write). */
  largestBytesByCategory: Record<string, number>;
  largestItemBytes: number;
  /** Writes whose item carries events (stream records that pass the publisher's filter). */
  writesWithEvents: number;
}

export const totalsOf = (usage: DynamoUsage): UsageTotals => {
  const writeUnitsByCategory: Record<string, number> = {};
  const readUnitsByCategory: Record<string, number> = {};
  const writesByCategory: Record<string, number> = {};
  const largestBytesByCategory: Record<string, number> = {};
  let tableWriteUnits = 0;
  let indexWriteUnits = 0;
  let indexWrites = 0;
  let largestItemBytes = 0;
  let writesWithEvents = 0;
  const add = (map: Record<string, number>, key: string, value: number) => {
    map[key] = (map[key] ?? 0) + value;
  };
  for (const write of usage.writes) {
    tableWriteUnits += write.tableUnits;
    if (write.carriesEvents) writesWithEvents++;
    add(writeUnitsByCategory, write.category, write.tableUnits);
    if (!write.failed) add(writesByCategory, write.category, 1);
    else add(writesByCategory, `${write.category} (condition failed)`, 1);
    largestItemBytes = Math.max(largestItemBytes, write.beforeBytes, write.afterBytes);
    largestBytesByCategory[write.category] = Math.max(
      largestBytesByCategory[write.category] ?? 0,
      write.beforeBytes,
      write.afterBytes,
    );
    for (const [index, { writes, units }] of Object.entries(write.indexWrites)) {
      indexWriteUnits += units;
      indexWrites += writes;
      add(writeUnitsByCategory, `index ${index}`, units);
      add(writesByCategory, `index ${index}`, writes);
    }
  }
  let readUnits = 0;
  for (const read of usage.reads) {
    readUnits += read.units;
    add(readUnitsByCategory, read.index ? `index ${read.index}` : read.category, read.units);
  }
  return {
    requests: Object.values(usage.requests).reduce((a, b) => a + b, 0),
    readUnits,
    writeUnits: tableWriteUnits + indexWriteUnits,
    tableWriteUnits,
    indexWriteUnits,
    indexWrites,
    writeUnitsByCategory,
    readUnitsByCategory,
    writesByCategory,
    largestBytesByCategory,
    largestItemBytes,
    writesWithEvents,
  };
};
