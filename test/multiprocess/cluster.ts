/**
 * Several local servers sharing one DynamoDB, as several Lambdas do: each a real `node local/start.ts`
 * process (the handlers of AWS behind the local server), all against one embedded DynamoDB (with the stream
 * tap publishing every write's events, here into a list) and one Mercado Pago (the sandbox, behind a proxy
 * that can answer oddly). A server can be killed with SIGKILL mid-call and started again on the same data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLedgerStore } from '../../functions/adapters/dynamodb/ledger-store.ts';
import { createRefundSweepIndex } from '../../functions/adapters/dynamodb/refund-index.ts';
import { createSweepCursorStore } from '../../functions/adapters/dynamodb/sweep-cursor-store.ts';
import { type EventEnvelope, envelopeOf } from '../../functions/model/events/types.ts';
import { mercadoPagoRefundKey } from '../../functions/model/ledger/attempts.ts';
import type { LedgerStore } from '../../functions/ports/ledger-store.ts';
import type { RefundSweepIndex, SweepCursorStore } from '../../functions/ports/refund-index.ts';
import { createTable } from '../../local/dynamodb.ts';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/embedded-dynamodb.ts';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { quietLogger } from '../support/harness.ts';
import { type MercadoPagoProxy, startMercadoPagoProxy } from './mercadopago-proxy.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The Mercado Pago key a refund of ours is sent with: derived from its own id (one per reservation). */
export const mercadoPagoKeyOf = (_paymentId: string, _idempotencyKey: string, refundId: string): string =>
  mercadoPagoRefundKey({ id: refundId });
export const CLUSTER_TOKEN = 'TEST-cluster-token';
const TOKEN = CLUSTER_TOKEN;
const TABLE = 'cluster';

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export interface Cluster {
  sandbox: Sandbox;
  mercadoPago: MercadoPagoProxy;
  dynamoEndpoint: string;
  tableName: string;
  ledgers: LedgerStore;
  /** Reconciliation's sweep of new refunds over the cluster's table. */
  refundSweep: { index: RefundSweepIndex; cursors: SweepCursorStore };
  urls: string[];
  /** Events published so far (through the writes' outboxes). */
  events(): EventEnvelope[];
  request(
    server: number,
    method: string,
    path: string,
    options?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<Answer>;
  /** SIGKILL: the process dies at once, whatever it was doing. */
  kill(server: number): void;
  /** Starts a killed server again, with the same configuration. */
  restart(server: number): Promise<void>;
  close(): Promise<void>;
}

export interface ClusterOptions {
  servers: number;
  /** Extra environment for every server (e.g. RESEND_WINDOW_SECONDS). */
  env?: Record<string, string>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const waitForHealth = async (url: string, child: ChildProcess, output: () => string): Promise<void> => {
  for (let i = 0; i < 1_200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}): ${output()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server at ${url} did not start: ${output()}`);
};

export const startCluster = async (options: ClusterOptions): Promise<Cluster> => {
  const published: EventEnvelope[] = [];
  const db: LocalDynamoDb = await startLocalDynamoDb({
    eventsFile: undefined,
    onEvent: (event) => published.push(envelopeOf(event)),
    log: quietLogger,
  });
  const dynamo = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTable(dynamo, TABLE);
  const ports = await Promise.all(Array.from({ length: options.servers }, freePort));
  const urls = ports.map((port) => `http://127.0.0.1:${port}`);
  const sandbox = await startSandbox({
    seedDemoData: false,
    accessToken: TOKEN,
    notificationUrl: `${urls[0]}/webhooks/mercadopago`,
    notificationsEnabled: false,
  });
  const mercadoPago = await startMercadoPagoProxy(sandbox.url);
  const children: (ChildProcess | undefined)[] = [];

  const start = async (server: number) => {
    let output = '';
    const child = spawn(process.execPath, ['local/start.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        PORT: String(ports[server]),
        DYNAMODB_ENDPOINT: db.endpoint,
        TABLE_NAME: TABLE,
        AWS_REGION: 'local',
        MP_API_BASE_URL: mercadoPago.url,
        MP_ACCESS_TOKEN: TOKEN,
        MP_WEBHOOK_SECRET: sandbox.webhookSecret,
        MP_USER_ID: sandbox.userId,
        PUBLIC_WEBHOOK_URL: `${urls[server]}/webhooks/mercadopago`,
        LOG_LEVEL: 'error',
        LOG_FORMAT: 'json',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    });
    children[server] = child;
    await waitForHealth(urls[server]!, child, () => output);
  };
  await Promise.all(urls.map((_, server) => start(server)));

  return {
    sandbox,
    mercadoPago,
    dynamoEndpoint: db.endpoint,
    tableName: TABLE,
    ledgers: createLedgerStore(dynamo, TABLE),
    refundSweep: {
      index: createRefundSweepIndex(dynamo, TABLE),
      cursors: createSweepCursorStore(dynamo, TABLE),
    },
    urls,
    events: () => [...published],
    async request(server, method, path, requestOptions = {}) {
      const res = await fetch(`${urls[server]}${path}`, {
        method,
        headers: {
          ...(requestOptions.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...requestOptions.headers,
        },
        ...(requestOptions.body !== undefined ? { body: JSON.stringify(requestOptions.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
    },
    kill(server) {
      children[server]?.kill('SIGKILL');
    },
    async restart(server) {
      const old = children[server];
      if (old && old.exitCode === null && old.signalCode === null) {
        await new Promise((resolve) => old.once('exit', resolve));
      }
      await start(server);
    },
    async close() {
      for (const child of children) child?.kill('SIGKILL');
      await Promise.all(
        children.map((child) =>
          child && child.exitCode === null && child.signalCode === null
            ? new Promise((resolve) => child.once('exit', resolve))
            : undefined,
        ),
      );
      await mercadoPago.close();
      await sandbox.close();
      dynamo.destroy();
      await db.close();
    },
  };
};
