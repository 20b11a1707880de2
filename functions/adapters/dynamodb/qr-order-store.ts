/**
 * The in-store QR orders this service put on a till, one item per external reference, so a notification
 * can mark them paid or expired and GET can tell their status. A paid order never goes back to open or
 * expired: every write is conditional on it. Items are forgotten (`ttl`) 30 days after their expiry. A status
 * change stores its event in the item (`outbox`) for the table's stream to publish.
 */

import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type QrOrderRecord, QrOrderStatus } from '../../model/qr-order.ts';
import type { QrOrderStore } from '../../ports/qr-order-store.ts';
import { isConditionFailure } from './client.ts';
import { outboxAttribute } from './ledger-store.ts';
import { KeyPrefix, TableKeys } from './table.ts';

/** How long a record is kept after its expiry (DynamoDB TTL, epoch seconds). */
export const QR_ORDER_RETENTION_SECONDS = 30 * 86_400;

const SORT_KEY = 'QR_ORDER';

const keyOf = (externalReference: string): Record<string, AttributeValue> => ({
  [TableKeys.partitionKey]: { S: `${KeyPrefix.qrOrder}${externalReference}` },
  [TableKeys.sortKey]: { S: SORT_KEY },
});

const STATUSES: readonly string[] = Object.values(QrOrderStatus);

const recordFromItem = (item: Record<string, AttributeValue> | undefined): QrOrderRecord | undefined => {
  const status = item?.status?.S;
  if (!item || status === undefined || !STATUSES.includes(status)) return undefined;
  return {
    externalReference: item.externalReference?.S ?? '',
    externalPosId: item.externalPosId?.S ?? '',
    externalStoreId: item.externalStoreId?.S,
    totalMinor: Number(item.totalMinor?.N ?? 0),
    currency: item.currency?.S ?? '',
    title: item.title?.S ?? '',
    expiresAt: item.expiresAt?.S ?? '',
    status: status as QrOrderStatus,
    createdAt: item.createdAt?.S ?? '',
    updatedAt: item.updatedAt?.S ?? '',
  };
};

export const createQrOrderStore = (client: DynamoDBClient, tableName: string): QrOrderStore => ({
  async get(externalReference) {
    const result = await client.send(
      new GetItemCommand({ TableName: tableName, Key: keyOf(externalReference), ConsistentRead: true }),
    );
    return recordFromItem(result.Item);
  },

  async put(record) {
    const expiresAtSeconds = Math.floor(Date.parse(record.expiresAt) / 1000);
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...keyOf(record.externalReference),
            externalReference: { S: record.externalReference },
            externalPosId: { S: record.externalPosId },
            ...(record.externalStoreId !== undefined
              ? { externalStoreId: { S: record.externalStoreId } }
              : {}),
            totalMinor: { N: String(record.totalMinor) },
            currency: { S: record.currency },
            title: { S: record.title },
            expiresAt: { S: record.expiresAt },
            status: { S: record.status },
            createdAt: { S: record.createdAt },
            updatedAt: { S: record.updatedAt },
            [TableKeys.ttlAttribute]: { N: String(expiresAtSeconds + QR_ORDER_RETENTION_SECONDS) },
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #status <> :paid',
          ExpressionAttributeNames: { '#pk': TableKeys.partitionKey, '#status': 'status' },
          ExpressionAttributeValues: { ':paid': { S: QrOrderStatus.Paid } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },

  async markStatus(externalReference, status, at, events) {
    const allowedFrom =
      status === QrOrderStatus.Paid ? [QrOrderStatus.Open, QrOrderStatus.Expired] : [QrOrderStatus.Open];
    const values: Record<string, AttributeValue> = {
      ':status': { S: status },
      ':at': { S: at },
      // The events this change makes, published by the table's stream (see ledger-store.ts).
      ':outbox': outboxAttribute(events).outbox ?? { S: '[]' },
    };
    allowedFrom.forEach((from, index) => {
      values[`:from${index}`] = { S: from };
    });
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(externalReference),
          UpdateExpression: 'SET #status = :status, updatedAt = :at, outbox = :outbox',
          ConditionExpression: `attribute_exists(#pk) AND #status IN (${allowedFrom.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#pk': TableKeys.partitionKey, '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
});
