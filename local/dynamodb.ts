/**
 * The embedded DynamoDB of `npm start` and the integration tests: dynalite (DynamoDB's API over LevelDB)
 * in this process, in memory or persisted in a folder, and the project's table created in it.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { TableKeys } from '../functions/shared/storage/table.ts';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite is CommonJS without types: its factory returns a node:http server.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

export interface EmbeddedDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 and an ephemeral port; `dataDir` keeps the data between runs. */
export const startEmbeddedDynamoDb = async (
  options: { dataDir?: string } = {},
): Promise<EmbeddedDynamoDb> => {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  // Tables become ACTIVE at once: nothing here waits for capacity.
  const server = dynalite({
    ...(options.dataDir !== undefined ? { path: options.dataDir } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // dynalite's close also closes its store (and its LevelDB folder lock).
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
};

/** The table of functions/shared/storage/table.ts, as the stack deploys it (on-demand, one GSI). */
export const tableDefinition = (tableName: string): CreateTableCommandInput => ({
  TableName: tableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: TableKeys.partitionKey, AttributeType: 'S' },
    { AttributeName: TableKeys.sortKey, AttributeType: 'S' },
    { AttributeName: TableKeys.pendingIndexPartitionKey, AttributeType: 'S' },
    { AttributeName: TableKeys.pendingIndexSortKey, AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: TableKeys.partitionKey, KeyType: 'HASH' },
    { AttributeName: TableKeys.sortKey, KeyType: 'RANGE' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: TableKeys.pendingIndexName,
      KeySchema: [
        { AttributeName: TableKeys.pendingIndexPartitionKey, KeyType: 'HASH' },
        { AttributeName: TableKeys.pendingIndexSortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
});

const TABLE_ACTIVE_TIMEOUT_MS = 10_000;

const tableStatus = async (client: DynamoDBClient, tableName: string): Promise<string | undefined> => {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    return Table?.TableStatus;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
};

const waitUntilActive = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  const giveUpAt = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  while ((await tableStatus(client, tableName)) !== 'ACTIVE') {
    if (Date.now() > giveUpAt) throw new Error(`Table ${tableName} did not become ACTIVE`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/**
 * Creates the project's table unless it exists (a persisted dataDir, a second start, a race), then waits
 * until it is ACTIVE. Answers whether it was created now.
 */
export const createTable = async (
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'existed'> => {
  let outcome: 'created' | 'existed' = 'created';
  if ((await tableStatus(client, tableName)) !== undefined) {
    outcome = 'existed';
  } else {
    try {
      await client.send(new CreateTableCommand(tableDefinition(tableName)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      outcome = 'existed';
    }
  }
  await waitUntilActive(client, tableName);
  return outcome;
};
