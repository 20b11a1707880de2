/**
 * The refund ledgers in DynamoDB: one item per payment, written only with a condition on its version, so
 * concurrent Lambdas cannot lose each other's changes and every invariant holds with single-item writes.
 * Payments with pending work carry the sparse index attributes the reconciliation job queries.
 * Each write also stores the events out it made (`outbox`, replacing the previous write's): in AWS the table's
 * stream publishes them (functions/event-publisher), so a Lambda dying after its write loses no event.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { outEventsFromLedger } from '../events/from-ledger.ts';
import type { OutEvent } from '../events/types.ts';
import { type LedgerEvent, oldestPendingSince } from '../ledger/ledger.ts';
import type { PaymentLedger } from '../ledger/types.ts';
import { isConditionFailure } from './dynamodb.ts';
import { KeyPrefix, PENDING_WORK, TableKeys } from './table.ts';

export interface LedgerStore {
  get(paymentId: string): Promise<PaymentLedger | undefined>;
  /**
   * Stores `ledger` if nobody wrote since its `version`, with the events out of `events` (what this write
   * changed) as the item's outbox; returns the stored ledger, or null on a conflict.
   */
  save(ledger: PaymentLedger, events?: readonly LedgerEvent[]): Promise<PaymentLedger | null>;
  /** Payments whose oldest pending work started before `before` (ISO), oldest first. */
  listPending(
    before: string,
    limit: number,
    cursor?: string,
  ): Promise<{ paymentIds: string[]; cursor?: string }>;
}

export const ledgerKey = (paymentId: string): Record<string, AttributeValue> => ({
  [TableKeys.partitionKey]: { S: `${KeyPrefix.payment}${paymentId}` },
  [TableKeys.sortKey]: { S: 'LEDGER' },
});

export const ledgerFromItem = (
  item: Record<string, AttributeValue> | undefined,
): PaymentLedger | undefined => {
  if (!item?.doc?.S || !item.version?.N) return undefined;
  const ledger = JSON.parse(item.doc.S) as PaymentLedger;
  ledger.version = Number(item.version.N);
  return ledger;
};

const OUTBOX_ATTRIBUTE = 'outbox';

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

/**
 * The events out a ledger write stored (empty: it made none), from the item as GetItem or the stream's
 * NEW_IMAGE shows it. Throws on an outbox this code did not write.
 */
export const outboxFromItem = (item: Record<string, { S?: string }> | undefined): OutEvent[] => {
  const text = item?.[OUTBOX_ATTRIBUTE]?.S;
  if (!text) return [];
  const outbox: unknown = JSON.parse(text);
  if (!Array.isArray(outbox) || !outbox.every(isOutEvent)) throw new Error('ledger outbox not readable');
  return outbox;
};

export const createLedgerStore = (client: DynamoDBClient, tableName: string): LedgerStore => ({
  async get(paymentId) {
    const result = await client.send(
      new GetItemCommand({ TableName: tableName, Key: ledgerKey(paymentId), ConsistentRead: true }),
    );
    return ledgerFromItem(result.Item);
  },

  async save(ledger, events = []) {
    const next: PaymentLedger = { ...ledger, version: ledger.version + 1 };
    // Built as the inline publisher builds them (same eventIds); only this write's, so the item does not grow.
    const outbox = outEventsFromLedger(next, events, next.updatedAt);
    const { version: _version, ...doc } = next;
    const pendingSince = oldestPendingSince(next);
    const item: Record<string, AttributeValue> = {
      ...ledgerKey(ledger.paymentId),
      version: { N: String(next.version) },
      doc: { S: JSON.stringify(doc) },
      paymentId: { S: ledger.paymentId },
    };
    if (outbox.length > 0) item[OUTBOX_ATTRIBUTE] = { S: JSON.stringify(outbox) };
    if (pendingSince !== null) {
      item[TableKeys.pendingIndexPartitionKey] = { S: PENDING_WORK };
      item[TableKeys.pendingIndexSortKey] = { S: `${pendingSince}#${ledger.paymentId}` };
    }
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

  async listPending(before, limit, cursor) {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: TableKeys.pendingIndexName,
        KeyConditionExpression: '#pk = :pending AND #sk < :before',
        ExpressionAttributeNames: {
          '#pk': TableKeys.pendingIndexPartitionKey,
          '#sk': TableKeys.pendingIndexSortKey,
        },
        ExpressionAttributeValues: { ':pending': { S: PENDING_WORK }, ':before': { S: before } },
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: JSON.parse(Buffer.from(cursor, 'base64url').toString()) } : {}),
      }),
    );
    return {
      paymentIds: (result.Items ?? []).map((item) => item.paymentId?.S).filter((id): id is string => !!id),
      ...(result.LastEvaluatedKey
        ? { cursor: Buffer.from(JSON.stringify(result.LastEvaluatedKey)).toString('base64url') }
        : {}),
    };
  },
});

export class LedgerConflictError extends Error {
  constructor(paymentId: string, attempts: number) {
    super(`Ledger of payment ${paymentId} kept changing under us (${attempts} attempts)`);
    this.name = 'LedgerConflictError';
  }
}

/**
 * Optimistic read-modify-write: `change` computes the next ledger from the current one (or says nothing
 * changes by returning null), with the `events` of that change (stored with it, see `save`); on a concurrent
 * write it runs again on a fresh read, with jittered backoff.
 */
export const updateLedger = async <T>(
  store: LedgerStore,
  paymentId: string,
  initial: PaymentLedger | undefined,
  change: (current: PaymentLedger | undefined) => {
    ledger: PaymentLedger | null;
    result: T;
    events?: readonly LedgerEvent[];
  },
  maxAttempts = 60,
): Promise<{ ledger: PaymentLedger | undefined; result: T; events: readonly LedgerEvent[] }> => {
  let current = initial;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const { ledger, result, events = [] } = change(current);
    if (ledger === null) return { ledger: current, result, events: [] };
    const saved = await store.save(ledger, events);
    // The events of the write that was stored: only its writer publishes them.
    if (saved) return { ledger: saved, result, events };
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));
    current = await store.get(paymentId);
  }
  throw new LedgerConflictError(paymentId, maxAttempts);
};
