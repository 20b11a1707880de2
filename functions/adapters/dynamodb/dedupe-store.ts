/**
 * Notifications already handled, so Mercado Pago's retries (every 15 minutes) and duplicate deliveries are
 * processed once. One item per key (`NOTIFICATION#<key>`), claimed with a conditional put while the work runs
 * and marked done only after it succeeded: a notification whose work failed is marked failed, and Mercado
 * Pago's retry claims it again. A claim left by a crashed run expires after its lease. Items live ~2 days.
 */

import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { NotificationDedupeStore } from '../../ports/notification-stores.ts';
import { isConditionFailure } from './client.ts';
import { KeyPrefix, TableKeys } from './table.ts';

export const DEDUPE_RETENTION_SECONDS = 2 * 86_400;

export const DedupeState = { Processing: 'processing', Done: 'done', Failed: 'failed' } as const;

const keyOf = (key: string): Record<string, AttributeValue> => ({
  [TableKeys.partitionKey]: { S: `${KeyPrefix.notification}${key}` },
  [TableKeys.sortKey]: { S: 'NOTIFICATION' },
});

export const createNotificationDedupeStore = (
  client: DynamoDBClient,
  tableName: string,
): NotificationDedupeStore => {
  const setState = async (key: string, owner: string, state: string) => {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(key),
          UpdateExpression: 'SET #state = :state',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#state': 'state', '#owner': 'owner' },
          ExpressionAttributeValues: { ':state': { S: state }, ':owner': { S: owner } },
        }),
      );
    } catch (error) {
      // Someone took an expired claim over: theirs is the word that counts now.
      if (!isConditionFailure(error)) throw error;
    }
  };

  return {
    async claim(key, owner, nowMs, leaseMs) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              ...keyOf(key),
              state: { S: DedupeState.Processing },
              owner: { S: owner },
              leaseUntil: { N: String(nowMs + leaseMs) },
              [TableKeys.ttlAttribute]: { N: String(Math.floor(nowMs / 1000) + DEDUPE_RETENTION_SECONDS) },
            },
            // TTL deletion is lazy: an item past its ttl counts as absent.
            ConditionExpression:
              'attribute_not_exists(#pk) OR #state = :failed OR (#state = :processing AND #leaseUntil < :now) OR #ttl < :nowSeconds',
            ExpressionAttributeNames: {
              '#pk': TableKeys.partitionKey,
              '#state': 'state',
              '#leaseUntil': 'leaseUntil',
              '#ttl': TableKeys.ttlAttribute,
            },
            ExpressionAttributeValues: {
              ':failed': { S: DedupeState.Failed },
              ':processing': { S: DedupeState.Processing },
              ':now': { N: String(nowMs) },
              ':nowSeconds': { N: String(Math.floor(nowMs / 1000)) },
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    complete: (key, owner) => setState(key, owner, DedupeState.Done),
    fail: (key, owner) => setState(key, owner, DedupeState.Failed),
  };
};
