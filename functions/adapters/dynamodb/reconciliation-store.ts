/**
 * Each day's reconciliation: one item `RECONCILIATION#<date>` / `DAY` written with a condition on its
 * version, and one item per discrepancy (`DISCREPANCY#<key>`) written once (a rerun's conditional put
 * changes nothing). Both carry the events of their write as an outbox, published by the table's stream.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { OutEvent } from '../../model/events/types.ts';
import type { Discrepancy, ReconciliationDay } from '../../model/reports/reconciliation.ts';
import type { ReconciliationStore } from '../../ports/reconciliation-store.ts';
import { isConditionFailure } from './client.ts';
import { outboxAttribute } from './ledger-store.ts';
import { KeyPrefix, TableKeys } from './table.ts';

const DAY_SK = 'DAY';
const DISCREPANCY_SK = 'DISCREPANCY#';

const counts = z.object({
  rows: z.int(),
  matched: z.int(),
  recordedExternal: z.int(),
  discrepancies: z.int(),
});
const dayDocument = z.object({
  date: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  reason: z.optional(z.string()),
  reportFile: z.optional(z.string()),
  fileName: z.optional(z.string()),
  counts,
  requestedAt: z.optional(z.string()),
  requests: z.int(),
  completedAt: z.optional(z.string()),
  missingChecked: z.boolean(),
  missingFound: z.optional(z.int()),
  updatedAt: z.string(),
});
const discrepancyDocument = z.object({
  key: z.string(),
  kind: z.enum(['refund_missing_in_report', 'amount_mismatch', 'unknown_refund']),
  paymentId: z.optional(z.string()),
  orderId: z.optional(z.string()),
  refundId: z.optional(z.string()),
  mercadoPagoRefundId: z.optional(z.string()),
  amount: z.optional(z.number()),
  detail: z.string(),
});

const keyOf = (date: string, sk: string): Record<string, AttributeValue> => ({
  [TableKeys.partitionKey]: { S: `${KeyPrefix.reconciliation}${date}` },
  [TableKeys.sortKey]: { S: sk },
});

export const createReconciliationStore = (
  client: DynamoDBClient,
  tableName: string,
): ReconciliationStore => ({
  async getDay(date) {
    const result = await client.send(
      new GetItemCommand({ TableName: tableName, Key: keyOf(date, DAY_SK), ConsistentRead: true }),
    );
    const item = result.Item;
    if (!item?.doc?.S || !item.version?.N) return undefined;
    const doc = dayDocument.parse(JSON.parse(item.doc.S));
    return { ...doc, version: Number(item.version.N) };
  },

  async saveDay(day, events = []) {
    const next: ReconciliationDay = { ...day, version: day.version + 1 };
    const { version: _version, ...doc } = next;
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...keyOf(day.date, DAY_SK),
            version: { N: String(next.version) },
            doc: { S: JSON.stringify(doc) },
            ...outboxAttribute(events),
          },
          ...(day.version === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': { N: String(day.version) } },
              }),
        }),
      );
      return next;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  },

  async addDiscrepancy(date, discrepancy, event: OutEvent) {
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...keyOf(date, `${DISCREPANCY_SK}${discrepancy.key}`),
            doc: { S: JSON.stringify(discrepancy) },
            ...outboxAttribute([event]),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },

  async discrepancies(date, limit) {
    const items: Discrepancy[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': TableKeys.partitionKey, '#sk': TableKeys.sortKey },
          ExpressionAttributeValues: {
            ':pk': { S: `${KeyPrefix.reconciliation}${date}` },
            ':prefix': { S: DISCREPANCY_SK },
          },
          ExclusiveStartKey: start,
          Limit: Math.min(1000, limit + 1 - items.length),
        }),
      );
      for (const item of page.Items ?? []) {
        if (item.doc?.S) items.push(discrepancyDocument.parse(JSON.parse(item.doc.S)));
      }
      start = page.LastEvaluatedKey;
    } while (start && items.length <= limit);
    return { items: items.slice(0, limit), more: items.length > limit };
  },
});
