/**
 * The ledgers in DynamoDB: one item per payment (`PAYMENT#<id>`) or order (`ORDER#<id>`), written only with
 * a condition on its version, so concurrent functions cannot lose each other's changes and every invariant
 * holds with single-item writes. A ledger with pending work carries the due-work index attributes
 * (table.ts). Each write also stores the events out it made (`outbox`, absent when it made none): the
 * table's stream publishes them (functions/event-publisher; locally a forwarder in front of the embedded
 * DynamoDB does), so a function dying right after its write loses no event.
 */

import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { isoAt } from '../../model/clock.ts';
import { outEventsOf } from '../../model/events/from-ledger.ts';
import type { OutEvent } from '../../model/events/types.ts';
import { FIRST_SWEEP_LOOKBACK_MS } from '../../model/ledger/change.ts';
import { pendingSince } from '../../model/ledger/schedule.ts';
import { type Ledger, LedgerKind, ledgerKindOf } from '../../model/ledger/types.ts';
import type { DueLedger, LedgerQueries, LedgerStore } from '../../ports/ledger-store.ts';
import { isConditionFailure } from './client.ts';
import { decodeLedgerBody, encodeLedgerBody } from './ledger-codec.ts';
import { documentOf, ledgerFromDocument } from './ledger-document.ts';
import { createRefundSweepIndex, writeIndexes } from './refund-index.ts';
import { createSweepCursorStore } from './sweep-cursor-store.ts';
import {
  ATTENTION_PARTITION,
  DUE_INDEX_SHARDS,
  dueIndexPartition,
  dueShardOf,
  KeyPrefix,
  LEGACY_PENDING_PARTITION,
  TableKeys,
} from './table.ts';

export const ledgerKey = (id: string): Record<string, AttributeValue> => ({
  [TableKeys.partitionKey]: {
    S: `${ledgerKindOf(id) === LedgerKind.Payment ? KeyPrefix.payment : KeyPrefix.order}${id}`,
  },
  [TableKeys.sortKey]: { S: 'LEDGER' },
});

const idOfKey = (pk: string): string => pk.slice(pk.indexOf('#') + 1);

export const ledgerFromItem = (item: Record<string, AttributeValue> | undefined): Ledger | undefined => {
  if (!item?.version?.N || !item.pk?.S) return undefined;
  const id = idOfKey(item.pk.S);
  if (item.doc?.B)
    return ledgerFromDocument(decodeLedgerBody(item.doc.B).document, Number(item.version.N), id);
  // Written before bodies were packed (ledger-codec.ts): the document as JSON.
  if (item.doc?.S) return ledgerFromDocument(JSON.parse(item.doc.S), Number(item.version.N), id);
  return undefined;
};

export const OUTBOX_ATTRIBUTE = 'outbox';

const isOutEvent = (value: unknown): value is OutEvent => {
  const event = value as {
    detailType?: unknown;
    detail?: { eventId?: unknown; occurredAt?: unknown };
  } | null;
  return (
    typeof event?.detailType === 'string' &&
    typeof event.detail?.eventId === 'string' &&
    typeof event.detail.occurredAt === 'string'
  );
};

/** An attribute as GetItem gives it (bytes) or as a stream record carries it (base64 text for B). */
type StoredAttribute = { S?: string; N?: string; B?: Uint8Array | string };

/**
 * The events out a write stored (empty: it made none), from the item as GetItem or the stream's NEW_IMAGE
 * shows it. A ledger's events are in its packed body (`outbox` holds their count); a QR order record's, and
 * a ledger's written before bodies were packed, are JSON in `outbox`. Throws on an outbox this code did not
 * write.
 */
export const outboxFromItem = (item: Record<string, StoredAttribute> | undefined): OutEvent[] => {
  const outboxAttribute = item?.[OUTBOX_ATTRIBUTE];
  let outbox: unknown;
  if (outboxAttribute?.S) outbox = JSON.parse(outboxAttribute.S);
  else if (outboxAttribute?.N !== undefined && item?.doc?.B) outbox = decodeLedgerBody(item.doc.B).events;
  else if (outboxAttribute?.N !== undefined) throw new Error('outbox not readable: no body');
  else return [];
  if (!Array.isArray(outbox) || !outbox.every(isOutEvent)) throw new Error('outbox not readable');
  return outbox;
};

/** The outbox attribute of a write that made these events (none when there are none). */
export const outboxAttribute = (events: readonly OutEvent[]): Record<string, AttributeValue> =>
  events.length > 0 ? { [OUTBOX_ATTRIBUTE]: { S: JSON.stringify(events) } } : {};

const DUE_PAGE = 100;
/** BatchGetItem's limit. */
const BATCH_GET = 100;

export const createLedgerStore = (client: DynamoDBClient, tableName: string): LedgerStore => {
  /**
   * One page of a due-work partition. Partition -1 is the one ledgers written before the index was sharded
   * sit in (`PENDING`, sorted by when their work began): read whole, since its sort key is no check time;
   * a ledger leaves it at its next write.
   */
  const queryShard = async (
    shard: number,
    upper: string,
    pageSize: number,
    start?: Record<string, AttributeValue>,
  ) =>
    client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TableKeys.pendingIndexName,
        KeyConditionExpression: '#pk = :shard AND #sk < :upper',
        ExpressionAttributeNames: {
          '#pk': TableKeys.pendingIndexPartitionKey,
          '#sk': TableKeys.pendingIndexSortKey,
        },
        ExpressionAttributeValues: {
          ':shard': { S: shard < 0 ? LEGACY_PENDING_PARTITION : dueIndexPartition(shard) },
          ':upper': { S: upper },
        },
        Limit: pageSize,
        ExclusiveStartKey: start,
      }),
    );

  return {
    async get(id) {
      const result = await client.send(
        new GetItemCommand({ TableName: tableName, Key: ledgerKey(id), ConsistentRead: true }),
      );
      return ledgerFromItem(result.Item);
    },

    async peek(id) {
      const result = await client.send(new GetItemCommand({ TableName: tableName, Key: ledgerKey(id) }));
      return ledgerFromItem(result.Item);
    },

    async getMany(ids) {
      const found = new Map<string, Ledger>();
      const unique = [...new Set(ids)];
      for (let start = 0; start < unique.length; start += BATCH_GET) {
        let keys: Record<string, AttributeValue>[] | undefined = unique
          .slice(start, start + BATCH_GET)
          .map((id) => ledgerKey(id));
        for (let tries = 0; keys && keys.length > 0; tries++) {
          if (tries > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** tries)));
          const result: BatchGetItemCommandOutput = await client.send(
            new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys } } }),
          );
          for (const item of result.Responses?.[tableName] ?? []) {
            const ledger = ledgerFromItem(item);
            if (ledger) found.set(ledger.id, ledger);
          }
          keys = result.UnprocessedKeys?.[tableName]?.Keys;
          if (tries > 10 && keys && keys.length > 0)
            throw new Error('BatchGetItem kept leaving keys unprocessed');
        }
      }
      return found;
    },

    async save(ledger, events = []) {
      const next: Ledger = { ...ledger, version: ledger.version + 1 };
      const out = outEventsOf(next, events);
      const item: Record<string, AttributeValue> = {
        ...ledgerKey(ledger.id),
        version: { N: String(next.version) },
        // The document and this write's events, packed (ledger-codec.ts); `outbox` says there are events,
        // for the stream's filter.
        doc: { B: encodeLedgerBody(documentOf(next), out) },
        ...(out.length > 0 ? { [OUTBOX_ATTRIBUTE]: { N: String(out.length) } } : {}),
      };
      // A ledger whose pending work the day-index sweep covers stays out of the due index (change.ts,
      // leftToTheSweep): no index write for a refund that settles at once. Judged by the clock now, not the
      // rule's: a write made late (its environment frozen and thawed) indexes the ledger.
      const leftToSweepUntil = next.schedule?.leftToSweepUntil;
      const leftOut = leftToSweepUntil !== undefined && Date.now() < Date.parse(leftToSweepUntil);
      if (next.schedule !== undefined && !leftOut) {
        item[TableKeys.pendingIndexPartitionKey] = { S: dueIndexPartition(dueShardOf(ledger.id)) };
        item[TableKeys.pendingIndexSortKey] = { S: `${next.schedule.nextCheckAt}#${ledger.id}` };
        const since = pendingSince(next);
        if (since !== null) item[TableKeys.pendingSinceAttribute] = { S: since };
      } else if (next.attention.length > 0) {
        // Nothing to reconcile, something for a person: listed by the operations routes only.
        const oldest = next.attention.map((finding) => finding.since).sort()[0];
        item[TableKeys.pendingIndexPartitionKey] = { S: ATTENTION_PARTITION };
        item[TableKeys.pendingIndexSortKey] = { S: `${oldest}#${ledger.id}` };
      }
      // The index items first: a stored refund is never missing from the day index (refund-index.ts).
      await writeIndexes(client, tableName, ledger.id, events);
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: item,
            ...(ledger.version === 0
              ? { ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  ConditionExpression: 'version = :expected',
                  ExpressionAttributeValues: { ':expected': { N: String(ledger.version) } },
                }),
          }),
        );
        return next;
      } catch (error) {
        if (isConditionFailure(error)) return null;
        throw error;
      }
    },

    async oldestPending() {
      // Every shard read whole (keys and pendingSince, ~150 bytes an entry: 10,000 pending ledgers are ~1.5
      // MB, a few hundred read units), and the legacy partition's first entry (sorted by pendingSince).
      const oldestOf = async (shard: number): Promise<string | null> => {
        let oldest: string | null = null;
        let start: Record<string, AttributeValue> | undefined;
        do {
          const page = await queryShard(shard, '\uffff', shard < 0 ? 1 : 1000, start);
          for (const row of page.Items ?? []) {
            const since =
              row[TableKeys.pendingSinceAttribute]?.S ??
              (shard < 0 ? row[TableKeys.pendingIndexSortKey]?.S?.split('#')[0] : undefined);
            if (since !== undefined && (oldest === null || since < oldest)) oldest = since;
          }
          start = shard < 0 ? undefined : page.LastEvaluatedKey;
        } while (start !== undefined);
        return oldest;
      };
      const shards = Array.from({ length: DUE_INDEX_SHARDS + 1 }, (_, i) =>
        i === DUE_INDEX_SHARDS ? -1 : i,
      );
      const oldest = await Promise.all(shards.map(oldestOf));
      return oldest.reduce<string | null>((a, b) => (b !== null && (a === null || b < a) ? b : a), null);
    },

    async *due(now, pageSize = DUE_PAGE) {
      // Every sort key of a due ledger is below `<now>$` ('$' sorts after '#').
      const upper = `${now}$`;
      type Shard = { rows: DueLedger[]; next?: Record<string, AttributeValue> | undefined; done: boolean };
      const fill = async (shard: number, state: Shard) => {
        const page = await queryShard(shard, upper, pageSize, state.next);
        for (const row of page.Items ?? []) {
          const sk = row[TableKeys.pendingIndexSortKey]?.S ?? '';
          const cut = sk.indexOf('#');
          state.rows.push({ nextCheckAt: sk.slice(0, cut), id: sk.slice(cut + 1) });
        }
        state.next = page.LastEvaluatedKey;
        state.done = page.LastEvaluatedKey === undefined;
      };
      // The shards, then the legacy partition (index DUE_INDEX_SHARDS here, read as partition -1).
      const partitionOf = (index: number) => (index === DUE_INDEX_SHARDS ? -1 : index);
      const shards: Shard[] = Array.from({ length: DUE_INDEX_SHARDS + 1 }, () => ({ rows: [], done: false }));
      await Promise.all(shards.map((state, index) => fill(partitionOf(index), state)));
      // A k-way merge: the earliest due ledger of all shards first.
      for (;;) {
        let best: { index: number; state: Shard; head: DueLedger } | undefined;
        for (const [index, state] of shards.entries()) {
          const head = state.rows[0];
          if (head && (!best || head.nextCheckAt < best.head.nextCheckAt)) best = { index, state, head };
        }
        if (!best) return;
        best.state.rows.shift();
        yield best.head;
        if (best.state.rows.length === 0 && !best.state.done) await fill(partitionOf(best.index), best.state);
      }
    },
  };
};

/** BatchGetItem's limit per request. */
const BATCH_GET_KEYS = 100;
/** Rounds of UnprocessedKeys retried before giving up (each round takes what DynamoDB could not serve). */
const BATCH_GET_ROUNDS = 8;

export const createLedgerQueries = (client: DynamoDBClient, tableName: string): LedgerQueries => ({
  async *openLedgerIds(unsweptUpTo) {
    const partitions = [
      ...Array.from({ length: DUE_INDEX_SHARDS }, (_, shard) => dueIndexPartition(shard)),
      LEGACY_PENDING_PARTITION,
      ATTENTION_PARTITION,
    ];
    const seen = new Set<string>();
    for (const partition of partitions) {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: TableKeys.pendingIndexName,
            KeyConditionExpression: '#pk = :partition',
            ExpressionAttributeNames: {
              '#pk': TableKeys.pendingIndexPartitionKey,
              '#sk': TableKeys.pendingIndexSortKey,
            },
            ExpressionAttributeValues: { ':partition': { S: partition } },
            ProjectionExpression: '#sk',
            ExclusiveStartKey: start,
          }),
        );
        for (const row of page.Items ?? []) {
          const sk = row[TableKeys.pendingIndexSortKey]?.S ?? '';
          const id = sk.slice(sk.indexOf('#') + 1);
          if (id === '' || seen.has(id)) continue;
          seen.add(id);
          yield id;
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }
    // Ledgers left out of the due index while their refunds are new (change.ts, leftToTheSweep) that the
    // sweep has not reached yet: the refunds past its position in each shard, created up to `unsweptUpTo`.
    const sweep = createRefundSweepIndex(client, tableName);
    const positions = await createSweepCursorStore(client, tableName).read();
    const firstDay = isoAt(Date.parse(unsweptUpTo) - FIRST_SWEEP_LOOKBACK_MS).slice(0, 10);
    for (let shard = 0; shard < sweep.shards; shard++) {
      const position = positions.get(shard);
      const from = position === undefined ? { day: firstDay } : { position };
      for await (const pointer of sweep.shardCreated(shard, from, unsweptUpTo)) {
        if (seen.has(pointer.ledgerId)) continue;
        seen.add(pointer.ledgerId);
        yield pointer.ledgerId;
      }
    }
  },

  async getMany(ids) {
    const ledgers: Ledger[] = [];
    for (let offset = 0; offset < ids.length; offset += BATCH_GET_KEYS) {
      let keys: Record<string, AttributeValue>[] | undefined = ids
        .slice(offset, offset + BATCH_GET_KEYS)
        .map((id) => ledgerKey(id));
      for (let round = 0; keys !== undefined && keys.length > 0; round++) {
        if (round === BATCH_GET_ROUNDS) throw new Error(`BatchGetItem left ${keys.length} ledgers unread`);
        const result: BatchGetItemCommandOutput = await client.send(
          new BatchGetItemCommand({
            RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } },
          }),
        );
        for (const item of result.Responses?.[tableName] ?? []) {
          const ledger = ledgerFromItem(item);
          if (ledger) ledgers.push(ledger);
        }
        keys = result.UnprocessedKeys?.[tableName]?.Keys;
      }
    }
    return ledgers;
  },
});
