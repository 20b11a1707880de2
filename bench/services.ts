/**
 * What the functions talk to during the bench, all in this process on 127.0.0.1: the embedded DynamoDB
 * (dynalite) with the project's table and the peer's idempotency table, the counting proxy in front of it
 * (dynamo-proxy.ts: cost phases only), the Mercado Pago sandbox with no latency and no demo data, and a
 * receiver for the notifications the sandbox sends (so the bench can hand them to the webhook as API
 * Gateway would). Mercado Pago calls are counted by the sandbox's own request log, DynamoDB requests by the
 * proxy (units) or, where nothing may slow them, as they reach dynalite (request-watch.ts).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable, type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../local/dynamodb.ts';
import { type Sandbox, startSandbox } from '../local/sandbox/index.ts';
import { type CountingProxy, startCountingProxy } from './dynamo-proxy.ts';
import { type DynamoUsage, emptyUsage } from './dynamo-usage.ts';

export const TABLE_NAME = 'bench-ledger';
/** The peer's idempotency records (Powertools' default schema: partition key `id`). */
export const PEER_TABLE_NAME = 'bench-peer-idempotency';
export const ACCESS_TOKEN = 'TEST-bench-token';
export const WEBHOOK_SECRET = 'bench-webhook-secret';
export const USER_ID = '123456789';
export const STORE_ID = 'BENCHSTORE1';
export const WEBHOOK_PATH = '/webhooks/mercadopago';

/** A notification the sandbox delivered, as it reached the receiver. */
export interface CapturedNotification {
  /** Path and query. */
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface NotificationCapture {
  /** What to give the sandbox as its notificationUrl. */
  url: string;
  /** Every notification received since the last call. */
  take(): CapturedNotification[];
}

export interface Services {
  /** dynalite itself: timed phases. */
  dynamoEndpoint: string;
  /** The counting proxy in front of it: cost phases. */
  countingEndpoint: string;
  proxy: CountingProxy;
  sandbox: Sandbox;
  notifications: NotificationCapture;
  /** A client of dynalite for the bench's own setup (seeding, extra tables). */
  admin: DynamoDBClient;
  /** What reached the proxy since the last call (or the start), and a fresh count from now on. */
  takeDynamoUsage(): DynamoUsage;
  close(): Promise<void>;
}

const startReceiver = async (): Promise<{ capture: NotificationCapture; server: Server }> => {
  let received: CapturedNotification[] = [];
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers))
        if (
          typeof value === 'string' &&
          name !== 'host' &&
          name !== 'connection' &&
          name !== 'content-length'
        )
          headers[name] = value;
      received.push({ url: request.url ?? '/', headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    capture: {
      url: `http://127.0.0.1:${port}${WEBHOOK_PATH}`,
      take: () => {
        const taken = received;
        received = [];
        return taken;
      },
    },
  };
};

export const startServices = async (): Promise<Services> => {
  let usage = emptyUsage();
  let db: EmbeddedDynamoDb | undefined;
  let sandbox: Sandbox | undefined;
  let proxy: CountingProxy | undefined;
  let receiver: Server | undefined;
  let admin: DynamoDBClient | undefined;
  try {
    db = await startEmbeddedDynamoDb();
    admin = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await createTable(admin, TABLE_NAME);
    await admin.send(
      new CreateTableCommand({
        TableName: PEER_TABLE_NAME,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    proxy = await startCountingProxy(db.endpoint, () => usage);
    const started = await startReceiver();
    receiver = started.server;
    sandbox = await startSandbox({
      seedDemoData: false,
      accessToken: ACCESS_TOKEN,
      webhookSecret: WEBHOOK_SECRET,
      userId: USER_ID,
      // The bench sends most notifications it measures itself; the end-to-end cost turns this on.
      notificationsEnabled: false,
      notificationUrl: started.capture.url,
      notificationRetryDelaysMs: [],
    });
    const ready = { db, sandbox, proxy, receiver, admin, capture: started.capture };
    return {
      dynamoEndpoint: ready.db.endpoint,
      countingEndpoint: ready.proxy.endpoint,
      proxy: ready.proxy,
      sandbox: ready.sandbox,
      notifications: ready.capture,
      admin: ready.admin,
      takeDynamoUsage: () => {
        const taken = usage;
        usage = emptyUsage();
        return taken;
      },
      async close() {
        await ready.sandbox.close();
        await ready.proxy.close();
        await new Promise<void>((resolve) => {
          ready.receiver.close(() => resolve());
          ready.receiver.closeAllConnections();
        });
        ready.admin.destroy();
        await ready.db.close();
      },
    };
  } catch (error) {
    await sandbox?.close();
    await proxy?.close();
    receiver?.close();
    admin?.destroy();
    await db?.close();
    throw error;
  }
};
