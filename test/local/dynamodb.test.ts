import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createTable, type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../../local/dynamodb.ts';

const clientFor = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe('embedded DynamoDB', () => {
  const started: EmbeddedDynamoDb[] = [];
  const clients: DynamoDBClient[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'dynalite-test-'));

  afterAll(async () => {
    for (const client of clients) client.destroy();
    for (const db of started) await db.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts in memory on 127.0.0.1 and creates the table, twice safely', async () => {
    const db = await startEmbeddedDynamoDb();
    started.push(db);
    expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = clientFor(db.endpoint);
    clients.push(client);

    expect(await createTable(client, 'refunds-test')).toBe('created');
    expect(await createTable(client, 'refunds-test')).toBe('existed');
    const [a, b] = await Promise.all([createTable(client, 'raced'), createTable(client, 'raced')]);
    expect([a, b].sort()).toEqual(['created', 'existed']);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'refunds-test' }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: 'gsi1',
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['pendingSince'] },
    });
  });

  it('keeps items, and queries the pending index', async () => {
    const db = await startEmbeddedDynamoDb();
    started.push(db);
    const client = clientFor(db.endpoint);
    clients.push(client);
    await createTable(client, 'pending-test');
    await client.send(
      new PutItemCommand({
        TableName: 'pending-test',
        Item: {
          pk: { S: 'PAYMENT#1' },
          sk: { S: 'PAYMENT' },
          gsi1pk: { S: 'PENDING' },
          gsi1sk: { S: '2024' },
        },
      }),
    );
    const pending = await client.send(
      new QueryCommand({
        TableName: 'pending-test',
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :p',
        ExpressionAttributeValues: { ':p': { S: 'PENDING' } },
      }),
    );
    expect(pending.Items?.map((item) => item.pk?.S)).toEqual(['PAYMENT#1']);
  });

  it('persists in a data folder across restarts', async () => {
    const first = await startEmbeddedDynamoDb({ dataDir });
    const firstClient = clientFor(first.endpoint);
    expect(await createTable(firstClient, 'kept')).toBe('created');
    await firstClient.send(
      new PutItemCommand({ TableName: 'kept', Item: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    firstClient.destroy();
    await first.close();

    const second = await startEmbeddedDynamoDb({ dataDir });
    started.push(second);
    const client = clientFor(second.endpoint);
    clients.push(client);
    expect(await createTable(client, 'kept')).toBe('existed');
    const { Item } = await client.send(
      new GetItemCommand({ TableName: 'kept', Key: { pk: { S: 'a' }, sk: { S: 'b' } } }),
    );
    expect(Item?.pk?.S).toBe('a');
  });
});
