/**
 * Idempotency keys in DynamoDB. A key is global (one item per key) and maps to its request fingerprint, the
 * payment (or order) and the refund it reserved, with a lock held while the first request runs. Claims,
 * take-overs and releases are single-item conditional writes. Items expire after
 * IDEMPOTENCY_KEY_RETENTION_DAYS (DynamoDB TTL, lazy: expiry is checked in code too); the ledger keeps each
 * refund's key for good, so a repeat after that still finds its refund there.
 */

import {
  type AttributeValue,
  BatchGetItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { IdempotencyRecord, IdempotencyStore, StoredResponse } from '../../ports/idempotency-store.ts';
import { isConditionFailure } from './client.ts';
import { ledgerFromItem, ledgerKey } from './ledger-store.ts';
import { KeyPrefix, TableKeys } from './table.ts';

export const DEFAULT_KEY_RETENTION_DAYS = 30;

const keyOf = (key: string): Record<string, AttributeValue> => ({
  [TableKeys.partitionKey]: { S: `${KeyPrefix.idempotency}${key}` },
  [TableKeys.sortKey]: { S: 'IDEMPOTENCY' },
});

// `paymentId` is the stored name of the subject (records written before orders existed use it too).
const storedDoc = z.object({
  key: z.string(),
  route: z.string(),
  paymentId: z.string(),
  fingerprint: z.string(),
  refundId: z.optional(z.string()),
  createdAt: z.string(),
});
const storedResponse = z.object({
  status: z.int(),
  body: z.optional(z.unknown()),
  headers: z.optional(z.record(z.string(), z.string())),
});

export class IdempotencyRecordError extends Error {
  constructor(key: string, problem: string) {
    super(`Stored idempotency key ${key} is not readable: ${problem}`);
    this.name = 'IdempotencyRecordError';
  }
}

export const recordFromItem = (
  item: Record<string, AttributeValue> | undefined,
): IdempotencyRecord | undefined => {
  if (!item?.doc?.S) return undefined;
  const doc = storedDoc.safeParse(JSON.parse(item.doc.S));
  const pk = item[TableKeys.partitionKey]?.S ?? '';
  if (!doc.success) throw new IdempotencyRecordError(pk, doc.error.issues[0]?.message ?? 'invalid');
  let response: StoredResponse | undefined;
  if (item.response?.S) {
    const parsed = storedResponse.safeParse(JSON.parse(item.response.S));
    if (!parsed.success) throw new IdempotencyRecordError(pk, 'response not readable');
    response = parsed.data as StoredResponse;
  }
  const { paymentId, ...rest } = doc.data;
  return {
    ...rest,
    subjectId: paymentId,
    lockOwner: item.lockOwner?.S ?? '',
    lockedUntil: Number(item.lockedUntil?.N ?? 0),
    response,
    expiresAt: Number(item[TableKeys.ttlAttribute]?.N ?? 0),
  };
};

export const createIdempotencyStore = (client: DynamoDBClient, tableName: string): IdempotencyStore => ({
  async getWithLedger(key, subjectId, nowMs) {
    let request: Record<string, AttributeValue>[] = [keyOf(key), ledgerKey(subjectId)];
    const items: Record<string, AttributeValue>[] = [];
    for (let attempt = 0; request.length > 0; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** Math.min(attempt, 6)));
      if (attempt > 8) throw new Error('BatchGetItem kept returning unprocessed keys');
      const result = await client.send(
        new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: request, ConsistentRead: true } } }),
      );
      items.push(...(result.Responses?.[tableName] ?? []));
      request = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
    const idemPk = keyOf(key)[TableKeys.partitionKey]?.S;
    const ledgerPk = ledgerKey(subjectId)[TableKeys.partitionKey]?.S;
    const record = recordFromItem(items.find((item) => item.pk?.S === idemPk));
    const ledger = ledgerFromItem(items.find((item) => item.pk?.S === ledgerPk));
    const live = record && record.expiresAt * 1000 > nowMs ? record : undefined;
    return { record: live, ledger };
  },

  async claim(record, nowMs) {
    const doc = {
      key: record.key,
      route: record.route,
      paymentId: record.subjectId,
      fingerprint: record.fingerprint,
      refundId: record.refundId,
      createdAt: record.createdAt,
    };
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...keyOf(record.key),
            doc: { S: JSON.stringify(doc) },
            lockOwner: { S: record.lockOwner },
            lockedUntil: { N: String(record.lockedUntil) },
            [TableKeys.ttlAttribute]: { N: String(record.expiresAt) },
          },
          // An item past its TTL counts as absent (DynamoDB deletes it lazily; dynalite never does).
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': TableKeys.ttlAttribute },
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(nowMs / 1000)) } },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },

  async takeOver(record, owner, lockedUntil) {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(record.key),
          UpdateExpression: 'SET lockOwner = :owner, lockedUntil = :until',
          ConditionExpression:
            'lockOwner = :previous AND lockedUntil = :previousUntil AND attribute_not_exists(#response)',
          ExpressionAttributeNames: { '#response': 'response' },
          ExpressionAttributeValues: {
            ':owner': { S: owner },
            ':until': { N: String(lockedUntil) },
            ':previous': { S: record.lockOwner },
            ':previousUntil': { N: String(record.lockedUntil) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },

  async complete(key, owner, response) {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: keyOf(key),
          UpdateExpression: 'SET #response = :response, lockedUntil = :zero',
          ConditionExpression: 'lockOwner = :owner',
          ExpressionAttributeNames: { '#response': 'response' },
          ExpressionAttributeValues: {
            ':response': { S: JSON.stringify(response) },
            ':owner': { S: owner },
            ':zero': { N: '0' },
          },
        }),
      );
    } catch (error) {
      // The lock was taken over (this request outlived it): the new holder decides the answer.
      if (!isConditionFailure(error)) throw error;
    }
  },

  async release(key, owner) {
    try {
      await client.send(
        new DeleteItemCommand({
          TableName: tableName,
          Key: keyOf(key),
          ConditionExpression: 'lockOwner = :owner',
          ExpressionAttributeValues: { ':owner': { S: owner } },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  },
});
