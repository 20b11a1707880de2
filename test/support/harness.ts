/**
 * Integration harness: an embedded DynamoDB (dynalite) behind the local stream tap (so every write's outbox
 * is published as in AWS, into an in-memory list here), the Mercado Pago sandbox over real HTTP, and the real
 * Mercado Pago client; handlers are invoked with API Gateway v2 events. Each test file starts its own
 * (ephemeral ports), so files run in parallel.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createIdempotencyStore } from '../../functions/adapters/dynamodb/idempotency-store.ts';
import { createLedgerStore } from '../../functions/adapters/dynamodb/ledger-store.ts';
import { createRefundSweepIndex } from '../../functions/adapters/dynamodb/refund-index.ts';
import { createSweepCursorStore } from '../../functions/adapters/dynamodb/sweep-cursor-store.ts';
import { createMercadoPagoClient } from '../../functions/adapters/mercadopago/client.ts';
import { parseRefundWindow } from '../../functions/config/fields.ts';
import type { HttpLambdaResult } from '../../functions/http/types.ts';
import { type Clock, systemClock } from '../../functions/model/clock.ts';
import { type EventEnvelope, envelopeOf } from '../../functions/model/events/types.ts';
import { newId } from '../../functions/model/ids.ts';
import { DEFAULT_SETTLEMENT_SETTINGS, type SettlementSettings } from '../../functions/model/settings.ts';
import { createLogger } from '../../functions/observability/logger.ts';
import type { IdempotencyStore } from '../../functions/ports/idempotency-store.ts';
import type { LedgerStore } from '../../functions/ports/ledger-store.ts';
import type { MercadoPagoClient } from '../../functions/ports/mercadopago.ts';
import type { RefundSweepIndex, SweepCursorStore } from '../../functions/ports/refund-index.ts';
import { createTable } from '../../local/dynamodb.ts';
import { startLocalDynamoDb } from '../../local/embedded-dynamodb.ts';
import { type Sandbox, startSandbox } from '../../local/sandbox/index.ts';
import { apiEvent, type EventInput, lambdaContext } from './events.ts';

export const SANDBOX_TOKEN = 'TEST-sandbox-token';

export const quietLogger = createLogger({ level: 'error', sink: () => undefined });

export interface Harness {
  sandbox: Sandbox;
  dynamo: DynamoDBClient;
  /** The endpoint every write goes through (the stream tap), for processes a test starts. */
  dynamoEndpoint: string;
  tableName: string;
  mercadoPago: MercadoPagoClient;
  ledgers: LedgerStore;
  /** Reconciliation's sweep of new refunds over this table. */
  refundSweep: { index: RefundSweepIndex; cursors: SweepCursorStore };
  idempotency: IdempotencyStore;
  clock: Clock;
  settings: SettlementSettings;
  /** Events out published so far (through the outbox, as the table's stream would). */
  events(): EventEnvelope[];
  clearEvents(): void;
  close(): Promise<void>;
}

export interface HarnessOptions {
  sandbox?: Parameters<typeof startSandbox>[0];
  /** Mercado Pago client tries per call (tests of faults lower it). */
  maxAttempts?: number;
  settings?: Partial<SettlementSettings>;
  /** Also append published events to this file, as `npm start` does. */
  eventsFile?: string;
}

export const startHarness = async (options: HarnessOptions = {}): Promise<Harness> => {
  const published: EventEnvelope[] = [];
  const db = await startLocalDynamoDb({
    eventsFile: options.eventsFile,
    onEvent: (e) => published.push(envelopeOf(e)),
    log: quietLogger,
  });
  const dynamo = new DynamoDBClient({
    endpoint: db.endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const tableName = `test-${Math.random().toString(36).slice(2, 10)}`;
  await createTable(dynamo, tableName);
  const sandbox = await startSandbox({ seedDemoData: false, accessToken: SANDBOX_TOKEN, ...options.sandbox });
  const mercadoPago = createMercadoPagoClient({
    baseUrl: sandbox.url,
    accessToken: async () => SANDBOX_TOKEN,
    retry: { maxAttempts: options.maxAttempts ?? 3, baseDelayMs: 5, maxDelayMs: 20, retryAfterCapMs: 2_000 },
    // Retries wait for nothing: what they wait is the transport's business (its own tests), not these.
    sleep: async () => undefined,
    timeouts: { connectMs: 1_000, headersMs: 2_000, bodyMs: 2_000 },
  });
  return {
    sandbox,
    dynamo,
    dynamoEndpoint: db.endpoint,
    tableName,
    mercadoPago,
    ledgers: createLedgerStore(dynamo, tableName),
    refundSweep: {
      index: createRefundSweepIndex(dynamo, tableName),
      cursors: createSweepCursorStore(dynamo, tableName),
    },
    idempotency: createIdempotencyStore(dynamo, tableName),
    clock: systemClock,
    settings: { ...DEFAULT_SETTLEMENT_SETTINGS, ...options.settings },
    events: () => [...published],
    clearEvents: () => {
      published.length = 0;
    },
    async close() {
      await sandbox.close();
      dynamo.destroy();
      await db.close();
    },
  };
};

export interface InvokeResult {
  status: number;
  headers: Record<string, string>;
  body: any;
}

export type LambdaLike = (event: APIGatewayProxyEventV2, context: Context) => Promise<HttpLambdaResult>;

/** Calls a handler as API Gateway would, and parses its answer. */
export const invoke = async (
  handler: LambdaLike,
  input: EventInput,
  timeoutMs?: number,
): Promise<InvokeResult> => {
  const result = await handler(apiEvent(input), lambdaContext(timeoutMs));
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return {
    status: result.statusCode ?? 200,
    headers,
    body: result.body ? JSON.parse(result.body) : undefined,
  };
};

export const refundWindow = parseRefundWindow('90');
export { newId };
