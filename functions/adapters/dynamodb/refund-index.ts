/**
 * The refunds-by-day index and the open-chargebacks list (table.ts): small items written by the ledger
 * store before the ledger write whose events say a refund was added or a chargeback changed (so an index
 * item never misses a stored refund; one written for a write that then lost its race points at nothing and
 * is skipped by readers), and read by the reports function and job.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { LedgerEvent } from '../../model/ledger/change.ts';
import type {
  OpenChargebackPointer,
  RefundIndex,
  RefundPointer,
  RefundSweepIndex,
  ShardPointer,
} from '../../ports/refund-index.ts';
import { fnv1a, KeyPrefix, REFUND_INDEX_SHARDS, refundIndexPartition, TableKeys } from './table.ts';

const monthOf = (iso: string): string => iso.slice(0, 7);

export const refundIndexItem = (
  tableName: string,
  ledgerId: string,
  refund: { id: string; createdAt: string },
): PutItemCommand['input'] => ({
  TableName: tableName,
  Item: {
    [TableKeys.partitionKey]: {
      S: refundIndexPartition(monthOf(refund.createdAt), fnv1a(refund.id) % REFUND_INDEX_SHARDS),
    },
    [TableKeys.sortKey]: { S: `${refund.createdAt}#${refund.id}` },
    ledgerId: { S: ledgerId },
  },
});

const chargebackKey = (ledgerId: string, chargebackId: string): Record<string, AttributeValue> => ({
  [TableKeys.partitionKey]: { S: KeyPrefix.openChargebacks },
  [TableKeys.sortKey]: { S: `${ledgerId}#${chargebackId}` },
});

/** Writes the index items of a ledger write's events (before the write itself). */
export const writeIndexes = async (
  client: DynamoDBClient,
  tableName: string,
  ledgerId: string,
  events: readonly LedgerEvent[],
): Promise<void> => {
  const writes: Promise<unknown>[] = [];
  for (const event of events) {
    if (event.kind === 'refund.recorded') {
      writes.push(client.send(new PutItemCommand(refundIndexItem(tableName, ledgerId, event.refund))));
    } else if (event.kind === 'chargeback.changed') {
      const key = chargebackKey(ledgerId, event.chargeback.id);
      writes.push(
        event.chargeback.status === 'open'
          ? client.send(
              new PutItemCommand({
                TableName: tableName,
                Item: {
                  ...key,
                  ...(event.chargeback.documentationDeadline === null
                    ? {}
                    : { deadline: { S: event.chargeback.documentationDeadline } }),
                },
              }),
            )
          : client.send(new DeleteItemCommand({ TableName: tableName, Key: key })),
      );
    }
  }
  await Promise.all(writes);
};

const PAGE = 100;

const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The months (yyyy-mm) a range of days touches. */
const monthsOf = (fromDay: string, toDay: string): string[] => {
  const months: string[] = [];
  for (let day = fromDay; day <= toDay; day = addDays(day, 1)) {
    const month = monthOf(day);
    if (months.at(-1) !== month) months.push(month);
  }
  return months;
};

/** One page of a shard's month, the sort keys between `lower` and `upper` (both inclusive). */
const queryPage = (
  client: DynamoDBClient,
  tableName: string,
  range: { month: string; shard: number; lower: string; upper: string },
  page: { limit: number; start: Record<string, AttributeValue> | undefined; consistent?: boolean },
) =>
  client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lower AND :upper',
      ExpressionAttributeNames: { '#pk': TableKeys.partitionKey, '#sk': TableKeys.sortKey },
      ExpressionAttributeValues: {
        ':pk': { S: refundIndexPartition(range.month, range.shard) },
        ':lower': { S: range.lower },
        ':upper': { S: range.upper },
      },
      ...(page.consistent ? { ConsistentRead: true } : {}),
      Limit: page.limit,
      ExclusiveStartKey: page.start,
    }),
  );

/** The refund a sort key names: `<createdAt>#<id>`. */
const pointerOf = (item: Record<string, AttributeValue>): ShardPointer => {
  const sk = item[TableKeys.sortKey]?.S ?? '';
  const cut = sk.lastIndexOf('#');
  return {
    position: sk,
    createdAt: sk.slice(0, cut),
    refundId: sk.slice(cut + 1),
    ledgerId: item.ledgerId?.S ?? '',
  };
};

/** A page of the sweep's reading: pointers are ~100 bytes, so a page is a few read units. */
const SWEEP_PAGE = 500;

export const createRefundSweepIndex = (client: DynamoDBClient, tableName: string): RefundSweepIndex => ({
  shards: REFUND_INDEX_SHARDS,
  async *shardCreated(shard, from, upTo) {
    const position = 'position' in from ? from.position : undefined;
    // Sort keys are `<createdAt>#<id>`: '$' sorts after '#', so `<upTo>$` bounds every refund created at upTo.
    const lower = position ?? `${'day' in from ? from.day : ''}T`;
    const upper = `${upTo}$`;
    if (lower > upper) return;
    for (const month of monthsOf(lower.slice(0, 10), upTo.slice(0, 10))) {
      let start: Record<string, AttributeValue> | undefined;
      do {
        // The index items are written before their ledger write: a consistent read misses none written.
        const page = await queryPage(
          client,
          tableName,
          { month, shard, lower, upper },
          { limit: SWEEP_PAGE, start, consistent: true },
        );
        for (const item of page.Items ?? []) {
          const pointer = pointerOf(item);
          // BETWEEN is inclusive: the cursor's own refund was swept before.
          if (pointer.position !== position) yield pointer;
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
    }
  },
});

export const createRefundIndex = (client: DynamoDBClient, tableName: string): RefundIndex => ({
  async *created(fromDay, toDay, after) {
    // Every sort key is `<createdAt>#<id>`: '$' sorts after '#', and `~` after any date character.
    const lower = after === undefined ? `${fromDay}T` : `${after.createdAt}#${after.refundId}`;
    const upper = `${toDay}T~`;
    for (const month of monthsOf(fromDay, toDay)) {
      type Shard = { rows: RefundPointer[]; next?: Record<string, AttributeValue>; done: boolean };
      const fill = async (shard: number, state: Shard) => {
        const page = await queryPage(
          client,
          tableName,
          { month, shard, lower, upper },
          { limit: PAGE, start: state.next },
        );
        for (const item of page.Items ?? []) {
          const { position: _position, ...pointer } = pointerOf(item);
          // BETWEEN is inclusive: the cursor's own refund was on the page before.
          if (
            after !== undefined &&
            pointer.createdAt === after.createdAt &&
            pointer.refundId === after.refundId
          )
            continue;
          state.rows.push(pointer);
        }
        state.next = page.LastEvaluatedKey;
        state.done = page.LastEvaluatedKey === undefined;
      };
      const shards: Shard[] = Array.from({ length: REFUND_INDEX_SHARDS }, () => ({ rows: [], done: false }));
      await Promise.all(shards.map((state, shard) => fill(shard, state)));
      const before = (a: RefundPointer, b: RefundPointer) =>
        a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.refundId < b.refundId);
      for (;;) {
        let best: { shard: number; state: Shard; head: RefundPointer } | undefined;
        for (const [shard, state] of shards.entries()) {
          const head = state.rows[0];
          if (head && (!best || before(head, best.head))) best = { shard, state, head };
        }
        if (!best) break;
        best.state.rows.shift();
        yield best.head;
        if (best.state.rows.length === 0 && !best.state.done) await fill(best.shard, best.state);
      }
    }
  },

  async openChargebacks() {
    const found: OpenChargebackPointer[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TableKeys.partitionKey },
          ExpressionAttributeValues: { ':pk': { S: KeyPrefix.openChargebacks } },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = item[TableKeys.sortKey]?.S ?? '';
        const cut = sk.indexOf('#');
        found.push({
          ledgerId: sk.slice(0, cut),
          chargebackId: sk.slice(cut + 1),
          deadline: item.deadline?.S ?? null,
        });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  },
});
