/**
 * The composition root: what a function builds once per process (cold start) from its configuration slice.
 * Each function's `xDeps(config)` (functions/<name>/deps.ts) assembles its dependencies from these
 * builders, and its handler.ts is three lines: load the slice, build the deps, hand them to the routes.
 * No function publishes events itself: each write stores its events (outbox) and the table's stream
 * publishes them (locally, the forwarder in front of the embedded DynamoDB).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoDbClient } from '../adapters/dynamodb/client.ts';
import { createIdempotencyStore } from '../adapters/dynamodb/idempotency-store.ts';
import { createLedgerStore } from '../adapters/dynamodb/ledger-store.ts';
import { createQrOrderStore } from '../adapters/dynamodb/qr-order-store.ts';
import { createReconciliationStore } from '../adapters/dynamodb/reconciliation-store.ts';
import { createRefundIndex, createRefundSweepIndex } from '../adapters/dynamodb/refund-index.ts';
import { createSweepCursorStore } from '../adapters/dynamodb/sweep-cursor-store.ts';
import { createTillStore } from '../adapters/dynamodb/till-store.ts';
import { createMercadoPagoClient } from '../adapters/mercadopago/client.ts';
import { createSecretResolver } from '../adapters/secrets.ts';
import type { MercadoPagoAccess, StorageConfig } from '../config/fields.ts';
import type { KeyedRouteConfig } from '../config/keyed-route.ts';
import type { ProcessingConfig } from '../config/processing.ts';
import { type Clock, systemClock } from '../model/clock.ts';
import { newId } from '../model/ids.ts';
import type { SettlementSettings } from '../model/settings.ts';
import type { LedgerDeps, MercadoPagoDeps } from '../operations/deps.ts';
import type { KeyedRequestDeps } from '../operations/keyed-request.ts';
import type { ProcessingDeps } from '../operations/processing-deps.ts';
import type { MercadoPagoClient } from '../ports/mercadopago.ts';
import type { QrOrderStore } from '../ports/qr-order-store.ts';
import type { ReconciliationStore } from '../ports/reconciliation-store.ts';
import type { RefundIndex, RefundSweepIndex, SweepCursorStore } from '../ports/refund-index.ts';
import type { TillStore } from '../ports/till-store.ts';

/** The process-wide pieces every function shares: the table's client, the clock, ids. */
export interface Runtime {
  dynamo: DynamoDBClient;
  tableName: string;
  clock: Clock;
  newId: (prefix: string) => string;
}

export const createRuntime = (storage: StorageConfig, overrides: Partial<Runtime> = {}): Runtime => ({
  dynamo: overrides.dynamo ?? dynamoDbClient(storage.dynamodbEndpoint),
  tableName: storage.tableName,
  clock: overrides.clock ?? systemClock,
  newId: overrides.newId ?? ((prefix) => newId(prefix)),
});

export const mercadoPagoClientOf = (runtime: Runtime, access: MercadoPagoAccess): MercadoPagoClient =>
  createMercadoPagoClient({
    baseUrl: access.baseUrl,
    accessToken: createSecretResolver(access.accessToken),
    clock: runtime.clock,
  });

export const ledgerDepsOf = (runtime: Runtime, settings: SettlementSettings): LedgerDeps => ({
  ledgers: createLedgerStore(runtime.dynamo, runtime.tableName),
  clock: runtime.clock,
  newId: runtime.newId,
  settings,
});

export const keyedRequestDepsOf = (runtime: Runtime, keyRetentionDays: number): KeyedRequestDeps => ({
  idempotency: createIdempotencyStore(runtime.dynamo, runtime.tableName),
  clock: runtime.clock,
  newId: runtime.newId,
  keyRetentionDays,
});

/** What every keyed money route needs (config/keyed-route.ts): the ledger, its keys and Mercado Pago. */
export const keyedRouteDepsOf = (
  runtime: Runtime,
  config: KeyedRouteConfig,
): LedgerDeps & KeyedRequestDeps & MercadoPagoDeps => ({
  ...ledgerDepsOf(runtime, config.settlement),
  ...keyedRequestDepsOf(runtime, config.keyRetentionDays),
  mercadoPago: mercadoPagoClientOf(runtime, config.mercadoPago),
});

export const qrOrderStoreOf = (runtime: Runtime): QrOrderStore =>
  createQrOrderStore(runtime.dynamo, runtime.tableName);

export const tillStoreOf = (runtime: Runtime): TillStore =>
  createTillStore(runtime.dynamo, runtime.tableName);

/** Notification processing (processor, inline webhook) and reconciliation share these. */
export const processingDepsOf = (
  config: ProcessingConfig,
  runtime: Runtime = createRuntime(config.storage),
): ProcessingDeps => ({
  ...ledgerDepsOf(runtime, config.settlement),
  mercadoPago: mercadoPagoClientOf(runtime, config.mercadoPago),
  qrOrders: qrOrderStoreOf(runtime),
  tills: tillStoreOf(runtime),
  userId: config.userId,
  siteId: config.siteId,
});

/** The reports' stores: each day's reconciliation and the refunds-by-day index. */
export const reportStoresOf = (
  runtime: Runtime,
): { reconciliations: ReconciliationStore; index: RefundIndex } => ({
  reconciliations: createReconciliationStore(runtime.dynamo, runtime.tableName),
  index: createRefundIndex(runtime.dynamo, runtime.tableName),
});

/** Reconciliation's sweep of new refunds: the day index read shard by shard, and where it stopped. */
export const refundSweepOf = (runtime: Runtime): { index: RefundSweepIndex; cursors: SweepCursorStore } => ({
  index: createRefundSweepIndex(runtime.dynamo, runtime.tableName),
  cursors: createSweepCursorStore(runtime.dynamo, runtime.tableName),
});
