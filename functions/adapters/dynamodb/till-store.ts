/**
 * The tills' orders (QR_API=orders), one item per till (`TILL#<externalPosId>`): a versioned JSON document,
 * validated on read, written only with a condition on its version, so concurrent PUTs on one till cannot
 * both create an order.
 */

import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { TillRecord } from '../../model/till.ts';
import type { TillStore } from '../../ports/till-store.ts';
import { isConditionFailure } from './client.ts';
import { KeyPrefix, TableKeys } from './table.ts';

const keyOf = (externalPosId: string): Record<string, AttributeValue> => ({
  [TableKeys.partitionKey]: { S: `${KeyPrefix.till}${externalPosId}` },
  [TableKeys.sortKey]: { S: 'TILL' },
});

const text = z.string();
const item = z.object({
  skuNumber: z.optional(text),
  category: z.optional(text),
  title: text,
  description: z.optional(text),
  unitPrice: z.number(),
  quantity: z.number(),
  unitMeasure: text,
  totalAmount: z.number(),
});
const request = z.object({
  externalReference: text,
  description: text,
  totalAmount: text,
  expirationTime: text,
  externalPosId: text,
  mode: z.enum(['static', 'dynamic', 'hybrid']),
  items: z.array(
    z.object({
      title: text,
      unitPrice: text,
      quantity: z.number(),
      unitMeasure: text,
      description: z.optional(text),
      category: z.optional(text),
      skuNumber: z.optional(text),
    }),
  ),
});
const document = z.object({
  externalPosId: text,
  sequence: z.int(),
  current: z.optional(
    z.object({
      sequence: z.int(),
      fingerprint: text,
      request,
      view: z.object({
        title: text,
        description: z.optional(text),
        totalAmount: z.number(),
        items: z.array(item),
      }),
      state: z.enum(['creating', 'created']),
      orderId: z.nullable(text),
      qrData: z.nullable(text),
      expiresAt: text,
      inFlightUntil: z.optional(text),
      createdAt: text,
      updatedAt: text,
    }),
  ),
});

export const createTillStore = (client: DynamoDBClient, tableName: string): TillStore => ({
  async get(externalPosId) {
    const result = await client.send(
      new GetItemCommand({ TableName: tableName, Key: keyOf(externalPosId), ConsistentRead: true }),
    );
    const doc = result.Item?.doc?.S;
    const version = result.Item?.version?.N;
    if (doc === undefined || version === undefined) return undefined;
    const parsed = document.safeParse(JSON.parse(doc));
    if (!parsed.success) throw new Error(`Stored till ${externalPosId} is not readable`);
    return { ...parsed.data, version: Number(version) };
  },

  async save(record) {
    const { version, ...doc } = record;
    const next: TillRecord = { ...record, version: version + 1 };
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            ...keyOf(record.externalPosId),
            version: { N: String(next.version) },
            doc: { S: JSON.stringify(doc) },
          },
          ...(version === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :expected',
                ExpressionAttributeValues: { ':expected': { N: String(version) } },
              }),
        }),
      );
      return next;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  },
});
