/**
 * What the functions talk to during the bench, all in this process on 127.0.0.1: the embedded DynamoDB
 * (dynalite) with the project's table, and the Mercado Pago sandbox with no latency and no demo data.
 * DynamoDB requests are counted as they reach dynalite (dynamo-usage.ts), Mercado Pago calls by the
 * sandbox's own request log: counted, not estimated.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable, type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../local/dynamodb.ts';
import { type Sandbox, startSandbox } from '../local/sandbox/index.ts';
import { type DynamoUsage, emptyUsage, watchDynamoDb } from './dynamo-usage.ts';

export const TABLE_NAME = 'bench-ledger';
export const ACCESS_TOKEN = 'TEST-bench-token';
export const WEBHOOK_SECRET = 'bench-webhook-secret';
export const USER_ID = '123456789';
export const STORE_ID = 'BENCHSTORE1';

export interface Services {
  dynamoEndpoint: string;
  sandbox: Sandbox;
  /** The DynamoDB usage since the last call (or the start), and a fresh count from now on. */
  takeDynamoUsage(): DynamoUsage;
  close(): Promise<void>;
}

export const startServices = async (): Promise<Services> => {
  let usage = emptyUsage();
  const stopWatching = watchDynamoDb(() => usage);
  let db: EmbeddedDynamoDb | undefined;
  let sandbox: Sandbox | undefined;
  try {
    db = await startEmbeddedDynamoDb();
    const admin = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await createTable(admin, TABLE_NAME);
    admin.destroy();
    sandbox = await startSandbox({
      seedDemoData: false,
      accessToken: ACCESS_TOKEN,
      webhookSecret: WEBHOOK_SECRET,
      userId: USER_ID,
      // No notificationUrl: the bench sends the notifications it measures itself.
    });
  } catch (error) {
    stopWatching();
    await sandbox?.close();
    await db?.close();
    throw error;
  }
  const started = { db, sandbox };
  return {
    dynamoEndpoint: started.db.endpoint,
    sandbox: started.sandbox,
    takeDynamoUsage: () => {
      const taken = usage;
      usage = emptyUsage();
      return taken;
    },
    async close() {
      stopWatching();
      await started.sandbox.close();
      await started.db.close();
    },
  };
};
