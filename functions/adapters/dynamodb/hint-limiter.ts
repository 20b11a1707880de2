/**
 * Unverifiable notifications (IPN, merchant-order and QR notices) only make us re-read a resource, at most
 * once per resource per window: a flood of forged hints costs one conditional write each and cannot use up
 * the Mercado Pago rate limit that refunds depend on. One item per resource (`HINT#<resource>#<id>`).
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { HintLimiter } from '../../ports/notification-stores.ts';
import { isConditionFailure } from './client.ts';
import { KeyPrefix, TableKeys } from './table.ts';

export const HINT_WINDOW_MS = 10_000;

export const createHintLimiter = (
  client: DynamoDBClient,
  tableName: string,
  windowMs = HINT_WINDOW_MS,
): HintLimiter => ({
  async tryAcquire(resource, id, nowMs) {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: {
            [TableKeys.partitionKey]: { S: `${KeyPrefix.hint}${resource}#${id}` },
            [TableKeys.sortKey]: { S: 'HINT' },
          },
          UpdateExpression: 'SET lastReadAt = :now, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(lastReadAt) OR lastReadAt < :cutoff',
          ExpressionAttributeNames: { '#ttl': TableKeys.ttlAttribute },
          ExpressionAttributeValues: {
            ':now': { N: String(nowMs) },
            ':cutoff': { N: String(nowMs - windowMs) },
            ':ttl': { N: String(Math.ceil((nowMs + windowMs) / 1000) + 3600) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
});
