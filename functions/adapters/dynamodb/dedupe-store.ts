/**
 * Notifications already taken, so duplicate deliveries are processed once. One item per notification
 * (`NOTIFICATION#<key>`), taken with one conditional put that is also the record: a taken notification
 * needs no second write (one write unit per notification). The claim's lease outlives the processing and
 * ends before Mercado Pago's first retry (15 minutes: config/timing.ts), so a run that died leaves nothing
 * blocked; a run whose work failed frees the key at once. Items live ~2 days (TTL, also checked in code).
 */

import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { NotificationDedupeStore } from '../../ports/notification-stores.ts';
import { isConditionFailure } from './client.ts';
import { KeyPrefix, TableKeys } from './table.ts';

export const DEDUPE_RETENTION_SECONDS = 2 * 86_400;

const keyOf = (key: string): Record<string, AttributeValue> => ({
  [TableKeys.partitionKey]: { S: `${KeyPrefix.notification}${key}` },
  [TableKeys.sortKey]: { S: 'NOTIFICATION' },
});

export const createNotificationDedupeStore = (
  client: DynamoDBClient,
  tableName: string,
): NotificationDedupeStore => ({
  async claim(key, owner, nowMs, leaseMs) {
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...keyOf(key),
            owner: { S: owner },
            leaseUntil: { N: String(nowMs + leaseMs) },
            [TableKeys.ttlAttribute]: { N: String(Math.floor(nowMs / 1000) + DEDUPE_RETENTION_SECONDS) },
          },
          // TTL deletion is lazy: an item past its ttl counts as absent. Items of the earlier two-write
          // protocol (a `state`) have a lease long over: they are taken again, harmlessly.
          ConditionExpression: 'attribute_not_exists(#pk) OR #leaseUntil < :now OR #ttl < :nowSeconds',
          ExpressionAttributeNames: {
            '#pk': TableKeys.partitionKey,
            '#leaseUntil': 'leaseUntil',
            '#ttl': TableKeys.ttlAttribute,
          },
          ExpressionAttributeValues: {
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

  async release(key, owner) {
    try {
      await client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: keyOf(key),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': { S: owner } },
        }),
      );
    } catch (error) {
      // Someone took an expired claim over: theirs is the word that counts now.
      if (!isConditionFailure(error)) throw error;
    }
  },
});
