/**
 * The notification rig shared by test/webhook, test/reconcile and test/events: the harness (dynalite +
 * sandbox over HTTP) plus the webhook, refund handlers and processing deps wired as in AWS-less mode, the
 * webhook served over HTTP so the sandbox can deliver to it, events captured as lines and in a file.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, DeleteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createNotificationDedupeStore } from '../../functions/adapters/dynamodb/dedupe-store.ts';
import { createHintLimiter } from '../../functions/adapters/dynamodb/hint-limiter.ts';
import { createQrOrderStore } from '../../functions/adapters/dynamodb/qr-order-store.ts';
import { createTillStore } from '../../functions/adapters/dynamodb/till-store.ts';
import { createHttpHandler } from '../../functions/http/create-http-handler.ts';
import type { Clock } from '../../functions/model/clock.ts';
import type { EventEnvelope } from '../../functions/model/events/types.ts';
import { createLogger, type Logger } from '../../functions/observability/logger.ts';
import { setMetricSink } from '../../functions/observability/metrics.ts';
import type { ProcessingDeps } from '../../functions/operations/processing-deps.ts';
import type { ReconcileDeps } from '../../functions/reconcile/deps.ts';
import type { RefundDeps } from '../../functions/refunds/deps.ts';
import { refundRoutes } from '../../functions/refunds/routes.ts';
import type { WebhookDeps } from '../../functions/webhook/deps.ts';
import { inlineDispatch } from '../../functions/webhook/inline.ts';
import { webhookRoutes } from '../../functions/webhook/routes.ts';
import { type LocalServer, startLocalServer } from '../../local/server.ts';
import {
  type Harness,
  type HarnessOptions,
  type LambdaLike,
  newId,
  refundWindow,
  startHarness,
} from '../support/harness.ts';

export const WEBHOOK_PATH = '/webhooks/mercadopago';

export const silentLogger: Logger = createLogger({ level: 'error', sink: () => undefined });

/** A clock tests can move forward (reconciliation waits); the webhook keeps the real one (signatures). */
export interface MovableClock extends Clock {
  advance(ms: number): void;
  reset(): void;
}

const movableClock = (): MovableClock => {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance: (ms) => {
      offset += ms;
    },
    reset: () => {
      offset = 0;
    },
  };
};

export interface Rig {
  h: Harness;
  clock: MovableClock;
  processing: ProcessingDeps;
  webhookDeps: WebhookDeps;
  webhook: LambdaLike;
  refunds: LambdaLike;
  server: LocalServer;
  webhookUrl: string;
  reconcileDeps(overrides?: Partial<ReconcileDeps>): ReconcileDeps;
  /** Events published so far (through the writes' outboxes), parsed. */
  events(): EventEnvelope[];
  /** The events file's lines, parsed. */
  eventsInFile(): EventEnvelope[];
  metrics(): string[];
  metricCount(name: string): number;
  /** Every item of the table (emptied by `reset`). */
  items(): Promise<Record<string, AttributeValue>[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const startRig = async (options: HarnessOptions & { userId?: string } = {}): Promise<Rig> => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-events-'));
  const eventsFile = join(dir, 'events.jsonl');
  const h = await startHarness({ ...options, eventsFile });
  let metricLines: string[] = [];
  setMetricSink((line) => metricLines.push(line));
  const clock = movableClock();
  const processing: ProcessingDeps = {
    mercadoPago: h.mercadoPago,
    ledgers: h.ledgers,
    qrOrders: createQrOrderStore(h.dynamo, h.tableName),
    tills: createTillStore(h.dynamo, h.tableName),
    clock: h.clock,
    newId,
    settings: h.settings,
    userId: options.userId ?? h.sandbox.userId,
    siteId: 'MLB',
  };
  const webhookDeps: WebhookDeps = {
    secrets: async () => [h.sandbox.webhookSecret],
    toleranceSeconds: 300,
    userId: options.userId ?? h.sandbox.userId,
    dedupe: createNotificationDedupeStore(h.dynamo, h.tableName),
    hints: createHintLimiter(h.dynamo, h.tableName),
    dispatch: inlineDispatch(processing),
    clock: h.clock,
    newId,
  };
  const refundDeps: RefundDeps = {
    mercadoPago: h.mercadoPago,
    ledgers: h.ledgers,
    idempotency: h.idempotency,
    clock: h.clock,
    refundWindow,
    newId,
    settings: h.settings,
    keyRetentionDays: 30,
  };
  const webhook = createHttpHandler(
    webhookRoutes(async () => webhookDeps),
    { logger: silentLogger },
  );
  const refunds = createHttpHandler(
    refundRoutes(async () => refundDeps),
    { logger: silentLogger },
  );
  const server = await startLocalServer({ port: 0, handlers: { webhook, refunds }, log: silentLogger });
  const webhookUrl = `${server.url}${WEBHOOK_PATH}`;
  h.sandbox.configure({ notificationUrl: webhookUrl, notificationsEnabled: false });

  const parse = (text: string) => JSON.parse(text) as EventEnvelope;
  const items = async () => {
    const found: Record<string, AttributeValue>[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await h.dynamo.send(new ScanCommand({ TableName: h.tableName, ExclusiveStartKey: start }));
      found.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  };
  return {
    h,
    clock,
    processing,
    webhookDeps,
    webhook,
    refunds,
    server,
    webhookUrl,
    reconcileDeps: (overrides = {}) => ({
      mercadoPago: h.mercadoPago,
      ledgers: h.ledgers,
      refundSweep: h.refundSweep,
      clock,
      newId,
      settings: h.settings,
      userId: options.userId ?? h.sandbox.userId,
      siteId: 'MLB',
      attentionAfterMs: 86_400_000,
      ...overrides,
    }),
    events: () => h.events(),
    eventsInFile: () => {
      try {
        return readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean).map(parse);
      } catch {
        return [];
      }
    },
    metrics: () => [...metricLines],
    metricCount: (name) =>
      metricLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((m) => name in m).length,
    items,
    async reset() {
      await h.sandbox.notificationsIdle();
      await h.sandbox.resetFaults();
      h.sandbox.clearRequests();
      h.sandbox.configure({ notificationsEnabled: false });
      clock.reset();
      h.clearEvents();
      metricLines = [];
      rmSync(eventsFile, { force: true });
      // Each test starts from an empty table: "nothing written" is checked against it.
      for (const item of await items()) {
        await h.dynamo.send(
          new DeleteItemCommand({ TableName: h.tableName, Key: { pk: item.pk!, sk: item.sk! } }),
        );
      }
    },
    async close() {
      await h.sandbox.notificationsIdle();
      await server.close();
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** What the sandbox's GET /v1/payments/{id} saw (the re-reads a notification costs). */
export const paymentReads = (rig: Rig, paymentId: string) =>
  rig.h.sandbox.requests({ method: 'GET', path: new RegExp(`^/v1/payments/${paymentId}$`) });

export const refundPosts = (rig: Rig, paymentId: string) =>
  rig.h.sandbox.requests({ method: 'POST', path: new RegExp(`^/v1/payments/${paymentId}/refunds$`) });

export const approvedPayment = (rig: Rig, amount = 100): string =>
  rig.h.sandbox.createPayment({ status: 'approved', siteId: 'MLB', amount });
