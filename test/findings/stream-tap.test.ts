/**
 * Findings of a review (regression tests): the local stream tap (local/stream-tap.ts), the local stand-in for the table's stream. In
 * AWS the stream hands the event publisher the NEW image of every write that stored an outbox, whatever the
 * write asked back (ReturnValues) and however it named the attribute.
 */
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutEvent } from '../../functions/model/events/types.ts';
import { createTable } from '../../local/dynamodb.ts';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/embedded-dynamodb.ts';
import { quietLogger } from '../support/harness.ts';

let db: LocalDynamoDb;
let dynamo: DynamoDBClient;
const tableName = 'review-tap';
const published: OutEvent[] = [];

const event = (eventId: string): OutEvent =>
  ({
    detailType: 'QR Order Paid',
    detail: { version: 1, eventId, occurredAt: '2026-01-01T00:00:00.000Z' },
  }) as unknown as OutEvent;
const outbox = (eventId: string) => ({ S: JSON.stringify([event(eventId)]) });

beforeAll(async () => {
  db = await startLocalDynamoDb({
    eventsFile: undefined,
    onEvent: (e) => published.push(e),
    log: quietLogger,
  });
  dynamo = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTable(dynamo, tableName);
});
afterAll(async () => {
  dynamo.destroy();
  await db.close();
});
beforeEach(() => {
  published.length = 0;
});

const seed = async (pk: string) => {
  await dynamo.send(
    new PutItemCommand({
      TableName: tableName,
      Item: { pk: { S: pk }, sk: { S: 'X' }, status: { S: 'open' }, outbox: outbox(`old-${pk}`) },
    }),
  );
  await db.idle();
  published.length = 0;
};

describe('stream tap: UpdateItem that stores an outbox', () => {
  it.each(['ALL_OLD', 'UPDATED_NEW', 'UPDATED_OLD'] as const)(
    'with ReturnValues %s is refused loudly: never the old outbox published, never nothing',
    async (returnValues) => {
      const pk = `tap-${returnValues}`;
      await seed(pk);
      const write = dynamo.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { pk: { S: pk }, sk: { S: 'X' } },
          UpdateExpression: 'SET #status = :s, outbox = :o',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':s': { S: 'paid' }, ':o': outbox(`new-${pk}`) },
          ReturnValues: returnValues,
        }),
      );
      await expect(write).rejects.toThrow(/ReturnValues NONE or ALL_NEW/);
      await db.idle();
      expect(published).toEqual([]);
    },
  );

  it('with the attribute named through ExpressionAttributeNames (#o = outbox) publishes it', async () => {
    const pk = 'tap-alias';
    await seed(pk);
    await dynamo.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: pk }, sk: { S: 'X' } },
        UpdateExpression: 'SET #s = :s, #o = :o',
        ExpressionAttributeNames: { '#s': 'status', '#o': 'outbox' },
        ExpressionAttributeValues: { ':s': { S: 'paid' }, ':o': outbox(`new-${pk}`) },
      }),
    );
    await db.idle();
    expect(published.map((e) => e.detail.eventId)).toEqual([`new-${pk}`]);
  });
});
