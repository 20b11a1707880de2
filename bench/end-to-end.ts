/**
 * What one refund costs in DynamoDB from end to end, as billed (dynamo-usage.ts, through the counting proxy),
 * with the deployed-like IAM caller of operations.ts: the refund request (key claim, reservation, Mercado Pago,
 * settlement, index writes) and the notification the sandbox sends about it, handed to the webhook as API
 * Gateway would (its dedupe markers, any ledger write; the webhook processes it inline here, which makes the
 * same DynamoDB requests as the deployed webhook + processor pair: only the SQS hop differs).
 * - Fresh payments: `count` refunds, each of its own payment, then their notifications.
 * - One payment refunded `sameCount` times (1.00 each): each refund and its notification counted alone, to
 *   see what the ledger's growth costs (the 20th against the first).
 * - No news: the same notification delivered again (a Mercado Pago retry), and a read of the payment's
 *   refunds (GET, which re-reads the payment): neither may write the ledger.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createLedgerStore } from '../functions/adapters/dynamodb/ledger-store.ts';
import { createRefundSweepIndex } from '../functions/adapters/dynamodb/refund-index.ts';
import { createSweepCursorStore } from '../functions/adapters/dynamodb/sweep-cursor-store.ts';
import { newId } from '../functions/model/ids.ts';
import { DEFAULT_SETTLEMENT_SETTINGS } from '../functions/model/settings.ts';
import { createLogger } from '../functions/observability/logger.ts';
import { type SweepReport, sweepNewRefunds } from '../functions/operations/sweep-new-refunds.ts';
import type { Invocation } from './child/protocol.ts';
import type { DriverSession } from './child/spawn.ts';
import { countWhile, type OperationCost } from './cost.ts';
import { type Lab, session } from './lab.ts';
import { apiGatewayEvent, refundRequest, refunds } from './operations.ts';
import { type CapturedNotification, TABLE_NAME } from './services.ts';
import { round } from './stats.ts';
import type { Subject } from './subjects.ts';

export interface RefundStepCost {
  /** Refund number on its payment (1-based). */
  index: number;
  writeUnits: number;
  readUnits: number;
  /** The ledger item after the step (bytes, as DynamoDB sizes items). */
  ledgerBytes: number;
  ledgerWritesByNotification: number;
}

export interface EndToEndResult {
  refunds: number;
  /** Per refund: the refund request, and the notification(s) that followed. */
  refund: OperationCost;
  notification: OperationCost;
  /**
   * Per refund: reconciliation's sweep of new refunds passing over it, RECONCILE_PENDING_AFTER_SECONDS later
   * (its ledger read, its share of the day-index pages and of the cursor's update): the sweep over these
   * refunds less a run's fixed part (`sweepPerRun`), shared by every refund of a run.
   */
  sweep: {
    readUnits: number;
    writeUnits: number;
    indexWriteUnits: number;
    dynamodb: OperationCost['dynamodb'];
  };
  /** A sweep run with nothing new: one read of the cursor and one query per day-index shard. */
  sweepPerRun: OperationCost;
  /** What that sweep did: it must hand nothing over (every refund settled at once). */
  sweepReport: Pick<SweepReport, 'swept' | 'failed'> & { handedOver: number };
  /** Notifications the sandbox sent per refund. */
  notificationsPerRefund: number;
  writeUnits: number;
  readUnits: number;
  /** Write units per refund by what was written, refund and notification together. */
  writeUnitsByCategory: Record<string, number>;
  /** Ledger items written per refund by the notification that followed it. */
  ledgerWritesByNotification: number;
  /** One payment refunded again and again. */
  samePayment: RefundStepCost[];
  /** WRU of the last refund of the same payment / the first's. */
  growthRatio: number;
  noNews: {
    duplicateNotification: { ledgerWrites: number; writeUnits: number };
    read: { ledgerWrites: number; writeUnits: number; readUnits: number };
  };
}

const ledgerWrites = (cost: OperationCost): number => cost.writesByCategory.ledger ?? 0;

const webhookEvents = (captured: CapturedNotification[]): Invocation[] =>
  captured.map((notification) => ({
    label: `notification ${notification.url}`,
    event: apiGatewayEvent({
      method: 'POST',
      url: notification.url,
      headers: notification.headers,
      body: notification.body,
    }),
    expect: { status: 200 },
  }));

/**
 * Reconciliation's sweep of new refunds, run here as the reconcile job runs it (same code), against the
 * bench's table through `endpoint`, its clock RECONCILE_PENDING_AFTER_SECONDS (and 5 s) ahead: it passes
 * over every refund made so far.
 */
const sweepEverything = async (endpoint: string): Promise<SweepReport> => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const settings = DEFAULT_SETTLEMENT_SETTINGS;
  const clock = { now: () => Date.now() + settings.firstCheckAfterMs + 5_000 };
  try {
    return await sweepNewRefunds(
      {
        ledgers: createLedgerStore(client, TABLE_NAME),
        clock,
        newId,
        settings,
        refundSweep: {
          index: createRefundSweepIndex(client, TABLE_NAME),
          cursors: createSweepCursorStore(client, TABLE_NAME),
        },
      },
      { log: createLogger({ level: 'error' }), deadline: clock.now() + 120_000 },
    );
  } finally {
    client.destroy();
  }
};

let keys = 0;
const refundOf = (paymentId: string, amount: number): Invocation => ({
  label: `refund of ${amount} of ${paymentId}`,
  event: apiGatewayEvent({
    ...refundRequest(paymentId, `bench-e2e-${process.pid}-${++keys}`),
    body: JSON.stringify({ amount, reason: 'bench' }),
  }),
  expect: { status: 201, bodyIncludes: '"succeeded"' },
});

export const measureEndToEnd = async (
  lab: Lab,
  subjects: { refunds: Subject; webhook: Subject },
  options: { count: number; sameCount: number },
): Promise<EndToEndResult> => {
  const { sandbox, notifications } = lab.services;
  const delivered = async (): Promise<CapturedNotification[]> => {
    await sandbox.notificationsIdle();
    return notifications.take();
  };
  // One process per function for the whole phase, as warm Lambdas: each step counted on its own.
  const refundsFn = await session(lab, subjects.refunds, 'project', { counted: true });
  const webhookFn = await session(lab, subjects.webhook, 'project', { counted: true });
  const each = (fn: DriverSession, invocations: Invocation[]) => async () => {
    for (const invocation of invocations) await fn.invoke({ ...invocation, bundle: 0 });
    return { eventLines: 0 };
  };
  const notify = (captured: CapturedNotification[], operations: number) =>
    countWhile(lab, operations, each(webhookFn, webhookEvents(captured)));

  sandbox.configure({ notificationsEnabled: true });
  notifications.take();
  try {
    // The earlier phases' refunds swept first (not counted): the counted sweep passes over these only. Then
    // a run with nothing new: the fixed part of a run (the cursor, one query per shard).
    await sweepEverything(lab.services.dynamoEndpoint);
    const sweepPerRun = await countWhile(lab, 1, async () => {
      await sweepEverything(lab.services.countingEndpoint);
      return { eventLines: 0 };
    });
    // Fresh payments.
    const batch = refunds(sandbox, options.count);
    const refund = await countWhile(lab, options.count, each(refundsFn, batch));
    const captured = await delivered();
    const notification = await notify(captured, options.count);
    let sweepReport: SweepReport | undefined;
    const swept = await countWhile(lab, options.count, async () => {
      sweepReport = await sweepEverything(lab.services.countingEndpoint);
      return { eventLines: 0 };
    });
    const lessRun = (units: number, perRun: number) => round(units - perRun / options.count, 3);
    const sweep: EndToEndResult['sweep'] = {
      readUnits: lessRun(swept.readUnits, sweepPerRun.readUnits),
      writeUnits: lessRun(swept.writeUnits, sweepPerRun.writeUnits),
      indexWriteUnits: lessRun(swept.indexWriteUnits, sweepPerRun.indexWriteUnits),
      dynamodb: swept.dynamodb,
    };

    // No news: the same notifications again, then a read of each payment's refunds.
    const again = await notify(captured, options.count);
    const paymentIds = batch.map((invocation) => /refund of (\d+)/.exec(invocation.label)?.[1] ?? '');
    const reads = paymentIds.map(
      (id): Invocation => ({
        label: `read of ${id}`,
        event: apiGatewayEvent({ method: 'GET', url: `/payments/${id}/refunds` }),
        expect: { status: 200 },
      }),
    );
    const read = await countWhile(lab, options.count, each(refundsFn, reads));
    await delivered();

    // One payment, refunded again and again.
    const paymentId = sandbox.createPayment({ status: 'approved', currency: 'BRL', amount: 100 });
    const samePayment: RefundStepCost[] = [];
    for (let index = 1; index <= options.sameCount; index++) {
      const step = await countWhile(lab, 1, each(refundsFn, [refundOf(paymentId, 1)]));
      const stepNotification = await notify(await delivered(), 1);
      samePayment.push({
        index,
        writeUnits: round(step.writeUnits + stepNotification.writeUnits, 2),
        readUnits: round(step.readUnits + stepNotification.readUnits, 2),
        ledgerBytes: Math.max(
          step.largestBytesByCategory.ledger ?? 0,
          stepNotification.largestBytesByCategory.ledger ?? 0,
        ),
        ledgerWritesByNotification: ledgerWrites(stepNotification),
      });
    }

    const writeUnitsByCategory: Record<string, number> = {};
    for (const cost of [refund, notification])
      for (const [category, units] of Object.entries(cost.writeUnitsByCategory))
        writeUnitsByCategory[category] = round((writeUnitsByCategory[category] ?? 0) + units, 2);
    if (sweep.writeUnits > 0) writeUnitsByCategory['sweep cursor'] = sweep.writeUnits;
    const first = samePayment[0]?.writeUnits ?? Number.NaN;
    const last = samePayment.at(-1)?.writeUnits ?? Number.NaN;
    return {
      refunds: options.count,
      refund,
      notification,
      sweep,
      sweepPerRun,
      sweepReport: {
        swept: sweepReport?.swept ?? 0,
        failed: sweepReport?.failed ?? 0,
        handedOver: sweepReport?.handedOver.length ?? 0,
      },
      notificationsPerRefund: round(captured.length / options.count, 2),
      writeUnits: round(refund.writeUnits + notification.writeUnits + sweep.writeUnits, 2),
      readUnits: round(refund.readUnits + notification.readUnits + sweep.readUnits, 2),
      writeUnitsByCategory,
      ledgerWritesByNotification: ledgerWrites(notification),
      samePayment,
      growthRatio: round(last / first, 3),
      noNews: {
        duplicateNotification: { ledgerWrites: ledgerWrites(again), writeUnits: again.writeUnits },
        read: { ledgerWrites: ledgerWrites(read), writeUnits: read.writeUnits, readUnits: read.readUnits },
      },
    };
  } finally {
    sandbox.configure({ notificationsEnabled: false });
    await sandbox.notificationsIdle();
    notifications.take();
    await refundsFn.close();
    await webhookFn.close();
  }
};
