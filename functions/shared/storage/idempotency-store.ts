/**
 * Idempotency keys in DynamoDB. A key is global (one item per key) and maps to its request fingerprint,
 * the payment and the refund it created, with a lock held while the first request runs. Claims, take-overs
 * and releases are single-item conditional writes; lock expiry is checked in code.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { PaymentLedger } from '../ledger/types.ts';
import { isConditionFailure } from './dynamodb.ts';
import { ledgerFromItem, ledgerKey } from './ledger-store.ts';
import { KeyPrefix, TableKeys } from './table.ts';

export interface StoredResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface IdempotencyRecord {
  key: string;
  /** The route key the key was first used on. */
  route: string;
  paymentId: string;
  fingerprint: string;
  /** The refund this key reserved (refund route). */
  refundId?: string;
  lockOwner: string;
  /** Epoch ms; after it a retry may take the work over. */
  lockedUntil: number;
  /** The final answer when it cannot be derived from the ledger (refusals before any reservation). */
  response?: StoredResponse;
  createdAt: string;
}

/** Keys are remembered for 400 days: longer than any refund window, so a key is never read as new. */
const KEY_RETENTION_SECONDS = 400 * 86_400;

const keyOf = (key: string): Record<string, AttributeValue> => ({
  [TableKeys.partitionKey]: { S: `${KeyPrefix.idempotency}${key}` },
  [TableKeys.sortKey]: { S: 'IDEMPOTENCY' },
});

const recordFromItem = (item: Record<string, AttributeValue> | undefined): IdempotencyRecord | undefined => {
  if (!item?.doc?.S) return undefined;
  const record = JSON.parse(item.doc.S) as IdempotencyRecord;
  record.lockOwner = item.lockOwner?.S ?? record.lockOwner;
  record.lockedUntil = Number(item.lockedUntil?.N ?? record.lockedUntil);
  if (item.response?.S) record.response = JSON.parse(item.response.S) as StoredResponse;
  return record;
};

export interface IdempotencyStore {
  /** One consistent read of both the key and the payment's ledger (a replay costs exactly this). */
  getWithLedger(
    key: string,
    paymentId: string,
  ): Promise<{ record?: IdempotencyRecord; ledger?: PaymentLedger }>;
  /** false when the key exists already. */
  claim(record: IdempotencyRecord): Promise<boolean>;
  /** Takes an expired lock over; false when someone else did first. */
  takeOver(record: IdempotencyRecord, owner: string, lockedUntil: number): Promise<boolean>;
  /** Stores the final answer (only while holding the lock). */
  complete(key: string, owner: string, response: StoredResponse): Promise<void>;
  /** Frees the key (validation failures, and upstream failures where nothing happened). */
  release(key: string, owner: string): Promise<void>;
}

export const createIdempotencyStore = (client: DynamoDBClient, tableName: string): IdempotencyStore => ({
  async getWithLedger(key, paymentId) {
    let request: Record<string, AttributeValue>[] = [keyOf(key), ledgerKey(paymentId)];
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
    const idemPk = `${KeyPrefix.idempotency}${key}`;
    const record = recordFromItem(items.find((item) => item.pk?.S === idemPk));
    const ledger = ledgerFromItem(items.find((item) => item.pk?.S === `${KeyPrefix.payment}${paymentId}`));
    return { ...(record ? { record } : {}), ...(ledger ? { ledger } : {}) };
  },

  async claim(record) {
    const { response: _response, ...doc } = record;
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...keyOf(record.key),
            doc: { S: JSON.stringify(doc) },
            lockOwner: { S: record.lockOwner },
            lockedUntil: { N: String(record.lockedUntil) },
            [TableKeys.ttlAttribute]: {
              N: String(Math.floor(Date.parse(record.createdAt) / 1000) + KEY_RETENTION_SECONDS),
            },
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
