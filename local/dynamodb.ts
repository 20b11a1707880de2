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
import { TableKeys } from '../functions/adapters/dynamodb/table.ts';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

const requireCjs = createRequire(import.meta.url);
// dynalite is CommonJS without types: its factory returns a node:http server.
const dynalite = requireCjs('dynalite') as (options: DynaliteOptions) => Server;

interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
}
/** The LevelDB package dynalite stores its data with (its own dependency, resolved from it). */
const { Level } = createRequire(requireCjs.resolve('dynalite'))('level') as {
  Level: new (path: string) => LevelDb;
};

/** Another process (a running `npm start`, `npm run reconcile`) has the data folder open. */
export class DataDirInUseError extends Error {
  readonly dataDir: string;

  constructor(dataDir: string) {
    super(`DATA_DIR ${dataDir} is in use by another process (a running \`npm start\`?)`);
    this.name = 'DataDirInUseError';
    this.dataDir = dataDir;
  }
}

const causeCodes = (error: unknown): unknown[] =>
  error instanceof Error ? [(error as { code?: unknown }).code, ...causeCodes(error.cause)] : [];

/**
 * LevelDB lets one process at a time open a folder. dynalite opens it in the background and, when another
 * process holds it, fails every request later with "Database is closed", thrown where nothing can catch it.
 * Opening the folder here first, for a moment, turns that into an error its caller can explain.
 */
const claimDataDir = async (dataDir: string): Promise<void> => {
  const db = new Level(dataDir);
  try {
    await db.open();
  } catch (error) {
    if (causeCodes(error).includes('LEVEL_LOCKED')) throw new DataDirInUseError(dataDir);
    throw error;
  }
  await db.close();
};

export interface EmbeddedDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1 and an ephemeral port; `dataDir` keeps the data between runs (and throws
 * DataDirInUseError when another process has it open).
 */
export const startEmbeddedDynamoDb = async (
  options: { dataDir?: string } = {},
): Promise<EmbeddedDynamoDb> => {
  if (options.dataDir !== undefined) {
    mkdirSync(options.dataDir, { recursive: true });
    await claimDataDir(options.dataDir);
  }
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

/** The table of functions/adapters/dynamodb/table.ts, as the stack deploys it (on-demand, one GSI). */
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
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [TableKeys.pendingSinceAttribute] },
    },
  ],
});

const TABLE_ACTIVE_TIMEOUT_MS = 10_000;

/** The table's status (`ACTIVE`...), or undefined when there is no such table. */
export const tableStatus = async (client: DynamoDBClient, tableName: string): Promise<string | undefined> => {
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
